package python

import (
	"bufio"
	"encoding/json"
	"os"
	"testing"
)

// TestSyntaxErrorsMatchCPython checks, for each case of
// testdata/syntax_errors.jsonl (source and CPython 3.14's verdict: message,
// line and 1-based column, or null when CPython accepts it; regenerate with
// testdata/gen_syntax_errors.py), that pyrace accepts or rejects it the same
// way and reports its first error on the same line with the same message.
// Columns are compared too but only logged: pyrace sometimes points at the
// offending token where CPython points at the token after it.
func TestSyntaxErrorsMatchCPython(t *testing.T) {
	f, err := os.Open("testdata/syntax_errors.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		var rec []json.RawMessage
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil || len(rec) != 2 {
			t.Fatalf("line %d: bad record: %v", n, err)
		}
		var src string
		json.Unmarshal(rec[0], &src)
		var want []any
		json.Unmarshal(rec[1], &want)
		got := ParseFile("case.py", []byte(src))
		if want == nil {
			if len(got.Errors) > 0 {
				t.Errorf("case %d %q: CPython accepts it, pyrace says %v", n, src, got.Errors[0])
			}
			continue
		}
		if len(got.Errors) == 0 {
			t.Errorf("case %d %q: CPython rejects it (%v), pyrace accepts it", n, src, want[0])
			continue
		}
		e := got.Errors[0]
		msg, line, col := want[0].(string), int(want[1].(float64)), int(want[2].(float64))
		if e.Msg != msg || e.Line != line {
			t.Errorf("case %d %q:\n  CPython: %d:%d: %s\n  pyrace:  %d:%d: %s", n, src, line, col, msg, e.Line, e.Col+1, e.Msg)
		} else if e.Col+1 != col {
			t.Logf("case %d %q: column %d, CPython says %d", n, src, e.Col+1, col)
		}
	}
}
