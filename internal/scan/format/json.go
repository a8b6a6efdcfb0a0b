package format

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/pyrace/pyrace/internal/scan"
)

// JSONSchemaVersion is the version of the document [JSON] writes. It
// changes only when a key changes meaning or disappears; adding keys does
// not change it.
const JSONSchemaVersion = 1

// jsonReport is the document JSON writes; the package documentation
// describes it. Its own types (rather than scan's) keep the output stable
// when the scanner's types change.
type jsonReport struct {
	SchemaVersion int              `json:"schema_version"`
	Version       string           `json:"version"`
	Root          string           `json:"root"`
	Files         int              `json:"files"`
	Findings      []jsonFinding    `json:"findings"`
	Diagnostics   []jsonDiagnostic `json:"diagnostics"`
	Summary       jsonSummary      `json:"summary"`
}

type jsonPosition struct {
	Line      int `json:"line"`
	Column    int `json:"column"`
	EndLine   int `json:"end_line"`
	EndColumn int `json:"end_column"`
}

func toJSONPosition(p scan.Position) jsonPosition {
	return jsonPosition{Line: p.Line, Column: p.Col, EndLine: p.EndLine, EndColumn: p.EndCol}
}

type jsonFinding struct {
	RuleID   string `json:"rule_id"`
	RuleName string `json:"rule_name"`
	File     string `json:"file"`
	jsonPosition
	Symbol      string        `json:"symbol"`
	Message     string        `json:"message"`
	Confidence  string        `json:"confidence"`
	Fix         string        `json:"fix"`
	Related     []jsonRelated `json:"related"`
	Fingerprint string        `json:"fingerprint"`
}

type jsonRelated struct {
	File string `json:"file"`
	jsonPosition
	Message string `json:"message"`
}

type jsonDiagnostic struct {
	Kind string `json:"kind"`
	File string `json:"file"`
	jsonPosition
	Message string `json:"message"`
}

type jsonSummary struct {
	Findings     int            `json:"findings"`
	Diagnostics  int            `json:"diagnostics"`
	ByConfidence map[string]int `json:"by_confidence"`
	ByRule       map[string]int `json:"by_rule"`
}

// JSON writes r as one JSON document for scripts: the findings, the
// diagnostics and a summary with counts by confidence and by rule. The
// package documentation describes every key; the document is stable while
// [JSONSchemaVersion] stays the same. Keys are never omitted and lists are
// [] rather than null. Text is written as is (no HTML escaping).
func JSON(w io.Writer, r Report) error {
	doc := jsonReport{
		SchemaVersion: JSONSchemaVersion,
		Version:       r.Version,
		Root:          r.Root,
		Files:         r.Files,
		Findings:      make([]jsonFinding, 0, len(r.Findings)),
		Diagnostics:   make([]jsonDiagnostic, 0, len(r.Diagnostics)),
	}
	for _, f := range r.Findings {
		jf := jsonFinding{
			RuleID:       f.RuleID,
			RuleName:     f.RuleName,
			File:         f.File,
			jsonPosition: toJSONPosition(f.Position),
			Symbol:       f.Symbol,
			Message:      f.Message,
			Confidence:   string(f.Confidence),
			Fix:          f.Fix,
			Related:      make([]jsonRelated, 0, len(f.Related)),
			Fingerprint:  f.Fingerprint,
		}
		for _, rel := range f.Related {
			jf.Related = append(jf.Related, jsonRelated{File: rel.File, jsonPosition: toJSONPosition(rel.Position), Message: rel.Message})
		}
		doc.Findings = append(doc.Findings, jf)
	}
	for _, d := range r.Diagnostics {
		doc.Diagnostics = append(doc.Diagnostics, jsonDiagnostic{Kind: string(d.Kind), File: d.File, jsonPosition: toJSONPosition(d.Position), Message: d.Message})
	}
	c := countFindings(r.Findings)
	doc.Summary = jsonSummary{
		Findings:     len(r.Findings),
		Diagnostics:  len(r.Diagnostics),
		ByConfidence: map[string]int{string(scan.High): c.high, string(scan.Medium): c.medium, string(scan.Low): c.low},
		ByRule:       c.byRule,
	}
	if err := writeJSON(w, doc); err != nil {
		return fmt.Errorf("format: writing JSON: %w", err)
	}
	return nil
}

// writeJSON encodes v indented by two spaces, without HTML escaping,
// followed by a newline.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
