package tsan

import (
	"cmp"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
)

// Occurrence is where a report was seen: the log and the line of its
// WARNING, and the process that printed it.
type Occurrence struct {
	File string `json:"file"`
	Line int    `json:"line"`
	PID  int    `json:"pid,omitempty"`
}

// String is "file:line".
func (o Occurrence) String() string { return fmt.Sprintf("%s:%d", o.File, o.Line) }

// KeyFrame is a frame a race's signature is made of, with the component it
// belongs to.
type KeyFrame struct {
	Frame
	// Component is "interpreter" (CPython itself), "extension NAME" (an
	// extension module, NAME its import name's last part) or "other" (a
	// system library, the program).
	Component string `json:"component"`
}

// Race is the reports that share a signature.
type Race struct {
	Signature   string     `json:"signature"`
	Kind        string     `json:"kind"`
	Count       int        `json:"count"`
	First       Occurrence `json:"first"`
	Last        Occurrence `json:"last"`
	Frames      []KeyFrame `json:"frames"`
	Suppression string     `json:"suppression,omitempty"`
	// Example is the first report with this signature, whole.
	Example Report `json:"-"`
}

// Grouper collects reports into races. The zero value is ready to use; it
// keeps one report per signature, so memory follows the number of
// distinct races, not of reports. Reports from ParseSignatures are
// completed when they are kept.
type Grouper struct {
	races   map[string]*Race
	reports int
	key     []byte // where signatures are built for lookups
}

// Add counts report r, seen in file.
func (g *Grouper) Add(file string, r Report) {
	if g.races == nil {
		g.races = map[string]*Race{}
	}
	g.reports++
	occ := Occurrence{File: file, Line: r.StartLine, PID: r.PID}
	g.key = r.appendSignature(g.key[:0])
	if race := g.races[string(g.key)]; race != nil {
		race.Count++
		race.Last = occ
		return
	}
	sig := string(g.key)
	r.Complete()
	r.ReadDetails()
	race := &Race{Signature: sig, Kind: r.Kind, Count: 1, First: occ, Last: occ, Example: r}
	for _, f := range r.KeyFrames() {
		race.Frames = append(race.Frames, KeyFrame{Frame: f, Component: Component(f)})
	}
	if typ, fn := SuppressionType(r.Kind), r.SuppressionFunction(); typ != "" && fn != "" {
		race.Suppression = typ + ":" + fn
	}
	g.races[sig] = race
}

// Read adds the reports of the log r, named name, and returns the sum of
// its "reported N warnings" trailers (see Parse). Reports are read as
// ParseSignatures reads them; a report whose signature g already has is
// counted without being built, which makes reading many repeats of few
// races cheap. skip, when not nil, is asked about every report (built in
// part, see ParseSignatures) and those it accepts are left out and counted
// in skipped.
func (g *Grouper) Read(name string, r io.Reader, skip func(Report) bool) (warnings, skipped int, err error) {
	p := g.parser(name, skip, &skipped)
	err = p.run(r)
	return p.warnings, skipped, err
}

// ReadSections is Read for a log that is read in sections at once, cut at
// cuts (see SplitPoints and ParseSections); skip is called from several
// goroutines. The races are those of one Read of the whole log.
func (g *Grouper) ReadSections(name string, r io.ReaderAt, size int64, cuts []int64, skip func(Report) bool) (warnings, skipped int, err error) {
	groups := make([]Grouper, len(cuts)+1)
	skips := make([]int, len(cuts)+1)
	secs := runSections(r, size, cuts, func(i int) *parser {
		return groups[i].parser(name, skip, &skips[i])
	})
	lines := 0
	warnings = -1
	for i, s := range secs {
		if s.Err != nil && err == nil {
			err = s.Err
		}
		groups[i].ShiftLines(lines)
		g.Merge(&groups[i])
		skipped += skips[i]
		lines += s.Lines
		if s.Warnings >= 0 {
			warnings = max(warnings, 0) + s.Warnings
		}
	}
	return warnings, skipped, err
}

// parser is a signature parser that adds its reports to g.
func (g *Grouper) parser(name string, skip func(Report) bool, skipped *int) *parser {
	p := &parser{warnings: -1, lite: true}
	p.fn = func(r Report) error {
		if skip != nil && skip(r) {
			*skipped++
			return nil
		}
		g.Add(name, r)
		return nil
	}
	if skip == nil {
		p.repeat = func(sig []byte, pid, line int) bool {
			race := g.races[string(sig)]
			if race == nil {
				return false
			}
			g.reports++
			race.Count++
			race.Last = Occurrence{File: name, Line: line, PID: pid}
			return true
		}
	}
	return p
}

// Merge adds the races of later, whose reports were seen after g's (a
// later log): counts add up, first occurrences stay g's, last ones become
// later's.
func (g *Grouper) Merge(later *Grouper) {
	if g.races == nil {
		g.races = map[string]*Race{}
	}
	g.reports += later.reports
	for sig, r := range later.races {
		if have := g.races[sig]; have != nil {
			have.Count += r.Count
			have.Last = r.Last
			continue
		}
		c := *r
		g.races[sig] = &c
	}
}

// ShiftLines adds n to the line numbers of every occurrence and example:
// for a section of a log whose first line is line n+1.
func (g *Grouper) ShiftLines(n int) {
	for _, r := range g.races {
		r.First.Line += n
		r.Last.Line += n
		r.Example.StartLine += n
	}
}

// Reports is the number of reports added.
func (g *Grouper) Reports() int { return g.reports }

// Races returns the races, most frequent first, then in order of first
// occurrence.
func (g *Grouper) Races() []Race {
	out := make([]Race, 0, len(g.races))
	for _, r := range g.races {
		out = append(out, *r)
	}
	slices.SortFunc(out, func(a, b Race) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.First.File, b.First.File),
			cmp.Compare(a.First.Line, b.First.Line), strings.Compare(a.Signature, b.Signature))
	})
	return out
}

// Component says which part of the process a frame belongs to, from its
// module (binary) and file: "interpreter" for CPython itself (the python
// executable or libpython, or a source file of CPython's tree in them),
// "extension NAME" for an extension module ("_deadlock.cpython-314t-x86_64-
// linux-gnu.so" is "extension _deadlock"), else "other" (libc, the TSAN
// runtime, a program that embeds nothing of CPython).
func Component(f Frame) string {
	mod := path.Base(strings.ReplaceAll(f.Module, "\\", "/"))
	if f.Module == "" {
		mod = ""
	}
	switch {
	case strings.HasPrefix(mod, "libpython"), mod == "python", strings.HasPrefix(mod, "python3"), strings.HasPrefix(mod, "python2"):
		return "interpreter"
	case strings.Contains(mod, ".cpython-") || strings.Contains(mod, ".abi3.") || strings.HasSuffix(mod, ".pyd"):
		name, _, _ := strings.Cut(mod, ".")
		return "extension " + name
	case mod == "" && f.File != "":
		for _, dir := range []string{"/Python/", "/Objects/", "/Include/", "/Parser/", "/Modules/"} {
			if strings.Contains(f.File, dir) {
				return "interpreter"
			}
		}
	}
	return "other"
}

// SuppressionType is the TSAN suppression type that silences reports of
// kind: race, thread, mutex, signal, deadlock; "" when there is none.
func SuppressionType(kind string) string {
	switch {
	case kind == "data race", strings.HasPrefix(kind, "heap-use-after-free"), strings.HasPrefix(kind, "data race"):
		return "race"
	case kind == "thread leak":
		return "thread"
	case strings.HasPrefix(kind, "lock-order-inversion"):
		return "deadlock"
	case strings.Contains(kind, "mutex"):
		return "mutex"
	case strings.HasPrefix(kind, "signal"):
		return "signal"
	}
	return ""
}

// Suppression is one line of a TSAN suppressions file: TYPE:PATTERN.
type Suppression struct {
	Type, Pattern string
	// Line is the line in the file, for messages.
	Line int
}

// ParseSuppressions reads a TSAN suppressions file: one TYPE:PATTERN per
// line, "#" comments and blank lines ignored. An unknown type or a line
// without a colon is an error naming the line.
func ParseSuppressions(text string) ([]Suppression, error) {
	var out []Suppression
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		typ, pat, ok := strings.Cut(line, ":")
		if !ok || pat == "" {
			return nil, fmt.Errorf("line %d: %q: want TYPE:PATTERN, such as race:my_function", i+1, line)
		}
		switch typ {
		case "race", "race_top", "thread", "mutex", "signal", "deadlock", "called_from_lib":
		default:
			return nil, fmt.Errorf("line %d: unknown suppression type %q (race, race_top, thread, mutex, signal, deadlock, called_from_lib)", i+1, typ)
		}
		out = append(out, Suppression{Type: typ, Pattern: pat, Line: i + 1})
	}
	return out, nil
}

// Suppressed returns the first suppression that silences r, as TSAN would:
// the suppression's type matches the report's kind and its pattern matches
// the function, file or module of a frame of the report (race_top: of the
// top frame of a stack only; called_from_lib: a module). Patterns are
// TSAN's templates: a substring, with "*" matching anything and "^"/"$"
// anchoring at the start or end. A report from ParseSignatures is
// completed first (on a copy): every frame counts, not only the key ones.
func Suppressed(r Report, sups []Suppression) (Suppression, bool) {
	if len(sups) == 0 {
		return Suppression{}, false
	}
	r.Complete()
	r.ReadDetails()
	typ := SuppressionType(r.Kind)
	for _, s := range sups {
		want := s.Type
		if want == "race_top" {
			want = "race"
		}
		if s.Type == "called_from_lib" {
			for _, st := range r.Stacks {
				for _, f := range st.Frames {
					if f.Module != "" && templateMatch(s.Pattern, f.Module) {
						return s, true
					}
				}
			}
			continue
		}
		if want != typ {
			continue
		}
		for _, st := range r.Stacks {
			for i, f := range st.Frames {
				if s.Type == "race_top" && i > 0 {
					break
				}
				if matchFrame(s.Pattern, f) {
					return s, true
				}
			}
		}
		if r.Location != nil && r.Location.Kind == "global" && r.Location.Name != "" && templateMatch(s.Pattern, r.Location.Name) {
			return s, true
		}
	}
	return Suppression{}, false
}

func matchFrame(pat string, f Frame) bool {
	return (f.Function != "" && templateMatch(pat, f.Function)) ||
		(f.File != "" && templateMatch(pat, f.File)) ||
		(f.Module != "" && templateMatch(pat, f.Module))
}

// templateMatch is TSAN's TemplateMatch: pattern parts separated by "*"
// occur in order in s; "^" anchors the first at the start, "$" the last at
// the end.
func templateMatch(pat, s string) bool {
	start := strings.HasPrefix(pat, "^")
	if start {
		pat = pat[1:]
	}
	end := strings.HasSuffix(pat, "$")
	if end {
		pat = pat[:len(pat)-1]
	}
	parts := strings.Split(pat, "*")
	if start && end && len(parts) == 1 {
		return s == pat
	}
	pos := 0
	for i, part := range parts {
		if part == "" {
			continue
		}
		j := strings.Index(s[pos:], part)
		if j < 0 {
			return false
		}
		if i == 0 && start && j != 0 {
			return false
		}
		pos += j + len(part)
	}
	if end && len(parts) > 0 && parts[len(parts)-1] != "" {
		return strings.HasSuffix(s, parts[len(parts)-1]) && pos <= len(s)
	}
	return true
}
