package python

// This file holds the Unicode support of the tokenizer: character names for
// "\N{...}" escapes, identifier characters (PEP 3131) and the NFKC
// normalisation of identifiers.
//
// Character names come from golang.org/x/text/unicode/runenames and the
// character properties from the standard unicode package (both Unicode
// 15.0.0 as of Go 1.26); CPython 3.13 uses Unicode 15.1.0, whose few
// additions that matter here are patched in below.

//go:generate go run ./internal/gencharnames -in /usr/share/unicode/NameAliases.txt -out charnames_aliases.go

import (
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
	"golang.org/x/text/unicode/runenames"
)

// maxCharNameLen bounds the names lookupCharName considers, as CPython's
// unicodedata does (NAME_MAXLEN); the longest real name has 88 bytes.
const maxCharNameLen = 256

// lookupCharName resolves the name in a "\N{name}" escape, case-insensitively:
// character names, name aliases (NameAliases.txt: corrections, controls, alternates, figments, abbreviations),
// Hangul syllables ("HANGUL SYLLABLE GAG") and computed CJK names ("CJK UNIFIED IDEOGRAPH-4E00", also the other algorithmic ranges Python accepts).
//
// As in CPython, only character names and aliases are case-insensitive (in
// ASCII); the two algorithmic families, "HANGUL SYLLABLE " and
// "CJK UNIFIED IDEOGRAPH-", must be written in upper case, with four or five
// hexadecimal digits after the latter. The other names that end in a code
// point (CJK COMPATIBILITY IDEOGRAPH-F900, TANGUT COMPONENT-001, KHITAN
// SMALL SCRIPT CHARACTER-18B00, NUSHU CHARACTER-1B170) are ordinary names.
// Named sequences are not characters and are not accepted.
func lookupCharName(name string) (rune, bool) {
	if len(name) == 0 || len(name) > maxCharNameLen {
		return 0, false
	}
	if rest, ok := strings.CutPrefix(name, "HANGUL SYLLABLE "); ok {
		return hangulSyllable(rest)
	}
	if rest, ok := strings.CutPrefix(name, "CJK UNIFIED IDEOGRAPH-"); ok {
		return cjkUnifiedIdeograph(rest)
	}
	upper, ok := asciiUpper(name)
	if !ok {
		return 0, false
	}
	if r, ok := charNameIndex().lookup(upper); ok {
		return r, true
	}
	if r, ok := unicode151Name(upper); ok {
		return r, true
	}
	return nameAlias(upper)
}

// unicode151Name returns the characters that Unicode 15.1.0 added outside
// the CJK Unified Ideographs, which CPython 3.13 knows but Go's Unicode
// 15.0.0 tables do not.
func unicode151Name(name string) (rune, bool) {
	if runenames.UnicodeVersion != "15.0.0" {
		return 0, false // newer tables have them
	}
	switch name {
	case "IDEOGRAPHIC DESCRIPTION CHARACTER SURROUND FROM RIGHT":
		return 0x2FFC, true
	case "IDEOGRAPHIC DESCRIPTION CHARACTER SURROUND FROM LOWER RIGHT":
		return 0x2FFD, true
	case "IDEOGRAPHIC DESCRIPTION CHARACTER HORIZONTAL REFLECTION":
		return 0x2FFE, true
	case "IDEOGRAPHIC DESCRIPTION CHARACTER ROTATION":
		return 0x2FFF, true
	case "IDEOGRAPHIC DESCRIPTION CHARACTER SUBTRACTION":
		return 0x31EF, true
	}
	return 0, false
}

// asciiUpper upper-cases the ASCII letters of s, allocating only when s has
// a lower-case letter. It reports false when s is not ASCII: no name is.
func asciiUpper(s string) (string, bool) {
	lower := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return "", false
		}
		if 'a' <= c && c <= 'z' {
			lower = true
		}
	}
	if !lower {
		return s, true
	}
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - ('a' - 'A')
		}
	}
	return string(b), true
}

// Hangul syllable composition (Unicode §3.12) and the short names of the
// conjoining jamo used to spell the syllables' names.
const (
	hangulSBase  = 0xAC00
	hangulVCount = 21
	hangulTCount = 28
)

var (
	hangulLNames = [...]string{"G", "GG", "N", "D", "DD", "R", "M", "B", "BB", "S", "SS", "", "J", "JJ", "C", "K", "T", "P", "H"}
	hangulVNames = [...]string{"A", "AE", "YA", "YAE", "EO", "E", "YEO", "YE", "O", "WA", "WAE", "OE", "YO", "U", "WEO", "WE", "WI", "YU", "EU", "YI", "I"}
	hangulTNames = [...]string{"", "G", "GG", "GS", "N", "NJ", "NH", "D", "L", "LG", "LM", "LB", "LS", "LT", "LP", "LH", "M", "B", "BS", "S", "SS", "NG", "J", "C", "K", "T", "P", "H"}
)

// hangulSyllable parses the part of a Hangul syllable name after
// "HANGUL SYLLABLE ". Like CPython it takes, for each of the leading
// consonant, the vowel and the trailing consonant in turn, the longest jamo
// name that matches, without backtracking.
func hangulSyllable(s string) (rune, bool) {
	l, n := longestJamo(s, hangulLNames[:])
	s = s[n:]
	v, n := longestJamo(s, hangulVNames[:])
	s = s[n:]
	t, n := longestJamo(s, hangulTNames[:])
	s = s[n:]
	if l < 0 || v < 0 || t < 0 || s != "" {
		return 0, false
	}
	return rune(hangulSBase + (l*hangulVCount+v)*hangulTCount + t), true
}

// longestJamo returns the index and length of the longest name in names
// that prefixes s, or -1.
func longestJamo(s string, names []string) (index, length int) {
	index, length = -1, -1
	for i, name := range names {
		if len(name) > length && strings.HasPrefix(s, name) {
			index, length = i, len(name)
		}
	}
	if index < 0 {
		length = 0
	}
	return index, length
}

// cjkUnifiedIdeograph parses the hexadecimal code point after
// "CJK UNIFIED IDEOGRAPH-": four or five upper-case digits naming a unified
// ideograph.
func cjkUnifiedIdeograph(hex string) (rune, bool) {
	if len(hex) != 4 && len(hex) != 5 {
		return 0, false
	}
	var r rune
	for i := 0; i < len(hex); i++ {
		c := hex[i]
		switch {
		case '0' <= c && c <= '9':
			r = r<<4 | rune(c-'0')
		case 'A' <= c && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	if !isUnifiedIdeograph(r) {
		return 0, false
	}
	return r, true
}

// isUnifiedIdeograph reports whether r is in a block of CJK unified
// ideographs, whose names are computed. The ranges are those of Unicode
// 15.1.0 (CPython 3.13's unicodedata).
func isUnifiedIdeograph(r rune) bool {
	switch {
	case r < 0x3400:
		return false
	case r <= 0x4DBF: // Extension A
		return true
	case r < 0x4E00:
		return false
	case r <= 0x9FFF: // URO
		return true
	}
	return 0x20000 <= r && r <= 0x2A6DF || // Extension B
		0x2A700 <= r && r <= 0x2B739 || // Extension C
		0x2B740 <= r && r <= 0x2B81D || // Extension D
		0x2B820 <= r && r <= 0x2CEA1 || // Extension E
		0x2CEB0 <= r && r <= 0x2EBE0 || // Extension F
		0x2EBF0 <= r && r <= 0x2EE5D || // Extension I
		0x30000 <= r && r <= 0x3134A || // Extension G
		0x31350 <= r && r <= 0x323AF // Extension H
}

// charNames is an index of the character names in runenames: the named
// code points sorted by name. It is never modified once built.
type charNames []rune

// charNameIndex returns the name index, building it on first use.
var charNameIndex = sync.OnceValue(buildCharNameIndex)

// buildCharNameIndex indexes the names of runenames: about 35,000 names in
// 140 kB, built in a few milliseconds.
func buildCharNameIndex() charNames {
	type entry struct {
		name string
		r    rune
	}
	entries := make([]entry, 0, 40000)
	add := func(lo, hi rune) {
		for r := lo; r <= hi; r++ {
			// "<control>", "<CJK Ideograph>", "<Hangul Syllable>", ...
			// are labels of unnamed or algorithmically named code points.
			if n := runenames.Name(r); n != "" && n[0] != '<' {
				entries = append(entries, entry{n, r})
			}
		}
	}
	// Planes 4 to 13 are unassigned and planes 15 and 16 are private use,
	// so only planes 0 to 3 and 14 have named characters.
	add(0, 0x3FFFF)
	add(0xE0000, 0xEFFFF)
	slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(a.name, b.name) })
	idx := make(charNames, len(entries))
	for i, e := range entries {
		idx[i] = e.r
	}
	return idx
}

// lookup returns the code point named name (in upper case).
func (idx charNames) lookup(name string) (rune, bool) {
	i, found := slices.BinarySearchFunc(idx, name, func(r rune, name string) int {
		return strings.Compare(runenames.Name(r), name)
	})
	if !found {
		return 0, false
	}
	return idx[i], true
}

// isIDStart reports whether r may start an identifier (XID_Start or '_').
func isIDStart(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r|0x20 && r|0x20 <= 'z' || r == '_'
	}
	return isXIDStart(r)
}

// isIDContinue reports whether r may continue an identifier (XID_Continue).
func isIDContinue(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r|0x20 && r|0x20 <= 'z' || r == '_' || '0' <= r && r <= '9'
	}
	return isXIDContinue(r)
}

// isXIDStart computes the derived property XID_Start (UAX #31) of a
// non-ASCII rune: ID_Start = L + Nl + Other_ID_Start − Pattern_Syntax −
// Pattern_White_Space, less the characters whose NFKC form is not an
// identifier.
func isXIDStart(r rune) bool {
	if isUnicode151IDStart(r) {
		return true
	}
	if !unicode.IsLetter(r) && !unicode.Is(unicode.Nl, r) && !unicode.Is(unicode.Other_ID_Start, r) ||
		isPatternSyntaxOrSpace(r) {
		return false
	}
	switch r {
	case 0x037A, 0x0E33, 0x0EB3, 0x309B, 0x309C, 0xFDFA, 0xFDFB,
		0xFE70, 0xFE72, 0xFE74, 0xFE76, 0xFE78, 0xFE7A, 0xFE7C, 0xFE7E, 0xFF9E, 0xFF9F:
		return false
	}
	return r < 0xFC5E || r > 0xFC63
}

// isXIDContinue computes the derived property XID_Continue of a non-ASCII
// rune: ID_Continue = ID_Start + Mn + Mc + Nd + Pc + Other_ID_Continue −
// Pattern_Syntax − Pattern_White_Space, less the characters whose NFKC form
// is not an identifier continuation.
func isXIDContinue(r rune) bool {
	if isUnicode151IDStart(r) || isUnicode151IDContinue(r) {
		return true
	}
	if !unicode.IsLetter(r) && !unicode.In(r, unicode.Nl, unicode.Mn, unicode.Mc, unicode.Nd, unicode.Pc, unicode.Other_ID_Start, unicode.Other_ID_Continue) ||
		isPatternSyntaxOrSpace(r) {
		return false
	}
	switch r {
	case 0x037A, 0x309B, 0x309C, 0xFDFA, 0xFDFB,
		0xFE70, 0xFE72, 0xFE74, 0xFE76, 0xFE78, 0xFE7A, 0xFE7C, 0xFE7E:
		return false
	}
	return r < 0xFC5E || r > 0xFC63
}

func isPatternSyntaxOrSpace(r rune) bool {
	return unicode.In(r, unicode.Pattern_Syntax, unicode.Pattern_White_Space)
}

// isUnicode151IDStart reports the identifier-start characters that Unicode
// 15.1.0 added (CJK Unified Ideographs Extension I), which CPython 3.13
// accepts but Go's Unicode 15.0.0 tables do not know.
func isUnicode151IDStart(r rune) bool {
	return 0x2EBF0 <= r && r <= 0x2EE5D
}

// isUnicode151IDContinue reports the characters that Unicode 15.1.0 added to
// Other_ID_Continue: ZERO WIDTH NON-JOINER, ZERO WIDTH JOINER, KATAKANA
// MIDDLE DOT and HALFWIDTH KATAKANA MIDDLE DOT.
func isUnicode151IDContinue(r rune) bool {
	return r == 0x200C || r == 0x200D || r == 0x30FB || r == 0xFF65
}

// normalizeIdentifier returns the NFKC form of a non-ASCII identifier (PEP 3131), as CPython stores it in the AST.
// ASCII identifiers, and identifiers already in NFKC, are returned as they
// are, without allocating.
func normalizeIdentifier(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return norm.NFKC.String(s)
		}
	}
	return s
}
