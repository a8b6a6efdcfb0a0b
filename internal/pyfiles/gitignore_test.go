package pyfiles

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"
)

func TestGitignoreMatch(t *testing.T) {
	type probe struct {
		path  string
		isDir bool
		want  Match
	}
	N, I, X := MatchNone, MatchIgnored, MatchIncluded
	f := func(path string, want Match) probe { return probe{path, false, want} }
	d := func(path string, want Match) probe { return probe{path, true, want} }
	tests := []struct {
		lines  string
		probes []probe
	}{
		{"foo", []probe{f("foo", I), d("foo", I), f("a/foo", I), f("foo/bar", N), f("foobar", N), f("xfoo", N)}},
		{"foo/", []probe{f("foo", N), d("foo", I), d("a/foo", I), f("a/foo", N)}},
		{"/foo", []probe{f("foo", I), f("a/foo", N)}},
		{"a/foo", []probe{f("a/foo", I), f("b/a/foo", N), f("foo", N)}},
		{"a/foo/", []probe{d("a/foo", I), f("a/foo", N)}},
		{"*.py", []probe{f("x.py", I), f("a/b/x.py", I), f(".py", I), f("x.pyc", N), f("x.py/y", N)}},
		{"a/*.py", []probe{f("a/x.py", I), f("a/b/x.py", N)}},
		{"a/*", []probe{f("a/x", I), d("a/b", I), f("a/b/c", N), f("a", N)}},
		{"**/foo", []probe{f("foo", I), f("a/foo", I), f("a/b/foo", I), f("foox", N)}},
		{"**/foo/bar", []probe{f("foo/bar", I), f("x/y/foo/bar", I), f("bar", N)}},
		{"abc/**", []probe{f("abc/x", I), f("abc/x/y", I), d("abc", N), f("xabc/x", N)}},
		{"a/**/b", []probe{f("a/b", I), f("a/x/b", I), f("a/x/y/b", I), f("a/xb", N), f("b", N)}},
		{"a**b", []probe{f("ab", I), f("axxb", I)}},
		{"a/b**", []probe{f("a/bc", I), f("a/b", I), f("a/b/c", I)}}, // git's literal-prefix quirk
		{"?", []probe{f("a", I), f("ab", N), f("x/a", I)}},
		{"a?c", []probe{f("abc", I), f("ac", N)}},
		{"x/a?c", []probe{f("x/a/c", N), f("x/abc", I)}},
		{"[ab]c", []probe{f("ac", I), f("bc", I), f("cc", N)}},
		{"[!ab]c", []probe{f("ac", N), f("cc", I)}},
		{"[^ab]c", []probe{f("ac", N), f("cc", I)}},
		{"[a-c]x", []probe{f("bx", I), f("dx", N)}},
		{"[]]x", []probe{f("]x", I), f("ax", N)}},
		{"[!]]x", []probe{f("]x", N), f("ax", I)}},
		{"[a-]x", []probe{f("-x", I), f("ax", I), f("bx", N)}},
		{"[[:digit:]]x", []probe{f("1x", I), f("ax", N)}},
		{"[[:bogus:]]x", []probe{f("bx", N)}},
		{"[abc", []probe{f("[abc", N), f("a", N)}},
		{"x/[/]y", []probe{f("x//y", N)}},
		{"\\[a]", []probe{f("[a]", I), f("a", N)}},
		{"a\\*", []probe{f("a*", I), f("ab", N)}},
		{"foo\\", []probe{f("foo", N), f("foo\\", N)}},
		{"\\#x\n#x", []probe{f("#x", I)}},
		{"\\!x", []probe{f("!x", I), f("x", N)}},
		{"*.py\n!keep.py", []probe{f("a.py", I), f("keep.py", X), f("d/keep.py", X)}},
		{"!keep.py\n*.py", []probe{f("keep.py", I)}},
		{"trail  ", []probe{f("trail", I), f("trail ", N)}},
		{"trail\\ ", []probe{f("trail ", I), f("trail", N)}},
		{"trail\\  ", []probe{f("trail ", I)}},
		{"tab\t", []probe{f("tab\t", I), f("tab", N)}},
		{"a\r\n\r\nb\r\n", []probe{f("a", I), f("b", I), f("a\r", N)}},
		{"\xef\xbb\xbfbom\n", []probe{f("bom", I)}},
		{"", []probe{f("a", N)}},
		{"/\n!\n!/\n#\n   \n", []probe{f("a", N), d("a", N), f(" ", N)}},
		{"foo\x00bar", []probe{f("foo", I), f("foobar", N)}},
		{"é*", []probe{f("été", I), f("e", N)}},
		{"?x", []probe{f("éx", N)}}, // bytes, not runes, like git
		{"??x", []probe{f("éx", I)}},
	}
	for _, tt := range tests {
		g := ParseGitignore(".", []byte(tt.lines))
		for _, p := range tt.probes {
			if got := g.Match(p.path, p.isDir); got != p.want {
				t.Errorf("patterns %q: Match(%q, dir=%v) = %v, want %v", tt.lines, p.path, p.isDir, got, p.want)
			}
		}
	}
}

func TestGitignoreIgnoredAndLines(t *testing.T) {
	g := NewGitignore("/repo", []string{"# comment", "foo/", "!foo/keep.py", "*.txt", "!important.txt"})
	if g.Len() != 4 {
		t.Errorf("Len() = %d, want 4", g.Len())
	}
	for path, want := range map[string]bool{
		"foo/keep.py":     true, // its parent directory is excluded
		"foo/x.py":        true,
		"bar/x.py":        false,
		"a/b.txt":         true,
		"a/important.txt": false,
	} {
		if got := g.Ignored(path, false); got != want {
			t.Errorf("Ignored(%q) = %v, want %v", path, got, want)
		}
	}
	if m, line := g.MatchLine("x/important.txt", false); m != MatchIncluded || line != 5 {
		t.Errorf("MatchLine = %v, %d; want included, 5", m, line)
	}
	if m, line := g.MatchLine("nothing", false); m != MatchNone || line != 0 {
		t.Errorf("MatchLine = %v, %d; want none, 0", m, line)
	}
	var nilG *Gitignore
	if nilG.Match("a", false) != MatchNone || nilG.Len() != 0 {
		t.Error("a nil *Gitignore must match nothing")
	}
	for m, want := range map[Match]string{MatchNone: "none", MatchIgnored: "ignored", MatchIncluded: "included", Match(7): "Match(7)"} {
		if m.String() != want {
			t.Errorf("%d.String() = %q", int(m), m.String())
		}
	}
}

// universe is the set of files of the repository the git comparison builds;
// every path is also created under "sub/", so that patterns in
// sub/.gitignore are checked for being relative to their directory.
var universe = []string{
	"a.py", "b.txt", "foo.py", "Foo.py", "FOO", ".hidden", ".hidden.py", "x.pyc",
	"#comment.py", "!bang.py", " lead.py", "trail", "trail ", "sp ace.py", "tab\tname",
	"a[b].py", "ab.py", "a*b.py", "a?b.py", "axb.py", "back\\slash.py", "backxslash.py",
	"abc", "abd", "abe", "a-c", "a]b", "ac", "dig1.py", "dig9.py", "UP.py", "low", "ctl\x01.py", "v\vt",
	"é.py", "ab", "b", "e.py",
	"foo.d/x.py", "foo/bar.py", "foo/baz/qux.py", "foo/foo/x.py", "foo/.hidden",
	"bar/foo", "bar/foo.py", "baz/foo/inner.py", "bar/bar.py/x",
	"a.d/b", "ab.d/c.py", "a/b/c.py", "a/x/b/c.py", "a/x/y/b/c.py", "a/bc.py", "a/b.py", "ax/b/c.py", "axy/z/b",
	"doc/frotz/x.txt", "x/doc/frotz/y.txt", "frotz/z.txt",
	"build/out.o", "src/build/out.o", "src/build.py", "src/pkg/mod.py",
	"logs/debug.log", "logs/monday/foo.bar", "build/logs/debug.log",
	"deep/a/b/c/d/e.py", "deep/a/b/c/d/f.txt", "deep/x/b/y.py",
	"__pycache__/m.cpython-313.pyc",
}

// singlePatterns are checked one at a time, alone in a .gitignore at the top
// of the repository and alone in sub/.gitignore.
var singlePatterns = []string{
	// literals, anchoring and directories
	"foo", "foo/", "/foo", "/foo/", "foo.py", "Foo.py", "FOO", ".hidden", "a", "b", "b/", "/b", "e.py",
	"foo/bar.py", "/foo/bar.py", "foo/bar.py/", "bar/foo", "bar/foo/", "baz/foo/", "a/b", "a/b/", "/a/b",
	"doc/frotz/", "doc/frotz", "frotz/", "/doc/frotz/", "build", "build/", "/build", "src/build/",
	"logs/", "d/", "c/d/", "b/c/", "a/b/c/", "deep/a/b/c/d/e.py", "foo//bar.py", "/foo//", "//",
	"./foo", "foo/./bar.py", "../foo", "foo.d", "foo.d/",
	// stars
	"*", "*/", "/*", "/*/", "*.py", "*.pyc", "*.txt", ".*", "*.py/", "*/bar.py", "*/*/qux.py", "*/*",
	"foo/*", "foo/*/", "build/*", "logs/*.log", "*.log", "f*o", "*o*", "a*", "a*/", "/a*/b",
	// double stars
	"**", "**/", "/**", "/**/", "**/foo", "**/foo/", "**/foo/bar.py", "**/bar.py", "foo/**", "foo/**/",
	"foo/**/x.py", "a/**/b", "a/**/b/", "a/**/b/c.py", "a/*/b", "a/*/b/c.py", "a/**/**/b", "**/b/**",
	"**/**/c.py", "**/build", "**/logs", "**/logs/debug.log", "logs/**/*.bar", "deep/**/e.py",
	"deep/**/d", "deep/*/b/**", "**/c/**/e.py", "/deep/a/**/", "**/e.py", "a**/b", "a**", "**a",
	"f**o", "foo**", "**.py", "a/b**", "a/**b", "***/c.py", "a/***/b", "a/**\\/b", "x**/z", "/**/b/",
	// question marks
	"?.py", "??.py", "a?b.py", "ab?", "a/?/b", "fo?/bar.py", "?", "a?", "???", "?/b",
	// classes
	"[ab].py", "[a-c]b*", "ab[c-e]", "ab[!c]", "ab[^c]", "a[]]b", "a[!]]b", "a[-]c", "a[a-]c",
	"[[:alpha:]]*", "[[:digit:]]*", "dig[[:digit:]].py", "[[:upper:]]*", "[[:lower:]][[:lower:]][[:lower:]]",
	"[[:space:]]*", "*[[:space:]]*", "*[[:punct:]]*", "[[:xdigit:]]b*", "[[:alnum:]]", "[[:blank:]]*",
	"*[[:cntrl:]]*", "[[:graph:]]*.py", "[[:print:]]", "[[:bogus:]]*", "[abc", "[z-a]*", "[!a-z]*",
	"[\\]]*", "[a\\-c]*", "[[:alpha:]-z]*", "a[b].py", "a\\[b\\].py", "a[[]b].py", "[[:alpha:]",
	"a[/]b", "a/[b]/c.py", "[a-c][[:alpha:]]", "ab[.]py", "a[^]b", "a[!-]c",
	// escapes, spaces and comments
	"a\\*b.py", "a\\?b.py", "back\\\\slash.py", "back\\slash.py", "\\#comment.py", "#comment.py",
	"\\!bang.py", "!bang.py", " lead.py", "trail ", "trail\\ ", "trail\\  ", "trail \\ ", "sp ace.py",
	"sp\\ ace.py", "tab\tname", "tab*", "foo\\", "foo\\/", "\\", "/", "!", "!/", "\\a.py", "\\/foo",
	"é.py", "?.py", "??.py", "v[[:space:]]t",
}

// multiCases are sets of ignore files checked together.
var multiCases = []struct {
	name  string
	files map[string]string
}{
	{"negation", map[string]string{".gitignore": "*.py\n!foo.py\n"}},
	{"later rule wins", map[string]string{".gitignore": "!foo.py\n*.py\n"}},
	{"excluded parent cannot be re-included", map[string]string{".gitignore": "foo/\n!foo/bar.py\n"}},
	{"re-include inside a star", map[string]string{".gitignore": "foo/*\n!foo/bar.py\n"}},
	{"doc example", map[string]string{".gitignore": "/*\n!/foo\n/foo/*\n!/foo/baz\n"}},
	{"whitelist", map[string]string{".gitignore": "*\n!*/\n!*.py\n"}},
	{"deeper file wins", map[string]string{".gitignore": "*.py\n", "foo/.gitignore": "!bar.py\n"}},
	{"deeper file adds", map[string]string{".gitignore": "!*.py\n", "foo/.gitignore": "*.py\n"}},
	{"info/exclude has lowest precedence", map[string]string{".git/info/exclude": "*.txt\nfoo/\n", ".gitignore": "!b.txt\n"}},
	{"info/exclude anchored", map[string]string{".git/info/exclude": "/a/b/\nsub/foo.py\n"}},
	{"ignored directory hides its .gitignore", map[string]string{".gitignore": "foo/\n", "foo/.gitignore": "!*\n"}},
	{"nested directories", map[string]string{"a/.gitignore": "b/\n", "a/x/.gitignore": "!b/\n"}},
	{"nested anchoring", map[string]string{".gitignore": "/a/b/\n", "a/.gitignore": "/x/\n", "deep/a/.gitignore": "b/c\n"}},
	{"escapes and spaces", map[string]string{".gitignore": "\\#comment.py\n\\!bang.py\ntrail\\ \n  \n# c\n sp ace.py\n"}},
	{"CRLF", map[string]string{".gitignore": "*.txt\r\nfoo\r\n\r\n#x\r\n"}},
	{"BOM", map[string]string{".gitignore": "\xef\xbb\xbf*.txt\nFOO\n"}},
	{"no final newline", map[string]string{".gitignore": "*.log\nabc"}},
	{"trailing spaces", map[string]string{".gitignore": "*.txt   \nfoo  \ntrail \\ \n"}},
	{"file versus directory", map[string]string{".gitignore": "foo\n!foo/\n"}},
	{"ignore the ignore file", map[string]string{".gitignore": ".gitignore\n", "sub/.gitignore": "*.py\n"}},
	{"sub excluded from the top", map[string]string{".gitignore": "sub\n", "sub/.gitignore": "!*\n"}},
	{"double star negations", map[string]string{".gitignore": "**/b/**\n!a/**/b/c.py\n", "sub/.gitignore": "**\n!**/\n!*.py\n"}},
	{"everything and back", map[string]string{".gitignore": "*\n!/sub\n", "sub/.gitignore": "!*\nfoo/**\n!foo/**/\n!foo/baz/*.py\n"}},
}

// gitEnv returns an environment for git that ignores the user's and the
// system's configuration.
func gitEnv(home string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GIT_") {
			env = append(env, kv)
		}
	}
	return append(env, "HOME="+home, "XDG_CONFIG_HOME="+home, "GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL="+filepath.Join(home, "gitconfig"))
}

// gitIgnored asks git check-ignore which of paths it ignores.
func gitIgnored(t *testing.T, repo string, env []string, paths []string) map[string]bool {
	t.Helper()
	cmd := exec.Command("git", "check-ignore", "--no-index", "--stdin", "-z")
	cmd.Dir = repo
	cmd.Env = env
	cmd.Stdin = strings.NewReader(strings.Join(paths, "\x00") + "\x00")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var ee *exec.ExitError
	if err != nil && !(errors.As(err, &ee) && ee.ExitCode() == 1) {
		t.Fatalf("git check-ignore: %v: %s", err, stderr.String())
	}
	ignored := make(map[string]bool)
	for p := range strings.SplitSeq(strings.TrimSuffix(string(out), "\x00"), "\x00") {
		if p != "" {
			ignored[p] = true
		}
	}
	return ignored
}

// oracleIgnored decides whether rel (slash-separated, relative to the
// repository top) is ignored, from git's rules stated directly: a path is
// ignored when one of its parent directories is, or when the deepest
// ignore file with a pattern matching it excludes it; .git/info/exclude
// comes last.
func oracleIgnored(t *testing.T, repo, rel string, isDir bool) bool {
	t.Helper()
	prefix := filepath.ToSlash(repo) + "/"
	read := func(path string) *Gitignore {
		data, err := os.ReadFile(filepath.Join(repo, filepath.FromSlash(path)))
		if err != nil {
			return nil
		}
		return ParseGitignore("", data)
	}
	var frames []ignoreFrame
	if g := read(".git/info/exclude"); g != nil {
		frames = append(frames, ignoreFrame{prefix, g})
	}
	comps := strings.Split(rel, "/")
	for i := range comps {
		dir := strings.Join(comps[:i], "/")
		file := ".gitignore"
		if dir != "" {
			file = dir + "/.gitignore"
		}
		if g := read(file); g != nil {
			frames = append(frames, ignoreFrame{dirPrefix(prefix + dir), g})
		}
		path := strings.Join(comps[:i+1], "/")
		if matchFrames(frames, prefix+path, i < len(comps)-1 || isDir) == MatchIgnored {
			return true
		}
	}
	return false
}

func TestGitignoreAgainstGit(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the universe has file names Windows does not allow")
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	home := t.TempDir()
	env := gitEnv(home)
	repo := filepath.Join(t.TempDir(), "repo")
	if err := os.Mkdir(repo, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("git", "init", "-q", repo).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v: %s", err, out)
	}
	isDir := map[string]bool{}
	var files []string
	for _, top := range []string{"", "sub/"} {
		for _, f := range universe {
			files = append(files, top+f)
		}
	}
	for _, f := range files {
		p := filepath.Join(repo, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		for d := f; strings.Contains(d, "/"); {
			d = d[:strings.LastIndexByte(d, '/')]
			isDir[d] = true
		}
	}
	paths := slices.Clone(files)
	for d := range isDir {
		paths = append(paths, d)
	}
	sort.Strings(paths)

	type gitCase struct {
		name  string
		files map[string]string
	}
	var cases []gitCase
	for _, p := range singlePatterns {
		cases = append(cases,
			gitCase{fmt.Sprintf("top %q", p), map[string]string{".gitignore": p + "\n"}},
			gitCase{fmt.Sprintf("sub %q", p), map[string]string{"sub/.gitignore": p + "\n"}})
	}
	for _, c := range multiCases {
		cases = append(cases, gitCase{c.name, c.files})
	}

	checked, ignoredByGit, disagreements := 0, 0, 0
	for _, c := range cases {
		for name, content := range c.files {
			if err := os.WriteFile(filepath.Join(repo, filepath.FromSlash(name)), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		all := slices.Clone(paths)
		for name := range c.files {
			if !strings.HasPrefix(name, ".git/") && !slices.Contains(all, name) {
				all = append(all, name)
			}
		}
		want := gitIgnored(t, repo, env, all)
		ignoredByGit += len(want)

		// Every path, directories included, against the rules stated
		// directly.
		for _, p := range all {
			got := oracleIgnored(t, repo, p, isDir[p])
			checked++
			if got != want[p] {
				disagreements++
				t.Errorf("%s: %q ignored=%v, git says %v", c.name, p, got, want[p])
			}
		}

		// The walk yields exactly the files git does not ignore.
		var wantFiles, gotFiles []string
		for _, p := range all {
			if !isDir[p] && !want[p] {
				wantFiles = append(wantFiles, p)
			}
		}
		for p, err := range Walk([]string{repo}, Options{RespectGitignore: true, Extensions: []string{""}, Exclude: []string{}}) {
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			rel, _ := filepath.Rel(repo, p)
			gotFiles = append(gotFiles, filepath.ToSlash(rel))
		}
		sort.Strings(wantFiles)
		sort.Strings(gotFiles)
		if !slices.Equal(gotFiles, wantFiles) {
			t.Errorf("%s: walk yields\n%q\ngit keeps\n%q", c.name, gotFiles, wantFiles)
		}

		for name := range c.files {
			if name == ".git/info/exclude" {
				_ = os.WriteFile(filepath.Join(repo, ".git", "info", "exclude"), nil, 0o644)
				continue
			}
			if err := os.Remove(filepath.Join(repo, filepath.FromSlash(name))); err != nil {
				t.Fatal(err)
			}
		}
		if disagreements > 50 {
			t.Fatal("too many disagreements")
		}
	}
	t.Logf("%d cases, %d path verdicts compared with git check-ignore (%d of them ignored)", len(cases), checked, ignoredByGit)
	if ignoredByGit < checked/20 {
		t.Errorf("git ignored only %d of %d paths: is the comparison working?", ignoredByGit, checked)
	}
}

// TestWalkGitignore covers what the comparison with git does not: roots
// inside a repository, explicit roots, nested repositories, the default
// being off, symbolic links and Options.Ignore.
func TestWalkGitignore(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need a Unix system")
	}
	tests := []struct {
		name  string
		spec  map[string]string
		roots []string
		opts  Options
		want  []event
	}{
		{
			name: "off by default",
			spec: map[string]string{".gitignore": "gen/\n*_pb2.py\n", "a.py": "", "gen/x.py": "", "m_pb2.py": ""},
			want: files("a.py", "gen/x.py", "m_pb2.py"),
		},
		{
			name: "on",
			spec: map[string]string{".gitignore": "gen/\n*_pb2.py\n", "a.py": "", "gen/x.py": "", "m_pb2.py": ""},
			opts: Options{RespectGitignore: true},
			want: files("a.py"),
		},
		{
			name:  "root inside a repository reads the ignore files above it",
			spec:  map[string]string{".git/": "", ".gitignore": "/src/gen/\n", "src/.gitignore": "*.tmp.py\n", "src/pkg/.gitignore": "!keep.tmp.py\n", "src/gen/x.py": "", "src/pkg/a.py": "", "src/pkg/b.tmp.py": "", "src/pkg/keep.tmp.py": ""},
			roots: []string{"src/pkg", "src"},
			opts:  Options{RespectGitignore: true},
			want:  files("src/pkg/a.py", "src/pkg/keep.tmp.py"),
		},
		{
			name:  "ignore files above a root outside a repository are not read",
			spec:  map[string]string{".gitignore": "*.py\n", "src/a.py": ""},
			roots: []string{"src"},
			opts:  Options{RespectGitignore: true},
			want:  files("src/a.py"),
		},
		{
			name:  "info/exclude",
			spec:  map[string]string{".git/info/exclude": "*.gen.py\n", "a.py": "", "b.gen.py": "", "sub/c.gen.py": ""},
			roots: []string{"sub", "."},
			opts:  Options{RespectGitignore: true},
			want:  files("a.py"),
		},
		{
			name:  "worktree .git file",
			spec:  map[string]string{"wt/.git": "gitdir: ../main/.git/worktrees/wt\n", "main/.git/worktrees/wt/commondir": "../..\n", "main/.git/info/exclude": "x.py\n", "wt/x.py": "", "wt/y.py": ""},
			roots: []string{"wt"},
			opts:  Options{RespectGitignore: true},
			want:  files("wt/y.py"),
		},
		{
			name:  "explicit roots are never ignored",
			spec:  map[string]string{".git/": "", ".gitignore": "gen/\nskip.py\n", "gen/x.py": "", "skip.py": "", "gen/sub/y.py": ""},
			roots: []string{"skip.py", "gen"},
			opts:  Options{RespectGitignore: true},
			want:  files("skip.py", "gen/sub/y.py", "gen/x.py"),
		},
		{
			name:  "explicit root's content still matched",
			spec:  map[string]string{".git/": "", ".gitignore": "gen/**/*.py\n", "gen/x.py": "", "gen/y.pyi": ""},
			roots: []string{"gen"},
			opts:  Options{RespectGitignore: true},
			want:  files("gen/y.pyi"),
		},
		{
			name: "nested repository starts afresh",
			spec: map[string]string{".git/": "", ".gitignore": "*.py\n!/top.py\n", "top.py": "", "x.py": "",
				"vendor/lib/.git/info/exclude": "skip.py\n", "vendor/lib/m.py": "", "vendor/lib/skip.py": "", "vendor/y.py": ""},
			opts: Options{RespectGitignore: true},
			want: files("top.py", "vendor/lib/m.py"),
		},
		{
			name: ".git is never entered",
			spec: map[string]string{".git/hooks/x.py": "", "a.py": ""},
			opts: Options{RespectGitignore: true, Exclude: []string{}},
			want: files("a.py"),
		},
		{
			name: "symbolic link .gitignore is not read",
			spec: map[string]string{"real": "a.py\n", ".gitignore": "->real", "a.py": ""},
			opts: Options{RespectGitignore: true},
			want: files("a.py"),
		},
		{
			name: "ignored dangling link and pipe are not reported",
			spec: map[string]string{".gitignore": "gone.py\np.py\n", "gone.py": "->nowhere", "p.py": "|fifo", "a.py": ""},
			opts: Options{RespectGitignore: true},
			want: files("a.py"),
		},
		{
			name: "symbolic links to directories match as directories",
			spec: map[string]string{".gitignore": "link/\n", "real/a.py": "", "link": "->real"},
			opts: Options{RespectGitignore: true},
			want: files("real/a.py"),
		},
		{
			name: "extra pattern sets apply without RespectGitignore",
			spec: map[string]string{".gitignore": "b.py\n", "a.py": "", "b.py": "", "tests/fixtures/x.py": "", "tests/t.py": ""},
			opts: Options{Ignore: []*Gitignore{NewGitignore("{dir}", []string{"fixtures/", "a.py"})}},
			want: files("b.py", "tests/t.py"),
		},
		{
			name:  "extra pattern sets relative to their directory",
			spec:  map[string]string{"pkg/a.py": "", "pkg/sub/a.py": "", "a.py": ""},
			roots: []string{"pkg", "a.py"},
			opts:  Options{Ignore: []*Gitignore{NewGitignore("{dir}/pkg", []string{"/a.py"}), nil}},
			want:  files("pkg/sub/a.py", "a.py"),
		},
		{
			name: "extra sets and gitignore combined",
			spec: map[string]string{".gitignore": "b.py\n", "a.py": "", "b.py": "", "c.py": ""},
			opts: Options{RespectGitignore: true, Ignore: []*Gitignore{NewGitignore("{dir}", []string{"a.py", "!b.py"})}},
			want: files("c.py"),
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
			opts := tt.opts
			opts.Ignore = slices.Clone(opts.Ignore)
			for i, g := range opts.Ignore {
				if g != nil {
					c := *g
					c.Dir = strings.ReplaceAll(c.Dir, "{dir}", dir)
					opts.Ignore[i] = &c
				}
			}
			got := collect(t, dir, abs, opts)
			if !slices.Equal(got, tt.want) {
				t.Errorf("got  %v\nwant %v", got, tt.want)
			}
		})
	}
}

func TestWalkGitignoreRelativeRoot(t *testing.T) {
	dir := t.TempDir()
	tree(t, dir, map[string]string{".git/": "", ".gitignore": "/src/gen/\n", "src/gen/x.py": "", "src/a.py": ""})
	t.Chdir(filepath.Join(dir, "src"))
	var got []string
	for p, err := range Walk([]string{"."}, Options{RespectGitignore: true}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, filepath.ToSlash(p))
	}
	if want := []string{"a.py"}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestWalkUnreadableGitignore(t *testing.T) {
	if os.Geteuid() == 0 || runtime.GOOS == "windows" {
		t.Skip("needs an unprivileged Unix user to make a file unreadable")
	}
	dir := t.TempDir()
	tree(t, dir, map[string]string{".gitignore": "b.py\n", "a.py": "", "b.py": ""})
	if err := os.Chmod(filepath.Join(dir, ".gitignore"), 0); err != nil {
		t.Fatal(err)
	}
	got := collect(t, dir, []string{dir}, Options{RespectGitignore: true})
	want := []event{{".gitignore", Unreadable}, {"a.py", 0}, {"b.py", 0}}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func FuzzGitignore(f *testing.F) {
	for _, p := range singlePatterns {
		f.Add([]byte(p), "a/b/c.py", false)
	}
	f.Add([]byte("*.py\n!keep.py\n/build/\n**/x/**\n[[:alpha:]-z]*\n"), "build/x/keep.py", true)
	f.Add([]byte("a/**/**/**/b"), strings.Repeat("a/", 20)+"c", false)
	f.Add([]byte("\xef\xbb\xbf\\#x \\ \r\n[!\\]]"), "#x  ", false)
	f.Fuzz(func(t *testing.T, data []byte, path string, isDir bool) {
		if len(data) > 4096 || len(path) > 1024 {
			return
		}
		g := ParseGitignore("d", data)
		m := g.Match(path, isDir)
		if m != MatchNone && m != MatchIgnored && m != MatchIncluded {
			t.Fatalf("Match returned %d", int(m))
		}
		if m2 := g.Match(path, isDir); m2 != m {
			t.Fatalf("Match is not deterministic: %v then %v", m, m2)
		}
		if ign := g.Ignored(path, isDir); m == MatchIgnored && !ign {
			t.Fatalf("Match says ignored but Ignored says not")
		}
		lines := strings.Split(string(data), "\n")
		if g2 := NewGitignore("d", lines); !bytes.HasPrefix(data, utf8BOM) && g2.Match(path, isDir) != m {
			t.Fatalf("NewGitignore(lines) and ParseGitignore disagree")
		}
	})
}

func BenchmarkGitignoreMatch(b *testing.B) {
	g := NewGitignore(".", []string{
		"*.pyc", "__pycache__/", "/build/", "/dist/", "*.egg-info/", ".venv", "docs/_build/",
		"**/fixtures/**/*.json", "!keep.pyc", "src/gen/*_pb2.py", "[Tt]emp*/", ".tox/", "*.so",
	})
	paths := []string{"src/pkg/module.py", "src/pkg/sub/deep/other.py", "tests/fixtures/a/b.json",
		"src/gen/x_pb2.py", "build/lib/x.py", "Temp1", "keep.pyc"}
	b.ReportAllocs()
	for b.Loop() {
		for _, p := range paths {
			g.Match(p, false)
		}
	}
}
