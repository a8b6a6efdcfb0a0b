package python

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

var updateSourceGolden = flag.Bool("update-source-golden", false, "rewrite testdata/source/*.golden")

type sourceCase struct {
	name string
	raw  string
	text string // decoded text, when no error
	enc  string // encoding, when no error ("" means "utf-8")
	err  string // error message (substring), or "" for success
	line int    // error position
	col  int
	// cpythonAccepts marks errors that ast.parse on bytes does not report:
	// invalid UTF-8 outside string literals and names (CPython decodes only
	// the tokens that need it in that mode, though it rejects such files
	// when it runs them), and codecs that pyrace does not support.
	cpythonAccepts bool
}

var sourceCases = []sourceCase{
	{name: "empty", raw: "", text: ""},
	{name: "plain", raw: "x = 1\n", text: "x = 1\n"},
	{name: "no final newline", raw: "x = 1", text: "x = 1"},
	{name: "utf-8 text", raw: "s = 'héllo wörld ☃ 𝄞'\n", text: "s = 'héllo wörld ☃ 𝄞'\n"},
	{name: "crlf", raw: "x = 1\r\ny = 2\r\n", text: "x = 1\ny = 2\n"},
	{name: "lone cr", raw: "x = 1\ry = 2\r", text: "x = 1\ny = 2\n"},
	{name: "mixed line ends", raw: "a\r\nb\rc\nd\r\r\ne\n\r", text: "a\nb\nc\nd\n\ne\n\n"},
	{name: "cr lf cr", raw: "a\r\n\r", text: "a\n\n"},
	{name: "bom", raw: "\ufeffx = 1\n", text: "x = 1\n"},
	{name: "bom only", raw: "\ufeff", text: ""},
	{name: "bom crlf", raw: "\ufeffx = 1\r\n", text: "x = 1\n"},
	{name: "bom cookie utf-8", raw: "\ufeff# -*- coding: utf-8 -*-\nx = 'é'\n", text: "# -*- coding: utf-8 -*-\nx = 'é'\n"},
	{name: "bom cookie UTF_8", raw: "\ufeff# coding=UTF_8\n", text: "# coding=UTF_8\n"},
	{name: "bom cookie utf-8-sig", raw: "\ufeff# coding: utf-8-sig\n", text: "# coding: utf-8-sig\n"},
	{name: "bom cookie utf8", raw: "\ufeff# coding: utf8\nx = 1\n", err: "encoding problem: utf8 with BOM", line: 1, col: 10},
	{name: "bom cookie UTF8", raw: "\ufeff# coding: UTF8\n", err: "encoding problem: UTF8 with BOM", line: 1, col: 10},
	{name: "bom cookie latin-1", raw: "\ufeff# coding: latin-1\n", err: "encoding problem: iso-8859-1 with BOM", line: 1, col: 10},
	{name: "bom cookie line 2", raw: "\ufeff#!/usr/bin/env python\n# coding: cp1252\n", err: "encoding problem: cp1252 with BOM", line: 2, col: 10},
	{name: "double bom", raw: "\ufeff\ufeffx = 1\n", text: "\ufeffx = 1\n"},
	{name: "partial bom", raw: "\xef\xbbx\n", err: "(unicode error) 'utf-8' codec can't decode bytes in position 0-1: invalid continuation byte", line: 1, col: 0, cpythonAccepts: true},

	{name: "cookie utf-8", raw: "# -*- coding: utf-8 -*-\nx = 'é'\n", text: "# -*- coding: utf-8 -*-\nx = 'é'\n"},
	{name: "cookie utf8", raw: "# coding: utf8\nx = 'é'\n", text: "# coding: utf8\nx = 'é'\n", enc: "utf8"},
	{name: "cookie UTF-8 upper", raw: "# coding: UTF-8\n", text: "# coding: UTF-8\n"},
	{name: "cookie utf-8 invalid", raw: "# coding: utf-8\nx = '\xe9'\n", err: "can't decode byte 0xe9 in position 5: invalid continuation byte", line: 2, col: 5},
	{name: "latin-1", raw: "# coding: latin-1\ns = 'caf\xe9'\n", text: "# coding: latin-1\ns = 'café'\n", enc: "iso-8859-1"},
	{name: "latin-1 on line 2 after shebang", raw: "#!/usr/bin/python\n# -*- coding: latin-1 -*-\ns = '\xe9'\n",
		text: "#!/usr/bin/python\n# -*- coding: latin-1 -*-\ns = 'é'\n", enc: "iso-8859-1"},
	{name: "latin-1 on line 2 after blank", raw: "\n# coding: latin-1\ns = '\xe9'\n", text: "\n# coding: latin-1\ns = 'é'\n", enc: "iso-8859-1"},
	{name: "latin-1 on line 2 after spaces", raw: " \t\f\r\n# coding: latin-1\r\ns = '\xe9'\r\n", text: " \t\f\n# coding: latin-1\ns = 'é'\n", enc: "iso-8859-1"},
	{name: "latin-1 on line 2 after cr", raw: "\r# coding: latin-1\rs = '\xe9'", text: "\n# coding: latin-1\ns = 'é'", enc: "iso-8859-1"},
	{name: "cookie after code line ignored", raw: "x = 1\n# coding: latin-1\ns = '\xe9'\n", err: "can't decode byte 0xe9 in position 5: invalid continuation byte", line: 3, col: 5, cpythonAccepts: true},
	{name: "unknown cookie after code line ignored", raw: "x = 1\n# coding: foobar\n", text: "x = 1\n# coding: foobar\n"},
	{name: "unknown cookie after backslash line ignored", raw: "  \\\n# coding: foobar\n", text: "  \\\n# coding: foobar\n"},
	{name: "cookie on line 3 ignored", raw: "#\n#\n# coding: foobar\n", text: "#\n#\n# coding: foobar\n"},
	{name: "cookie in code line ignored", raw: "x = 1  # coding: foobar\n", text: "x = 1  # coding: foobar\n"},
	{name: "cookie in string ignored", raw: "'# coding: foobar'\n", text: "'# coding: foobar'\n"},
	{name: "first cookie wins", raw: "# coding: latin-1\n# coding: foobar\n", text: "# coding: latin-1\n# coding: foobar\n", enc: "iso-8859-1"},
	{name: "vim modeline", raw: "# vim: set fileencoding=cp1252 :\nx = '\x80'\n", text: "# vim: set fileencoding=cp1252 :\nx = '€'\n", enc: "cp1252"},
	{name: "emacs no space", raw: "#coding=latin1\n'\xff'", text: "#coding=latin1\n'ÿ'", enc: "latin1"},
	{name: "cookie without newline", raw: "# coding: foobar", err: "unknown encoding: foobar", line: 1, col: 10},
	{name: "coding without name", raw: "# coding: \n# coding: foobar\n", err: "unknown encoding: foobar", line: 2, col: 10},
	{name: "coding without separator", raw: "# coding latin-1 coding: foobar\n", err: "unknown encoding: foobar", line: 1, col: 25},
	{name: "name stops at other chars", raw: "# coding: foo+bar\n", err: "unknown encoding: foo", line: 1, col: 10},
	{name: "unknown codec", raw: "# -*- coding: foobar -*-\nx = 1\n", err: "unknown encoding: foobar", line: 1, col: 14},
	{name: "unknown codec keeps case", raw: "# coding: FooBar\n", err: "unknown encoding: FooBar", line: 1, col: 10},
	{name: "binary codec", raw: "# coding: rot13\n", err: "'rot13' is not a text encoding; use codecs.decode() to handle arbitrary codecs", line: 1, col: 10},
	{name: "undefined codec", raw: "# coding: undefined\n", err: "undefined encoding", line: 1, col: 10},
	{name: "unsupported codec", raw: "# coding: mac-greek\n", err: "unsupported encoding: mac-greek", line: 1, col: 10, cpythonAccepts: true},
	{name: "codec name with dot", raw: "# coding: iso_646.irv_1991\nx = 1\n", text: "# coding: iso_646.irv_1991\nx = 1\n", enc: "iso_646.irv_1991"},

	{name: "invalid utf-8", raw: "x = 1\ny = 'b\xf6se'\n", err: "(unicode error) 'utf-8' codec can't decode byte 0xf6 in position 6: invalid start byte", line: 2, col: 6},
	{name: "invalid utf-8 in comment", raw: "# caf\xe9\n", err: "can't decode byte 0xe9 in position 5: invalid continuation byte", line: 1, col: 5, cpythonAccepts: true},
	{name: "invalid utf-8 after crlf", raw: "a\r\nb\r\xff", err: "can't decode byte 0xff in position 0: invalid start byte", line: 3, col: 0, cpythonAccepts: true},
	{name: "invalid utf-8 surrogate", raw: "x = '\xed\xa0\x80'\n", err: "can't decode byte 0xed in position 5: invalid continuation byte", line: 1, col: 5},
	{name: "invalid utf-8 overlong", raw: "x = '\xc0\xaf'\n", err: "can't decode byte 0xc0 in position 5: invalid start byte", line: 1, col: 5},
	{name: "invalid utf-8 truncated", raw: "x = '\xe2\x82", err: "can't decode bytes in position 5-6: unexpected end of data", line: 1, col: 5, cpythonAccepts: true},
	{name: "invalid utf-8 bad third byte", raw: "x = '\xe2\x82x'\n", err: "can't decode bytes in position 5-6: invalid continuation byte", line: 1, col: 5},
	{name: "invalid utf-8 after bom", raw: "\ufeff'\xff'\n", err: "can't decode byte 0xff in position 1: invalid start byte", line: 1, col: 1},

	{name: "nul", raw: "x = 1\x00\n", err: "source code cannot contain null bytes", line: 1, col: 5},
	{name: "nul line 3", raw: "a\r\nb\n# \x00\n", err: "source code cannot contain null bytes", line: 3, col: 2},
	{name: "nul before bad cookie", raw: "# coding: foobar\n\x00", err: "source code cannot contain null bytes", line: 2, col: 0},

	{name: "cp1252", raw: "# coding: cp1252\ns = '\x93quoted\x94 \x80 \xe9'\n", text: "# coding: cp1252\ns = '“quoted” € é'\n", enc: "cp1252"},
	{name: "windows-1252", raw: "# coding: windows-1252\r\n'\x85'\r\n", text: "# coding: windows-1252\n'…'\n", enc: "windows-1252"},
	{name: "cp1252 undefined", raw: "# coding: cp1252\ns = '\x81'\n", err: "(unicode error) 'charmap' codec can't decode byte 0x81 in position 5: character maps to <undefined>", line: 2, col: 5},
	{name: "iso-8859-15", raw: "# coding: iso-8859-15\n'\xa4'\n", text: "# coding: iso-8859-15\n'€'\n", enc: "iso-8859-15"},
	{name: "latin-9 c1", raw: "# coding: latin9\n'\x85'\n", text: "# coding: latin9\n'\u0085'\n", enc: "latin9"},
	{name: "koi8-r", raw: "# coding: koi8-r\n'\xf0\xd2\xc9\xd7\xc5\xd4'\n", text: "# coding: koi8-r\n'Привет'\n", enc: "koi8-r"},
	{name: "koi8-u patched", raw: "# coding: koi8_u\n'\xae\xbe'\n", text: "# coding: koi8_u\n'╝╬'\n", enc: "koi8_u"},
	{name: "cp1251", raw: "# coding: cp1251\n'\xcf\xf0\xe8'\n", text: "# coding: cp1251\n'При'\n", enc: "cp1251"},
	{name: "ascii", raw: "# coding: ascii\nx = 1\n", text: "# coding: ascii\nx = 1\n", enc: "ascii"},
	{name: "ascii error", raw: "# coding: us-ascii\nx = 1\ny = '\xe9'\n", err: "(unicode error) 'ascii' codec can't decode byte 0xe9 in position 5: ordinal not in range(128)", line: 3, col: 5},
	{name: "mac-roman", raw: "# coding: mac-roman\n'\x8e'\n", text: "# coding: mac-roman\n'é'\n", enc: "mac-roman"},
	{name: "cp437", raw: "# coding: cp437\n'\xc9\xcd\xbb'\n", text: "# coding: cp437\n'╔═╗'\n", enc: "cp437"},
	{name: "charmap codec is latin-1", raw: "# coding: charmap\n'\xe9'\n", text: "# coding: charmap\n'é'\n", enc: "charmap"},
	{name: "shift_jis", raw: "# coding: shift_jis\nx = '\x82\xa0'\n", text: "# coding: shift_jis\nx = 'あ'\n", enc: "shift_jis"},
	{name: "shift_jis bad", raw: "# coding: shift_jis\nx = '\x82'\n", err: "(unicode error) 'shift_jis' codec can't decode byte 0x82 in position 5: illegal multibyte sequence", line: 2, col: 5},
	{name: "shift_jis truncated", raw: "# coding: sjis\n#\x82", err: "'shift_jis' codec can't decode byte 0x82 in position 1: incomplete multibyte sequence", line: 2, col: 1},
	{name: "euc-jp", raw: "# coding: euc-jp\nx = '\xa4\xa2'\n", text: "# coding: euc-jp\nx = 'あ'\n", enc: "euc-jp"},
	{name: "euc-jp bad", raw: "# coding: euc-jp\nx = '\xff\xff'\n", err: "'euc_jp' codec can't decode byte 0xff in position 5: illegal multibyte sequence", line: 2, col: 5},
	{name: "gbk", raw: "# coding: gbk\nx = '\xc4\xe3\xba\xc3'\n", text: "# coding: gbk\nx = '你好'\n", enc: "gbk"},
	{name: "gb2312", raw: "# coding: gb2312\nx = '\xc4\xe3\xba\xc3'\n", text: "# coding: gb2312\nx = '你好'\n", enc: "gb2312"},
	{name: "gb18030 fffd", raw: "# coding: gb18030\nx = '\x84\x31\xa4\x37'\n", text: "# coding: gb18030\nx = '\ufffd'\n", enc: "gb18030"},
	{name: "big5", raw: "# coding: big5\nx = '\xa7\x41\xa6\x6e'\n", text: "# coding: big5\nx = '你好'\n", enc: "big5"},
	{name: "euc-kr", raw: "# coding: euc-kr\nx = '\xbe\xc8\xb3\xe7'\n", text: "# coding: euc-kr\nx = '안녕'\n", enc: "euc-kr"},
	{name: "utf-16 odd", raw: "# coding: utf-16\nx=1\n", err: "'utf-16-le' codec can't decode byte 0x0a in position 3: truncated data", line: 2, col: 3},
}

func TestDecodeSource(t *testing.T) {
	for _, tc := range sourceCases {
		t.Run(tc.name, func(t *testing.T) {
			checkSourceCase(t, tc, []byte(tc.raw))
		})
	}
}

func checkSourceCase(t *testing.T, tc sourceCase, raw []byte) {
	t.Helper()
	src, err := DecodeSource("f.py", raw)
	if tc.err != "" {
		if err == nil {
			t.Fatalf("DecodeSource(%q) = %q, want error %q", tc.raw, src.Text, tc.err)
		}
		if !strings.Contains(err.Msg, tc.err) {
			t.Errorf("error %q, want %q", err.Msg, tc.err)
		}
		if err.Filename != "f.py" || err.Line != tc.line || err.Col != tc.col || err.EndLine != err.Line || err.EndCol <= err.Col {
			t.Errorf("error at %s:%d:%d-%d:%d, want f.py:%d:%d", err.Filename, err.Line, err.Col, err.EndLine, err.EndCol, tc.line, tc.col)
		}
		return
	}
	if err != nil {
		t.Fatalf("DecodeSource(%q): %v", tc.raw, err)
	}
	if string(src.Text) != tc.text {
		t.Errorf("Text = %q, want %q", src.Text, tc.text)
	}
	enc := tc.enc
	if enc == "" {
		enc = "utf-8"
	}
	if src.Encoding != enc {
		t.Errorf("Encoding = %q, want %q", src.Encoding, enc)
	}
}

// TestDecodeSourceNoCopy checks that text needing no translation is
// returned without copying.
func TestDecodeSourceNoCopy(t *testing.T) {
	for _, raw := range []string{"x = 'é'\n", "\ufeffx = 1\n", "# coding: utf-8\nx = 1\n", "# coding: ascii\nx = 1\n"} {
		b := []byte(raw)
		src, err := DecodeSource("f.py", b)
		if err != nil {
			t.Fatal(err)
		}
		if &src.Text[len(src.Text)-1] != &b[len(b)-1] {
			t.Errorf("DecodeSource(%q) copied the text", raw)
		}
	}
	b := []byte("x = 1\n")
	if n := testing.AllocsPerRun(100, func() { DecodeSource("f.py", b) }); n > 1 {
		t.Errorf("fast path allocates %v times, want at most 1 (the Source)", n)
	}
}

func TestSourceNormalCodingName(t *testing.T) {
	for in, want := range map[string]string{
		"utf-8": "utf-8", "UTF-8": "utf-8", "utf_8": "utf-8", "Utf_8-Whatever": "utf-8", "utf-8-sig": "utf-8",
		"utf8": "utf8", "utf-8x": "utf-8x", "utf-": "utf-",
		"latin-1": "iso-8859-1", "LATIN_1": "iso-8859-1", "iso-8859-1": "iso-8859-1", "iso_latin_1": "iso-8859-1",
		"latin-1-unix": "iso-8859-1", "iso-8859-1-x": "iso-8859-1", "iso-latin-1-x": "iso-8859-1", "iso-latin-1x": "iso-latin-1x",
		"latin1": "latin1", "iso-8859-15": "iso-8859-15", "cp1252": "cp1252",
	} {
		if got := normalCodingName(in); got != want {
			t.Errorf("normalCodingName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSourcePythonCodecModule(t *testing.T) {
	for in, want := range map[string]string{
		"utf-8": "utf_8", "UTF8": "utf_8", "u8": "utf_8", "cp65001": "utf_8", "utf--8": "utf_8", "-utf8-": "utf_8",
		"latin1": "latin_1", "l1": "latin_1", "cp819": "latin_1", "ISO_8859-1": "latin_1", "iso8859": "latin_1",
		"ascii": "ascii", "us-ascii": "ascii", "646": "ascii", "ANSI_X3.4-1968": "ascii", "iso_646.irv_1991": "ascii", "iso_646.irv-1991": "ascii",
		"iso-8859-15": "iso8859_15", "latin9": "iso8859_15", "windows-1252": "cp1252", "cp1252": "cp1252",
		"euc-jp": "euc_jp", "ujis": "euc_jp", "sjis": "shift_jis", "x-mac-japanese": "shift_jis", "ms-kanji": "cp932",
		"gb2312": "gb2312", "euc-cn": "gb2312", "cp936": "gbk", "big5-tw": "big5", "uhc": "cp949", "ksc5601": "euc_kr",
		"koi8-r": "koi8_r", "macintosh": "mac_roman", "rot13": "rot_13", "hex": "hex_codec", "utf.8": "", "u.8": "",
		"cp-1252": "", "foobar": "", "aliases": "", "mbcs": "", "": "", "iso.646.irv.1991": "",
	} {
		if got := pythonCodecModule(in); got != want {
			t.Errorf("pythonCodecModule(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestSourceFixtures decodes the files of testdata/source and compares the
// result with the .golden file beside each: the decoded text, or "error: "
// and the error.
func TestSourceFixtures(t *testing.T) {
	files, err := filepath.Glob("testdata/source/*.py")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			got := sourceGolden(file, raw)
			golden := strings.TrimSuffix(file, ".py") + ".golden"
			if *updateSourceGolden {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("got\n%s\nwant\n%s", got, want)
			}
		})
	}
}

func sourceGolden(file string, raw []byte) []byte {
	src, err := DecodeSource(filepath.Base(file), raw)
	if err != nil {
		return []byte(fmt.Sprintf("error: %d:%d-%d:%d: %s\n", err.Line, err.Col, err.EndLine, err.EndCol, err.Msg))
	}
	return append([]byte("encoding: "+src.Encoding+"\n"), src.Text...)
}

// oraclePythons returns the CPython interpreters to cross-check with: $PYRACE_PYTHON,
// CPython 3.13 from pyenv, and /usr/bin/python3, those that exist.
func oraclePythons() []string {
	var list []string
	if p := os.Getenv("PYRACE_PYTHON"); p != "" {
		list = append(list, p)
	}
	if home, err := os.UserHomeDir(); err == nil {
		m, _ := filepath.Glob(filepath.Join(home, ".pyenv/versions/3.13*/bin/python"))
		list = append(list, m...)
	}
	list = append(list, "/usr/bin/python3")
	var found []string
	for _, p := range list {
		if _, err := os.Stat(p); err == nil && !slices.Contains(found, p) {
			found = append(found, p)
		}
	}
	return found
}

// oraclePython returns the preferred interpreter, or skips the test.
func oraclePython(t *testing.T) string {
	t.Helper()
	p := oraclePythons()
	if len(p) == 0 {
		t.Skip("no Python interpreter")
	}
	return p[0]
}

// runOracle runs a Python script with stdin and returns its output.
func runOracle(t *testing.T, py, script string, stdin []byte) []byte {
	t.Helper()
	cmd := exec.Command(py, "-c", script)
	cmd.Stdin = bytes.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s", py, err, stderr.Bytes())
	}
	return out
}

// sourceOracle decodes each hex-encoded input line as CPython does: the
// error of ast.parse when it is about decoding, and the text decoded with
// the codec DecodeSource chose, after CPython's newline translation.
const sourceOracle = `
import ast, json, sys, warnings
warnings.simplefilter("ignore")
DECODING = ("null bytes", "encoding", "codec")
for line in sys.stdin:
    raw_hex, enc = line.split()
    raw = bytes.fromhex(raw_hex if raw_hex != "-" else "")
    res = {}
    try:
        ast.parse(raw)
    except SyntaxError as e:
        if any(s in e.msg for s in DECODING):
            res["err"] = e.msg
    except (ValueError, UnicodeDecodeError) as e:
        res["err"] = str(e)
    if enc != "-":
        b = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        if b.startswith(b"\xef\xbb\xbf"):
            b = b[3:]
        try:
            res["text"] = b.decode(enc)
        except UnicodeDecodeError as e:
            res["decode_err"] = str(e)
    print(json.dumps(res))
`

// TestDecodeSourceAgainstCPython checks the test cases and fixtures against
// CPython: decoding errors must agree with ast.parse, and decoded text with
// Python's codec.
func TestDecodeSourceAgainstCPython(t *testing.T) {
	py := oraclePython(t)
	var raws [][]byte
	var names []string
	var lenient []bool
	for _, tc := range sourceCases {
		raws, names, lenient = append(raws, []byte(tc.raw)), append(names, tc.name), append(lenient, tc.cpythonAccepts)
	}
	files, _ := filepath.Glob("testdata/source/*.py")
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		raws, names, lenient = append(raws, raw), append(names, filepath.Base(f)), append(lenient, strings.Contains(f, "lenient"))
	}
	var in bytes.Buffer
	srcs := make([]*Source, len(raws))
	errs := make([]*Error, len(raws))
	for i, raw := range raws {
		srcs[i], errs[i] = DecodeSource("f.py", raw)
		h := hex.EncodeToString(raw)
		if h == "" {
			h = "-"
		}
		enc := "-"
		if errs[i] == nil {
			enc = srcs[i].Encoding
		}
		fmt.Fprintf(&in, "%s %s\n", h, enc)
	}
	out := runOracle(t, py, sourceOracle, in.Bytes())
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != len(raws) {
		t.Fatalf("%d results for %d inputs", len(lines), len(raws))
	}
	agree := 0
	for i, line := range lines {
		var res struct {
			Err       *string
			Text      *string
			DecodeErr *string `json:"decode_err"`
		}
		if err := json.Unmarshal([]byte(line), &res); err != nil {
			t.Fatal(err)
		}
		switch {
		case errs[i] != nil && res.Err == nil && !lenient[i]:
			t.Errorf("%s: DecodeSource error %q, but ast.parse decodes it", names[i], errs[i].Msg)
		case errs[i] == nil && res.Err != nil:
			t.Errorf("%s: DecodeSource succeeds, but ast.parse: %s", names[i], *res.Err)
		case errs[i] == nil && res.Text == nil:
			t.Errorf("%s: Python cannot decode with %s: %v", names[i], srcs[i].Encoding, *res.DecodeErr)
		case errs[i] == nil && *res.Text != string(srcs[i].Text):
			t.Errorf("%s: Text = %q, Python decodes %q", names[i], srcs[i].Text, *res.Text)
		default:
			agree++
		}
	}
	t.Logf("%s: %d of %d inputs agree", py, agree, len(raws))
}

// TestSourceCodecNamesAgainstCPython resolves every alias and codec module
// name of Python, and variants of them, with pythonCodecModule and
// codecs.lookup.
func TestSourceCodecNamesAgainstCPython(t *testing.T) {
	py := oraclePython(t)
	script := `
import codecs, encodings.aliases, pkgutil, encodings, sys
names = set(encodings.aliases.aliases) | {m.name for m in pkgutil.iter_modules(encodings.__path__)}
variants = set()
for n in names:
    variants |= {n, n.upper(), n.replace("_", "-"), n.replace("_", ""), "-" + n + "-", n.replace("_", "--"), n.replace("_", ".")}
for m in sorted(names):
    try: print("module", m, codecs.lookup(m).name)
    except LookupError: pass
for n in sorted(variants):
    try: print("name", n, codecs.lookup(n).name)
    except LookupError: print("name", n, "-")
`
	n, bad := 0, 0
	moduleCodec := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(runOracle(t, py, script, nil))), "\n") {
		f := strings.Fields(line)
		if f[0] == "module" {
			moduleCodec[f[1]] = f[2]
			continue
		}
		name, pyCodec := f[1], f[2]
		n++
		module := pythonCodecModule(name)
		ours := "-"
		if module != "" {
			ours = moduleCodec[module]
		}
		if ours != pyCodec {
			bad++
			t.Errorf("pythonCodecModule(%q) = %q (%s); codecs.lookup: %s", name, module, ours, pyCodec)
		}
	}
	t.Logf("%d codec names checked, %d disagree", n, bad)
}

// TestSourceCharmapsAgainstCPython compares every byte of each supported
// single-byte codec with Python's codec.
func TestSourceCharmapsAgainstCPython(t *testing.T) {
	py := oraclePython(t)
	var modules []string
	for _, m := range pythonModules(t, py) {
		if c, ok := codecForModule(m); ok && (c.kind == codecCharmap || c.kind == codecLatin1 || c.kind == codecASCII) {
			modules = append(modules, m)
		}
	}
	script := `
import sys
for m in sys.stdin.read().split():
    row = []
    for b in range(256):
        try: row.append("%x" % ord(bytes([b]).decode(m)))
        except UnicodeDecodeError: row.append("-")
    print(m, " ".join(row))
`
	out := runOracle(t, py, script, []byte(strings.Join(modules, "\n")))
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		m := f[0]
		c, _ := codecForModule(m)
		for b := range 256 {
			want := f[1+b]
			got := "-"
			text := []byte{byte(b)}
			if b == '\r' || b == '\n' {
				continue // translated before decoding
			}
			d := sourceDecoder{filename: "f.py", body: text}
			if out, err := d.decode(c, text); err == nil {
				r, _ := utf8.DecodeRune(out)
				got = fmt.Sprintf("%x", r)
			}
			if got != want {
				t.Errorf("%s: byte 0x%02x decodes to %s, Python %s", m, b, got, want)
			}
		}
	}
	t.Logf("%d single-byte codecs checked: %s", len(modules), strings.Join(modules, " "))
}

// pythonModules returns the codec modules of the interpreter.
func pythonModules(t *testing.T, py string) []string {
	out := runOracle(t, py, `
import encodings, pkgutil
print("\n".join(m.name for m in pkgutil.iter_modules(encodings.__path__)))`, nil)
	return strings.Fields(string(out))
}

// TestSourceMultibyteAgainstCPython decodes text encoded by Python with each CJK
// codec, and invalid sequences, and compares with Python.
func TestSourceMultibyteAgainstCPython(t *testing.T) {
	py := oraclePython(t)
	script := `
import sys, json
samples = ["日本語のテキスト、ひらがな・カタカナ。", "中文文本，你好世界。", "繁體中文，你好世界。", "한국어 텍스트 안녕하세요", "ASCII only ~{ }~ \\ ~", "ｱｲｳｴｵ ①②③ ㈱ ≒≡∫"]
bad = [b"\x80", b"\xff", b"\x81", b"\xa1", b"\x8e", b"\xfe\xfe", b"\x82\x20", b"\xa4\x0a"]
for m in sys.stdin.read().split():
    for s in samples:
        try: b = s.encode(m)
        except UnicodeEncodeError: continue
        print(json.dumps([m, b.hex(), s, None, "sample"]))
    for b in bad:
        raw = b"x = '" + b + b"'\n"
        try: print(json.dumps([m, raw.hex(), raw.decode(m), None, "bad"]))
        except UnicodeDecodeError as e: print(json.dumps([m, raw.hex(), None, e.reason, "bad"]))
`
	var modules []string
	for _, m := range pythonModules(t, py) {
		if c, ok := codecForModule(m); ok && c.kind == codecMultibyte {
			modules = append(modules, m)
		}
	}
	out := runOracle(t, py, script, []byte(strings.Join(modules, "\n")))
	samples, bad, mismatches := 0, 0, 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var rec [5]*string
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatal(err)
		}
		m, kind := *rec[0], *rec[4]
		raw, _ := hex.DecodeString(*rec[1])
		c, _ := codecForModule(m)
		d := sourceDecoder{filename: "f.py", body: raw}
		got, err := d.decode(c, translateNewlines(raw))
		var diff string
		switch {
		case rec[2] != nil && err != nil:
			diff = fmt.Sprintf("%s: %x: %s, Python decodes %q", m, raw, err.Msg, *rec[2])
		case rec[2] != nil && string(got) != *rec[2]:
			diff = fmt.Sprintf("%s: %x decodes to %q, Python %q", m, raw, got, *rec[2])
		case rec[2] == nil && err == nil:
			diff = fmt.Sprintf("%s: %x decodes to %q, Python fails (%s)", m, raw, got, *rec[3])
		}
		if kind == "sample" {
			samples++
			if diff != "" {
				t.Error(diff) // real text must decode as in Python
			}
			continue
		}
		bad++
		if diff != "" {
			// x/text follows the WHATWG Encoding Standard, whose tables
			// differ from Python's at the edges (mostly supersets).
			t.Log(diff)
			mismatches++
		}
	}
	t.Logf("%d codecs: %d text samples agree with Python; %d of %d edge-case byte sequences differ", len(modules), samples, mismatches, bad)
}

// FuzzDecodeSource checks that DecodeSource never panics and that its text
// is valid UTF-8 without carriage returns or null bytes.
func FuzzDecodeSource(f *testing.F) {
	for _, tc := range sourceCases {
		f.Add([]byte(tc.raw))
	}
	f.Add([]byte("# coding: utf-16\n\xff\xfex\x01"))
	f.Add([]byte("# coding: utf-32\n\xff\xfe\x01\x01\x01\x01"))
	f.Add([]byte("# coding: iso2022_jp\n\x1b$B$\"\x1b(B"))
	f.Add([]byte("# coding: hz\n~{<:Ky2;S{#,NpJ)l6HK!#~}"))
	f.Add([]byte("# coding: gb18030\n\x81\x30\x81\x30\x84\x31\xa4\x37\x84"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		src, err := DecodeSource("f.py", raw)
		if err != nil {
			if err.Line < 1 || err.Col < 0 || err.EndLine < err.Line || err.EndCol < err.Col || err.Msg == "" {
				t.Fatalf("bad error %+v", err)
			}
			return
		}
		if !utf8.Valid(src.Text) {
			t.Fatalf("invalid UTF-8 text %q", src.Text)
		}
		if bytes.ContainsAny(src.Text, "\r\x00") {
			t.Fatalf("text has CR or NUL: %q", src.Text)
		}
		if src.Encoding == "" {
			t.Fatal("no encoding")
		}
		if src.Encoding == "utf-8" {
			want := bytes.TrimPrefix(raw, []byte(utf8BOM))
			want = bytes.ReplaceAll(want, []byte("\r\n"), []byte("\n"))
			want = bytes.ReplaceAll(want, []byte("\r"), []byte("\n"))
			if !bytes.Equal(src.Text, want) {
				t.Fatalf("Text = %q, want %q", src.Text, want)
			}
		}
	})
}

// FuzzDecodeSourceCodecs fuzzes the decoders of every supported codec: the
// input is decoded under a cookie naming the codec that its first byte
// selects.
func FuzzDecodeSourceCodecs(f *testing.F) {
	codecs := []string{"latin-1", "ascii", "cp1252", "cp1255", "iso-8859-7", "tis-620", "koi8-u", "cp037", "mac-roman",
		"shift_jis", "cp932", "euc-jp", "iso2022_jp", "gbk", "gb18030", "hz", "big5", "euc-kr",
		"utf-16", "utf-16-be", "utf-32", "utf-32-le", "utf8"}
	for i := range codecs {
		f.Add(uint8(i), []byte("x = 'caf\xe9 \x82\xa0 \xa4\xa2 \x84\x31\xa4\x37'\r\n\xff\xfe"))
	}
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		name := codecs[int(which)%len(codecs)]
		raw := append([]byte("# coding: "+name+"\n"), body...)
		src, err := DecodeSource("f.py", raw)
		if err != nil {
			if err.Line < 1 || err.Col < 0 || err.EndLine < err.Line || err.EndCol < err.Col || err.Msg == "" {
				t.Fatalf("bad error %+v", err)
			}
			return
		}
		if !utf8.Valid(src.Text) || bytes.ContainsAny(src.Text, "\r\x00") {
			t.Fatalf("%s: bad text %q", name, src.Text)
		}
		if want := normalCodingName(name); src.Encoding != want {
			t.Fatalf("Encoding = %q, want %q", src.Encoding, want)
		}
	})
}

// benchSource returns about 1 MB of typical Python source.
func benchSource() []byte {
	chunk := `# -*- coding: utf-8 -*-
"""Module docstring with some prose: naïve café, ☃."""

import os
import sys
from typing import Any, Optional


class Example(object):
    """An example class."""

    def __init__(self, name: str, value: Optional[int] = None) -> None:
        self.name = name
        self.value = value if value is not None else 42

    def compute(self, *args: Any, **kwargs: Any) -> int:
        total = 0
        for i, arg in enumerate(args):
            if isinstance(arg, int) and arg % 2 == 0:
                total += arg * i
            elif isinstance(arg, str):
                total += len(arg)
        return total + sum(kwargs.values())  # trailing comment


def main(argv: list[str]) -> int:
    ex = Example("demo")
    print(f"{ex.name}: {ex.compute(1, 2, 3, 'four', five=5)}")
    return 0
`
	return bytes.Repeat([]byte(chunk), 1<<20/len(chunk))
}

func BenchmarkDecodeSource(b *testing.B) {
	src := benchSource()
	crlf := bytes.ReplaceAll(src, []byte("\n"), []byte("\r\n"))
	latin1 := []byte("# coding: latin-1\n" + strings.NewReplacer("ï", "\xef", "é", "\xe9", "☃", "*").Replace(string(src)))
	cp1252 := []byte("# coding: cp1252\n" + string(latin1[len("# coding: latin-1\n"):]))
	for _, bc := range []struct {
		name string
		raw  []byte
	}{{"utf8", src}, {"crlf", crlf}, {"latin1", latin1}, {"cp1252", cp1252}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.raw)))
			for b.Loop() {
				if _, err := DecodeSource("bench.py", bc.raw); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestDecodeSourceCPythonLib decodes every source file of the standard
// library of the Python interpreter (including the encoding tests in
// test/tokenizedata and test/encoded_modules) and checks the codec against
// tokenize.detect_encoding, the text of files that need decoding against
// Python's codec, and errors against ast.parse.
func TestDecodeSourceCPythonLib(t *testing.T) {
	py := oraclePython(t)
	stdlib := strings.TrimSpace(string(runOracle(t, py, `import sysconfig; print(sysconfig.get_paths()["stdlib"])`, nil)))
	var paths []string
	filepath.WalkDir(stdlib, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(path, ".py") || strings.HasSuffix(path, ".txt") && strings.Contains(path, "tokenizedata")) {
			paths = append(paths, path)
		}
		return nil
	})
	if len(paths) == 0 {
		t.Skipf("no sources under %s", stdlib)
	}
	var in bytes.Buffer
	type result struct {
		src  *Source
		err  *Error
		slow bool
	}
	results := make([]result, len(paths))
	for i, path := range paths {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		src, derr := DecodeSource(path, raw)
		r := result{src: src, err: derr}
		enc := "-"
		if derr == nil {
			enc = src.Encoding
			r.slow = len(src.Text) == 0 || len(raw) == 0 || &src.Text[len(src.Text)-1] != &raw[len(raw)-1]
		}
		results[i] = r
		fmt.Fprintf(&in, "%s\t%s\t%v\n", path, enc, r.slow)
	}
	script := `
import ast, codecs, hashlib, io, json, sys, tokenize, warnings
warnings.simplefilter("ignore")
for line in sys.stdin:
    path, enc, slow = line.rstrip("\n").split("\t")
    raw = open(path, "rb").read()
    res = {}
    try:
        res["detect"] = codecs.lookup(tokenize.detect_encoding(io.BytesIO(raw).readline)[0]).name
    except (SyntaxError, LookupError) as e:
        res["detect"] = "error: %s" % e
    if enc == "-":
        try:
            ast.parse(raw)
        except SyntaxError as e:
            if any(s in e.msg for s in ("null bytes", "encoding", "codec")):
                res["err"] = e.msg
        except (ValueError, UnicodeDecodeError) as e:
            res["err"] = str(e)
    else:
        res["ours"] = codecs.lookup(enc).name
        if slow == "true":
            b = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
            if b.startswith(b"\xef\xbb\xbf"):
                b = b[3:]
            res["sha"] = hashlib.sha1(b.decode(enc).encode()).hexdigest()
    print(json.dumps(res))
`
	out := runOracle(t, py, script, in.Bytes())
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != len(paths) {
		t.Fatalf("%d results for %d files", len(lines), len(paths))
	}
	var slow, failed, lenient int
	for i, line := range lines {
		var res struct{ Detect, Err, Ours, Sha string }
		if err := json.Unmarshal([]byte(line), &res); err != nil {
			t.Fatal(err)
		}
		r, path := results[i], paths[i]
		if r.err != nil {
			failed++
			t.Logf("%v", r.err)
			if res.Err == "" {
				if strings.Contains(r.err.Msg, "'utf-8' codec") {
					lenient++ // ast.parse only decodes the tokens that need it
					t.Logf("%s: %v (ast.parse accepts it)", path, r.err)
				} else {
					t.Errorf("%s: %v, but ast.parse decodes it", path, r.err)
				}
			}
			continue
		}
		if detect := strings.TrimSuffix(res.Detect, "-sig"); res.Ours != detect {
			t.Errorf("%s: codec %s, tokenize.detect_encoding %s", path, res.Ours, res.Detect)
		}
		if r.slow {
			slow++
			if sha := fmt.Sprintf("%x", sha1Sum(r.src.Text)); sha != res.Sha {
				t.Errorf("%s: text differs from Python's decoding", path)
			}
		}
	}
	t.Logf("%s: %d files, %d needed translation or decoding, %d rejected (%d of them accepted by ast.parse)", py, len(paths), slow, failed, lenient)
}

func sha1Sum(b []byte) [sha1.Size]byte { return sha1.Sum(b) }

// TestSourceCookieMatrixAgainstCPython combines a BOM, first and second lines
// (cookies, comments, code, blanks), line ends and string literals holding
// bytes of various codecs, and compares DecodeSource with ast.parse: a
// decoding error must be reported by both or neither, and decoded text
// must match Python's codec.
func TestSourceCookieMatrixAgainstCPython(t *testing.T) {
	py := oraclePython(t)
	boms := []string{"", "\ufeff"}
	firsts := []string{"", "#!/usr/bin/env python", "# comment", "x = 1", " \t\f", "  # coding: latin-1", "#coding:foobar",
		"# -*- coding: utf-8 -*-", "# coding=cp1252", "# coding: utf8", "# vim: fileencoding=koi8-r", "#coding: ascii", "pass # coding: foobar"}
	seconds := []string{"", "# coding: latin-1", "# -*- coding: foobar -*-", "x = 2", "# coding: UTF-8", "#", "# coding: euc-jp"}
	ends := []string{"\n", "\r\n", "\r"}
	bodies := []string{"", "s = 'é☃'", "s = '\xe9'", "s = '\x81\x40'", "s = '\xa4\xa2'", "s = '\xff'"}
	var raws []string
	for _, bom := range boms {
		for _, l1 := range firsts {
			for _, l2 := range seconds {
				for _, nl := range ends {
					for _, body := range bodies {
						raws = append(raws, bom+l1+nl+l2+nl+body+nl)
					}
				}
			}
		}
	}
	var in bytes.Buffer
	srcs := make([]*Source, len(raws))
	errs := make([]*Error, len(raws))
	for i, raw := range raws {
		srcs[i], errs[i] = DecodeSource("f.py", []byte(raw))
		enc := "-"
		if errs[i] == nil {
			enc = srcs[i].Encoding
		}
		fmt.Fprintf(&in, "%s %s\n", hex.EncodeToString([]byte(raw)), enc)
	}
	lines := strings.Split(strings.TrimSpace(string(runOracle(t, py, sourceOracle, in.Bytes()))), "\n")
	if len(lines) != len(raws) {
		t.Fatalf("%d results for %d inputs", len(lines), len(raws))
	}
	bad := 0
	for i, line := range lines {
		var res struct {
			Err       *string
			Text      *string
			DecodeErr *string `json:"decode_err"`
		}
		if err := json.Unmarshal([]byte(line), &res); err != nil {
			t.Fatal(err)
		}
		var msg string
		switch {
		case errs[i] != nil && res.Err == nil:
			msg = fmt.Sprintf("DecodeSource: %s; ast.parse decodes it", errs[i].Msg)
		case errs[i] == nil && res.Err != nil:
			msg = fmt.Sprintf("DecodeSource succeeds (%s); ast.parse: %s", srcs[i].Encoding, *res.Err)
		case errs[i] == nil && res.Text == nil:
			msg = fmt.Sprintf("Python cannot decode with %s: %s", srcs[i].Encoding, *res.DecodeErr)
		case errs[i] == nil && *res.Text != string(srcs[i].Text):
			msg = fmt.Sprintf("Text = %q, Python %q", srcs[i].Text, *res.Text)
		}
		if msg != "" {
			bad++
			if bad <= 20 {
				t.Errorf("%q: %s", raws[i], msg)
			}
		}
	}
	nerr, encs := 0, map[string]int{}
	for i := range raws {
		if errs[i] != nil {
			nerr++
		} else {
			encs[srcs[i].Encoding]++
		}
	}
	t.Logf("%s: %d inputs (%d rejected, decoded: %v), %d disagree", py, len(raws), nerr, encs, bad)
}
