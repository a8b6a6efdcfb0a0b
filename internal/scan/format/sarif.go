package format

import (
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/pyrace/pyrace/internal/scan"
)

// SARIF constants.
const (
	sarifSchema  = "https://json.schemastore.org/sarif-2.1.0.json"
	sarifVersion = "2.1.0"
	// srcRoot is the uriBaseId of every relative artifact location.
	srcRoot = "%SRCROOT%"
	// InformationURI is pyrace's home page.
	InformationURI = "https://github.com/pyrace/pyrace"
	// RulesDocURI is the rules reference; each rule's helpUri is this plus
	// the anchor of its heading "FT001 rmw-counter" ("#ft001-rmw-counter").
	RulesDocURI = "https://github.com/pyrace/pyrace/blob/main/docs/rules.md"
	// FingerprintKey is the partialFingerprints key carrying
	// scan.Finding.Fingerprint.
	FingerprintKey = "pyraceFingerprint/v1"
)

// ruleTags are the tags of every rule.
func ruleTags() []string { return []string{"concurrency", "thread-safety", "free-threading"} }

// The SARIF 2.1.0 objects pyrace writes, with only the properties it uses.
type (
	sarifLog struct {
		Schema  string     `json:"$schema"`
		Version string     `json:"version"`
		Runs    []sarifRun `json:"runs"`
	}
	sarifRun struct {
		Tool               sarifTool                        `json:"tool"`
		Invocations        []sarifInvocation                `json:"invocations"`
		OriginalURIBaseIDs map[string]sarifArtifactLocation `json:"originalUriBaseIds,omitempty"`
		Results            []sarifResult                    `json:"results"`
		ColumnKind         string                           `json:"columnKind"`
	}
	sarifTool struct {
		Driver sarifDriver `json:"driver"`
	}
	sarifDriver struct {
		Name            string      `json:"name"`
		InformationURI  string      `json:"informationUri"`
		Version         string      `json:"version,omitempty"`
		SemanticVersion string      `json:"semanticVersion,omitempty"`
		Rules           []sarifRule `json:"rules"`
	}
	sarifRule struct {
		ID                   string              `json:"id"`
		Name                 string              `json:"name,omitempty"`
		ShortDescription     *sarifMessage       `json:"shortDescription,omitempty"`
		FullDescription      *sarifMessage       `json:"fullDescription,omitempty"`
		Help                 *sarifMessage       `json:"help,omitempty"`
		HelpURI              string              `json:"helpUri,omitempty"`
		DefaultConfiguration sarifConfiguration  `json:"defaultConfiguration"`
		Properties           sarifRuleProperties `json:"properties"`
	}
	sarifConfiguration struct {
		Level string `json:"level"`
	}
	sarifRuleProperties struct {
		Precision       string   `json:"precision"`
		ProblemSeverity string   `json:"problem.severity"`
		Tags            []string `json:"tags"`
		Shape           string   `json:"shape,omitempty"`
	}
	sarifMessage struct {
		Text     string `json:"text"`
		Markdown string `json:"markdown,omitempty"`
	}
	sarifResult struct {
		RuleID              string                `json:"ruleId"`
		RuleIndex           int                   `json:"ruleIndex"`
		Level               string                `json:"level"`
		Message             sarifMessage          `json:"message"`
		Locations           []sarifLocation       `json:"locations"`
		RelatedLocations    []sarifLocation       `json:"relatedLocations,omitempty"`
		PartialFingerprints map[string]string     `json:"partialFingerprints,omitempty"`
		Properties          sarifResultProperties `json:"properties"`
	}
	sarifResultProperties struct {
		Confidence string `json:"confidence"`
	}
	sarifLocation struct {
		ID               *int                   `json:"id,omitempty"`
		PhysicalLocation *sarifPhysicalLocation `json:"physicalLocation,omitempty"`
		LogicalLocations []sarifLogicalLocation `json:"logicalLocations,omitempty"`
		Message          *sarifMessage          `json:"message,omitempty"`
	}
	sarifPhysicalLocation struct {
		ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
		Region           *sarifRegion          `json:"region,omitempty"`
	}
	sarifArtifactLocation struct {
		URI       string `json:"uri"`
		URIBaseID string `json:"uriBaseId,omitempty"`
	}
	sarifRegion struct {
		StartLine   int `json:"startLine"`
		StartColumn int `json:"startColumn,omitempty"`
		EndLine     int `json:"endLine,omitempty"`
		EndColumn   int `json:"endColumn,omitempty"`
	}
	sarifLogicalLocation struct {
		Name               string `json:"name,omitempty"`
		FullyQualifiedName string `json:"fullyQualifiedName"`
		Kind               string `json:"kind"`
	}
	sarifInvocation struct {
		ExecutionSuccessful        bool                `json:"executionSuccessful"`
		ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications,omitempty"`
	}
	sarifNotification struct {
		Level      string          `json:"level"`
		Message    sarifMessage    `json:"message"`
		Locations  []sarifLocation `json:"locations,omitempty"`
		Descriptor *sarifReference `json:"descriptor,omitempty"`
	}
	sarifReference struct {
		ID string `json:"id"`
	}
)

// SARIF writes r as a SARIF 2.1.0 log with one run, in the form GitHub code
// scanning accepts:
//
//   - tool.driver lists every rule of r.Rules (and any rule a finding names
//     that r.Rules lacks) with its descriptions, help text and markdown,
//     helpUri into docs/rules.md, defaultConfiguration.level, and the
//     properties precision, problem.severity and tags;
//   - each finding is a result with ruleId and ruleIndex, a level, its
//     message followed by the fix advice, a location (repo-relative,
//     percent-encoded URI with uriBaseId %SRCROOT%, region, and the
//     enclosing symbol as a logical location), its related locations, the
//     fingerprint under partialFingerprints["pyraceFingerprint/v1"] and
//     the confidence under properties;
//   - diagnostics are toolExecutionNotifications of the invocation, whose
//     executionSuccessful is true (a file that fails to parse does not fail
//     the scan);
//   - columnKind is unicodeCodePoints (columns count characters) and
//     originalUriBaseIds maps %SRCROOT% to r.Root as a file URI.
//
// Levels follow the package's mapping: high confidence is "error", medium
// "warning", low "note". A report without findings is still a complete
// log with every rule and an empty results list.
func SARIF(w io.Writer, r Report) error {
	root := absRoot(r.Root)
	rules, index := sarifRules(r)
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{
			Name:            "pyrace",
			InformationURI:  InformationURI,
			Version:         r.Version,
			SemanticVersion: semanticVersion(r.Version),
			Rules:           rules,
		}},
		Invocations: []sarifInvocation{{ExecutionSuccessful: true}},
		Results:     make([]sarifResult, 0, len(r.Findings)),
		ColumnKind:  "unicodeCodePoints",
	}
	if root != "" {
		run.OriginalURIBaseIDs = map[string]sarifArtifactLocation{srcRoot: {URI: fileURI(root, true)}}
	}
	for _, f := range r.Findings {
		msg := f.Message
		if f.Fix != "" {
			msg = sentence(msg) + " Fix: " + sentence(f.Fix)
		}
		res := sarifResult{
			RuleID:    f.RuleID,
			RuleIndex: index[f.RuleID],
			Level:     confidenceLevel(f.Confidence).sarif(),
			Message:   sarifMessage{Text: msg},
			Locations: []sarifLocation{{
				PhysicalLocation: physicalLocation(root, f.File, f.Position),
				LogicalLocations: logicalLocations(f.Symbol),
			}},
			Properties: sarifResultProperties{Confidence: string(f.Confidence)},
		}
		for i, rel := range f.Related {
			id := i + 1
			res.RelatedLocations = append(res.RelatedLocations, sarifLocation{
				ID:               &id,
				PhysicalLocation: physicalLocation(root, rel.File, rel.Position),
				Message:          &sarifMessage{Text: rel.Message},
			})
		}
		if f.Fingerprint != "" {
			res.PartialFingerprints = map[string]string{FingerprintKey: f.Fingerprint}
		}
		run.Results = append(run.Results, res)
	}
	for _, d := range r.Diagnostics {
		n := sarifNotification{
			Level:      diagnosticLevel(d.Kind).sarif(),
			Message:    sarifMessage{Text: d.Message},
			Descriptor: &sarifReference{ID: string(d.Kind)},
		}
		if d.File != "" {
			n.Locations = []sarifLocation{{PhysicalLocation: physicalLocation(root, d.File, d.Position)}}
		}
		run.Invocations[0].ToolExecutionNotifications = append(run.Invocations[0].ToolExecutionNotifications, n)
	}
	log := sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{run}}
	if err := writeJSON(w, log); err != nil {
		return fmt.Errorf("format: writing SARIF: %w", err)
	}
	return nil
}

// sarifRules returns the reportingDescriptors of r.Rules, followed by a
// minimal one for each rule a finding names that r.Rules lacks (so every
// ruleIndex is valid), and the index of each rule id.
func sarifRules(r Report) ([]sarifRule, map[string]int) {
	rules := make([]sarifRule, 0, len(r.Rules))
	index := make(map[string]int, len(r.Rules))
	for _, m := range r.Rules {
		if _, dup := index[m.ID]; dup {
			continue
		}
		index[m.ID] = len(rules)
		rules = append(rules, sarifRuleOf(m))
	}
	for _, f := range r.Findings {
		if _, ok := index[f.RuleID]; ok {
			continue
		}
		index[f.RuleID] = len(rules)
		rules = append(rules, sarifRuleOf(scan.RuleMeta{ID: f.RuleID, Name: f.RuleName, Confidence: f.Confidence}))
	}
	return rules, index
}

func sarifRuleOf(m scan.RuleMeta) sarifRule {
	lvl := confidenceLevel(m.Confidence)
	rule := sarifRule{
		ID:                   m.ID,
		Name:                 m.Name,
		DefaultConfiguration: sarifConfiguration{Level: lvl.sarif()},
		Properties: sarifRuleProperties{
			Precision:       precision(m.Confidence),
			ProblemSeverity: lvl.problemSeverity(),
			Tags:            ruleTags(),
			Shape:           m.Shape,
		},
	}
	if m.Name != "" {
		rule.HelpURI = RuleHelpURI(m)
	}
	short := m.Summary
	if short == "" {
		short = strings.TrimSpace(m.ID + " " + m.Name)
	}
	rule.ShortDescription = &sarifMessage{Text: short}
	full := sentence(short)
	if m.Rationale != "" {
		full += " " + m.Rationale
	}
	rule.FullDescription = &sarifMessage{Text: full}
	text, md := ruleHelp(m, rule.HelpURI)
	rule.Help = &sarifMessage{Text: text, Markdown: md}
	return rule
}

// RuleHelpURI returns the address of a rule's section in the rules
// reference: RulesDocURI + "#ft001-rmw-counter", the anchor GitHub gives
// the heading "FT001 rmw-counter".
func RuleHelpURI(m scan.RuleMeta) string {
	return RulesDocURI + "#" + headingAnchor(m.ID+" "+m.Name)
}

// headingAnchor returns the anchor GitHub generates for a markdown
// heading: lower case, spaces as hyphens, other punctuation dropped.
func headingAnchor(h string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(h)) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		}
	}
	return b.String()
}

// ruleHelp returns a rule's help as plain text and as markdown.
func ruleHelp(m scan.RuleMeta, uri string) (text, md string) {
	var t, k strings.Builder
	title := strings.TrimSpace(m.ID + " " + m.Name)
	t.WriteString(title)
	k.WriteString("**" + title + "**")
	if m.Shape != "" {
		t.WriteString(" (" + m.Shape + ")")
		k.WriteString(" (" + m.Shape + ")")
	}
	para := func(plain, markdown string) {
		t.WriteString("\n\n" + plain)
		k.WriteString("\n\n" + markdown)
	}
	if m.Summary != "" {
		para(m.Summary, m.Summary)
	}
	if m.Rationale != "" {
		para(m.Rationale, m.Rationale)
	}
	if m.Fix != "" {
		para("Fix: "+m.Fix, "**Fix:** "+m.Fix)
	}
	if m.Example != "" {
		para("Example:\n\n"+indent(m.Example), "Example:\n\n"+codeBlock(m.Example))
	}
	if m.FixedExample != "" {
		para("Fixed:\n\n"+indent(m.FixedExample), "Fixed:\n\n"+codeBlock(m.FixedExample))
	}
	if uri != "" {
		para("See "+uri, "[Rule reference]("+uri+")")
	}
	return t.String(), k.String()
}

// indent indents each line of code by four spaces.
func indent(code string) string {
	lines := strings.Split(strings.TrimRight(code, "\n"), "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = "    " + l
		}
	}
	return strings.Join(lines, "\n")
}

// codeBlock fences code as a Python block, with a fence longer than any
// run of backticks inside it.
func codeBlock(code string) string {
	fence := "```"
	for strings.Contains(code, fence) {
		fence += "`"
	}
	return fence + "python\n" + strings.TrimRight(code, "\n") + "\n" + fence
}

// sentence returns s ending with a full stop (or other final punctuation).
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.HasSuffix(s, ".") || strings.HasSuffix(s, "!") || strings.HasSuffix(s, "?") {
		return s
	}
	return s + "."
}

// semverPattern is Semantic Versioning 2.0.0's own regular expression.
const semverPattern = `^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$`

// semanticVersion returns v without a leading "v" when it is a semantic
// version, else "".
func semanticVersion(v string) string {
	v = strings.TrimPrefix(v, "v")
	if ok, _ := regexp.MatchString(semverPattern, v); ok {
		return v
	}
	return ""
}

// absRoot returns root as an absolute, cleaned path; "" when root is empty
// or cannot be made absolute.
func absRoot(root string) string {
	if root == "" {
		return ""
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return ""
	}
	return abs
}

// physicalLocation locates a span of file. Relative paths (and absolute
// ones under root) become percent-encoded URIs relative to %SRCROOT%; other
// absolute paths become file URIs.
func physicalLocation(root, file string, p scan.Position) *sarifPhysicalLocation {
	loc := &sarifPhysicalLocation{ArtifactLocation: artifactLocation(root, file)}
	if p.Line > 0 {
		reg := &sarifRegion{StartLine: p.Line}
		if p.Col > 0 {
			reg.StartColumn = p.Col
		}
		if p.EndLine >= p.Line {
			reg.EndLine = p.EndLine
		}
		if p.EndCol > 0 {
			end := p.EndLine
			if end < p.Line {
				end = p.Line
			}
			// A region ends after it starts: an empty or inverted span
			// on one line is widened to one character.
			if end > p.Line || p.EndCol > p.Col {
				reg.EndColumn = p.EndCol
			} else if p.Col > 0 {
				reg.EndColumn = p.Col + 1
			}
		}
		loc.Region = reg
	}
	return loc
}

func artifactLocation(root, file string) sarifArtifactLocation {
	if filepath.IsAbs(file) {
		if root != "" {
			if rel, err := filepath.Rel(root, file); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				return sarifArtifactLocation{URI: relativeURI(filepath.ToSlash(rel)), URIBaseID: srcRoot}
			}
		}
		return sarifArtifactLocation{URI: fileURI(file, false)}
	}
	return sarifArtifactLocation{URI: relativeURI(filepath.ToSlash(filepath.Clean(file))), URIBaseID: srcRoot}
}

// relativeURI percent-encodes each segment of a slash-separated relative
// path. Colons are encoded too, so that a first segment such as "c:x.py"
// cannot be read as a URI scheme.
func relativeURI(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = strings.ReplaceAll(url.PathEscape(s), ":", "%3A")
	}
	return strings.Join(segs, "/")
}

// fileURI returns the file URI of an absolute path, ending with a slash
// when dir is set.
func fileURI(abs string, dir bool) string {
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") { // a Windows drive, "C:/..."
		p = "/" + p
	}
	if dir && !strings.HasSuffix(p, "/") {
		p += "/"
	}
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if i == 1 && len(s) == 2 && s[1] == ':' { // keep a drive letter's colon
			continue
		}
		segs[i] = url.PathEscape(s)
	}
	return "file://" + strings.Join(segs, "/")
}

// logicalLocations returns the enclosing symbol as a logical location:
// "<module>" is a module, anything else a function (or method).
func logicalLocations(symbol string) []sarifLogicalLocation {
	if symbol == "" {
		return nil
	}
	kind := "function"
	if symbol == "<module>" {
		kind = "module"
	}
	name := symbol
	if i := strings.LastIndexByte(symbol, '.'); i >= 0 {
		name = symbol[i+1:]
	}
	return []sarifLogicalLocation{{Name: name, FullyQualifiedName: symbol, Kind: kind}}
}
