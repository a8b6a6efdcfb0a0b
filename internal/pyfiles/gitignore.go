package pyfiles

import (
	"bytes"
	"strconv"
	"strings"
)

// Match is the verdict of a set of gitignore patterns on one path.
type Match int

// The verdicts of [Gitignore.Match].
const (
	// MatchNone: no pattern matches the path.
	MatchNone Match = iota
	// MatchIgnored: the last matching pattern excludes the path.
	MatchIgnored
	// MatchIncluded: the last matching pattern is a negation ("!pattern"),
	// which re-includes the path.
	MatchIncluded
)

// String returns "none", "ignored" or "included".
func (m Match) String() string {
	switch m {
	case MatchNone:
		return "none"
	case MatchIgnored:
		return "ignored"
	case MatchIncluded:
		return "included"
	}
	return "Match(" + strconv.Itoa(int(m)) + ")"
}

// Gitignore is the compiled content of one gitignore-style file: an ordered
// list of patterns relative to one directory, with the syntax and semantics
// of git's .gitignore files (https://git-scm.com/docs/gitignore).
//
// Patterns are compiled once; matching a path allocates nothing. Matching is
// byte-wise and case-sensitive, like git with core.ignoreCase off. A
// Gitignore is safe for concurrent use once built.
type Gitignore struct {
	// Dir is the directory the patterns are relative to, as given to
	// [ParseGitignore] or [NewGitignore]. [Match] does not use it; [Walk]
	// uses it to relate walked paths to the patterns of Options.Ignore.
	Dir   string
	rules []gitRule
}

// ruleFlags describe one compiled pattern.
type ruleFlags uint8

const (
	ruleNegative ruleFlags = 1 << iota // "!pattern"
	ruleDirOnly                        // "pattern/": matches directories only
	ruleBasename                       // no slash: matched against the last path component
	ruleEndsWith                       // basename "*literal": a suffix test
)

// gitRule is one compiled pattern.
type gitRule struct {
	// pat is the pattern without its "!", its trailing "/" and, for path
	// patterns, its leading "/".
	pat string
	// literal is the length of pat's leading part free of glob
	// characters; rest is pat after it.
	literal int
	rest    string
	flags   ruleFlags
	line    int
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// ParseGitignore compiles data, the content of a gitignore file whose
// patterns are relative to dir.
//
// Lines are read as git reads them: a UTF-8 byte order mark is skipped, a
// carriage return before a line feed is dropped, blank lines and lines
// starting with "#" are skipped, unescaped trailing spaces are removed, a
// leading "\#" or "\!" stands for a literal "#" or "!", and a line that is
// not a valid pattern (a trailing backslash, an unclosed bracket) simply
// never matches. ParseGitignore never fails.
func ParseGitignore(dir string, data []byte) *Gitignore {
	g := &Gitignore{Dir: dir}
	data = bytes.TrimPrefix(data, utf8BOM)
	for lineno := 1; len(data) > 0; lineno++ {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		line = bytes.TrimSuffix(line, []byte{'\r'})
		if i := bytes.IndexByte(line, 0); i >= 0 {
			line = line[:i] // git reads each pattern as a C string
		}
		g.add(trimTrailingSpaces(string(line)), lineno)
	}
	return g
}

// NewGitignore compiles patterns, each a line of a gitignore file (so
// comments and escapes work as in [ParseGitignore]), relative to dir.
// Pattern i is reported as line i+1.
func NewGitignore(dir string, patterns []string) *Gitignore {
	g := &Gitignore{Dir: dir}
	for i, p := range patterns {
		if p == "" || p[0] == '#' {
			continue
		}
		p = strings.TrimSuffix(p, "\r")
		if j := strings.IndexByte(p, 0); j >= 0 {
			p = p[:j]
		}
		g.add(trimTrailingSpaces(p), i+1)
	}
	return g
}

// Len returns the number of patterns that can match something.
func (g *Gitignore) Len() int {
	if g == nil {
		return 0
	}
	return len(g.rules)
}

// trimTrailingSpaces removes the trailing spaces of a pattern that are not
// escaped with a backslash. Tabs are kept, as git keeps them.
func trimTrailingSpaces(s string) string {
	lastSpace := -1
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ':
			if lastSpace < 0 {
				lastSpace = i
			}
		case '\\':
			i++
			if i == len(s) {
				return s
			}
			lastSpace = -1
		default:
			lastSpace = -1
		}
	}
	if lastSpace >= 0 {
		return s[:lastSpace]
	}
	return s
}

// add compiles one pattern line.
func (g *Gitignore) add(p string, line int) {
	var fl ruleFlags
	if strings.HasPrefix(p, "!") {
		fl |= ruleNegative
		p = p[1:]
	}
	n := len(p)
	if n > 0 && p[n-1] == '/' {
		n--
		fl |= ruleDirOnly
	}
	if n == 0 {
		return // an empty pattern never matches
	}
	pat := p[:n]
	if strings.IndexByte(pat, '/') < 0 {
		fl |= ruleBasename
	}
	literal := min(literalLen(p), n)
	if p[0] == '*' && literalLen(p[1:]) == len(p)-1 {
		fl |= ruleEndsWith
	}
	if fl&ruleBasename == 0 && pat[0] == '/' {
		pat = pat[1:]
		literal--
	}
	g.rules = append(g.rules, gitRule{pat: pat, literal: literal, rest: pat[literal:], flags: fl, line: line})
}

// literalLen returns the length of the leading part of s free of the
// characters special to patterns.
func literalLen(s string) int {
	if i := strings.IndexAny(s, "*?[\\"); i >= 0 {
		return i
	}
	return len(s)
}

// Match matches path against the patterns and returns the verdict of the
// last pattern that matches it, as git does within one file.
//
// path is slash-separated, relative to the directory of the patterns, with
// no leading "./" and no trailing slash; isDir tells whether it names a
// directory (patterns ending in "/" match only directories). Match looks at
// path alone: a path inside an excluded directory is not reported as
// ignored unless a pattern matches it too; see [Gitignore.Ignored] for
// that rule.
func (g *Gitignore) Match(path string, isDir bool) Match {
	m, _ := g.MatchLine(path, isDir)
	return m
}

// MatchLine is [Gitignore.Match] that also returns the line number of the
// deciding pattern (0 with [MatchNone]).
func (g *Gitignore) MatchLine(path string, isDir bool) (Match, int) {
	if g == nil || path == "" {
		return MatchNone, 0
	}
	base := path[strings.LastIndexByte(path, '/')+1:]
	for i := len(g.rules) - 1; i >= 0; i-- {
		r := &g.rules[i]
		if r.flags&ruleDirOnly != 0 && !isDir {
			continue
		}
		var ok bool
		if r.flags&ruleBasename != 0 {
			ok = r.matchBasename(base)
		} else {
			ok = r.matchPath(path)
		}
		if ok {
			if r.flags&ruleNegative != 0 {
				return MatchIncluded, r.line
			}
			return MatchIgnored, r.line
		}
	}
	return MatchNone, 0
}

// Ignored reports whether git would ignore path given these patterns alone:
// path matches an excluding pattern, or one of its parent directories does
// (a file cannot be re-included when a parent directory is excluded, since
// git never looks inside it). path is as for [Gitignore.Match].
func (g *Gitignore) Ignored(path string, isDir bool) bool {
	for i := 0; i < len(path); i++ {
		if path[i] == '/' && g.Match(path[:i], true) == MatchIgnored {
			return true
		}
	}
	return g.Match(path, isDir) == MatchIgnored
}

func (r *gitRule) matchBasename(base string) bool {
	switch {
	case r.literal == len(r.pat):
		return base == r.pat
	case r.flags&ruleEndsWith != 0:
		return strings.HasSuffix(base, r.pat[1:])
	}
	return wildmatch(r.pat, base, false)
}

func (r *gitRule) matchPath(path string) bool {
	if r.literal > 0 {
		if len(path) < r.literal || path[:r.literal] != r.pat[:r.literal] {
			return false
		}
		path = path[r.literal:]
		if r.rest == "" {
			return path == ""
		}
	}
	// Like git, the part after the literal prefix is matched as a pattern
	// of its own: a "**" right after the prefix counts as starting it.
	return wildmatch(r.rest, path, true)
}

// Results of dowild. Besides a match or a plain mismatch, a mismatch can
// tell the callers up the recursion that trying further positions for
// their "*" (or for every "*") is pointless.
const (
	wmMatch           = 0
	wmNoMatch         = 1
	wmAbortAll        = -1
	wmAbortToStarStar = -2
)

// wildmatch matches text against pattern with git's wildmatch rules: "?"
// and "*" never match "/" in pathname mode, where "**" between slashes (or
// at either end) matches any number of directories; "[...]" classes take
// "!" or "^" for negation, ranges, backslash escapes and POSIX
// "[:name:]" classes; a backslash makes the next character literal.
// Bytes, not runes, are matched. Both strings end at their first NUL.
func wildmatch(pattern, text string, pathname bool) bool {
	if i := strings.IndexByte(text, 0); i >= 0 {
		text = text[:i]
	}
	return dowild(pattern, text, pathname) == wmMatch
}

// at returns s[i], or 0 past the end of s.
func at(s string, i int) byte {
	if i < len(s) {
		return s[i]
	}
	return 0
}

// dowild matches text against the pattern p (see wildmatch) and returns
// one of the wm results. Where p starts counts as a directory boundary for
// "**".
func dowild(p, text string, pathname bool) int {
	pi, ti := 0, 0
	for ; pi < len(p); pi, ti = pi+1, ti+1 {
		pc := p[pi]
		tc := at(text, ti)
		if tc == 0 && pc != '*' {
			return wmAbortAll
		}
		switch pc {
		case '\\':
			// A trailing backslash compares 0 with a non-0 byte: no match.
			pi++
			if tc != at(p, pi) {
				return wmNoMatch
			}
		case '?':
			if pathname && tc == '/' {
				return wmNoMatch
			}
		case '*':
			var matchSlash bool
			pi++
			if at(p, pi) == '*' {
				prev := pi - 2
				for pi++; at(p, pi) == '*'; pi++ {
				}
				next := at(p, pi)
				switch {
				case !pathname:
					matchSlash = true
				case (prev < 0 || p[prev] == '/') &&
					(next == 0 || next == '/' || (next == '\\' && at(p, pi+1) == '/')):
					// "**/" may match no directory at all.
					if next == '/' && dowild(p[pi+1:], text[ti:], pathname) == wmMatch {
						return wmMatch
					}
					matchSlash = true
				}
			} else {
				matchSlash = !pathname
			}
			if pi == len(p) {
				// A trailing "**" matches everything; a trailing "*" only
				// what has no more slashes.
				if !matchSlash && strings.IndexByte(text[ti:], '/') >= 0 {
					return wmAbortToStarStar
				}
				return wmMatch
			}
			if !matchSlash && p[pi] == '/' {
				// "*/" with pathname: skip to the next slash, which the
				// loop then matches.
				j := strings.IndexByte(text[ti:], '/')
				if j < 0 {
					return wmAbortAll
				}
				ti += j
				continue // the loop's increments step over both slashes
			}
			for {
				if tc == 0 {
					break
				}
				// A literal after the star: skip ahead to its next
				// occurrence (without crossing a slash unless the star
				// may match one).
				if c := p[pi]; !isGlobSpecial(c) {
					for tc = at(text, ti); tc != 0 && (matchSlash || tc != '/'); tc = at(text, ti) {
						if tc == c {
							break
						}
						ti++
					}
					if tc != c {
						return wmNoMatch
					}
				}
				if m := dowild(p[pi:], text[ti:], pathname); m != wmNoMatch {
					if !matchSlash || m != wmAbortToStarStar {
						return m
					}
				} else if !matchSlash && tc == '/' {
					return wmAbortToStarStar
				}
				ti++
				tc = at(text, ti)
			}
			return wmAbortAll
		case '[':
			m, next, ok := matchClass(p, pi, tc)
			if !ok {
				return wmAbortAll
			}
			if !m || (pathname && tc == '/') {
				return wmNoMatch
			}
			pi = next
		default:
			if tc != pc {
				return wmNoMatch
			}
		}
	}
	if ti < len(text) {
		return wmNoMatch
	}
	return wmMatch
}

// matchClass matches the byte tc against the bracket expression starting at
// p[open] == '['. It returns whether tc is in the class, the index of the
// closing ']', and false in ok when the class is malformed (unclosed, or an
// unknown "[:name:]"), which makes the whole pattern fail.
func matchClass(p string, open int, tc byte) (matched bool, end int, ok bool) {
	pi := open + 1
	pc := at(p, pi)
	if pc == '^' {
		pc = '!'
	}
	negated := pc == '!'
	if negated {
		pi++
		pc = at(p, pi)
	}
	var prev byte
	for {
		if pc == 0 {
			return false, 0, false
		}
		switch {
		case pc == '\\':
			pi++
			pc = at(p, pi)
			if pc == 0 {
				return false, 0, false
			}
			if tc == pc {
				matched = true
			}
		case pc == '-' && prev != 0 && at(p, pi+1) != 0 && at(p, pi+1) != ']':
			pi++
			pc = at(p, pi)
			if pc == '\\' {
				pi++
				pc = at(p, pi)
				if pc == 0 {
					return false, 0, false
				}
			}
			if tc <= pc && tc >= prev {
				matched = true
			}
			pc = 0 // a range cannot start another range
		case pc == '[' && at(p, pi+1) == ':':
			s := pi + 2
			pi = s
			for pc = at(p, pi); pc != 0 && pc != ']'; pc = at(p, pi) {
				pi++
			}
			if pc == 0 {
				return false, 0, false
			}
			if pi-s-1 < 0 || p[pi-1] != ':' {
				// No ":]": the "[" is an ordinary member.
				pi = s - 2
				pc = '['
				if tc == pc {
					matched = true
				}
				break
			}
			in, known := posixClass(p[s:pi-1], tc)
			if !known {
				return false, 0, false
			}
			if in {
				matched = true
			}
			pc = 0
		default:
			if tc == pc {
				matched = true
			}
		}
		prev = pc
		pi++
		pc = at(p, pi)
		if pc == ']' {
			break
		}
	}
	return matched != negated, pi, true
}

// posixClass reports whether c belongs to the POSIX class name (ASCII
// only, as in git), and whether name is a known class.
func posixClass(name string, c byte) (in, known bool) {
	isAlpha := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
	isDigit := c >= '0' && c <= '9'
	isSpace := c == ' ' || c == '\t' || c == '\n' || c == '\r'
	isPrint := c >= 0x20 && c <= 0x7e
	switch name {
	case "alnum":
		return isAlpha || isDigit, true
	case "alpha":
		return isAlpha, true
	case "blank":
		return c == ' ' || c == '\t', true
	case "cntrl":
		return c < 0x20 || c == 0x7f, true
	case "digit":
		return isDigit, true
	case "graph":
		return isPrint && c != ' ', true
	case "lower":
		return c >= 'a' && c <= 'z', true
	case "print":
		return isPrint, true
	case "punct":
		return isPrint && c != ' ' && !isAlpha && !isDigit, true
	case "space":
		return isSpace, true
	case "upper":
		return c >= 'A' && c <= 'Z', true
	case "xdigit":
		return isDigit || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F', true
	}
	return false, false
}

func isGlobSpecial(c byte) bool { return c == '*' || c == '?' || c == '[' || c == '\\' }
