package survey

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// git runs git in dir, failing the test on error.
func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t",
		"GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_GLOBAL=/dev/null")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// TestFetchGit clones a real repository (a local one, by URL) shallow, at a
// tag, and fetches again when it changed.
func TestFetchGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	repo := t.TempDir()
	git(t, repo, "init", "-q", "-b", "main")
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(repo, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("version.txt", "1\n")
	git(t, repo, "add", ".")
	git(t, repo, "commit", "-q", "-m", "one")
	git(t, repo, "tag", "v1")
	write("version.txt", "2\n")
	git(t, repo, "commit", "-q", "-am", "two")

	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	repos := t.TempDir()
	url := "file://" + repo
	read := func(dir string) string {
		b, err := os.ReadFile(filepath.Join(dir, "version.txt"))
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(b))
	}
	dir, err := Fetch(ctx, Package{Name: "head", Source: Source{Git: url}}, repos, time.Minute, io.Discard)
	if err != nil || read(dir) != "2" {
		t.Fatalf("default branch: %v", err)
	}
	if n := git(t, dir, "rev-list", "--count", "HEAD"); n != "1" {
		t.Errorf("a depth-1 clone has %s commits", n)
	}
	tagged, err := Fetch(ctx, Package{Name: "tagged", Source: Source{Git: url, Ref: "v1"}}, repos, time.Minute, io.Discard)
	if err != nil || read(tagged) != "1" {
		t.Fatalf("tag v1: %v", err)
	}
	full, err := Fetch(ctx, Package{Name: "full", Source: Source{Git: url, Depth: -1}}, repos, time.Minute, io.Discard)
	if err != nil || git(t, full, "rev-list", "--count", "HEAD") != "2" {
		t.Fatalf("whole history: %v", err)
	}
	// The repository moves on: fetching again updates the checkout.
	write("version.txt", "3\n")
	git(t, repo, "commit", "-q", "-am", "three")
	again, err := Fetch(ctx, Package{Name: "head", Source: Source{Git: url}}, repos, time.Minute, io.Discard)
	if err != nil || again != dir || read(dir) != "3" {
		t.Fatalf("update: %v, %s", err, again)
	}
	// A ref that does not exist fails the fetch with git's words.
	_, err = Fetch(ctx, Package{Name: "bad", Source: Source{Git: url, Ref: "v9"}}, repos, time.Minute, io.Discard)
	var se *StepError
	if err == nil || !errors.As(err, &se) || se.Step != "fetch" || !strings.Contains(se.Output, "v9") {
		t.Errorf("missing ref: %v", err)
	}
}

// TestFetchPath copies a local source afresh, leaving out .git, venvs and
// caches, or uses it in place.
func TestFetchPath(t *testing.T) {
	src := t.TempDir()
	for _, f := range []string{"pkg/__init__.py", ".git/HEAD", ".venv/bin/python", "pkg/__pycache__/x.pyc", "tests/test_a.py"} {
		os.MkdirAll(filepath.Join(src, filepath.Dir(f)), 0o755)
		os.WriteFile(filepath.Join(src, f), []byte("x"), 0o644)
	}
	os.Symlink("pkg/__init__.py", filepath.Join(src, "link.py"))
	reg := filepath.Join(t.TempDir(), "p.yaml")
	repos := t.TempDir()
	p := Package{Name: "p", Source: Source{Path: src}, File: reg}
	dir, err := Fetch(t.Context(), p, repos, time.Minute, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	for f, want := range map[string]bool{"pkg/__init__.py": true, "tests/test_a.py": true, "link.py": true,
		".git/HEAD": false, ".venv/bin/python": false, "pkg/__pycache__/x.pyc": false} {
		if _, err := os.Lstat(filepath.Join(dir, f)); (err == nil) != want {
			t.Errorf("%s copied: %v, want %v", f, err == nil, want)
		}
	}
	// A stale file in the copy goes away on the next fetch.
	os.WriteFile(filepath.Join(dir, "stale.txt"), nil, 0o644)
	if dir, err = Fetch(t.Context(), p, repos, time.Minute, io.Discard); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "stale.txt")); !os.IsNotExist(err) {
		t.Errorf("stale file kept: %v", err)
	}
	p.Source.InPlace = true
	if dir, err := Fetch(t.Context(), p, repos, time.Minute, io.Discard); err != nil || dir != src {
		t.Errorf("in place: %s %v", dir, err)
	}
	p.Source.Path = filepath.Join(src, "missing")
	if _, err := Fetch(t.Context(), p, repos, time.Minute, io.Discard); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("missing path: %v", err)
	}
}

// TestInstallTimeout: a hanging install command is killed with its process
// group after the package's timeout.
func TestInstallTimeout(t *testing.T) {
	v := Venv{Dir: t.TempDir()}
	start := time.Now()
	err := Install(t.Context(), v, Package{Install: Commands{"sleep 30 & sleep 30"}}, t.TempDir(), nil, os.Environ(), 300*time.Millisecond, io.Discard)
	var se *StepError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "still running after 300ms: killed") || time.Since(start) > 10*time.Second {
		t.Errorf("%v after %s", err, time.Since(start))
	}
}
