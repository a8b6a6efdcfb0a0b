package rules

import (
	"fmt"
	"strings"

	"github.com/pyrace/pyrace/internal/scan"
)

// Markdown renders the rules reference, docs/rules.md, from the rules'
// metadata.
func Markdown() string {
	var b strings.Builder
	b.WriteString("# pyrace scan rules\n\n")
	b.WriteString("<!-- Generated from the rules' metadata (internal/scan/rules); do not edit.\n")
	b.WriteString("     Regenerate with: go test ./internal/scan/rules -run TestRulesDoc -update -->\n\n")
	b.WriteString("Each rule has a stable id and a kebab-case name; either selects it (`--select`,\n")
	b.WriteString("`--ignore`, `# pyrace: ignore[...]`). Findings carry a confidence: **high** where\n")
	b.WriteString("the code shows it expects threads (it creates or takes a lock, starts threads or\n")
	b.WriteString("executors, writes module globals or class attributes at run time, or is covered by\n")
	b.WriteString("`--assume-threaded`), the rule's default otherwise. Single operations that\n")
	b.WriteString("CPython documents as atomic in the free-threaded build (`lst.append(x)`,\n")
	b.WriteString("`d[k] = v`, `d.get(k)`, `d.setdefault(k, v)`, `d.pop(k, None)`, `lst.pop()`, ...)\n")
	b.WriteString("are never flagged alone.\n\n")
	b.WriteString("| id | name | shape | default confidence |\n|---|---|---|---|\n")
	for _, m := range Metas() {
		fmt.Fprintf(&b, "| [%s](#%s) | %s | %s | %s |\n", m.ID, anchor(m), m.Name, m.Shape, m.Confidence)
	}
	for _, m := range Metas() {
		fmt.Fprintf(&b, "\n## %s %s\n\n", m.ID, m.Name)
		fmt.Fprintf(&b, "**Shape:** %s. **Default confidence:** %s. **Source:** %s.\n\n", m.Shape, m.Confidence, m.Seed)
		fmt.Fprintf(&b, "%s\n\n", m.Summary)
		fmt.Fprintf(&b, "**Why it breaks without the GIL.** %s\n\n", m.Rationale)
		fmt.Fprintf(&b, "**Fix.** %s\n\n", m.Fix)
		fmt.Fprintf(&b, "Flagged:\n\n```python\n%s```\n\n", ensureNewline(m.Example))
		fmt.Fprintf(&b, "Fixed:\n\n```python\n%s```\n", ensureNewline(m.FixedExample))
	}
	return b.String()
}

// anchor is the GitHub heading anchor of a rule's section.
func anchor(m scan.RuleMeta) string {
	return strings.ToLower(m.ID) + "-" + m.Name
}

// HelpURI is the documentation address of a rule.
func HelpURI(m scan.RuleMeta) string {
	return "https://github.com/pyrace/pyrace/blob/main/docs/rules.md#" + anchor(m)
}

func ensureNewline(s string) string {
	if strings.HasSuffix(s, "\n") {
		return s
	}
	return s + "\n"
}
