package survey

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// writeRegistry writes files (name -> YAML) into a new registry directory.
func writeRegistry(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLoadExampleRegistry(t *testing.T) {
	reg, err := Load(filepath.Join("..", "..", "examples", "registry"))
	if err != nil {
		t.Fatal(err)
	}
	if len(reg.Packages) != 2 {
		t.Fatalf("%d packages", len(reg.Packages))
	}
	top := reg.Top(1)
	if len(top) != 1 || top[0].Name != "counters" || top[0].ImportName != "counters" || top[0].Timeout != 300 {
		t.Errorf("top: %+v", top)
	}
	for _, p := range reg.Packages {
		if fi, err := os.Stat(p.SourcePath()); err != nil || !fi.IsDir() {
			t.Errorf("%s: source %s: %v", p.Name, p.SourcePath(), err)
		}
	}
}

func TestLoadFields(t *testing.T) {
	dir := writeRegistry(t, map[string]string{
		"a.yaml": `name: a
popularity: 10
source: {git: "https://example.com/a.git", ref: v1.0, depth: 5}
import_name: a_mod
install: python -m pip install -e .
test_command: python -m pytest -x "tests dir"
test_framework: pytest
timeout: 120.5
skip_versions: {"3.14": "no wheels yet"}
env: {A_DEBUG: "1"}
extension_type: extensions
notes: hello
`,
		"b.yml":  "name: b\nsource:\n  path: ../b\n  in_place: true\ninstall:\n  - make\n  - make check\nskip: broken upstream\n",
		"c.yaml": "name: c\nsource: {git: g}\n",
		"README": "not yaml, not read",
	})
	reg, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(reg.Packages) != 3 {
		t.Fatalf("%+v", reg.Packages)
	}
	a, b := reg.Packages[0], reg.Packages[1]
	wantA := Package{Name: "a", Popularity: 10, Source: Source{Git: "https://example.com/a.git", Ref: "v1.0", Depth: 5},
		ImportName: "a_mod", Install: Commands{"python -m pip install -e ."}, TestCommand: `python -m pytest -x "tests dir"`,
		TestFramework: "pytest", Timeout: 120.5, SkipVersions: map[string]string{"3.14": "no wheels yet"},
		Env: map[string]string{"A_DEBUG": "1"}, ExtensionType: "extensions", Notes: "hello", File: filepath.Join(dir, "a.yaml"), Line: 1}
	if !reflect.DeepEqual(a, wantA) {
		t.Errorf("a:\n%+v\nwant\n%+v", a, wantA)
	}
	if !reflect.DeepEqual(b.Install, Commands{"make", "make check"}) || !b.Source.InPlace || b.SourcePath() != filepath.Join(dir, "../b") {
		t.Errorf("b: %+v", b)
	}
	if got := reg.Top(0); got[0].Name != "a" || got[1].Name != "b" || got[2].Name != "c" {
		t.Errorf("top: %v %v %v", got[0].Name, got[1].Name, got[2].Name)
	}
	if r := a.SkipReason("3.14.0"); r != "no wheels yet (Python 3.14)" {
		t.Errorf("skip 3.14.0: %q", r)
	}
	if r := a.SkipReason("3.13.5"); r != "" {
		t.Errorf("skip 3.13.5: %q", r)
	}
	if r := a.SkipReason("3.140.1"); r != "" {
		t.Errorf("skip 3.140.1: %q", r)
	}
	if r := b.SkipReason("3.13.5"); r != "broken upstream" {
		t.Errorf("skip b: %q", r)
	}
	sel, err := reg.Select([]string{"c", "a"})
	if err != nil || sel[0].Name != "c" || sel[1].Name != "a" {
		t.Errorf("select: %v %+v", err, sel)
	}
	if _, err := reg.Select([]string{"a", "zz", "yy"}); err == nil || !strings.Contains(err.Error(), "zz, yy") {
		t.Errorf("select missing: %v", err)
	}
}

func TestLoadProblems(t *testing.T) {
	for _, tt := range []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"typo'd field", map[string]string{"p.yaml": "name: p\nsource: {git: g}\ninstal: make\n"},
			[]string{"p.yaml:3: unknown field instal: did you mean install? (known: name, popularity, source, import_name, install,"}},
		{"typo'd source field", map[string]string{"p.yaml": "name: p\nsource:\n  git: g\n  reff: main\n"},
			[]string{"p.yaml:4: unknown field source.reff: did you mean source.ref? (known: git, ref, depth, path, in_place)"}},
		{"unknown far from any", map[string]string{"p.yaml": "name: p\nsource: {git: g}\ncolour: blue\n"},
			[]string{"p.yaml:3: unknown field colour (known: name,"}},
		{"duplicate package", map[string]string{"a.yaml": "name: p\nsource: {git: g}\n", "b.yaml": "\n\nname: p\nsource: {git: h}\n"},
			[]string{`b.yaml:3: package "p" is also in `, "a.yaml:1"}},
		{"wrong type", map[string]string{"p.yaml": "name: p\nsource: {git: g}\ntimeout: soon\n"},
			[]string{"p.yaml:3: cannot unmarshal !!str `soon` into float64"}},
		{"missing name and source", map[string]string{"p.yaml": "popularity: 3\n"},
			[]string{"p.yaml:1: name: missing", "p.yaml:1: source: want git: URL or path: DIR"}},
		{"git and path", map[string]string{"p.yaml": "name: p\nsource: {git: g, path: x}\n"},
			[]string{"p.yaml:2: source: git and path both given"}},
		{"source not a mapping", map[string]string{"p.yaml": "name: p\nsource: https://x\n"},
			[]string{"p.yaml:2: source: want a mapping"}},
		{"key twice", map[string]string{"p.yaml": "name: p\nsource: {git: g}\nname: q\n"},
			[]string{"p.yaml:3: name: given twice (first at line 1)"}},
		{"not a mapping", map[string]string{"p.yaml": "- a\n- b\n"}, []string{"p.yaml:1: want a mapping of fields"}},
		{"bad yaml", map[string]string{"p.yaml": "name: p\nsource: {git: g\n"}, []string{"p.yaml:"}},
		{"bad values", map[string]string{"p.yaml": "name: 'a b'\nsource: {git: g, depth: -3}\ntest_framework: nose\ntest_command: \"python 'x\"\ntimeout: -1\n"},
			[]string{`p.yaml:1: name "a b": not a package name`, "source.depth -3", `p.yaml:3: test_framework "nose"`,
				"p.yaml:4: test_command: unterminated ' quote", "p.yaml:5: timeout -1"}},
		{"a good file is not enough", map[string]string{"ok.yaml": "name: ok\nsource: {git: g}\n", "bad.yaml": "nam: x\n"},
			[]string{"bad.yaml:1: unknown field nam: did you mean name?"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(writeRegistry(t, tt.files))
			var ps Problems
			if !errors.As(err, &ps) {
				t.Fatalf("error %v, want problems", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("problems lack %q:\n%s", w, err)
				}
			}
		})
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing")); err == nil || !strings.Contains(err.Error(), "no such directory") {
		t.Errorf("missing registry: %v", err)
	}
}

func TestSplitCommand(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []string
		err  string
	}{
		{"python -m pytest", []string{"python", "-m", "pytest"}, ""},
		{`python -m pytest -k "a and not b" 'x y' z\ w`, []string{"python", "-m", "pytest", "-k", "a and not b", "x y", "z w"}, ""},
		{`echo "a \"q\" \$HOME \n" ''`, []string{"echo", `a "q" $HOME \n`, ""}, ""},
		{"  lead  trail  ", []string{"lead", "trail"}, ""},
		{`a"b"'c'd`, []string{"abcd"}, ""},
		{"", nil, "empty command"},
		{"'open", nil, "unterminated ' quote"},
		{`"open`, nil, `unterminated " quote`},
	} {
		got, err := SplitCommand(tt.in)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("%q: error %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q: %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func FuzzSplitCommand(f *testing.F) {
	for _, s := range []string{"python -m pytest", `a "b \" c" 'd'`, `\`, `"\`, "x\ty\nz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		words, err := SplitCommand(s)
		if err == nil && len(words) == 0 {
			t.Fatalf("%q: no words and no error", s)
		}
	})
}

// FuzzParseFile: a registry file never panics the reader, and a file it
// accepts has a name and a source.
func FuzzParseFile(f *testing.F) {
	for _, s := range []string{"name: p\nsource: {git: g}\n", "name: [\n", "source: {path: x, in_place: true}\nname: q\ninstall: [a, b]\n",
		"name: p\nsource: {git: g}\nenv: {A: 1}\nskip_versions: {3.14: x}\n", "- x\n", "", "&a [*a]"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, ps := parseFile("fuzz.yaml", data)
		if len(ps) == 0 && (p.Name == "" || (p.Source.Git == "") == (p.Source.Path == "")) {
			t.Fatalf("accepted %+v", p)
		}
	})
}

func TestImportLabeille(t *testing.T) {
	dest := t.TempDir()
	res, err := Import(filepath.Join("testdata", "labeille"), dest, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Written) != 2 || len(res.Skipped) != 1 || !strings.Contains(res.Skipped[0], "noreposkip: no repository") {
		t.Fatalf("%+v", res)
	}
	reg, err := Load(dest)
	if err != nil {
		t.Fatalf("the imported registry does not load: %v", err)
	}
	top := reg.Top(0)
	if top[0].Name != "requests" || top[1].Name != "numpy" {
		t.Fatalf("order %s, %s", top[0].Name, top[1].Name)
	}
	req, np := top[0], top[1]
	if req.Popularity != 900000000 || req.Source.Git != "https://github.com/psf/requests" || req.Source.Depth != 50 ||
		!reflect.DeepEqual(req.Install, Commands{"pip install -e . && pip install pytest pytest-httpbin"}) ||
		req.TestCommand != "python -m pytest tests -x -q" || req.Timeout != 600 || req.ImportName != "requests" ||
		req.SkipReason("3.15.0") != "pytest-httpbin does not build (Python 3.15)" || req.Skip != "" {
		t.Errorf("requests: %+v", req)
	}
	if np.Skip != "builds for an hour" || np.TestFramework != "other" || np.Install != nil ||
		!strings.Contains(np.Notes, "needs meson") || !strings.Contains(np.Notes, "pytest-xdist") || !strings.Contains(np.Notes, "not enriched") {
		t.Errorf("numpy: %+v", np)
	}
	// Importing again keeps what is there, unless asked to overwrite.
	res, err = Import(filepath.Join("testdata", "labeille"), dest, false)
	if err != nil || len(res.Written) != 0 || len(res.Skipped) != 3 {
		t.Errorf("again: %v %+v", err, res)
	}
	res, err = Import(filepath.Join("testdata", "labeille"), dest, true)
	if err != nil || len(res.Written) != 2 {
		t.Errorf("overwrite: %v %+v", err, res)
	}
	if _, err := Import(t.TempDir(), dest, false); err == nil || !strings.Contains(err.Error(), "not a labeille registry") {
		t.Errorf("not a registry: %v", err)
	}
}
