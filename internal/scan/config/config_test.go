package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

// knownRule stands in for the rules package: ids FT001..FT012, their
// prefixes and a few names.
func knownRule(s string) bool {
	names := []string{"rmw-counter", "inconsistent-locking", "lock-without-with"}
	if slices.Contains(names, s) {
		return true
	}
	for i := 1; i <= 12; i++ {
		if strings.HasPrefix(fmt.Sprintf("FT%03d", i), s) {
			return true
		}
	}
	return false
}

func TestKnownRuleHelper(t *testing.T) {
	for s, want := range map[string]bool{"FT001": true, "FT012": true, "FT013": false, "FT0": true, "FT": true, "F": true, "FT999": false, "rmw-counter": true} {
		if knownRule(s) != want {
			t.Errorf("knownRule(%q) = %v", s, !want)
		}
	}
}

func TestLoadValid(t *testing.T) {
	dflt := Default()
	tests := []struct {
		file  string
		want  Config
		lines map[string]int
	}{
		{
			file: "full.toml",
			want: Config{
				Select:                  []string{"FT001", "FT0", "inconsistent-locking"},
				ExtendSelect:            []string{"FT012"},
				Ignore:                  []string{"FT009", "rmw-counter"},
				MinConfidence:           "medium",
				AssumeThreaded:          []string{"mylib.*", "other.core.Pool", "pkg.sub?.*"},
				Exclude:                 []string{"tests/fixtures/", "/build/"},
				ExtendExclude:           []string{"*_pb2.py"},
				RespectGitignore:        false,
				SynchronizingDecorators: []string{"synchronized", "utils.locked"},
				LockNames:               []string{"*_guard", "_mtx", "lk[0-9]"},
				Baseline:                filepath.Join("testdata", "ci", "pyrace-baseline.json"),
				Format:                  "sarif",
			},
			lines: map[string]int{
				"select": 10, "extend-select": 11, "ignore": 12, "min-confidence": 16, "assume-threaded": 17,
				"exclude": 18, "extend-exclude": 19, "respect-gitignore": 20, "synchronizing-decorators": 21,
				"lock-names": 22, "baseline": 23, "format": 24,
			},
		},
		{file: "empty_table.toml", want: dflt, lines: map[string]int{}},
		{file: "no_table.toml", want: dflt, lines: map[string]int{}},
		{
			file:  "dotted.toml",
			want:  Config{Format: "json", Select: []string{"FT"}, RespectGitignore: true, SynchronizingDecorators: dflt.SynchronizingDecorators},
			lines: map[string]int{"format": 2, "select": 3},
		},
		{
			file:  "inline.toml",
			want:  Config{MinConfidence: "low", LockNames: []string{}, RespectGitignore: true, SynchronizingDecorators: dflt.SynchronizingDecorators},
			lines: map[string]int{"min-confidence": 1, "lock-names": 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join("testdata", tt.file)
			got, err := Load(path, knownRule)
			if err != nil {
				t.Fatal(err)
			}
			if got.Path != path || got.Dir != "testdata" {
				t.Errorf("Path, Dir = %q, %q", got.Path, got.Dir)
			}
			for _, k := range Keys() {
				wantLine, set := tt.lines[k.Name]
				if got.IsSet(k.Name) != set || got.Line(k.Name) != wantLine {
					t.Errorf("key %s: IsSet = %v, Line = %d; want %v, %d", k.Name, got.IsSet(k.Name), got.Line(k.Name), set, wantLine)
				}
			}
			got.Path, got.Dir, got.lines = "", "", nil
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestLoadInvalid(t *testing.T) {
	tests := []struct {
		file string
		want []string // the error's lines, without the "testdata/invalid/" prefix
	}{
		{"unknown_key.toml", []string{`unknown_key.toml:3: tool.pyrace.min_confidence: unknown key; did you mean min-confidence?`}},
		{"unknown_key_far.toml", []string{`unknown_key_far.toml:2: tool.pyrace.line-length: unknown key (known keys: select, extend-select, ignore, min-confidence, assume-threaded, exclude, extend-exclude, respect-gitignore, synchronizing-decorators, lock-names, baseline, format)`}},
		{"unknown_subtable.toml", []string{`unknown_subtable.toml:4: tool.pyrace.per-file-ignores: unknown key (known keys: select, extend-select, ignore, min-confidence, assume-threaded, exclude, extend-exclude, respect-gitignore, synchronizing-decorators, lock-names, baseline, format)`}},
		{"min_confidence.toml", []string{`min_confidence.toml:6: tool.pyrace.min-confidence: "hi" is not one of high, medium, low`}},
		{"min_confidence_type.toml", []string{`min_confidence_type.toml:2: tool.pyrace.min-confidence: expected a string (one of high, medium, low), found integer 2`}},
		{"format.toml", []string{`format.toml:2: tool.pyrace.format: "xml" is not one of text, json, sarif, github, junit`}},
		{"select_string.toml", []string{`select_string.toml:2: tool.pyrace.select: expected an array of strings, found string "FT001"`}},
		{"select_element.toml", []string{`select_element.toml:2: tool.pyrace.select[1]: expected a string, found integer 12`}},
		{"select_unknown.toml", []string{`select_unknown.toml:2: tool.pyrace.ignore[1]: unknown rule "FT999" (expected a rule id such as "FT001", an id prefix such as "FT0", or a rule name such as "rmw-counter")`}},
		{"select_malformed.toml", []string{`select_malformed.toml:2: tool.pyrace.extend-select[0]: "FT 001" is not a rule id, prefix or name (expected letters, digits and dashes, such as "FT001" or "rmw-counter")`}},
		{"respect_gitignore.toml", []string{`respect_gitignore.toml:2: tool.pyrace.respect-gitignore: expected true or false, found string "yes"`}},
		{"assume_threaded.toml", []string{`assume_threaded.toml:2: tool.pyrace.assume-threaded[0]: "pkg..mod" is not a module pattern (expected dotted names with * and ? wildcards, such as "pkg.module.*")`}},
		{"decorator.toml", []string{`decorator.toml:2: tool.pyrace.synchronizing-decorators[0]: "@synchronized": write the decorator's name without "@" ("synchronized")`}},
		{"decorator_name.toml", []string{`decorator_name.toml:2: tool.pyrace.synchronizing-decorators[0]: "with lock" is not a decorator name (expected a name such as "synchronized" or "utils.synchronized")`}},
		{"lock_names.toml", []string{`lock_names.toml:2: tool.pyrace.lock-names[0]: "[lock" is not a valid glob pattern: syntax error in pattern`}},
		{"exclude_empty.toml", []string{`exclude_empty.toml:2: tool.pyrace.exclude[0]: expected a pattern, found an empty string`}},
		{"extend_exclude_type.toml", []string{`extend_exclude_type.toml:2: tool.pyrace.extend-exclude[0]: expected a string, found an array`}},
		{"baseline.toml", []string{`baseline.toml:2: tool.pyrace.baseline: expected a file name (a string), found boolean true`}},
		{"baseline_empty.toml", []string{`baseline_empty.toml:2: tool.pyrace.baseline: expected a file name, found an empty string`}},
		{"not_a_table.toml", []string{`not_a_table.toml:2: tool.pyrace: expected a table, found string "on"`}},
		{"tool_not_a_table.toml", []string{`tool_not_a_table.toml:1: tool: expected a table, found integer 3`}},
		{"syntax.toml", []string{`syntax.toml:3: invalid TOML: strings cannot contain newlines`}},
		{"duplicate.toml", []string{`duplicate.toml:3: invalid TOML: Key 'tool.pyrace.format' has already been defined.`}},
		{"several.toml", []string{
			`several.toml:2: tool.pyrace.format: "xml" is not one of text, json, sarif, github, junit`,
			`several.toml:3: tool.pyrace.colour: unknown key (known keys: select, extend-select, ignore, min-confidence, assume-threaded, exclude, extend-exclude, respect-gitignore, synchronizing-decorators, lock-names, baseline, format)`,
			`several.toml:5: tool.pyrace.lock-names[1]: expected a string, found integer 3`,
		}},
	}
	prefix := filepath.Join("testdata", "invalid") + string(filepath.Separator)
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			c, err := Load(prefix+tt.file, knownRule)
			if err == nil {
				t.Fatal("no error")
			}
			got := strings.Split(strings.ReplaceAll(err.Error(), prefix, ""), "\n")
			if !slices.Equal(got, tt.want) {
				t.Errorf("error:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			var ce *Error
			if !errors.As(err, &ce) || ce.Line == 0 || ce.Path != prefix+tt.file {
				t.Errorf("error %#v is not an *Error with a path and a line", ce)
			}
			if tt.file == "several.toml" && (c.MinConfidence != "medium" || c.Format != "" || c.LockNames != nil) {
				t.Errorf("valid keys are kept and invalid ones dropped: %+v", c)
			}
			if strings.HasPrefix(tt.file, "syntax") {
				var pe toml.ParseError
				if !errors.As(err, &pe) {
					t.Error("a syntax error wraps the toml.ParseError")
				}
			}
		})
	}
}

func TestLoadWithoutRuleCheck(t *testing.T) {
	c, err := Load(filepath.Join("testdata", "invalid", "select_unknown.toml"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"FT001", "FT999"}; !slices.Equal(c.Ignore, want) {
		t.Errorf("Ignore = %q, want %q", c.Ignore, want)
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join("testdata", "nope.toml"), nil)
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "nope.toml") {
		t.Errorf("err = %v", err)
	}
}

func TestAbsoluteBaseline(t *testing.T) {
	dir := t.TempDir()
	abs := filepath.Join(dir, "base.json")
	path := filepath.Join(dir, "pyproject.toml")
	if err := os.WriteFile(path, []byte("[tool.pyrace]\nbaseline = '"+abs+"'\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Baseline != abs {
		t.Errorf("Baseline = %q, want %q", c.Baseline, abs)
	}
}

func TestFind(t *testing.T) {
	root := t.TempDir()
	if err := os.CopyFS(root, os.DirFS(filepath.Join("testdata", "find"))); err != nil {
		t.Fatal(err)
	}
	// A repository top above everything, so the search never leaves the
	// temporary directory, and one at proj/sub, which stops the search
	// there.
	for _, d := range []string{".git", "proj/sub/.git"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	proj := filepath.Join(root, "proj")
	tests := []struct {
		start   string // relative to root
		want    string // relative to root; "" for none
		wantErr string
	}{
		{start: "proj", want: "proj/pyproject.toml"},
		{start: "proj/src/pkg", want: "proj/pyproject.toml"},
		{start: "proj/src/pkg/mod.py", want: "proj/pyproject.toml"},
		{start: "proj/nested/lib", want: "proj/nested/pyproject.toml"},
		{start: "proj/sub/inner", want: ""}, // sub's pyproject.toml has no [tool.pyrace] and sub is a repository top
		{start: ".", want: ""},
		{start: "proj/missing/dir", want: "proj/pyproject.toml"},
		{start: "proj/other/deep", wantErr: "other/pyproject.toml:2: invalid TOML: unexpected EOF"},
	}
	for _, tt := range tests {
		got, err := Find(filepath.Join(root, filepath.FromSlash(tt.start)))
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(filepath.ToSlash(err.Error()), tt.wantErr) {
				t.Errorf("Find(%s): err = %v, want %q", tt.start, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("Find(%s): %v", tt.start, err)
			continue
		}
		want := ""
		if tt.want != "" {
			want = filepath.Join(root, filepath.FromSlash(tt.want))
		}
		if got != want {
			t.Errorf("Find(%s) = %q, want %q", tt.start, got, want)
		}
	}

	// A relative start gives a path relative to the working directory.
	t.Chdir(filepath.Join(proj, "src"))
	got, err := Find("pkg/mod.py")
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join("..", "pyproject.toml"); got != want {
		t.Errorf("Find(relative) = %q, want %q", got, want)
	}
	c, err := Load(got, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.MinConfidence != "medium" || c.Dir != ".." {
		t.Errorf("loaded %+v", c)
	}
}

func TestKeysDocumented(t *testing.T) {
	keys := Keys()
	if len(keys) != 12 {
		t.Errorf("%d keys", len(keys))
	}
	for _, k := range keys {
		if k.Name == "" || k.Type == "" || k.Default == "" || k.Doc == "" {
			t.Errorf("key %+v is not fully documented", k)
		}
	}
	keys[0].Name = "changed"
	if Keys()[0].Name != "select" {
		t.Error("Keys shares storage between calls")
	}
}

func TestErrorString(t *testing.T) {
	for _, tt := range []struct {
		e    Error
		want string
	}{
		{Error{Path: "p.toml", Line: 3, Key: "tool.pyrace.x", Msg: "bad"}, "p.toml:3: tool.pyrace.x: bad"},
		{Error{Path: "p.toml", Msg: "bad"}, "p.toml: bad"},
	} {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("%q, want %q", got, tt.want)
		}
	}
}
