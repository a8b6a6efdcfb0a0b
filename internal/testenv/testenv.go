// Package testenv finds the real interpreters pyrace's integration tests run
// against, and decides whether a test skips or fails when one is missing.
package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// FTPythonVersion is the Debian source version scripts/ft-python builds.
const FTPythonVersion = "3.13.5-2+deb13u5"

// FTPython returns a free-threaded CPython: $PYRACE_FT_PYTHON, else the one
// scripts/ft-python caches. Without one the test skips, or fails when
// PYRACE_REQUIRE_FT is set (CI sets it, so the tests cannot skip there).
func FTPython(t testing.TB) string {
	t.Helper()
	candidates := []string{os.Getenv("PYRACE_FT_PYTHON")}
	if cache := os.Getenv("PYRACE_CACHE"); cache != "" {
		candidates = append(candidates, filepath.Join(cache, "ft-python", FTPythonVersion, "bin", "python3.13t"))
	}
	if home, err := os.UserHomeDir(); err == nil {
		candidates = append(candidates, filepath.Join(home, ".cache", "pyrace", "ft-python", FTPythonVersion, "bin", "python3.13t"))
	}
	for _, c := range candidates {
		if c == "" {
			continue
		}
		if fi, err := os.Stat(c); err == nil && fi.Mode()&0o111 != 0 {
			return c
		}
	}
	missing(t, "no free-threaded CPython: run scripts/ft-python (or set PYRACE_FT_PYTHON)")
	return ""
}

// Python3 returns Debian's python3 (which has pytest in CI), else any
// python3 on PATH.
func Python3(t testing.TB) string {
	t.Helper()
	if _, err := os.Stat("/usr/bin/python3"); err == nil {
		return "/usr/bin/python3"
	}
	if p, err := exec.LookPath("python3"); err == nil {
		return p
	}
	missing(t, "no python3 on this machine")
	return ""
}

// PyPy3 returns Debian's pypy3.
func PyPy3(t testing.TB) string {
	t.Helper()
	if p, err := exec.LookPath("pypy3"); err == nil {
		return p
	}
	missing(t, "no pypy3 on this machine (apt-get install pypy3)")
	return ""
}

func missing(t testing.TB, msg string) {
	t.Helper()
	if os.Getenv("PYRACE_REQUIRE_FT") != "" {
		t.Fatal(msg + " (PYRACE_REQUIRE_FT is set: CI must have every interpreter)")
	}
	t.Skip(msg)
}

// CopyTestdata copies the directory testdata/name of the calling test's
// package into a new temporary directory and returns the copy, so that a
// test may run Python in it without writing into the tree.
func CopyTestdata(t testing.TB, name string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), name)
	if err := os.CopyFS(dst, os.DirFS(filepath.Join("testdata", name))); err != nil {
		t.Fatalf("copying testdata/%s: %v", name, err)
	}
	return dst
}
