package gilcheck

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pyrace/pyrace/internal/results"
)

func mkfiles(t *testing.T, root string, files ...string) {
	t.Helper()
	for _, f := range files {
		p := filepath.Join(root, f)
		if strings.HasSuffix(f, "/") {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestFindImportName(t *testing.T) {
	tests := []struct {
		name    string
		dirName string
		files   []string
		want    string
	}{
		{"flat", "proj", []string{"mypkg/__init__.py", "tests/__init__.py", "setup.py"}, "mypkg"},
		{"src layout", "proj", []string{"src/mypkg/__init__.py", "tests/__init__.py"}, "mypkg"},
		{"only tests and docs", "proj", []string{"tests/__init__.py", "test/__init__.py", "docs/__init__.py", "doc/__init__.py",
			"examples/__init__.py", "benchmarks/__init__.py", "build/__init__.py", "dist/__init__.py"}, ""},
		{"hidden and venv", "proj", []string{".hidden/__init__.py", "venv/__init__.py", "myenv/pyvenv.cfg", "myenv/__init__.py"}, ""},
		{"no __init__", "proj", []string{"mypkg/mod.py", "script.py"}, ""},
		{"matches the directory", "my-project", []string{"aaa/__init__.py", "my_project/__init__.py", "zzz/__init__.py"}, "my_project"},
		{"matches in src", "my.project", []string{"aaa/__init__.py", "src/my_project/__init__.py"}, "my_project"},
		{"alphabetical", "proj", []string{"zeta/__init__.py", "alpha/__init__.py", "src/beta/__init__.py"}, "alpha"},
		{"not an identifier", "proj", []string{"my-pkg/__init__.py", "1pkg/__init__.py", "pkg.egg-info/__init__.py"}, ""},
		{"__init__ is a directory", "proj", []string{"pkg/__init__.py/"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), tt.dirName)
			mkfiles(t, dir, tt.files...)
			if got := FindImportName(dir); got != tt.want {
				t.Errorf("FindImportName = %q, want %q", got, tt.want)
			}
		})
	}
	if got := FindImportName(filepath.Join(t.TempDir(), "missing")); got != "" {
		t.Errorf("missing directory: %q", got)
	}
}

func TestScanOptIns(t *testing.T) {
	got, err := ScanOptIns(t.Context(), filepath.Join("testdata", "optins"))
	if err != nil {
		t.Fatal(err)
	}
	want := []results.OptIn{
		{File: "CMakeLists.txt", Line: 4, Form: FormNanobind, Text: "nanobind_add_module( fast_nb STABLE_ABI FREE_THREADED src/ext/nb.cpp)"},
		{File: "meson.build", Line: 2, Form: FormCython, Text: "cython_args: ['-X', 'freethreading_compatible=True'],"},
		{File: "rust/src/lib.rs", Line: 3, Form: FormPyO3, Text: "#[pymodule(gil_used = false)]"},
		{File: "rust/src/lib.rs", Line: 11, Form: FormPyO3, Text: "m.gil_used(false)?;"},
		{File: "setup.py", Line: 6, Form: FormCython, Text: `compiler_directives={"freethreading_compatible": True}))`},
		{File: "src/ext/bind.cpp", Line: 4, Form: FormPybind11, Text: "PYBIND11_MODULE(bind, m, py::mod_gil_not_used()) {"},
		{File: "src/ext/fast.pyx", Line: 2, Form: FormCython, Text: "# cython: freethreading_compatible = True"},
		{File: "src/ext/one_line.c", Line: 6, Form: FormPyModGIL, Text: "Py_mod_gil, Py_MOD_GIL_NOT_USED"},
		{File: "src/ext/single.c", Line: 8, Form: FormSetGIL, Text: "PyUnstable_Module_SetGIL(m, Py_MOD_GIL_NOT_USED)"},
		{File: "src/ext/split.c", Line: 8, Form: FormPyModGIL, Text: "Py_mod_gil, Py_MOD_GIL_NOT_USED"},
		{File: "src/ext/split.c", Line: 13, Form: FormPyModGIL, Text: "Py_mod_gil, .value = Py_MOD_GIL_NOT_USED"},
		{File: "src/ext/uses_gil.c", Line: 4, Form: FormPyModGILUsed, Text: "Py_mod_gil, Py_MOD_GIL_USED"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("ScanOptIns:\n%s", diffOptIns(got, want))
	}
}

func diffOptIns(got, want []results.OptIn) string {
	var b strings.Builder
	for _, o := range got {
		if !slices.Contains(want, o) {
			fmt.Fprintf(&b, "  unexpected %+v\n", o)
		}
	}
	for _, o := range want {
		if !slices.Contains(got, o) {
			fmt.Fprintf(&b, "  missing    %+v\n", o)
		}
	}
	if b.Len() == 0 {
		b.WriteString("  same opt-ins, different order")
	}
	return b.String()
}

func TestScanOptInsEdges(t *testing.T) {
	t.Run("missing root", func(t *testing.T) {
		if _, err := ScanOptIns(t.Context(), filepath.Join(t.TempDir(), "missing")); err == nil {
			t.Error("no error")
		}
	})
	t.Run("root is a file", func(t *testing.T) {
		f := filepath.Join(t.TempDir(), "f.c")
		mkfiles(t, filepath.Dir(f), "f.c")
		if _, err := ScanOptIns(t.Context(), f); err == nil {
			t.Error("no error")
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if _, err := ScanOptIns(ctx, filepath.Join("testdata", "optins")); err == nil {
			t.Error("no error")
		}
	})
	t.Run("big, long-lined and CRLF files", func(t *testing.T) {
		dir := t.TempDir()
		big := strings.Repeat("x", MaxScanFileSize) + "\n{Py_mod_gil, Py_MOD_GIL_NOT_USED}\n"
		long := strings.Repeat("y", 1<<20) + "\r\n{Py_mod_gil,\r\n Py_MOD_GIL_NOT_USED}\r\n"
		for name, content := range map[string]string{"big.c": big, "long.c": long} {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		got, err := ScanOptIns(t.Context(), dir)
		if err != nil {
			t.Fatal(err)
		}
		want := []results.OptIn{{File: "long.c", Line: 2, Form: FormPyModGIL, Text: "Py_mod_gil, Py_MOD_GIL_NOT_USED"}}
		if !slices.Equal(got, want) {
			t.Errorf("got %+v, want %+v", got, want)
		}
	})
	t.Run("declaration at the end of a file", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "end.c"), []byte("{Py_mod_gil,\nPy_MOD_GIL_NOT_USED}"), 0o644); err != nil {
			t.Fatal(err)
		}
		got, _ := ScanOptIns(t.Context(), dir)
		if len(got) != 1 || got[0].Line != 1 {
			t.Errorf("got %+v", got)
		}
	})
}

func TestNormalise(t *testing.T) {
	tests := []struct {
		in    string
		style commentStyle
		want  string
	}{
		{"Py_mod_gil, /* c */ Py_MOD_GIL_NOT_USED", cComments, "Py_mod_gil, Py_MOD_GIL_NOT_USED"},
		{"Py_mod_gil, // c\n  Py_MOD_GIL_NOT_USED}", cComments, "Py_mod_gil, Py_MOD_GIL_NOT_USED}"},
		{"a /* unterminated", cComments, "a"},
		{"f(x # c\n FREE_THREADED)", hashComments, "f(x FREE_THREADED)"},
	}
	for _, tt := range tests {
		if got := normalise(tt.in, tt.style); got != tt.want {
			t.Errorf("normalise(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
