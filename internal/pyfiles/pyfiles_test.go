package pyfiles

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// tree creates files under dir. A key ending in "/" is a directory; a value
// starting with "->" makes a symbolic link to the rest of the value; "|fifo"
// makes a named pipe; anything else is file content.
func tree(t *testing.T, dir string, spec map[string]string) {
	t.Helper()
	keys := make([]string, 0, len(spec))
	for k := range spec {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := spec[k]
		p := filepath.Join(dir, filepath.FromSlash(k))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		switch {
		case strings.HasSuffix(k, "/"):
			err = os.MkdirAll(p, 0o755)
		case strings.HasPrefix(v, "->"):
			err = os.Symlink(strings.TrimPrefix(v, "->"), p)
		case v == "|fifo":
			err = mkfifo(p)
		default:
			err = os.WriteFile(p, []byte(v), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// event is one step of a walk, with the root prefix removed.
type event struct {
	path string
	kind Kind // 0 for a file
}

func collect(t *testing.T, dir string, roots []string, opts Options) []event {
	t.Helper()
	var got []event
	for p, err := range Walk(roots, opts) {
		rel := p
		if r, e := filepath.Rel(dir, p); e == nil && !strings.HasPrefix(r, "..") {
			rel = filepath.ToSlash(r)
		}
		ev := event{path: rel}
		if err != nil {
			var d *Diagnostic
			if !errors.As(err, &d) {
				t.Fatalf("%s: error %v is not a *Diagnostic", p, err)
			}
			if d.Path != p {
				t.Errorf("diagnostic path %q, yielded with %q", d.Path, p)
			}
			if !strings.HasPrefix(d.Error(), p+": ") {
				t.Errorf("diagnostic %q does not start with its path", d.Error())
			}
			ev.kind = d.Kind
		}
		got = append(got, ev)
	}
	return got
}

func files(paths ...string) []event {
	var evs []event
	for _, p := range paths {
		evs = append(evs, event{path: p})
	}
	return evs
}

func TestWalk(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links and named pipes need a Unix system")
	}
	tests := []struct {
		name  string
		spec  map[string]string
		roots []string // relative to the tree; "." when empty
		opts  Options
		want  []event
	}{
		{
			name: "sorted depth first with both extensions",
			spec: map[string]string{
				"b.py": "", "a.py": "", "c.pyi": "", "notes.txt": "", "Z.py": "",
				"pkg/__init__.py": "", "pkg/sub/m.py": "", "pkg/a.py": "", ".py": "",
			},
			want: files("Z.py", "a.py", "b.py", "c.pyi", "pkg/__init__.py", "pkg/a.py", "pkg/sub/m.py"),
		},
		{
			name: "default excludes",
			spec: map[string]string{
				"ok.py": "", ".git/x.py": "", ".venv/x.py": "", "venv/x.py": "", "build/x.py": "",
				"dist/x.py": "", "node_modules/x.py": "", "__pycache__/x.py": "",
				"lib/site-packages/x.py": "", ".tox/x.py": "", ".nox/x.py": "", ".mypy_cache/x.py": "",
				"src/build/x.py": "",
			},
			want: files("ok.py"),
		},
		{
			name:  "excluded directory named explicitly is walked",
			spec:  map[string]string{"build/x.py": "", "build/dist/y.py": ""},
			roots: []string{"build"},
			want:  files("build/x.py"),
		},
		{
			name:  "custom excludes",
			spec:  map[string]string{"build/x.py": "", "gen/y.py": ""},
			opts:  Options{Exclude: []string{"gen"}},
			want:  files("build/x.py"),
			roots: []string{"."},
		},
		{
			name:  "explicit file of any extension",
			spec:  map[string]string{"script": "", "a.py": ""},
			roots: []string{"script", "a.py"},
			want:  files("script", "a.py"),
		},
		{
			name:  "missing roots are diagnostics and the walk goes on",
			spec:  map[string]string{"a.py": ""},
			roots: []string{"nope.py", "a.py", "nodir"},
			want:  []event{{"nope.py", NotFound}, {"a.py", 0}, {"nodir", NotFound}},
		},
		{
			name: "symlink loop to an ancestor",
			spec: map[string]string{"a/x.py": "", "a/loop": "->..", "a/self": "->."},
			want: []event{{"a/loop", SymlinkLoop}, {"a/self", SymlinkLoop}, {"a/x.py", 0}},
		},
		{
			name: "link chain loop is reported whatever its name",
			spec: map[string]string{"l1": "->l2", "l2": "->l1", "ok.py": ""},
			want: []event{{"l1", SymlinkLoop}, {"l2", SymlinkLoop}, {"ok.py", 0}},
		},
		{
			name: "dangling link named like Python is reported, others ignored",
			spec: map[string]string{"gone.py": "->missing.py", "gone.so": "->missing.so", "ok.py": ""},
			want: []event{{"gone.py", BrokenSymlink}, {"ok.py", 0}},
		},
		{
			name:  "dangling link as root",
			spec:  map[string]string{"gone": "->missing"},
			roots: []string{"gone"},
			want:  []event{{"gone", BrokenSymlink}},
		},
		{
			name: "links are followed and every file is yielded once",
			spec: map[string]string{
				"real/m.py": "", "alias": "->real", "z_alias.py": "->real/m.py",
				"other/n.py": "", "other/link.py": "->../other/n.py",
			},
			want: files("alias/m.py", "other/link.py"),
		},
		{
			name:  "the same root twice",
			spec:  map[string]string{"a.py": "", "d/b.py": ""},
			roots: []string{".", "a.py", "d", "."},
			want:  files("a.py", "d/b.py"),
		},
		{
			name: "named pipe named like Python is not opened",
			spec: map[string]string{"p.py": "|fifo", "q": "|fifo", "ok.py": ""},
			want: []event{{"ok.py", 0}, {"p.py", NotRegular}},
		},
		{
			name:  "named pipe as root",
			spec:  map[string]string{"p": "|fifo"},
			roots: []string{"p"},
			want:  []event{{"p", NotRegular}},
		},
		{
			name:  "directory named like a Python file is walked",
			spec:  map[string]string{"x.py/inner.py": ""},
			roots: []string{"x.py"},
			want:  files("x.py/inner.py"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tree(t, dir, tt.spec)
			roots := tt.roots
			if len(roots) == 0 {
				roots = []string{"."}
			}
			abs := make([]string, len(roots))
			for i, r := range roots {
				abs[i] = filepath.Join(dir, r)
			}
			got := collect(t, dir, abs, tt.opts)
			if !slices.Equal(got, tt.want) {
				t.Errorf("got  %v\nwant %v", got, tt.want)
			}
		})
	}
}

func TestWalkRelativePaths(t *testing.T) {
	dir := t.TempDir()
	tree(t, dir, map[string]string{"pkg/a.py": "", "pkg/b/c.py": ""})
	t.Chdir(dir)
	var got []string
	for p, err := range Walk([]string{"pkg", "./pkg/b/c.py"}, Options{}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, filepath.ToSlash(p))
	}
	want := []string{"pkg/a.py", "pkg/b/c.py"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestWalkUnreadableDirectory(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("running as root, which reads directories whatever their mode; " +
			"internal/cli's end-to-end test covers this case by running pyrace as an unprivileged user")
	}
	if runtime.GOOS == "windows" {
		t.Skip("permission bits do not block reads on Windows")
	}
	dir := t.TempDir()
	tree(t, dir, map[string]string{"a.py": "", "locked/x.py": "", "z.py": ""})
	locked := filepath.Join(dir, "locked")
	if err := os.Chmod(locked, 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(locked, 0o755) })
	got := collect(t, dir, []string{dir}, Options{})
	want := []event{{"a.py", 0}, {"locked", Unreadable}, {"z.py", 0}}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestWalkStopsEarly(t *testing.T) {
	dir := t.TempDir()
	tree(t, dir, map[string]string{"a.py": "", "b.py": "", "c/d.py": ""})
	n := 0
	for range Walk([]string{dir, dir}, Options{}) {
		n++
		if n == 2 {
			break
		}
	}
	if n != 2 {
		t.Errorf("iterated %d times, want 2", n)
	}
}

func TestDefaultsAreFresh(t *testing.T) {
	DefaultExcludes()[0] = "changed"
	DefaultExtensions()[0] = "changed"
	if DefaultExcludes()[0] != ".git" || DefaultExtensions()[0] != ".py" {
		t.Error("defaults share storage between calls")
	}
}

func TestKindString(t *testing.T) {
	for k, want := range map[Kind]string{
		NotFound: "not-found", Unreadable: "unreadable", BrokenSymlink: "broken-symlink",
		SymlinkLoop: "symlink-loop", NotRegular: "not-regular", Kind(99): "Kind(99)",
	} {
		if got := k.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", int(k), got, want)
		}
	}
}
