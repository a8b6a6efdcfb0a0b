//go:build unix

package interp

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pyrace/pyrace/internal/testenv"
)

const systemPython = "/usr/bin/python3" // Debian bookworm's 3.11, with pytest

// realHome is the home directory of the user running the tests; only used
// to find the interpreters installed there, never for discovery.
func realHome(t *testing.T) string {
	t.Helper()
	h, err := os.UserHomeDir()
	if err != nil {
		t.Skip("no home directory")
	}
	return h
}

func ftPython(t *testing.T) string {
	t.Helper()
	return testenv.FTPython(t)
}

func python27(t *testing.T) string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(realHome(t), ".pyenv", "versions", "2.7*", "bin", "python"))
	if len(m) == 0 {
		t.Skip("no pyenv Python 2.7")
	}
	return m[0]
}

func pypy3(t *testing.T) string {
	t.Helper()
	return testenv.PyPy3(t)
}

func system(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat(systemPython); err != nil {
		t.Skipf("%s not installed", systemPython)
	}
	return systemPython
}

func ptr(b bool) *bool { return &b }

func TestProbe(t *testing.T) {
	tests := []struct {
		name    string
		path    func(*testing.T) string
		impl    string
		version string // prefix
		ft      bool
		gil     *bool
		pytest  bool
	}{
		{"debian python3", system, "cpython", "3.11.", false, nil, true},
		{"python 2.7", python27, "cpython", "2.7.", false, nil, false},
		// Debian's pypy3 sees python3-pytest's files but cannot import
		// them (no exceptiongroup for it): no usable pytest.
		{"pypy3", pypy3, "pypy", "3.", false, nil, false},
		{"free-threaded", ftPython, "cpython", "3.13.", true, ptr(false), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tt.path(t)
			// The user's PYTHON_GIL and PYTHONPATH must not leak into
			// the probe: the GIL state is the interpreter's default.
			t.Setenv("PYTHON_GIL", "1")
			t.Setenv("PYTHONPATH", brokenSitecustomize(t))
			in, err := Probe(t.Context(), path)
			if err != nil {
				t.Fatalf("Probe: %v", err)
			}
			real, _ := filepath.EvalSymlinks(path)
			if in.Path != path || in.Executable != real {
				t.Errorf("path %q executable %q, want %q and %q", in.Path, in.Executable, path, real)
			}
			if in.Implementation != tt.impl || !strings.HasPrefix(in.Version, tt.version) ||
				in.FreeThreaded != tt.ft || in.Debug || in.TSAN || in.HasPytest != tt.pytest ||
				in.Platform == "" {
				t.Errorf("got %+v", in)
			}
			if (in.GILEnabled == nil) != (tt.gil == nil) || (tt.gil != nil && *in.GILEnabled != *tt.gil) {
				t.Errorf("gil_enabled %v, want %v", in.GILEnabled, tt.gil)
			}
		})
	}
}

// brokenSitecustomize returns a directory whose sitecustomize exits: the
// probe must never see it.
func brokenSitecustomize(t *testing.T) string {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "sitecustomize.py"), "import sys\nprint('junk')\nsys.exit(9)\n", 0o644)
	return dir
}

func writeFile(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

func TestProbeErrors(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "plain"), "#!/bin/sh\necho hi\n", 0o644)
	writeFile(t, filepath.Join(dir, "garbage"), "#!/bin/sh\necho 'Python 3.99 {not json'\necho '{\"x\": 1}'\n", 0o755)
	writeFile(t, filepath.Join(dir, "fails"), "#!/bin/sh\necho >&2\necho 'boom: bad interpreter' >&2\necho second >&2\nexit 1\n", 0o755)
	writeFile(t, filepath.Join(dir, "killed"), "#!/bin/sh\nkill -SEGV $$\n", 0o755)
	if err := os.Symlink(filepath.Join(dir, "nowhere"), filepath.Join(dir, "dangling")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		path string
		want string
	}{
		{"missing", filepath.Join(dir, "missing"), "python " + filepath.Join(dir, "missing") + ": no such file"},
		{"dangling link", filepath.Join(dir, "dangling"), ": no such file"},
		{"directory", dir, "python " + dir + ": is a directory"},
		{"not executable", filepath.Join(dir, "plain"), ": is not executable"},
		{"not python", filepath.Join(dir, "garbage"), ": did not print a probe result (is it a Python interpreter?)"},
		{"fails", filepath.Join(dir, "fails"), ": exited with status 1: boom: bad interpreter"},
		{"killed", filepath.Join(dir, "killed"), ": killed by signal segmentation fault"},
		{"bare name not in PATH", "python3-pyrace-no-such-name", "python python3-pyrace-no-such-name: not found in PATH"},
		{"empty", "", "empty path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Probe(t.Context(), tt.path)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// fakeEnv builds an isolated environment for Discover: a home directory,
// a PATH and the lookup function.
type fakeEnv struct {
	home string
	vars map[string]string
}

func newFakeEnv(t *testing.T) *fakeEnv {
	root := t.TempDir()
	return &fakeEnv{home: filepath.Join(root, "home"), vars: map[string]string{"HOME": filepath.Join(root, "home")}}
}

func (e *fakeEnv) options(extra ...string) Options {
	return Options{Extra: extra, Home: e.home, Getenv: func(k string) string { return e.vars[k] }}
}

func link(t *testing.T, target, path string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, path); err != nil {
		t.Fatal(err)
	}
	return path
}

// summary renders a Found for comparison: source, path relative to the
// fake home, version.
func summary(home string, f Found) string {
	p := strings.Replace(f.Interpreter.Path, home, "~", 1)
	if f.Err != nil {
		return f.Source + " " + p + " error"
	}
	return f.Source + " " + p + " " + f.Interpreter.Version
}

func TestDiscover(t *testing.T) {
	py := system(t)
	e := newFakeEnv(t)
	bin1 := filepath.Join(e.home, "bin1")
	bin2 := filepath.Join(e.home, "bin2")
	e.vars["PATH"] = bin1 + ":" + bin2 + "::" + bin1 // duplicate and empty entries
	link(t, py, filepath.Join(bin1, "python3"))
	link(t, py, filepath.Join(bin2, "python3.11"))                           // the same interpreter again
	link(t, filepath.Join(e.home, "nowhere"), filepath.Join(bin2, "python")) // dangling
	writeFile(t, filepath.Join(bin2, "python3.99"), "#!/bin/sh\necho garbage\n", 0o755)
	writeFile(t, filepath.Join(bin2, "python3-config"), "#!/bin/sh\nexit 1\n", 0o755) // not a candidate name
	// A pyenv-style shim: a script that runs the real interpreter.
	writeFile(t, filepath.Join(e.home, "shims", "python3"), "#!/bin/sh\nexec "+py+" \"$@\"\n", 0o755)
	// uv's copy of the same interpreter is a duplicate of PATH's.
	link(t, py, filepath.Join(e.home, ".local", "share", "uv", "python", "cpython-3.11-linux", "bin", "python3"))

	var want []string
	if ft := ftPath(t); ft != "" {
		link(t, ft, filepath.Join(e.home, ".cache", "pyrace", "ft-python", "3.13", "bin", "python3.13t"))
		want = append(want, "pyrace-cache ~/.cache/pyrace/ft-python/3.13/bin/python3.13t 3.13.5")
	}
	want = append(want, "PATH ~/bin1/python3 3.11.2")
	if p27 := py27Path(t); p27 != "" {
		link(t, p27, filepath.Join(e.home, ".pyenv", "versions", "2.7.18", "bin", "python"))
		want = append(want, "pyenv ~/.pyenv/versions/2.7.18/bin/python 2.7.18")
	}
	want = append(want, "flag ~/missing error")

	found := Discover(t.Context(), e.options(filepath.Join(e.home, "missing")))
	var got []string
	for _, f := range found {
		got = append(got, summary(e.home, f))
	}
	if !slices.Equal(got, want) {
		t.Errorf("Discover:\n got %q\nwant %q", got, want)
	}
	last := found[len(found)-1]
	if last.Err == nil || !strings.Contains(last.Err.Error(), "no such file") {
		t.Errorf("the --python error is %v", last.Err)
	}

	t.Run("shim resolved", func(t *testing.T) {
		e.vars["PATH"] = filepath.Join(e.home, "shims")
		real, _ := filepath.EvalSymlinks(py)
		var got []string
		for _, f := range Discover(t.Context(), e.options()) {
			if f.Interpreter.Version == "3.11.2" {
				got = append(got, summary(e.home, f))
			}
		}
		// Listed as the interpreter it runs; uv's link to the same one is
		// a duplicate.
		if want := []string{"PATH " + real + " 3.11.2"}; !slices.Equal(got, want) {
			t.Errorf("got %q, want %q", got, want)
		}
	})

	t.Run("flag first", func(t *testing.T) {
		e.vars["PATH"] = bin1
		found := Discover(t.Context(), e.options(filepath.Join(bin2, "python3.11")))
		var got []string
		for _, f := range found {
			if f.Interpreter.Version == "3.11.2" {
				got = append(got, summary(e.home, f))
			}
		}
		if want := []string{"flag ~/bin2/python3.11 3.11.2"}; !slices.Equal(got, want) {
			t.Errorf("got %q, want %q", got, want)
		}
	})
}

func ftPath(t *testing.T) string {
	h, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	p := filepath.Join(h, ".cache", "pyrace", "ft-python", "3.13.5-2+deb13u5", "bin", "python3.13t")
	if _, err := os.Stat(p); err != nil {
		t.Logf("free-threaded build absent (%s): not part of this test", p)
		return ""
	}
	return p
}

func py27Path(t *testing.T) string {
	h, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	m, _ := filepath.Glob(filepath.Join(h, ".pyenv", "versions", "2.7.18", "bin", "python"))
	if len(m) == 0 {
		t.Log("pyenv Python 2.7.18 absent: not part of this test")
		return ""
	}
	return m[0]
}

func TestDefault(t *testing.T) {
	py := system(t)
	t.Run("python3 fallback", func(t *testing.T) {
		e := newFakeEnv(t)
		e.vars["PATH"] = filepath.Join(e.home, "bin")
		link(t, py, filepath.Join(e.home, "bin", "python3"))
		in, warning, err := Default(t.Context(), e.options())
		if err != nil {
			t.Fatal(err)
		}
		if in.Path != filepath.Join(e.home, "bin", "python3") || in.FreeThreaded {
			t.Errorf("got %+v", in)
		}
		if want := "no free-threaded interpreter found; using python3 3.11 (GIL enabled): races show less often"; warning != want {
			t.Errorf("warning %q, want %q", warning, want)
		}
	})
	t.Run("free-threaded preferred", func(t *testing.T) {
		ft := ftPython(t)
		e := newFakeEnv(t)
		e.vars["PATH"] = filepath.Join(e.home, "bin")
		link(t, py, filepath.Join(e.home, "bin", "python3"))
		e.vars["PYRACE_CACHE"] = filepath.Join(e.home, "cache")
		p := link(t, ft, filepath.Join(e.home, "cache", "ft-python", "x", "bin", "python3.13t"))
		in, warning, err := Default(t.Context(), e.options())
		if err != nil || warning != "" || in.Path != p || !in.FreeThreaded {
			t.Errorf("got %+v, %q, %v", in, warning, err)
		}
	})
	t.Run("nothing", func(t *testing.T) {
		e := newFakeEnv(t)
		e.vars["PATH"] = filepath.Join(e.home, "empty")
		_, _, err := Default(t.Context(), e.options())
		if err == nil || !strings.Contains(err.Error(), "no Python interpreter found") {
			t.Errorf("error %v", err)
		}
	})
}

func TestCompareVersions(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"3.13.5", "3.9.18", 1},
		{"3.9.18", "3.13.5", -1},
		{"3.11.2", "3.11.2", 0},
		{"3.11", "3.11.0", 0},
		{"2.7.18", "3.6.15", -1},
		{"", "2.7", -1},
	}
	for _, tt := range tests {
		if got := CompareVersions(tt.a, tt.b); got != tt.want {
			t.Errorf("CompareVersions(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestParseProbe(t *testing.T) {
	tests := []struct {
		name string
		out  string
		ok   bool
		impl string
	}{
		{"alone", `{"implementation": "cpython", "version": "3.11.2"}`, true, "cpython"},
		{"after noise", "hello\n{broken\n\n{\"implementation\": \"pypy\", \"version\": \"3.9.16\"}\n", true, "pypy"},
		{"other json", `{"x": 1}`, false, ""},
		{"nothing", "", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, ok := parseProbe([]byte(tt.out))
			if ok != tt.ok || in.Implementation != tt.impl {
				t.Errorf("got %+v, %v", in, ok)
			}
		})
	}
}
