package python

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// cpythonTypeName is the name the dump gives the node's type.
func cpythonTypeName(n Node) string {
	name := strings.TrimPrefix(fmt.Sprintf("%T", n), "*python.")
	switch name {
	case "ExprStmt":
		return "Expr"
	case "Arg", "Keyword", "Alias":
		return strings.ToLower(name)
	}
	return name
}

// TestInspectVisitsEveryNode checks Inspect against Dump: on every dump
// fixture, Inspect must visit exactly the nodes that the 3.14 dump prints
// with a position, in the same order.
func TestInspectVisitsEveryNode(t *testing.T) {
	files, err := filepath.Glob("testdata/dump/*.py")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	total := 0
	for _, path := range files {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		f := ParseFile(path, src)
		var b strings.Builder
		if err := Dump(&b, f.Module, DumpOptions{}); err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, line := range strings.Split(b.String(), "\n") {
			if i := strings.Index(line, " @"); i >= 0 {
				want = append(want, line[strings.LastIndex(line[:i], " ")+1:])
			}
		}
		total += len(want)
		var got []string
		InspectModule(f.Module, func(n Node) bool {
			s := n.Pos()
			got = append(got, fmt.Sprintf("%s @%d:%d-%d:%d", cpythonTypeName(n), s.Line, s.Col, s.EndLine, s.EndCol))
			return true
		})
		if g, w := strings.Join(got, "\n"), strings.Join(want, "\n"); g != w {
			t.Errorf("%s: Inspect visited %d nodes, the dump prints %d with positions", path, len(got), len(want))
		}
	}
	if total < 1000 {
		t.Errorf("the fixtures hold only %d positioned nodes", total)
	}
}

func TestInspectSkipsChildren(t *testing.T) {
	f := ParseFile("s.py", []byte("def f(a):\n    return g(a)\nx = 1\n"))
	var seen []string
	InspectModule(f.Module, func(n Node) bool {
		seen = append(seen, cpythonTypeName(n))
		_, isFunc := n.(*FunctionDef)
		return !isFunc
	})
	if got := strings.Join(seen, " "); got != "FunctionDef Assign Name Constant" {
		t.Errorf("visited %s", got)
	}
}
