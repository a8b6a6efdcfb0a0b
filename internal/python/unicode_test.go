package python

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/runenames"
)

func TestLookupCharName(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    rune
		ok   bool
	}{
		{"LATIN SMALL LETTER A", 'a', true},
		{"latin small letter a", 'a', true},
		{"Latin Small Letter A", 'a', true},
		{"SPACE", ' ', true},
		{"EM DASH", '—', true},
		{"SNOWMAN", '☃', true},
		{"GREEK SMALL LETTER ALPHA", 'α', true},
		{"MUSICAL SYMBOL G CLEF", '𝄞', true},
		{"TIBETAN MARK TSA -PHRU", 0x0F39, true},
		{"HANGUL JUNGSEONG O-E", 0x1180, true},
		{"HANGUL JUNGSEONG OE", 0x116C, true},
		{"CJK COMPATIBILITY IDEOGRAPH-F900", 0xF900, true},
		{"TANGUT COMPONENT-001", 0x18800, true},
		{"KHITAN SMALL SCRIPT CHARACTER-18B00", 0x18B00, true},
		{"NUSHU CHARACTER-1B170", 0x1B170, true},
		// Aliases.
		{"NULL", 0, true},
		{"NUL", 0, true},
		{"nul", 0, true},
		{"LINE FEED", '\n', true},
		{"new line", '\n', true},
		{"EOL", '\n', true},
		{"BYTE ORDER MARK", 0xFEFF, true},
		{"bom", 0xFEFF, true},
		{"ZWSP", 0x200B, true},
		{"VS256", 0xE01EF, true},
		{"PADDING CHARACTER", 0x80, true},
		{"LATIN CAPITAL LETTER GHA", 0x01A2, true}, // correction
		{"LATIN CAPITAL LETTER OI", 0x01A2, true},  // the original name
		{"PRESENTATION FORM FOR VERTICAL RIGHT WHITE LENTICULAR BRACKET", 0xFE18, true},
		{"PRESENTATION FORM FOR VERTICAL RIGHT WHITE LENTICULAR BRAKCET", 0xFE18, true},
		// Hangul syllables: upper case only, as in CPython.
		{"HANGUL SYLLABLE GA", 0xAC00, true},
		{"HANGUL SYLLABLE GAG", 0xAC01, true},
		{"HANGUL SYLLABLE GAGG", 0xAC02, true},
		{"HANGUL SYLLABLE A", 0xC544, true},
		{"HANGUL SYLLABLE HIH", 0xD7A3, true},
		{"HANGUL SYLLABLE PWILH", 0xD4DB, true},
		{"HANGUL SYLLABLE ", 0, false},
		{"HANGUL SYLLABLE X", 0, false},
		{"HANGUL SYLLABLE GAX", 0, false},
		{"hangul syllable GAG", 0, false},
		{"HANGUL SYLLABLE gag", 0, false},
		// CJK unified ideographs: upper case, four or five hex digits.
		{"CJK UNIFIED IDEOGRAPH-4E00", 0x4E00, true},
		{"CJK UNIFIED IDEOGRAPH-04E00", 0x4E00, true},
		{"CJK UNIFIED IDEOGRAPH-9FFF", 0x9FFF, true},
		{"CJK UNIFIED IDEOGRAPH-3400", 0x3400, true},
		{"CJK UNIFIED IDEOGRAPH-20000", 0x20000, true},
		{"CJK UNIFIED IDEOGRAPH-2B739", 0x2B739, true},
		{"CJK UNIFIED IDEOGRAPH-2EBF0", 0x2EBF0, true}, // Unicode 15.1
		{"CJK UNIFIED IDEOGRAPH-323AF", 0x323AF, true},
		{"CJK UNIFIED IDEOGRAPH-4DC0", 0, false},
		{"CJK UNIFIED IDEOGRAPH-4e00", 0, false},
		{"cjk unified ideograph-4E00", 0, false},
		{"CJK UNIFIED IDEOGRAPH-004E00", 0, false},
		{"CJK UNIFIED IDEOGRAPH-4E0", 0, false},
		{"CJK UNIFIED IDEOGRAPH-", 0, false},
		{"CJK UNIFIED IDEOGRAPH-4E00 ", 0, false},
		// Not names.
		{"", 0, false},
		{"TANGUT IDEOGRAPH-17000", 0, false},
		{"LINE FEED (LF)", 0, false},                               // a Unicode 1.0 name
		{"LATIN CAPITAL LETTER A WITH MACRON AND GRAVE", 0, false}, // a named sequence
		{"LATIN  SMALL LETTER A", 0, false},
		{" LATIN SMALL LETTER A", 0, false},
		{"LATIN SMALL LETTER A ", 0, false},
		{"LATIN_SMALL_LETTER_A", 0, false},
		{"LATİN SMALL LETTER A", 0, false}, // U+0130 is not an ASCII I
		{"LATıN SMALL LETTER A", 0, false}, // nor is U+0131
		{"latin ſmall letter a", 0, false}, // nor is U+017F an s
		{"LATIN SMALL LETTER A\x00", 0, false},
		{"<control>", 0, false},
		{"CJK Ideograph", 0, false},
		{strings.Repeat("A", 300), 0, false},
	} {
		r, ok := lookupCharName(tc.name)
		if r != tc.r || ok != tc.ok {
			t.Errorf("lookupCharName(%q) = %U, %v; want %U, %v", tc.name, r, ok, tc.r, tc.ok)
		}
	}
}

// TestCharNameRoundTrip looks up the name of every named code point of Go's
// tables.
func TestCharNameRoundTrip(t *testing.T) {
	n := 0
	for r := rune(0); r <= unicode.MaxRune; r++ {
		name := runenames.Name(r)
		if name == "" || name[0] == '<' {
			continue
		}
		n++
		if got, ok := lookupCharName(name); !ok || got != r {
			t.Errorf("lookupCharName(%q) = %U, %v; want %U", name, got, ok, r)
		}
		if got, ok := lookupCharName(strings.ToLower(name)); !ok || got != r {
			t.Errorf("lookupCharName(%q) = %U, %v; want %U", strings.ToLower(name), got, ok, r)
		}
	}
	t.Logf("%d names (runenames %s)", n, runenames.UnicodeVersion)
}

// ucdFile opens a file of the Unicode Character Database as installed by
// Debian's unicode-data package, or skips the test.
func ucdFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("/usr/share/unicode/" + name)
	if err != nil {
		t.Skipf("no %s (apt-get install unicode-data): %v", name, err)
	}
	return b
}

// ucdRanges parses a UCD property file into the code points of each
// property.
func ucdRanges(t *testing.T, data []byte) map[string]map[rune]bool {
	props := map[string]map[rune]bool{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		f := strings.Split(line, ";")
		if len(f) < 2 {
			continue
		}
		lo, hi, isRange := strings.Cut(strings.TrimSpace(f[0]), "..")
		if !isRange {
			hi = lo
		}
		a, err1 := strconv.ParseUint(lo, 16, 32)
		b, err2 := strconv.ParseUint(hi, 16, 32)
		if err1 != nil || err2 != nil {
			t.Fatalf("bad line %q", sc.Text())
		}
		p := strings.TrimSpace(f[1])
		if props[p] == nil {
			props[p] = map[rune]bool{}
		}
		for r := rune(a); r <= rune(b); r++ {
			props[p][r] = true
		}
	}
	return props
}

// TestCharNameAliasesFile checks the generated alias table against
// NameAliases.txt.
func TestCharNameAliasesFile(t *testing.T) {
	data := ucdFile(t, "NameAliases.txt")
	n := 0
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Split(line, ";")
		if len(f) != 3 || strings.HasPrefix(line, "#") {
			continue
		}
		cp, _ := strconv.ParseUint(f[0], 16, 32)
		n++
		if r, ok := lookupCharName(f[1]); !ok || r != rune(cp) {
			t.Errorf("alias %s: got %U, %v; want U+%04X", f[1], r, ok, cp)
		}
		if r, ok := lookupCharName(strings.ToLower(f[1])); !ok || r != rune(cp) {
			t.Errorf("alias %s (lower case): got %U, %v; want U+%04X", f[1], r, ok, cp)
		}
	}
	if !strings.Contains(string(data), "NameAliases-"+nameAliasesVersion+".txt") {
		t.Logf("note: charnames_aliases.go is from %s, the installed NameAliases.txt is another version", nameAliasesVersion)
	}
	t.Logf("%d aliases", n)
}

// TestLookupCharNameAgainstCPython looks up every name that unicodedata of
// each available CPython knows, and asks CPython for every name we know.
func TestLookupCharNameAgainstCPython(t *testing.T) {
	list := oraclePythons()
	if len(list) == 0 {
		t.Skip("no Python interpreter")
	}
	for _, py := range list {
		t.Run(py, func(t *testing.T) { checkCharNamesWithPython(t, py) })
	}
}

func checkCharNamesWithPython(t *testing.T, py string) {
	script := `
import sys, unicodedata as u
out = [u.unidata_version]
for c in range(0x110000):
    n = u.name(chr(c), None)
    if n is not None:
        out.append("%X;%s;%s" % (c, n, u.category(chr(c))))
print("\n".join(out))
`
	out := runOracle(t, py, script, nil)
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	pyVersion := lines[0]
	var missing, wrong, newer int
	pyNames := map[string]rune{}
	for _, line := range lines[1:] {
		f := strings.Split(line, ";")
		cp, _ := strconv.ParseUint(f[0], 16, 32)
		r, name := rune(cp), f[1]
		pyNames[name] = r
		got, ok := lookupCharName(name)
		switch {
		case ok && got == r:
			// A name matches case-insensitively unless it is computed.
			if !strings.HasPrefix(name, "HANGUL SYLLABLE ") && !strings.HasPrefix(name, "CJK UNIFIED IDEOGRAPH-") {
				if got, ok := lookupCharName(strings.ToLower(name)); !ok || got != r {
					t.Errorf("lookupCharName(%q) = %U, %v; want %U", strings.ToLower(name), got, ok, r)
				}
			}
		case !ok && runenames.Name(r) == "":
			newer++ // Python's Unicode is newer than ours
		case !ok:
			missing++
			t.Errorf("lookupCharName(%q) fails, CPython: U+%04X", name, r)
		default:
			wrong++
			t.Errorf("lookupCharName(%q) = %U, CPython: U+%04X", name, got, r)
		}
	}
	// Names we know that this Python does not.
	var older []string
	for _, r := range charNameIndex() {
		name := runenames.Name(r)
		if pr, ok := pyNames[name]; ok && pr == r {
			continue
		}
		older = append(older, name)
	}
	// Ask CPython about those (aliases and newer characters).
	check := `
import sys, unicodedata as u
for n in sys.stdin.read().split("\n"):
    if not n: continue
    try: print("%X" % ord(u.lookup(n)))
    except (KeyError, TypeError): print("-")
`
	var aliasNames []string
	if data, err := os.ReadFile("/usr/share/unicode/NameAliases.txt"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if f := strings.Split(line, ";"); len(f) == 3 && !strings.HasPrefix(line, "#") {
				aliasNames = append(aliasNames, f[1])
			}
		}
	}
	all := append(append([]string{}, older...), aliasNames...)
	res := strings.Split(strings.TrimSpace(string(runOracle(t, py, check, []byte(strings.Join(all, "\n"))))), "\n")
	var olderUnknown, aliasOK, aliasNewer int
	for i, name := range all {
		ours, _ := lookupCharName(name)
		want := fmt.Sprintf("%X", ours)
		isAlias := i >= len(older)
		switch {
		case res[i] == want && isAlias:
			aliasOK++
		case res[i] == want:
			t.Errorf("%q: CPython looks it up but unicodedata.name does not give it", name)
		case res[i] == "-" && !isAlias:
			olderUnknown++ // a character newer than Python's Unicode
		case res[i] == "-" && versionLess(pyVersion, nameAliasesVersion):
			aliasNewer++ // an alias newer than Python's Unicode
		default:
			t.Errorf("lookupCharName(%q) = %s, CPython %s", name, want, res[i])
		}
	}
	t.Logf("CPython unicodedata %s vs runenames %s: %d CPython names: %d agree, %d unknown to Go's tables (newer Unicode), %d missing, %d wrong; "+
		"%d of our names unknown to CPython (newer Unicode); of %d aliases (NameAliases %s), %d agree, %d unknown to CPython (newer Unicode)",
		pyVersion, runenames.UnicodeVersion, len(lines)-1, len(lines)-1-newer-missing-wrong, newer, missing, wrong,
		olderUnknown, len(aliasNames), nameAliasesVersion, aliasOK, aliasNewer)
}

// versionLess compares Unicode versions such as "14.0.0" and "15.1.0".
func versionLess(a, b string) bool {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) && i < len(bs); i++ {
		x, _ := strconv.Atoi(as[i])
		y, _ := strconv.Atoi(bs[i])
		if x != y {
			return x < y
		}
	}
	return len(as) < len(bs)
}

func TestIdentifierChars(t *testing.T) {
	for _, tc := range []struct {
		r                rune
		start, continue_ bool
	}{
		{'a', true, true}, {'Z', true, true}, {'_', true, true}, {'0', false, true}, {'9', false, true},
		{'$', false, false}, {' ', false, false}, {'@', false, false}, {'[', false, false}, {'`', false, false}, {'{', false, false},
		{0x7F, false, false}, {0xA0, false, false}, {0xAA, true, true}, {0xB7, false, true}, {'é', true, true},
		{'π', true, true}, {'ℌ', true, true}, {0x2118, true, true}, {0x212E, true, true}, {0x309B, false, false},
		{0x0E33, false, true}, {0xFF9E, false, true}, {0x037A, false, false}, {0xFC5E, false, false}, {0xFDFA, false, false},
		{0x0300, false, true}, {0x0660, false, true}, {0x203F, false, true}, {0x2E2F, false, false}, {0x1885, true, true},
		{0x200C, false, true}, {0x200D, false, true}, {0x30FB, false, true}, {0xFF65, false, true}, {0x2EBF0, true, true},
		{'日', true, true}, {0x1F600, false, false}, {0x10FFFF, false, false}, {0xD800, false, false}, {utf8.RuneError, false, false},
	} {
		if got := isIDStart(tc.r); got != tc.start {
			t.Errorf("isIDStart(%U) = %v", tc.r, got)
		}
		if got := isIDContinue(tc.r); got != tc.continue_ {
			t.Errorf("isIDContinue(%U) = %v", tc.r, got)
		}
	}
}

// unicode151IDChanges are the code points whose identifier properties
// Unicode 15.1 changed, which isIDStart and isIDContinue patch in.
func unicode151IDChange(r rune) bool {
	return isUnicode151IDStart(r) || isUnicode151IDContinue(r)
}

// TestIdentifierCharsAgainstUCD compares isIDStart and isIDContinue with
// XID_Start and XID_Continue of DerivedCoreProperties.txt.
func TestIdentifierCharsAgainstUCD(t *testing.T) {
	props := ucdRanges(t, ucdFile(t, "DerivedCoreProperties.txt"))
	start, cont := props["XID_Start"], props["XID_Continue"]
	start['_'] = true
	diffs := 0
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if isIDStart(r) != start[r] || isIDContinue(r) != cont[r] {
			diffs++
			if !unicode151IDChange(r) {
				t.Errorf("%U: isIDStart %v isIDContinue %v; UCD XID_Start %v XID_Continue %v", r, isIDStart(r), isIDContinue(r), start[r], cont[r])
			}
		}
	}
	t.Logf("%d code points differ from the installed UCD, all from the Unicode 15.1 patches", diffs)
}

// TestIdentifierCharsAgainstCPython compares isIDStart and isIDContinue with
// str.isidentifier of each available CPython for every code point.
func TestIdentifierCharsAgainstCPython(t *testing.T) {
	list := oraclePythons()
	if len(list) == 0 {
		t.Skip("no Python interpreter")
	}
	script := `
import sys, unicodedata as u
out = [u.unidata_version]
for c in range(0x110000):
    ch = chr(c)
    out.append("%d%d%d" % (ch.isidentifier(), ("a" + ch).isidentifier(), u.category(ch) == "Cn"))
print("\n".join(out))
`
	for _, py := range list {
		t.Run(py, func(t *testing.T) {
			lines := strings.Split(strings.TrimSpace(string(runOracle(t, py, script, nil))), "\n")
			version := lines[0]
			var unassigned, changed, wrong int
			for r := rune(0); r <= unicode.MaxRune; r++ {
				f := lines[1+r]
				pyStart, pyCont, pyCn := f[0] == '1', f[1] == '1', f[2] == '1'
				if isIDStart(r) == pyStart && isIDContinue(r) == pyCont {
					continue
				}
				switch {
				case pyCn || runenames.Name(r) == "":
					unassigned++ // assigned in one Unicode version only
				case unicode151IDChange(r) && versionLess(version, "15.1.0"):
					changed++
				default:
					wrong++
					t.Errorf("%U: isIDStart %v isIDContinue %v; CPython %v %v", r, isIDStart(r), isIDContinue(r), pyStart, pyCont)
				}
			}
			t.Logf("CPython unicodedata %s: %d code points differ because only one Unicode version assigns them, "+
				"%d by the Unicode 15.1 identifier changes, %d otherwise", version, unassigned, changed, wrong)
		})
	}
}

func TestNormalizeIdentifier(t *testing.T) {
	for in, want := range map[string]string{
		"abc":        "abc",
		"_x1":        "_x1",
		"café":       "café",
		"cafe\u0301": "café",
		"ﬁle":        "file",
		"ℌ":          "H",
		"µ":          "μ",
		"ｘｙ":         "xy",
		"Ⅸ":          "IX",
		"x²":         "x2",
		"ǆ":          "dž",
		"𝔘𝔫𝔦":        "Uni",
	} {
		if got := normalizeIdentifier(in); got != want {
			t.Errorf("normalizeIdentifier(%q) = %q, want %q", in, got, want)
		}
	}
	if n := testing.AllocsPerRun(100, func() {
		normalizeIdentifier("ascii_identifier")
		normalizeIdentifier("déjà_normalisé")
	}); n != 0 {
		t.Errorf("normalizeIdentifier allocates %v times for normalized input", n)
	}
}

// TestNormalizeIdentifierAgainstCPython compares NFKC of every identifier
// character with CPython's, and the identifiers CPython's parser stores.
func TestNormalizeIdentifierAgainstCPython(t *testing.T) {
	py := oraclePython(t)
	var in bytes.Buffer
	var chars []rune
	for r := rune(0x80); r <= unicode.MaxRune; r++ {
		if isIDContinue(r) {
			chars = append(chars, r)
			fmt.Fprintf(&in, "%X\n", r)
		}
	}
	script := `
import ast, sys, unicodedata as u
print(u.unidata_version)
for line in sys.stdin:
    c = int(line, 16)
    ident = ("x" if not chr(c).isidentifier() else "") + chr(c)
    try: name = ast.parse(ident, mode="eval").body.id
    except SyntaxError: name = "-"
    print(name.encode().hex())
`
	lines := strings.Split(strings.TrimSpace(string(runOracle(t, py, script, in.Bytes()))), "\n")
	diffs := 0
	for i, r := range chars {
		ident := string(r)
		if !isIDStart(r) {
			ident = "x" + ident
		}
		b, err := hex.DecodeString(lines[1+i])
		if err != nil {
			t.Fatalf("%q: %v", lines[1+i], err)
		}
		want := string(b)
		if got := normalizeIdentifier(ident); got != want {
			diffs++
			if runenames.Name(r) != "" && want != "-" {
				t.Errorf("normalizeIdentifier(%q) = %q, CPython %q", ident, got, want)
			}
		}
	}
	t.Logf("%s (unicodedata %s): %d identifier characters, %d normalise differently", py, lines[0], len(chars), diffs)
}

func BenchmarkLookupCharName(b *testing.B) {
	charNameIndex()
	names := []string{"LATIN SMALL LETTER A", "greek small letter alpha", "BOM", "HANGUL SYLLABLE GAG", "CJK UNIFIED IDEOGRAPH-4E00", "NO SUCH NAME"}
	for b.Loop() {
		for _, n := range names {
			lookupCharName(n)
		}
	}
}

func BenchmarkCharNameIndex(b *testing.B) {
	for b.Loop() {
		buildCharNameIndex()
	}
}

func BenchmarkIsIDContinue(b *testing.B) {
	const s = "identifier_ñame_日本語_αβγ_0123"
	for b.Loop() {
		for _, r := range s {
			isIDContinue(r)
		}
	}
}
