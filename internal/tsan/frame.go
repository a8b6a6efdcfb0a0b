package tsan

import (
	"strconv"
	"strings"
)

// parseFrame parses one stack frame, s being the frame text without its
// indentation: "#0 interpreter_clear /src/Python/pystate.c:769:26
// (python+0x6cd57a) (BuildId: 9a73...)". It reads from the right, since
// C++ function names contain spaces ("operator delete(void*, unsigned
// long)") and the function is the only part that may.
func parseFrame(s string) (Frame, bool) {
	n := frameIndexEnd(s)
	if n < 0 {
		return Frame{}, false
	}
	idx, err := strconv.Atoi(s[1:n])
	if err != nil {
		return Frame{}, false
	}
	rest := strings.TrimSpace(s[n:])
	if rest == "" {
		return Frame{}, false
	}
	f := Frame{Index: idx}

	// "(BuildId: 9a73f9de...)"
	if strings.HasSuffix(rest, ")") {
		if j := strings.LastIndexByte(rest, '('); j >= 0 && strings.HasPrefix(rest[j:], "(BuildId: ") {
			id := rest[j+len("(BuildId: ") : len(rest)-1]
			if !strings.ContainsAny(id, "() \t") {
				f.BuildID = id
				rest = trimBlanksRight(rest[:j])
			}
		}
	}

	// "(module+0xoffset)" or "(<unknown module>)"
	if strings.HasSuffix(rest, ")") {
		// open is the '(' of the module group: at the start or after a blank
		open := strings.LastIndexByte(rest, '(')
		if open == 0 || open > 0 && isBlank(rest[open-1]) {
			if mod, off, ok := splitModule(rest[open+1 : len(rest)-1]); ok {
				f.Module, f.Offset = mod, off
				rest = trimBlanksRight(rest[:open])
			}
		}
	}

	// "function file:line:col", "function <null>", "function"
	switch {
	case rest == "<null>":
		rest = ""
	case strings.HasSuffix(rest, " <null>") || strings.HasSuffix(rest, "\t<null>"):
		rest = trimBlanksRight(rest[:len(rest)-len("<null>")])
	default:
		if sp := lastTopLevelSpace(rest); sp >= 0 && looksLikeFile(rest[sp+1:]) {
			f.File, f.Line, f.Column = splitPosition(rest[sp+1:])
			rest = trimBlanksRight(rest[:sp])
		}
	}
	if rest != "<null>" {
		f.Function = rest
	}
	return f, true
}

// frameIndexEnd returns the end of "#N" when s starts with "#N" followed by
// a blank, or -1.
func frameIndexEnd(s string) int {
	if len(s) < 3 || s[0] != '#' {
		return -1
	}
	i := 1
	for i < len(s) && i <= 9 && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 1 || i >= len(s) || (s[i] != ' ' && s[i] != '\t') {
		return -1
	}
	return i
}

// splitModule splits "python+0x6cd57a" into module and offset;
// "<unknown module>" is accepted with both empty.
func splitModule(s string) (module, offset string, ok bool) {
	if s == "<unknown module>" {
		return "", "", true
	}
	k := strings.LastIndex(s, "+0x")
	if k < 0 || k+3 == len(s) {
		return "", "", false
	}
	for i := k + 3; i < len(s); i++ {
		if !isHexDigit(s[i]) {
			return "", "", false
		}
	}
	module = s[:k]
	if module == "<unknown module>" {
		module = ""
	}
	return module, s[k+1:], true
}

// lastTopLevelSpace is the index of the last blank of s outside
// parentheses, -1 if none.
func lastTopLevelSpace(s string) int {
	depth, last := 0, -1
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			if depth > 0 {
				depth--
			}
		case ' ', '\t':
			if depth == 0 {
				last = i
			}
		}
	}
	return last
}

// sourceExts are file name extensions that mark a token as a source file
// even without directories or a line number.
var sourceExts = []string{
	".c", ".h", ".cc", ".cpp", ".cxx", ".c++", ".hh", ".hpp", ".hxx",
	".inc", ".def", ".S", ".s", ".m", ".mm", ".rs", ".pyx", ".pxd", ".pxi", ".go",
}

// looksLikeFile reports whether tok, the last word of "function file",
// is a source location rather than the end of a function name.
func looksLikeFile(tok string) bool {
	if tok == "" || strings.ContainsAny(tok, "()") {
		return false
	}
	if strings.ContainsAny(tok, `/\`) {
		return true
	}
	if _, _, ok := trailingNumber(tok); ok {
		return true
	}
	for _, ext := range sourceExts {
		if strings.HasSuffix(tok, ext) && len(tok) > len(ext) {
			return true
		}
	}
	return false
}

// splitPosition splits "dir/file.c:769:26" into file, line and column.
func splitPosition(loc string) (file string, line, col int) {
	n1, rest, ok := trailingNumber(loc)
	if !ok {
		return loc, 0, 0
	}
	if n2, rest2, ok := trailingNumber(rest); ok {
		return rest2, n2, n1
	}
	return rest, n1, 0
}

// trailingNumber splits "x:12" into 12 and "x". The part before the colon
// must not be empty.
func trailingNumber(s string) (n int, before string, ok bool) {
	i := strings.LastIndexByte(s, ':')
	if i <= 0 || i == len(s)-1 || len(s)-i-1 > 9 || !allDigits(s[i+1:]) {
		return 0, s, false
	}
	n, err := strconv.Atoi(s[i+1:])
	if err != nil {
		return 0, s, false
	}
	return n, s[:i], true
}
