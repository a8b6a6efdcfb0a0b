package scan

import (
	"regexp"
	"sort"
	"strings"
)

// suppression is a `# pyrace: ignore[...]` or `# thread_safe_ok` comment.
type suppression struct {
	line int
	col  int
	// rules are the ids or names listed; empty means every rule.
	rules []string
	used  bool
}

// suppressions holds a file's suppression comments by line.
type suppressions struct {
	byLine map[int]*suppression
}

var (
	ignoreRE     = regexp.MustCompile(`#\s*pyrace:\s*ignore(?:\[([^\]]*)\])?`)
	threadSafeRE = regexp.MustCompile(`#\s*thread_safe_ok\b`)
)

// parseSuppressions finds suppression comments. A '#' inside a string
// literal that happens to spell one is taken as one too: rare, and
// harmless (at worst it silences a finding on that line).
func parseSuppressions(lines []string) *suppressions {
	s := &suppressions{byLine: map[int]*suppression{}}
	for i, l := range lines {
		if !strings.Contains(l, "#") {
			continue
		}
		if m := ignoreRE.FindStringSubmatchIndex(l); m != nil {
			sup := &suppression{line: i + 1, col: m[0] + 1}
			if m[2] >= 0 {
				for _, r := range strings.Split(l[m[2]:m[3]], ",") {
					if r = strings.TrimSpace(r); r != "" {
						sup.rules = append(sup.rules, r)
					}
				}
			}
			s.byLine[i+1] = sup
			continue
		}
		if m := threadSafeRE.FindStringIndex(l); m != nil {
			s.byLine[i+1] = &suppression{line: i + 1, col: m[0] + 1}
		}
	}
	return s
}

// suppresses reports whether a comment on the finding's line, or on the
// first line of its statement, silences it, and marks that comment used.
func (s *suppressions) suppresses(f Finding, stmtLine int) bool {
	for _, line := range []int{f.Line, stmtLine} {
		sup := s.byLine[line]
		if sup == nil {
			continue
		}
		if len(sup.rules) == 0 {
			sup.used = true
			return true
		}
		for _, r := range sup.rules {
			if strings.EqualFold(r, f.RuleID) || r == f.RuleName {
				sup.used = true
				return true
			}
		}
	}
	return false
}

// diagnostics reports unknown rule names in suppressions (always) and
// suppressions that silenced nothing (with WarnUnusedIgnores).
func (s *suppressions) diagnostics(file string, opts Options) []Diagnostic {
	var out []Diagnostic
	lines := make([]int, 0, len(s.byLine))
	for l := range s.byLine {
		lines = append(lines, l)
	}
	sort.Ints(lines)
	for _, l := range lines {
		sup := s.byLine[l]
		pos := Position{Line: sup.line, Col: sup.col, EndLine: sup.line, EndCol: sup.col}
		for _, r := range sup.rules {
			if opts.KnownRule != nil && !opts.KnownRule(r) {
				out = append(out, Diagnostic{Kind: UnknownRule, File: file, Position: pos,
					Message: "unknown rule " + quote(r) + " in suppression comment"})
			}
		}
		if opts.WarnUnusedIgnores && !sup.used {
			what := "suppression"
			if len(sup.rules) > 0 {
				what += " of " + strings.Join(sup.rules, ", ")
			}
			out = append(out, Diagnostic{Kind: UnusedIgnore, File: file, Position: pos,
				Message: "unused " + what + ": nothing to silence on this line"})
		}
	}
	return out
}

func quote(s string) string { return "\"" + s + "\"" }
