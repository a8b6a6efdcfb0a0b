//go:build unix

package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// nobody is the unprivileged user the end-to-end test runs pyrace as when the
// tests run as root, for whom file permissions do not block reads.
const nobody = 65534

const goodSource = `"""A small module that parses."""

import threading


class Counter:
    def __init__(self):
        self._lock = threading.Lock()
        self.value = 0

    def incr(self):
        with self._lock:
            self.value += 1
`

// bigFileSize is the size of the one-line file in the end-to-end test.
const bigFileSize = 10 << 20

// writeBigOneLine writes `x = [0, 1, 2, ...]` on a single line of at least
// bigFileSize bytes.
func writeBigOneLine(t *testing.T, path string) int {
	t.Helper()
	var b bytes.Buffer
	b.Grow(bigFileSize + 32)
	b.WriteString("x = [")
	for i := 0; b.Len() < bigFileSize; i++ {
		fmt.Fprintf(&b, "%d, ", i)
	}
	b.WriteString("0]\n")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return b.Len()
}

// worldDir returns a new temporary directory that every user can read, so
// that pyrace can be run in it as nobody.
func worldDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "pyrace-e2e-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			_ = os.Chmod(p, 0o755) // let RemoveAll into locked directories
			return nil
		})
		_ = os.RemoveAll(dir)
	})
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// asNobody makes a command run as the unprivileged user.
func asNobody(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody, NoSetGroups: true}}
}

// unprivileged returns how to run pyrace so that a chmod 000 file is
// unreadable to it, or a reason why that is impossible here.
func unprivileged(t *testing.T, dir string) (configure func(*exec.Cmd), skipReason string) {
	if os.Geteuid() != 0 {
		return nil, ""
	}
	probe := exec.Command(pyraceBin, "version")
	probe.Dir = dir
	asNobody(probe)
	if out, err := probe.CombinedOutput(); err != nil {
		return nil, fmt.Sprintf("running as root and cannot run pyrace as uid %d (%v: %s), "+
			"so a chmod 000 file would still be readable", nobody, err, bytes.TrimSpace(out))
	}
	return asNobody, ""
}

var diagLine = regexp.MustCompile(`^(.+?):(\d+):(\d+): (.+)$`)

// TestParseBadInputs runs the pyrace binary over a directory holding a good
// file next to every kind of bad input, and checks that each bad input gets
// its diagnostic, that the good file is still processed and that the exit
// status is 2 because of the bad inputs only.
func TestParseBadInputs(t *testing.T) {
	root := worldDir(t)
	proj := filepath.Join(root, "proj")
	if err := os.Mkdir(proj, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name string, data []byte) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(proj, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("good.py", []byte(goodSource))
	// Not UTF-8 and no coding cookie: a decoding error on line 1.
	write("latin.py", []byte("\xff\xfe = 'caf\xe9'\nprint(1)\n"))
	// A binary file with NUL bytes on its first line.
	write("x.py", []byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00\nmore\x00binary\n"))
	bigSize := writeBigOneLine(t, filepath.Join(proj, "big.py"))
	if err := os.Symlink("missing.py", filepath.Join(proj, "dangling.py")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(".", filepath.Join(proj, "loop")); err != nil {
		t.Fatal(err)
	}
	write("locked.py", []byte(goodSource))
	if err := os.Chmod(filepath.Join(proj, "locked.py"), 0); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(proj, "lockeddir"), 0o755); err != nil {
		t.Fatal(err)
	}
	write("lockeddir/hidden.py", []byte(goodSource))
	if err := os.Chmod(filepath.Join(proj, "lockeddir"), 0); err != nil {
		t.Fatal(err)
	}

	configure, skipUnreadable := unprivileged(t, root)
	if skipUnreadable != "" {
		t.Logf("not checking chmod 000 files and directories: %s", skipUnreadable)
	}

	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	r := runBin(t, ctx, root, configure, "parse", "--stats", "--format", "json", "--jobs", "2", "proj", "nope.py")

	if r.code != ExitError {
		t.Errorf("exit status %d, want %d", r.code, ExitError)
	}
	var st parseStats
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&st); err != nil {
		t.Fatalf("stdout is not the stats JSON: %v\n%s", err, r.stdout)
	}
	if strings.Contains(r.stderr, "\x1b[") {
		t.Error("stderr is not a terminal but has colour escapes")
	}

	// Every stderr line is a diagnostic, sorted by path, and there is none
	// from a parser failure.
	byPath := map[string][]string{}
	var paths []string
	for line := range strings.Lines(r.stderr) {
		m := diagLine.FindStringSubmatch(strings.TrimSuffix(line, "\n"))
		if m == nil {
			t.Errorf("stderr line is not PATH:LINE:COL: MESSAGE: %q", line)
			continue
		}
		byPath[m[1]] = append(byPath[m[1]], m[2]+":"+m[3]+": "+m[4])
		paths = append(paths, m[1])
		if strings.Contains(m[4], "internal error") {
			t.Errorf("parser failure: %s", line)
		}
	}
	if !slices.IsSorted(paths) {
		t.Errorf("diagnostics are not sorted by path: %v", paths)
	}

	tests := []struct {
		name       string
		path       string
		want       string // the diagnostic after PATH:, a prefix
		unreadable bool   // needs an unprivileged run
	}{
		{"non-UTF-8 without cookie", "proj/latin.py", "1:1: (unicode error) 'utf-8' codec can't decode byte 0xff in position 0", false},
		{"binary file with NUL bytes", "proj/x.py", "1:8: source code cannot contain null bytes", false},
		{"missing path", "nope.py", "1:1: no such file or directory", false},
		{"dangling symlink", "proj/dangling.py", `1:1: broken symbolic link to "missing.py"`, false},
		{"symlink loop", "proj/loop", "1:1: symbolic link loop: leads back to proj, which is being walked", false},
		{"chmod 000 file", "proj/locked.py", "1:1: cannot read file: permission denied", true},
		{"chmod 000 directory", "proj/lockeddir", "1:1: cannot read directory: permission denied", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.unreadable && skipUnreadable != "" {
				t.Skip(skipUnreadable)
			}
			got := byPath[tt.path]
			if !slices.ContainsFunc(got, func(d string) bool { return strings.HasPrefix(d, tt.want) }) {
				t.Errorf("no diagnostic %s:%s...; got %q\nstderr:\n%s", tt.path, tt.want, got, tail(r.stderr))
			}
		})
	}

	t.Run("good and big files are processed", func(t *testing.T) {
		// good, latin, x and big are read and parsed whatever their errors.
		if st.Files != 4 {
			t.Errorf("stats count %d files, want 4: %+v", st.Files, st)
		}
		if want := int64(len(goodSource) + bigSize); st.Bytes < want {
			t.Errorf("stats count %d bytes, want at least %d", st.Bytes, want)
		}
		wantIO := 5 // nope, dangling, loop, locked, lockeddir
		if skipUnreadable != "" {
			wantIO = 3
		}
		if st.IOErrors != wantIO {
			t.Errorf("stats count %d I/O errors, want %d", st.IOErrors, wantIO)
		}
		if st.FilesWithErrors < 2 || st.Errors < 2 {
			t.Errorf("latin.py and x.py must count as files with errors: %+v", st)
		}
		if d := byPath["proj/big.py"]; len(d) > 0 {
			t.Errorf("big.py is valid Python, but got %q", d)
		}
		if d := byPath["proj/good.py"]; len(d) > 0 {
			t.Errorf("good.py is valid Python, but got %q", d)
		}
		if st.FilesWithErrors != 2 {
			t.Errorf("exactly latin.py and x.py have errors, stats say %d files", st.FilesWithErrors)
		}
	})
}

// TestParseGoodFileHasNoErrors checks that a valid file, and the bundled
// examples the quick start parses, yield no diagnostic and exit status 0.
func TestParseGoodFileHasNoErrors(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "good.py"), []byte(goodSource), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runBin(t, t.Context(), dir, nil, "parse", "--stats", "good.py")
	if r.code != ExitOK || r.stderr != "" {
		t.Errorf("exit status %d, stderr %q; want 0 and nothing", r.code, r.stderr)
	}
	if !regexp.MustCompile(`(?m)^files\s+1$`).MatchString(r.stdout) {
		t.Errorf("stats do not count one file:\n%s", r.stdout)
	}

	examples, err := filepath.Abs(filepath.Join("..", "..", "examples"))
	if err != nil {
		t.Fatal(err)
	}
	r = runBin(t, t.Context(), dir, nil, "parse", "--stats", examples)
	if r.code != ExitOK || r.stderr != "" {
		t.Errorf("parsing the examples: exit status %d, stderr %q; want 0 and nothing", r.code, r.stderr)
	}
}

// TestParseDump checks the --dump wiring: the AST goes to stdout and errors
// to stderr.
func TestParseDump(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "good.py"), []byte(goodSource), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runBin(t, t.Context(), dir, nil, "parse", "--dump", "missing.py")
	if r.code != ExitError || !strings.Contains(r.stderr, "missing.py:1:1: cannot read file: no such file or directory") {
		t.Errorf("dump of a missing file: status %d, stderr %q", r.code, r.stderr)
	}

	r = runBin(t, t.Context(), dir, nil, "parse", "--dump", "good.py")
	if strings.Contains(r.stderr, "not available in this build") {
		if r.code != ExitError {
			t.Errorf("exit status %d, want %d", r.code, ExitError)
		}
		t.Skip("python.Dump is not wired into internal/cli/dump.go yet")
	}
	if r.stdout == "" {
		t.Errorf("--dump printed nothing; stderr %q", r.stderr)
	}
	if r.code != ExitOK && r.code != ExitError {
		t.Errorf("exit status %d", r.code)
	}
}
