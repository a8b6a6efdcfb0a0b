//go:build unix

package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// pythonHome makes a home directory whose bin holds python3, a link to
// Debian's interpreter, and returns the environment that finds only it.
func pythonHome(t *testing.T) (env map[string]string, python3 string) {
	t.Helper()
	const system = "/usr/bin/python3"
	if _, err := os.Stat(system); err != nil {
		t.Skipf("%s not installed", system)
	}
	home := t.TempDir()
	bin := filepath.Join(home, "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	python3 = filepath.Join(bin, "python3")
	if err := os.Symlink(system, python3); err != nil {
		t.Fatal(err)
	}
	return map[string]string{"HOME": home, "PATH": bin}, python3
}

func TestPythonCommand(t *testing.T) {
	env, python3 := pythonHome(t)
	missing := filepath.Join(env["HOME"], "missing")
	emptyEnv := map[string]string{"HOME": env["HOME"], "PATH": filepath.Join(env["HOME"], "empty")}
	tests := []struct {
		name       string
		env        map[string]string
		args       []string
		code       int
		stdout     []string // substrings
		stderr     string   // substring; "" means stderr must be empty
		jsonSource []string // with --format json: the sources listed
	}{
		{"table", env, []string{"python"}, ExitOK,
			[]string{"PATH ", "IMPLEMENTATION", "FREE-THREADED", "GIL", "PYTEST", "SOURCE", python3 + "  cpython", "3.11.", " no ", " on "}, "", nil},
		{"json", env, []string{"python", "--format", "json"}, ExitOK, nil, "", []string{"PATH"}},
		{"explicit interpreter", emptyEnv, []string{"python", "--python", python3, "--format", "json"}, ExitOK, nil, "", []string{"flag"}},
		{"explicit interpreter fails", env, []string{"python", "--python", missing}, ExitError,
			[]string{python3}, "pyrace: error: python " + missing + ": no such file", nil},
		{"explicit interpreter fails, json", env, []string{"python", "--python", missing, "--format", "json"}, ExitError,
			nil, "no such file", []string{"PATH"}},
		{"nothing found", emptyEnv, []string{"python"}, ExitOK, nil, "no Python interpreter found", nil},
		{"nothing found, json", emptyEnv, []string{"python", "--format", "json"}, ExitOK, nil, "", []string{}},
		{"bad format", env, []string{"python", "--format", "xml"}, ExitError, nil, "--format must be text or json", nil},
		{"argument", env, []string{"python", "extra"}, ExitError, nil, "takes no arguments", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runMain(t, tt.env, tt.args...)
			if r.code != tt.code {
				t.Errorf("exit status %d, want %d; stderr %q", r.code, tt.code, r.stderr)
			}
			if tt.stderr == "" && r.stderr != "" {
				t.Errorf("stderr %q, want nothing", r.stderr)
			}
			if !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("stderr %q lacks %q", r.stderr, tt.stderr)
			}
			for _, want := range tt.stdout {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
				}
			}
			if tt.jsonSource == nil {
				return
			}
			var entries []struct {
				Path         string `json:"path"`
				Executable   string `json:"executable"`
				Version      string `json:"version"`
				FreeThreaded *bool  `json:"free_threaded"`
				HasPytest    bool   `json:"has_pytest"`
				Source       string `json:"source"`
			}
			if err := json.Unmarshal([]byte(r.stdout), &entries); err != nil {
				t.Fatalf("stdout is not a JSON array: %v\n%s", err, r.stdout)
			}
			if len(entries) != len(tt.jsonSource) {
				t.Fatalf("%d entries, want %d:\n%s", len(entries), len(tt.jsonSource), r.stdout)
			}
			for i, e := range entries {
				if e.Source != tt.jsonSource[i] || e.Path != python3 || e.FreeThreaded == nil || *e.FreeThreaded ||
					!strings.HasPrefix(e.Version, "3.11.") || !e.HasPytest || e.Executable == "" {
					t.Errorf("entry %d: %+v", i, e)
				}
			}
		})
	}
}

func TestPythonHelp(t *testing.T) {
	r := runMain(t, nil, "python", "--help")
	if r.code != ExitOK {
		t.Fatalf("exit status %d", r.code)
	}
	for _, want := range []string{"--python PATH", "--format FORMAT", `(default "text")`, "free-threaded", "~/.cache/pyrace/ft-python"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("help lacks %q:\n%s", want, r.stdout)
		}
	}
}
