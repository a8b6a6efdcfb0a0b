package survey

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// StepError is a failure to fetch, set up or install a package: the
// package's category is install_failure, the survey goes on.
type StepError struct {
	// Step is "fetch", "venv" or "install".
	Step string
	// Command is what ran, Output the end of what it printed.
	Command string
	Output  string
	Err     error
}

func (e *StepError) Error() string {
	return fmt.Sprintf("%s: %s: %v", e.Step, e.Command, e.Err)
}

func (e *StepError) Unwrap() error { return e.Err }

// maxStepOutput is how much of a failing step's output is kept.
const maxStepOutput = 4 << 10

// Fetch puts the package's source in reposDir/NAME (git: cloned, or
// fetched and checked out again when already there; path: copied afresh)
// and returns the directory to test in. An in-place path source is used
// where it is.
func Fetch(ctx context.Context, p Package, reposDir string, timeout time.Duration, log io.Writer) (string, error) {
	if p.Source.Path != "" {
		src := p.SourcePath()
		if fi, err := os.Stat(src); err != nil || !fi.IsDir() {
			return "", &StepError{Step: "fetch", Command: "source.path " + src, Err: errors.New("not a directory")}
		}
		if p.Source.InPlace {
			return filepath.Abs(src)
		}
		dest := filepath.Join(reposDir, p.Name)
		if err := os.RemoveAll(dest); err != nil {
			return "", &StepError{Step: "fetch", Command: "rm -rf " + dest, Err: err}
		}
		if err := copyTree(src, dest); err != nil {
			return "", &StepError{Step: "fetch", Command: "copy " + src, Err: err}
		}
		return filepath.Abs(dest)
	}
	dest := filepath.Join(reposDir, p.Name)
	depth := p.Source.Depth
	if depth == 0 {
		depth = 1
	}
	var cmds [][]string
	if _, err := os.Stat(filepath.Join(dest, ".git")); err == nil {
		fetch := []string{"git", "-C", dest, "fetch", "--quiet", "origin"}
		if depth > 0 {
			fetch = append(fetch, "--depth", strconv.Itoa(depth))
		}
		ref := p.Source.Ref
		if ref == "" {
			ref = "HEAD"
		}
		cmds = [][]string{append(fetch, ref), {"git", "-C", dest, "checkout", "--quiet", "--force", "FETCH_HEAD"}}
	} else {
		if err := os.RemoveAll(dest); err != nil {
			return "", &StepError{Step: "fetch", Command: "rm -rf " + dest, Err: err}
		}
		clone := []string{"git", "clone", "--quiet"}
		if depth > 0 {
			clone = append(clone, "--depth", strconv.Itoa(depth))
		}
		if p.Source.Ref != "" && depth > 0 {
			// A branch or tag can be cloned shallow; a commit is fetched after.
			cmds = [][]string{append(clone, "--no-checkout", p.Source.Git, dest),
				{"git", "-C", dest, "fetch", "--quiet", "--depth", strconv.Itoa(depth), "origin", p.Source.Ref},
				{"git", "-C", dest, "checkout", "--quiet", "FETCH_HEAD"}}
		} else {
			cmds = [][]string{append(clone, p.Source.Git, dest)}
			if p.Source.Ref != "" {
				cmds = append(cmds, []string{"git", "-C", dest, "checkout", "--quiet", p.Source.Ref})
			}
		}
	}
	for _, argv := range cmds {
		if err := runStep(ctx, "fetch", argv, "", gitEnv(), timeout, log); err != nil {
			return "", err
		}
	}
	return filepath.Abs(dest)
}

// gitEnv keeps git from asking for credentials on a terminal: an
// unreachable or private repository fails at once.
func gitEnv() []string {
	return append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "GIT_ASKPASS=/bin/true", "SSH_ASKPASS=/bin/true")
}

// copyTree copies the directory src to dest (regular files, directories
// and symbolic links; .git, virtual environments and caches are left
// out).
func copyTree(src, dest string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dest, rel)
		switch {
		case d.IsDir():
			if path != src && skipDir(d.Name()) {
				return filepath.SkipDir
			}
			return os.MkdirAll(target, 0o755)
		case d.Type()&fs.ModeSymlink != 0:
			link, err := os.Readlink(path)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		case d.Type().IsRegular():
			return copyFile(path, target)
		}
		return nil // sockets, devices: not source
	})
}

func skipDir(name string) bool {
	switch name {
	case ".git", ".venv", "venv", "__pycache__", ".tox", ".nox", ".mypy_cache", ".pytest_cache", "pyrace-results":
		return true
	}
	return false
}

func copyFile(src, dest string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := os.OpenFile(dest, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, fi.Mode().Perm())
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// Venv is a package's virtual environment.
type Venv struct {
	Dir string
	// Python is the environment's interpreter.
	Python string
}

// Bin is the environment's bin directory, first on PATH for installs and
// tests.
func (v Venv) Bin() string { return filepath.Join(v.Dir, "bin") }

// Env returns base with the environment active: VIRTUAL_ENV set, its bin
// directory first on PATH, PYTHONHOME unset.
func (v Venv) Env(base []string) []string {
	var out []string
	path := ""
	for _, kv := range base {
		k, val, _ := strings.Cut(kv, "=")
		switch k {
		case "PATH":
			path = val
			continue
		case "VIRTUAL_ENV", "PYTHONHOME":
			continue
		}
		out = append(out, kv)
	}
	if path == "" {
		path = "/usr/local/bin:/usr/bin:/bin"
	}
	return append(out, "VIRTUAL_ENV="+v.Dir, "PATH="+v.Bin()+string(os.PathListSeparator)+path)
}

// MakeVenv creates (or reuses) the virtual environment dir for the
// interpreter python: `python -m venv --system-site-packages`, so that the
// interpreter's own test tools (pytest) are there without a package index;
// without ensurepip (Debian's python3 without python3-venv) it is made
// --without-pip.
func MakeVenv(ctx context.Context, python, dir string, timeout time.Duration, log io.Writer) (Venv, error) {
	v := Venv{Dir: dir, Python: filepath.Join(dir, "bin", "python")}
	if _, err := os.Stat(v.Python); err == nil {
		return v, nil
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return v, &StepError{Step: "venv", Command: "mkdir " + filepath.Dir(dir), Err: err}
	}
	err := runStep(ctx, "venv", []string{python, "-m", "venv", "--system-site-packages", dir}, "", os.Environ(), timeout, log)
	if err != nil {
		os.RemoveAll(dir)
		err = runStep(ctx, "venv", []string{python, "-m", "venv", "--system-site-packages", "--without-pip", dir}, "", os.Environ(), timeout, log)
	}
	if err != nil {
		os.RemoveAll(dir)
		return v, err
	}
	return v, nil
}

// Install runs the package's install commands (then pip installs extra,
// when given) in dir with the environment active, each within timeout.
func Install(ctx context.Context, v Venv, p Package, dir string, extra []string, env []string, timeout time.Duration, log io.Writer) error {
	env = v.Env(env)
	for _, c := range p.Install {
		if err := runStep(ctx, "install", []string{"/bin/sh", "-c", c}, dir, env, timeout, log); err != nil {
			return err
		}
	}
	if len(extra) > 0 {
		argv := append([]string{v.Python, "-m", "pip", "install"}, extra...)
		if err := runStep(ctx, "install", argv, dir, env, timeout, log); err != nil {
			return err
		}
	}
	return nil
}

// runStep runs argv in dir, its output going to log and, on failure, into
// the StepError (its end). A command still running after timeout is
// killed with its process group.
func runStep(ctx context.Context, step string, argv []string, dir string, env []string, timeout time.Duration, log io.Writer) error {
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir, cmd.Env = dir, env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	var tail tailBuffer
	out := io.MultiWriter(&tail, log)
	cmd.Stdout, cmd.Stderr = out, out
	fmt.Fprintf(log, "$ %s\n", strings.Join(argv, " "))
	err := cmd.Run()
	if err == nil {
		return nil
	}
	if ctx.Err() == context.DeadlineExceeded {
		err = fmt.Errorf("still running after %s: killed", timeout)
	}
	return &StepError{Step: step, Command: strings.Join(argv, " "), Output: tail.String(), Err: err}
}

// tailBuffer keeps the last maxStepOutput bytes written to it.
type tailBuffer struct{ b []byte }

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > 2*maxStepOutput {
		t.b = append(t.b[:0], t.b[len(t.b)-maxStepOutput:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	b := t.b
	if len(b) > maxStepOutput {
		b = b[len(b)-maxStepOutput:]
	}
	return string(bytes.ToValidUTF8(b, []byte("\uFFFD")))
}
