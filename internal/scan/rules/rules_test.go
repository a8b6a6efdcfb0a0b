package rules

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/pyrace/pyrace/internal/scan"
)

// wantRE matches the expectation markers of the fixtures: `# want: FT001`
// (several ids may follow, separated by spaces or commas).
var wantRE = regexp.MustCompile(`#\s*want:\s*((?:FT\d{3}[\s,]*)+)`)

// directiveRE matches fixture-wide settings: `# pyrace-test: assume-threaded`.
var directiveRE = regexp.MustCompile(`#\s*pyrace-test:\s*(.*)$`)

// TestFixtures runs every rule over its fixtures in
// internal/scan/testdata/<rule-name>/ and fails on any missing or
// unexpected finding, as golang.org/x/tools/go/analysis/analysistest does.
func TestFixtures(t *testing.T) {
	for _, r := range All() {
		meta := r.Meta()
		t.Run(meta.ID+"-"+meta.Name, func(t *testing.T) {
			dir := filepath.Join("..", "testdata", meta.Name)
			files, _ := filepath.Glob(filepath.Join(dir, "*.py"))
			if len(files) == 0 {
				t.Fatalf("no fixtures in %s", dir)
			}
			positives, negatives := 0, 0
			for _, file := range files {
				p, n := checkFixture(t, r, file)
				positives += p
				negatives += n
			}
			t.Logf("%d positives, %d negative look-alike lines", positives, negatives)
		})
	}
}

// checkFixture scans one fixture with one rule and compares the findings
// with its markers. It returns the number of marked lines and of negative
// lines (lines with a `# ok:` comment explaining a look-alike).
func checkFixture(t *testing.T, r scan.Checker, file string) (positives, negatives int) {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	opts := scan.Options{Rules: []scan.Checker{r}, MinConfidence: scan.Low}
	want := map[int][]string{}
	for i, line := range strings.Split(string(src), "\n") {
		if m := wantRE.FindStringSubmatch(line); m != nil {
			want[i+1] = append(want[i+1], strings.FieldsFunc(m[1], func(r rune) bool { return r == ' ' || r == ',' || r == '\t' })...)
			positives++
		}
		if strings.Contains(line, "# ok:") {
			negatives++
		}
		if m := directiveRE.FindStringSubmatch(line); m != nil {
			for _, d := range strings.Fields(m[1]) {
				switch {
				case d == "assume-threaded":
					opts.AssumeThreaded = []string{"*"}
				case strings.HasPrefix(d, "min-confidence="):
					opts.MinConfidence = scan.Confidence(strings.TrimPrefix(d, "min-confidence="))
				default:
					t.Fatalf("%s:%d: unknown directive %q", file, i+1, d)
				}
			}
		}
	}
	findings, diags, _, _ := scan.ScanSource(file, src, opts)
	for _, d := range diags {
		t.Errorf("%s:%d:%d: %s: %s", file, d.Line, d.Col, d.Kind, d.Message)
	}
	got := map[int][]string{}
	for _, f := range findings {
		got[f.Line] = append(got[f.Line], f.RuleID)
	}
	for line, ids := range want {
		for _, id := range ids {
			if id != r.Meta().ID {
				continue
			}
			if !slices.Contains(got[line], id) {
				t.Errorf("%s:%d: missing %s", file, line, id)
			}
		}
	}
	for _, f := range findings {
		if !slices.Contains(want[f.Line], f.RuleID) {
			t.Errorf("%s:%d:%d: unexpected %s: %s", file, f.Line, f.Col, f.RuleID, f.Message)
		}
	}
	return positives, negatives
}

func TestMetadata(t *testing.T) {
	seen := map[string]bool{}
	for i, r := range All() {
		m := r.Meta()
		if want := fmt.Sprintf("FT%03d", i+1); m.ID != want {
			t.Errorf("rule %d has id %s, want %s (ids are stable and in order)", i, m.ID, want)
		}
		for field, v := range map[string]string{"name": m.Name, "shape": m.Shape, "summary": m.Summary,
			"rationale": m.Rationale, "fix": m.Fix, "example": m.Example, "fixed example": m.FixedExample, "seed": m.Seed} {
			if strings.TrimSpace(v) == "" {
				t.Errorf("%s: empty %s", m.ID, field)
			}
		}
		if !regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`).MatchString(m.Name) {
			t.Errorf("%s: name %q is not kebab-case", m.ID, m.Name)
		}
		if seen[m.Name] {
			t.Errorf("%s: duplicate name %s", m.ID, m.Name)
		}
		seen[m.Name] = true
		if m.Confidence.Rank() == 0 {
			t.Errorf("%s: no default confidence", m.ID)
		}
	}
}

func TestSelect(t *testing.T) {
	all, err := Select(nil, nil)
	if err != nil || len(all) != len(All()) {
		t.Fatalf("Select(nil) = %d rules, %v", len(all), err)
	}
	one, err := Select([]string{"rmw-counter"}, nil)
	if err != nil || len(one) != 1 || one[0].Meta().ID != "FT001" {
		t.Errorf("select by name: %v %v", one, err)
	}
	none, err := Select([]string{"FT0"}, []string{"FT001"})
	if err != nil || slices.ContainsFunc(none, func(c scan.Checker) bool { return c.Meta().ID == "FT001" }) {
		t.Errorf("ignore: %v %v", none, err)
	}
	if _, err := Select([]string{"FT999"}, nil); err == nil || !strings.Contains(err.Error(), `unknown rule "FT999"`) {
		t.Errorf("unknown selector: %v", err)
	}
	if !Known("ft001") || !Known("rmw-counter") || Known("nope") {
		t.Error("Known")
	}
}
