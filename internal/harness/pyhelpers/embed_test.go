package pyhelpers

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

func TestNamesAndSource(t *testing.T) {
	want := []string{"pyrace_gilprobe.py", "pyrace_probe.py", "pyrace_pytest.py", "pyrace_stress.py", "pyrace_threads.py", "pyrace_unittest.py", "sitecustomize.py"}
	if got := Names(); !slices.Equal(got, want) {
		t.Fatalf("Names() = %v, want %v", got, want)
	}
	for _, name := range want {
		b, err := Source(name)
		if err != nil {
			t.Fatalf("Source(%q): %v", name, err)
		}
		onDisk, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b, onDisk) {
			t.Errorf("Source(%q) differs from the file", name)
		}
	}
	if _, err := Source("nope.py"); err == nil || !strings.Contains(err.Error(), "nope.py") {
		t.Errorf("Source(nope.py) error = %v, want one naming the file", err)
	}
}

func TestInstall(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string)
	}{
		{"new directory", func(*testing.T, string) {}},
		{"already installed", func(t *testing.T, dir string) {
			if err := Install(dir); err != nil {
				t.Fatal(err)
			}
		}},
		{"stale and wrongly permitted files", func(t *testing.T, dir string) {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "sitecustomize.py"), []byte("old"), 0o600); err != nil {
				t.Fatal(err)
			}
			src, _ := Source("pyrace_probe.py")
			if err := os.WriteFile(filepath.Join(dir, "pyrace_probe.py"), src, 0o600); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "a", "helpers")
			tt.setup(t, dir)
			if err := Install(dir); err != nil {
				t.Fatalf("Install: %v", err)
			}
			checkInstalled(t, dir)
		})
	}
}

func TestInstallConcurrent(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "helpers")
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Go(func() { errs <- Install(dir) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("Install: %v", err)
		}
	}
	checkInstalled(t, dir)
}

func TestInstallError(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	err := Install(filepath.Join(file, "sub"))
	if err == nil || !strings.Contains(err.Error(), "installing python helpers") {
		t.Errorf("Install under a file: error = %v", err)
	}
}

// checkInstalled verifies that dir holds exactly the helpers, 0644, and no
// temporary files.
func checkInstalled(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
		fi, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o644 {
			t.Errorf("%s: mode %v, want 0644", e.Name(), fi.Mode().Perm())
		}
		want, err := Source(e.Name())
		if err != nil {
			continue // reported below as an unexpected name
		}
		got, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: content differs from the embedded file", e.Name())
		}
	}
	if !slices.Equal(names, Names()) {
		t.Errorf("directory holds %v, want %v", names, Names())
	}
}
