// Package scan is pyrace's static thread-safety scanner: it finds Python
// files, parses them with internal/python, builds a model of each module's
// shared state and locks, runs the rules of internal/scan/rules on it, and
// applies suppressions, baselines and filters. Rendering the findings is
// internal/scan/format's job.
package scan

// Confidence says how sure a finding is that the code runs concurrently.
type Confidence string

// The confidence levels, from most to least sure.
const (
	// High: the code shows it expects threads (it creates or uses a lock,
	// starts threads or executors, writes module globals or class
	// attributes at run time, or carries a guarded-by annotation).
	High Confidence = "high"
	// Medium: shared state mutated in a way that races if the code is
	// called from several threads, with no sign that it is.
	Medium Confidence = "medium"
	// Low: possible hazards kept only when asked for.
	Low Confidence = "low"
)

// Rank orders confidences: High > Medium > Low > unknown.
func (c Confidence) Rank() int {
	switch c {
	case High:
		return 3
	case Medium:
		return 2
	case Low:
		return 1
	}
	return 0
}

// Position is a place in a file: 1-based line and column (columns count
// characters, not bytes), with the end of the span.
type Position struct {
	Line    int `json:"line"`
	Col     int `json:"column"`
	EndLine int `json:"end_line"`
	EndCol  int `json:"end_column"`
}

// Related is another place a finding refers to: the racing partner access,
// the lock's creation, the check of a check-then-act.
type Related struct {
	File string `json:"file"`
	Position
	Message string `json:"message"`
}

// Finding is one hazard found by a rule.
type Finding struct {
	// RuleID is the stable id, "FT001"; RuleName the kebab-case name,
	// "rmw-counter".
	RuleID   string `json:"rule_id"`
	RuleName string `json:"rule_name"`
	// File is the path as given or found (relative to the scan root when
	// the root was relative), with forward slashes.
	File string `json:"file"`
	Position
	// Symbol is the enclosing definition, "Class.method", "func", or
	// "<module>".
	Symbol string `json:"symbol"`
	// Message names the shared variable and what races with it.
	Message string `json:"message"`
	// Confidence is the finding's confidence after the model's evidence.
	Confidence Confidence `json:"confidence"`
	// Fix is the advice: a lock, threading.local, itertools.count,
	// dict.setdefault, a copy before iterating...
	Fix string `json:"fix"`
	// Related are other places involved.
	Related []Related `json:"related,omitempty"`
	// Fingerprint identifies the finding independently of its line
	// number: rule, file, symbol and the normalised code. Baselines and
	// SARIF partialFingerprints use it.
	Fingerprint string `json:"fingerprint"`
}

// RuleMeta describes a rule; docs/rules.md is generated from it.
type RuleMeta struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Shape is the hazard shape in a few words: "read-modify-write".
	Shape string `json:"shape"`
	// Summary is one sentence: what the rule flags.
	Summary string `json:"summary"`
	// Rationale explains why it breaks without the GIL.
	Rationale string `json:"rationale"`
	// Fix is the general advice.
	Fix string `json:"fix"`
	// Confidence is the default confidence of its findings.
	Confidence Confidence `json:"default_confidence"`
	// Example and FixedExample are short code samples for the docs.
	Example      string `json:"example"`
	FixedExample string `json:"fixed_example"`
	// Seed names the source of the shape: "000 shape 1".
	Seed string `json:"seed"`
}

// DiagnosticKind classifies a problem that is not a finding.
type DiagnosticKind string

// The diagnostic kinds.
const (
	ParseError   DiagnosticKind = "parse-error"
	IOError      DiagnosticKind = "io-error"
	UnusedIgnore DiagnosticKind = "unused-ignore"
	UnknownRule  DiagnosticKind = "unknown-rule"
)

// Diagnostic is a problem with the input: a file that does not parse or
// cannot be read, a suppression that names no known rule or suppresses
// nothing.
type Diagnostic struct {
	Kind DiagnosticKind `json:"kind"`
	File string         `json:"file"`
	Position
	Message string `json:"message"`
}
