package difftest

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
)

// WriteMutants writes n damaged snippets of the Python files under src to
// dir, as mutant-NNNN.py, deterministically for a seed: each is a window
// of 3 to 12 lines of one file with one random edit (a character deleted,
// inserted or swapped, a short range deleted, or a fragment inserted).
// Compared file by file with CPython, they check that pyrace rejects
// exactly the broken code CPython rejects, far from the well-formed code of
// a standard library. It returns how many it wrote.
func WriteMutants(src, dir string, n int, seed uint64) (int, error) {
	files, err := StdlibFiles(src)
	if err != nil {
		return 0, err
	}
	if len(files) == 0 {
		return 0, fmt.Errorf("no Python files under %s", src)
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	written := 0
	for attempts := 0; written < n && attempts < 20*n; attempts++ {
		data, err := os.ReadFile(files[rng.IntN(len(files))])
		if err != nil {
			continue
		}
		lines := bytes.SplitAfter(data, []byte("\n"))
		if len(lines) < 5 {
			continue
		}
		i := rng.IntN(len(lines) - 4)
		end := min(len(lines), i+3+rng.IntN(10))
		chunk := bytes.Join(lines[i:end], nil)
		if len(chunk) == 0 {
			continue
		}
		m := mutate(rng, chunk)
		name := filepath.Join(dir, fmt.Sprintf("mutant-%04d.py", written))
		if err := os.WriteFile(name, m, 0o644); err != nil {
			return written, err
		}
		written++
	}
	return written, nil
}

func mutate(rng *rand.Rand, b []byte) []byte {
	// The fragments a mutation may insert: tokens and phrases that turn
	// valid code into the kinds of broken (or surprisingly valid) code
	// people write.
	insertions := [...]string{
		"(", ")", "[", "]", "{", "}", ":", ",", ".", "=", "+", "*", "**", "\\", "'", "\"",
		"#", "@", "!", "\n", " ", "\t", "f\"{x}\"", " if x else y", " for x in y",
		"lambda: ", " := 1", "await ", "yield ", "not ", " is not ", "match ", "case _:",
		", ", "; ", "async ", "\"\"\"", "0x", "1_", "...", "->", "except* ",
	}
	out := bytes.Clone(b)
	at := rng.IntN(len(out) + 1)
	switch rng.IntN(5) {
	case 0: // delete a byte
		if at < len(out) {
			out = append(out[:at], out[at+1:]...)
		}
	case 1: // delete a short range
		end := min(len(out), at+1+rng.IntN(8))
		out = append(out[:at], out[end:]...)
	case 2: // swap two neighbours
		if at+1 < len(out) {
			out[at], out[at+1] = out[at+1], out[at]
		}
	default: // insert a fragment
		frag := insertions[rng.IntN(len(insertions))]
		out = append(out[:at], append([]byte(frag), out[at:]...)...)
	}
	return out
}
