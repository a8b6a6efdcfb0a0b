//go:build unix

package gilcheck

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pyrace/pyrace/internal/harness/pyhelpers"
	"github.com/pyrace/pyrace/internal/results"
	"github.com/pyrace/pyrace/internal/testenv"
)

const systemPython = "/usr/bin/python3"

func system(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat(systemPython); err != nil {
		t.Skipf("%s not installed", systemPython)
	}
	return systemPython
}

func ftPython(t *testing.T) string {
	t.Helper()
	return testenv.FTPython(t)
}

func helpers(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "helpers")
	if err := pyhelpers.Install(dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

// testEnv is the environment of the probes: PYTHON_GIL=0 and a state
// directory are set on purpose, as the harness has them for its runs; the
// probe must remove both.
func testEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PYTHON") && !strings.HasPrefix(kv, "PYRACE") {
			env = append(env, kv)
		}
	}
	return append(env, "PYTHON_GIL=0", "PYRACE_STATE_DIR=/nonexistent/pyrace-state")
}

func TestProbePurePython(t *testing.T) {
	for name, python := range map[string]func(*testing.T) string{"debian": system, "free-threaded": ftPython} {
		t.Run(name, func(t *testing.T) {
			py := python(t)
			dir := testenv.CopyTestdata(t, "purepkg")
			if got := FindImportName(dir); got != "purepkg" {
				t.Fatalf("FindImportName = %q", got)
			}
			g, err := Probe(t.Context(), py, dir, "purepkg", helpers(t), testEnv())
			if err != nil {
				t.Fatalf("Probe: %v", err)
			}
			if !g.Probed || g.ImportName != "purepkg" || g.Modules != 5 || g.Error != "" || g.Fallback() ||
				len(g.EnabledBy) != 0 || len(g.Extensions) != 0 || len(g.OptIns) != 0 {
				t.Errorf("got %+v", *g)
			}
			wantErrs := []string{
				"purepkg.broken: ModuleNotFoundError: No module named 'purepkg_missing_dependency'",
				"purepkg.exits: SystemExit: 3",
			}
			if !slices.Equal(g.ImportErrors, wantErrs) {
				t.Errorf("import errors %q, want %q", g.ImportErrors, wantErrs)
			}
			if name == "free-threaded" {
				if g.EnabledBefore == nil || *g.EnabledBefore || g.EnabledAfter == nil || *g.EnabledAfter {
					t.Errorf("GIL before %v after %v, want off and off", g.EnabledBefore, g.EnabledAfter)
				}
			} else if g.EnabledBefore != nil || g.EnabledAfter != nil {
				t.Errorf("GIL before %v after %v, want unknown", g.EnabledBefore, g.EnabledAfter)
			}
			// No bytecode left in the project.
			filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
				if err == nil && d.Name() == "__pycache__" {
					t.Errorf("bytecode written: %s", p)
				}
				return nil
			})
		})
	}
}

func TestProbeImportErrorOfPackage(t *testing.T) {
	py := system(t)
	dir := t.TempDir()
	g, err := Probe(t.Context(), py, dir, "pyrace_no_such_package", helpers(t), nil)
	if err != nil {
		t.Fatalf("Probe: %v", err)
	}
	want := []string{"pyrace_no_such_package: ModuleNotFoundError: No module named 'pyrace_no_such_package'"}
	if !g.Probed || g.Modules != 0 || !slices.Equal(g.ImportErrors, want) {
		t.Errorf("got %+v", *g)
	}
}

func TestProbeFailures(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name       string
		python     string
		importName string
		wantErr    string // "" for no Go error
		wantCheck  string // in GILCheck.Error
	}{
		{"no package", systemPython, "", "", "no importable package found"},
		{"missing interpreter", filepath.Join(dir, "nope"), "pkg", "no such file", "no such file"},
		// The helpers are not on PYTHONPATH: python fails with "No module
		// named pyrace_gilprobe" and no result.
		{"no helpers", systemPython, "pkg", "pyrace_gilprobe", "exit status 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.python == systemPython {
				system(t)
			}
			g, err := Probe(t.Context(), tt.python, dir, tt.importName, filepath.Join(dir, "no-helpers"), nil)
			if (err == nil) != (tt.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("error %v, want %q", err, tt.wantErr)
			}
			if g == nil || g.Probed || !strings.Contains(g.Error, tt.wantCheck) {
				t.Errorf("check %+v, want Error with %q", g, tt.wantCheck)
			}
		})
	}
}

// singlePhaseC has single-phase init and no Py_mod_gil: loading it
// re-enables the GIL on a free-threaded build.
const singlePhaseC = `#include <Python.h>
static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "_single", NULL, -1, NULL};
PyMODINIT_FUNC PyInit__single(void) { return PyModule_Create(&def); }
`

// multiPhaseC has multi-phase init and declares it runs without the GIL.
const multiPhaseC = `#include <Python.h>
static int exec_mod(PyObject *m) { return PyModule_AddIntConstant(m, "answer", 42); }
static PyModuleDef_Slot slots[] = {
    {Py_mod_exec, exec_mod},
    {Py_mod_gil,
     Py_MOD_GIL_NOT_USED},
    {0, NULL},
};
static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "_multi", NULL, 0, NULL, slots};
PyMODINIT_FUNC PyInit__multi(void) { return PyModuleDef_Init(&def); }
`

// buildExtension writes src to project/pkg/name.c, compiles it into
// project/pkg/name<EXT_SUFFIX> for python and adds pkg/__init__.py. It
// skips when gcc is missing.
func buildExtension(t *testing.T, python, project, pkg, name, src string) string {
	t.Helper()
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		t.Skip("gcc not installed")
	}
	out, err := exec.CommandContext(t.Context(), python, "-c",
		"import sysconfig; print(sysconfig.get_paths()['include']); print(sysconfig.get_config_var('EXT_SUFFIX'))").Output()
	fields := strings.Fields(string(out))
	if err != nil || len(fields) != 2 {
		t.Fatalf("asking %s for its include directory: %v %q", python, err, out)
	}
	dir := filepath.Join(project, pkg)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "__init__.py"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cFile := filepath.Join(dir, name+".c")
	if err := os.WriteFile(cFile, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	so := filepath.Join(dir, name+fields[1])
	var stderr bytes.Buffer
	cmd := exec.CommandContext(t.Context(), gcc, "-shared", "-fPIC", "-I"+fields[0], cFile, "-o", so)
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, stderr.String())
	}
	return filepath.Base(so)
}

func TestProbeGILFallback(t *testing.T) {
	py := ftPython(t)
	tests := []struct {
		name     string
		pkg, mod string
		src      string
		fallback bool
		optIns   []results.OptIn
	}{
		{"single-phase without Py_mod_gil", "extpkg", "_single", singlePhaseC, true, nil},
		{"multi-phase with Py_mod_gil", "okpkg", "_multi", multiPhaseC, false, []results.OptIn{
			{File: "okpkg/_multi.c", Line: 5, Form: FormPyModGIL, Text: "Py_mod_gil, Py_MOD_GIL_NOT_USED"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			project := t.TempDir()
			so := buildExtension(t, py, project, tt.pkg, tt.mod, tt.src)
			g, err := Probe(t.Context(), py, project, tt.pkg, helpers(t), testEnv())
			if err != nil {
				t.Fatalf("Probe: %v", err)
			}
			if g.Fallback() != tt.fallback || !g.Probed || g.Modules != 2 || len(g.ImportErrors) != 0 {
				t.Errorf("got %+v", *g)
			}
			if want := []string{tt.pkg + "/" + so}; !slices.Equal(g.Extensions, want) {
				t.Errorf("extensions %q, want %q", g.Extensions, want)
			}
			if !slices.Equal(g.OptIns, tt.optIns) {
				t.Errorf("opt-ins %+v, want %+v", g.OptIns, tt.optIns)
			}
			if g.EnabledBefore == nil || *g.EnabledBefore || g.EnabledAfter == nil || *g.EnabledAfter != tt.fallback {
				t.Errorf("GIL before %v after %v", g.EnabledBefore, g.EnabledAfter)
			}
			if tt.fallback {
				module := tt.pkg + "." + tt.mod
				if len(g.EnabledBy) != 1 || g.EnabledBy[0].Module != module ||
					!strings.Contains(g.EnabledBy[0].Message, "has been enabled to load module '"+module+"'") {
					t.Errorf("enabled_by %+v", g.EnabledBy)
				}
			} else if len(g.EnabledBy) != 0 {
				t.Errorf("enabled_by %+v", g.EnabledBy)
			}
		})
	}
}
