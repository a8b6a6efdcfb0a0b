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

// JSON writes r as one JSON document for scripts: the findings, the
// diagnostics and a summary with counts by confidence and by rule. The
// package documentation describes every key; the document is stable while
// [JSONSchemaVersion] stays the same. Keys are never omitted and lists are
// [] rather than null. Text is written as is (no HTML escaping).
//
// The document is streamed by hand (see jsonWriter) rather than built and
// marshalled by encoding/json, which was the slowest part of writing a
// large report; the bytes are the same as encoding/json's Encoder with a
// two-space indent and HTML escaping off.
func JSON(w io.Writer, r Report) error {
	j := newJSONWriter(w)
	j.open('{')
	j.intField("schema_version", JSONSchemaVersion)
	j.strField("version", r.Version)
	j.strField("root", r.Root)
	j.intField("files", r.Files)
	j.key("findings")
	j.open('[')
	for i := range r.Findings {
		j.elem()
		j.finding(&r.Findings[i])
		j.flushFull()
	}
	j.close(']')
	j.key("diagnostics")
	j.open('[')
	for i := range r.Diagnostics {
		j.elem()
		j.diagnostic(&r.Diagnostics[i])
		j.flushFull()
	}
	j.close(']')
	c := countFindings(r.Findings)
	j.key("summary")
	j.open('{')
	j.intField("findings", len(r.Findings))
	j.intField("diagnostics", len(r.Diagnostics))
	j.key("by_confidence")
	j.counts(map[string]int{string(scan.High): c.high, string(scan.Medium): c.medium, string(scan.Low): c.low})
	j.key("by_rule")
	j.counts(c.byRule)
	j.close('}')
	j.close('}')
	j.buf = append(j.buf, '\n')
	j.flush()
	if j.err != nil {
		return fmt.Errorf("format: writing JSON: %w", j.err)
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
