package format

import (
	"bytes"
	"encoding/json"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/pyrace/pyrace/internal/scan"
)

// sarifSchemaValidator compiles testdata/sarif-schema-2.1.0.json (see
// testdata/README.md), asserting formats such as uri and uri-reference.
func sarifSchemaValidator(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open("testdata/sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	const loc = "https://pyrace.invalid/sarif-schema-2.1.0.json"
	if err := c.AddResource(loc, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(loc)
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

func validate(sch *jsonschema.Schema, out []byte) error {
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
	if err != nil {
		return err
	}
	return sch.Validate(inst)
}

// edgeReport has what the sample lacks: an absolute path under the root,
// one outside it, a rule missing from Rules, odd characters in paths, a
// diagnostic without a file, and an empty span.
func edgeReport() Report {
	return Report{
		Root:    "/srv/repo",
		Version: "dev",
		Files:   2,
		Findings: []scan.Finding{
			{RuleID: "FT001", RuleName: "rmw-counter", File: "/srv/repo/a b/#x?.py", Position: scan.Position{Line: 1, Col: 5, EndLine: 1, EndCol: 5}, Message: "m1", Confidence: scan.High},
			{RuleID: "FT099", RuleName: "future-rule", File: "/elsewhere/c:d.py", Position: scan.Position{Line: 2, Col: 1}, Message: "m2", Confidence: "odd"},
			{RuleID: "FT001", RuleName: "rmw-counter", File: "c:x/100%.py", Position: scan.Position{Line: 3}, Message: "m3", Confidence: scan.Medium},
		},
		Diagnostics: []scan.Diagnostic{{Kind: scan.IOError, Message: "walk: too many symlinks"}},
		Rules:       rules(),
	}
}

func TestSARIFSchema(t *testing.T) {
	sch := sarifSchemaValidator(t)
	for name, r := range map[string]Report{"sample": sampleReport(), "empty": emptyReport(), "edge": edgeReport(), "zero": {}} {
		out := render(t, func(b *bytes.Buffer) error { return SARIF(b, r) })
		if err := validate(sch, out); err != nil {
			t.Errorf("%s: SARIF does not validate against the 2.1.0 schema: %v\n%s", name, err, out)
		}
	}
}

// TestSARIFSchemaRejects makes sure the validator is not vacuous.
func TestSARIFSchemaRejects(t *testing.T) {
	sch := sarifSchemaValidator(t)
	out := render(t, func(b *bytes.Buffer) error { return SARIF(b, sampleReport()) })
	for _, bad := range []struct{ old, new string }{
		{`"level": "error"`, `"level": "fatal"`},
		{`"version": "2.1.0"`, `"version": "2.0.0"`},
		{`"startLine": 10`, `"startLine": 0`},
		{`"columnKind": "unicodeCodePoints"`, `"columnKind": "bytes"`},
		{`"uri": "pkg/counter.py"`, `"uri": "pkg/counter%zz.py"`},
		{`"ruleId": "FT001"`, `"ruleId": "FT001", "bogus": 1`},
	} {
		mutated := bytes.Replace(out, []byte(bad.old), []byte(bad.new), 1)
		if bytes.Equal(mutated, out) {
			t.Fatalf("%q not in the output", bad.old)
		}
		if err := validate(sch, mutated); err == nil {
			t.Errorf("schema accepted %s", bad.new)
		}
	}
}

// sarifDoc is the part of a log the tests look at.
type sarifDoc struct {
	Schema  string `json:"$schema"`
	Version string `json:"version"`
	Runs    []struct {
		Tool struct {
			Driver struct {
				Name, Version, SemanticVersion, InformationURI string
				Rules                                          []struct {
					ID, Name, HelpURI    string
					ShortDescription     struct{ Text string }
					FullDescription      struct{ Text string }
					Help                 struct{ Text, Markdown string }
					DefaultConfiguration struct{ Level string }
					Properties           map[string]any
				}
			}
		}
		Results []struct {
			RuleID              string
			RuleIndex           int
			Level               string
			Message             struct{ Text string }
			Locations           []sarifTestLocation
			RelatedLocations    []sarifTestLocation
			PartialFingerprints map[string]string
			Properties          map[string]any
		}
		Invocations []struct {
			ExecutionSuccessful        bool
			ToolExecutionNotifications []struct {
				Level      string
				Message    struct{ Text string }
				Descriptor struct{ ID string }
				Locations  []sarifTestLocation
			}
		}
		OriginalURIBaseIDs map[string]struct{ URI string } `json:"originalUriBaseIds"`
		ColumnKind         string
	}
}

type sarifTestLocation struct {
	ID               int
	PhysicalLocation struct {
		ArtifactLocation struct {
			URI       string `json:"uri"`
			URIBaseID string `json:"uriBaseId"`
		}
		Region *struct{ StartLine, StartColumn, EndLine, EndColumn int }
	}
	LogicalLocations []struct{ Name, FullyQualifiedName, Kind string }
	Message          struct{ Text string }
}

func decodeSARIF(t *testing.T, r Report) sarifDoc {
	t.Helper()
	out := render(t, func(b *bytes.Buffer) error { return SARIF(b, r) })
	var doc sarifDoc
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Schema != sarifSchema || doc.Version != "2.1.0" || len(doc.Runs) != 1 {
		t.Fatalf("header: %q %q %d runs", doc.Schema, doc.Version, len(doc.Runs))
	}
	return doc
}

func TestSARIFGitHubRequirements(t *testing.T) {
	r := sampleReport()
	run := decodeSARIF(t, r).Runs[0]
	d := run.Tool.Driver
	if d.Name != "pyrace" || d.Version != "0.3.1" || d.SemanticVersion != "0.3.1" || d.InformationURI != InformationURI {
		t.Errorf("driver: %+v", d)
	}
	if len(d.Rules) != len(r.Rules)+1 { // + FT007, which only a finding names
		t.Errorf("%d rules, want %d", len(d.Rules), len(r.Rules)+1)
	}
	for _, rule := range d.Rules {
		if rule.ShortDescription.Text == "" || rule.FullDescription.Text == "" || rule.Help.Text == "" || rule.Help.Markdown == "" {
			t.Errorf("rule %s lacks descriptions or help", rule.ID)
		}
		want := RulesDocURI + "#" + strings.ToLower(rule.ID) + "-" + rule.Name
		if rule.HelpURI != want {
			t.Errorf("rule %s helpUri %q, want %q", rule.ID, rule.HelpURI, want)
		}
		if rule.Properties["precision"] == nil || rule.Properties["problem.severity"] == nil || rule.Properties["tags"] == nil {
			t.Errorf("rule %s properties %v", rule.ID, rule.Properties)
		}
	}
	if d.Rules[0].DefaultConfiguration.Level != "error" || d.Rules[0].Properties["precision"] != "high" {
		t.Errorf("FT001 (high) level %q precision %v", d.Rules[0].DefaultConfiguration.Level, d.Rules[0].Properties["precision"])
	}
	if d.Rules[1].DefaultConfiguration.Level != "warning" || d.Rules[3].DefaultConfiguration.Level != "note" {
		t.Errorf("levels of FT003 %q, FT010 %q", d.Rules[1].DefaultConfiguration.Level, d.Rules[3].DefaultConfiguration.Level)
	}
	if len(run.Results) != len(r.Findings) {
		t.Fatalf("%d results, want %d", len(run.Results), len(r.Findings))
	}
	for i, res := range run.Results {
		f := r.Findings[i]
		if res.RuleID != f.RuleID || d.Rules[res.RuleIndex].ID != f.RuleID {
			t.Errorf("result %d: ruleId %s ruleIndex %d", i, res.RuleID, res.RuleIndex)
		}
		if want := map[scan.Confidence]string{scan.High: "error", scan.Medium: "warning", scan.Low: "note"}[f.Confidence]; res.Level != want {
			t.Errorf("result %d: level %s, want %s", i, res.Level, want)
		}
		if res.PartialFingerprints[FingerprintKey] != f.Fingerprint {
			t.Errorf("result %d: fingerprints %v", i, res.PartialFingerprints)
		}
		loc := res.Locations[0].PhysicalLocation
		if loc.ArtifactLocation.URIBaseID != "%SRCROOT%" {
			t.Errorf("result %d: uriBaseId %q", i, loc.ArtifactLocation.URIBaseID)
		}
		u, err := url.Parse(loc.ArtifactLocation.URI)
		if err != nil || u.IsAbs() || u.Path != f.File {
			t.Errorf("result %d: uri %q decodes to %q (%v), want %q", i, loc.ArtifactLocation.URI, u.Path, err, f.File)
		}
		if reg := loc.Region; reg == nil || reg.StartLine != f.Line || reg.StartColumn != f.Col {
			t.Errorf("result %d: region %+v", i, loc.Region)
		}
		if len(res.RelatedLocations) != len(f.Related) {
			t.Errorf("result %d: %d related locations, want %d", i, len(res.RelatedLocations), len(f.Related))
		}
		for j, rl := range res.RelatedLocations {
			if rl.ID != j+1 || rl.Message.Text != f.Related[j].Message {
				t.Errorf("result %d related %d: %+v", i, j, rl)
			}
		}
		if ll := res.Locations[0].LogicalLocations; len(ll) != 1 || ll[0].FullyQualifiedName != f.Symbol {
			t.Errorf("result %d: logical locations %+v", i, ll)
		}
	}
	if got := run.Results[3].Locations[0].PhysicalLocation.ArtifactLocation.URI; got != "src/%C3%BCn%C3%AF%20c%C3%B6d%C3%A9/my%20mod.py" {
		t.Errorf("unicode path with spaces: uri %q", got)
	}
	if got := run.OriginalURIBaseIDs["%SRCROOT%"].URI; got != "file:///home/dev/my%20project/" {
		t.Errorf("%%SRCROOT%% = %q", got)
	}
	if run.ColumnKind != "unicodeCodePoints" {
		t.Errorf("columnKind %q", run.ColumnKind)
	}
	inv := run.Invocations[0]
	if !inv.ExecutionSuccessful || len(inv.ToolExecutionNotifications) != len(r.Diagnostics) {
		t.Errorf("invocation %+v", inv)
	}
	for i, n := range inv.ToolExecutionNotifications {
		want := "warning"
		if k := r.Diagnostics[i].Kind; k == scan.ParseError || k == scan.IOError {
			want = "error"
		}
		if n.Level != want || n.Descriptor.ID != string(r.Diagnostics[i].Kind) {
			t.Errorf("notification %d: %+v", i, n)
		}
	}
}

func TestSARIFEdges(t *testing.T) {
	run := decodeSARIF(t, edgeReport()).Runs[0]
	if v := run.Tool.Driver.SemanticVersion; v != "" {
		t.Errorf("semanticVersion %q for version dev", v)
	}
	uris := []string{
		"a%20b/%23x%3F.py",         // absolute under the root: relative
		"file:///elsewhere/c:d.py", // absolute outside: a file URI
		"c%3Ax/100%25.py",          // a colon cannot pass for a scheme
	}
	for i, want := range uris {
		al := run.Results[i].Locations[0].PhysicalLocation.ArtifactLocation
		if al.URI != want {
			t.Errorf("result %d: uri %q, want %q", i, al.URI, want)
		}
		if (al.URIBaseID == "") != strings.HasPrefix(want, "file:") {
			t.Errorf("result %d: uriBaseId %q", i, al.URIBaseID)
		}
	}
	if reg := run.Results[0].Locations[0].PhysicalLocation.Region; reg.EndColumn != 6 {
		t.Errorf("empty span: region %+v, want endColumn 6", reg)
	}
	rules := run.Tool.Driver.Rules
	if idx := run.Results[1].RuleIndex; rules[idx].ID != "FT099" {
		t.Errorf("rule missing from Rules: ruleIndex %d is %s", idx, rules[idx].ID)
	}
	if n := run.Invocations[0].ToolExecutionNotifications[0]; len(n.Locations) != 0 || n.Level != "error" {
		t.Errorf("diagnostic without a file: %+v", n)
	}
}

func TestSemanticVersion(t *testing.T) {
	for in, want := range map[string]string{
		"1.2.3": "1.2.3", "v1.2.3": "1.2.3", "0.3.1-dev+abc123": "0.3.1-dev+abc123",
		"1.2": "", "dev": "", "(devel)": "", "01.2.3": "", "": "",
	} {
		if got := semanticVersion(in); got != want {
			t.Errorf("semanticVersion(%q) = %q, want %q", in, got, want)
		}
	}
}
