package python

// This file decodes source files into UTF-8 text the way CPython's tokenizer
// does: a UTF-8 byte order mark, a PEP 263 coding cookie on one of the
// first two lines, UTF-8 by default (PEP 3120), and universal newlines.

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/transform"
)

// Source is decoded Python source text.
type Source struct {
	Text     []byte // UTF-8, BOM removed, "\r\n" and lone "\r" translated to "\n"
	Encoding string // "utf-8", or the codec named by the coding cookie (as written, lower-cased)
}

// DecodeSource decodes raw file bytes the way CPython's tokenizer does (PEP 263, PEP 3120).
//
// The common case, UTF-8 text with "\n" line ends and no byte order mark or
// other coding, costs one validation pass and returns raw itself as Text,
// without copying; Text aliases raw whenever no translation is needed (a
// BOM is removed by slicing).
//
// Errors, of which DecodeSource reports the first only, are: null bytes
// anywhere ("source code cannot contain null bytes"); a coding cookie that
// contradicts a BOM ("encoding problem: NAME with BOM"); a codec Python does
// not know ("unknown encoding: NAME") or that pyrace cannot decode
// ("unsupported encoding: NAME"); and bytes the codec cannot decode, which
// are reported as CPython words them, e.g. "(unicode error) 'utf-8' codec
// can't decode byte 0xf6 in position 4: invalid start byte", where the
// position is the byte offset in the line. Error positions are those of the
// offending bytes (of the codec's name for cookie errors): Line is 1-based,
// Col a 0-based byte offset in the raw line (after the BOM on line 1).
//
// Unlike ast.parse on bytes, which only decodes string literals and names
// and so lets invalid UTF-8 in comments pass, DecodeSource rejects invalid
// bytes anywhere, as CPython does when it runs a file.
func DecodeSource(filename string, raw []byte) (*Source, *Error) {
	d := sourceDecoder{filename: filename, body: raw}
	if bytes.HasPrefix(raw, []byte(utf8BOM)) {
		d.body = raw[len(utf8BOM):]
		d.bom = true
	}
	if i := bytes.IndexByte(d.body, 0); i >= 0 {
		return nil, d.errorAt(i, 1, "source code cannot contain null bytes")
	}
	c, enc, err := d.codec()
	if err != nil {
		return nil, err
	}
	if c.kind == codecUTF8 {
		// The fast path: validate, and return the input itself unless it
		// has carriage returns to translate.
		if !utf8.Valid(d.body) {
			return nil, d.utf8Error(c.name)
		}
		return &Source{Text: translateNewlines(d.body), Encoding: enc}, nil
	}
	// CPython translates line ends before it decodes.
	text, err := d.decode(c, translateNewlines(d.body))
	if err != nil {
		return nil, err
	}
	return &Source{Text: text, Encoding: enc}, nil
}

// utf8BOM is the UTF-8 encoding of U+FEFF, the byte order mark.
const utf8BOM = "\xEF\xBB\xBF"

// sourceDecoder holds the state of one DecodeSource call.
type sourceDecoder struct {
	filename string
	body     []byte // the raw bytes less the BOM
	bom      bool
}

// codec determines the file's codec from the BOM and the coding cookie.
func (d *sourceDecoder) codec() (c codec, enc string, err *Error) {
	cookie, off, found := findCodingCookie(d.body)
	if !found || bytes.EqualFold(cookie, []byte("utf-8")) {
		return utf8Codec, "utf-8", nil // without allocating in the common cases
	}
	name := normalCodingName(string(cookie))
	if name == "utf-8" {
		return utf8Codec, "utf-8", nil
	}
	if d.bom {
		return codec{}, "", d.errorAt(off, len(cookie), fmt.Sprintf("encoding problem: %s with BOM", name))
	}
	module := pythonCodecModule(name)
	c, ok := codecForModule(module)
	if !ok {
		var msg string
		switch {
		case module == "":
			msg = "unknown encoding: " + name
		case module == "undefined":
			msg = "undefined encoding"
		case isBinaryCodec(module):
			msg = fmt.Sprintf("'%s' is not a text encoding; use codecs.decode() to handle arbitrary codecs", name)
		default:
			msg = "unsupported encoding: " + name
		}
		return codec{}, "", d.errorAt(off, len(cookie), msg)
	}
	return c, strings.ToLower(name), nil
}

// errorAt returns an error for the n bytes at offset off of d.body.
func (d *sourceDecoder) errorAt(off, n int, msg string) *Error {
	return errorInText(d.filename, d.body, off, n, msg)
}

// errorInText returns an error for the n bytes at offset off of text, whose
// lines end in "\n", "\r\n" or "\r".
func errorInText(filename string, text []byte, off, n int, msg string) *Error {
	line, start := 1, 0
	for i := 0; i < off; i++ {
		switch text[i] {
		case '\n':
			line, start = line+1, i+1
		case '\r':
			if i+1 < len(text) && text[i+1] == '\n' {
				i++
			}
			line, start = line+1, i+1
		}
	}
	col := off - start
	return &Error{Filename: filename, Line: line, Col: col, EndLine: line, EndCol: col + n, Msg: msg}
}

// translateNewlines returns text with "\r\n" and "\r" replaced by "\n": text
// itself when it has no "\r", else a copy.
func translateNewlines(text []byte) []byte {
	i := bytes.IndexByte(text, '\r')
	if i < 0 {
		return text
	}
	out := make([]byte, 0, len(text))
	for i >= 0 {
		out = append(out, text[:i]...)
		out = append(out, '\n')
		text = text[i+1:]
		if len(text) > 0 && text[0] == '\n' {
			text = text[1:]
		}
		i = bytes.IndexByte(text, '\r')
	}
	return append(out, text...)
}

// findCodingCookie looks for a PEP 263 coding declaration the way CPython's
// tokenizer does: a comment line matching
// `^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)` (\w in ASCII) that is the first
// line, or the second when the first is blank or a comment. It returns the
// codec name and its offset in text. Only comment lines are scanned to their
// end, so the cost is small even when the first line is long code.
func findCodingCookie(text []byte) (name []byte, off int, found bool) {
	for lineno, start := 1, 0; lineno <= 2 && start < len(text); lineno++ {
		line := text[start:]
		i := 0
		for i < len(line) && (line[i] == ' ' || line[i] == '\t' || line[i] == '\f') {
			i++
		}
		if i == len(line) {
			return nil, 0, false
		}
		switch line[i] {
		case '#':
			end := lineEnd(line)
			if name, j, ok := cookieInLine(line[:end], i); ok {
				return name, start + j, true
			}
			start += end
		case '\n', '\r':
			start += i
		default:
			return nil, 0, false // a code line: no cookie after it
		}
		// Skip the line end, which is "\n", "\r\n" or "\r".
		if start < len(text) {
			start++
			if text[start-1] == '\r' && start < len(text) && text[start] == '\n' {
				start++
			}
		}
	}
	return nil, 0, false
}

// lineEnd returns the length of the first line of text, without its end.
func lineEnd(text []byte) int {
	end := bytes.IndexByte(text, '\n')
	if end < 0 {
		end = len(text)
	}
	if cr := bytes.IndexByte(text[:end], '\r'); cr >= 0 {
		end = cr
	}
	return end
}

// cookieInLine returns the codec name of a coding declaration in a comment
// line whose '#' is at offset hash, and the name's offset.
func cookieInLine(line []byte, hash int) (name []byte, off int, ok bool) {
	i := hash
	for {
		j := bytes.Index(line[i:], []byte("coding"))
		if j < 0 {
			return nil, 0, false
		}
		i += j + len("coding")
		if i == len(line) || line[i] != ':' && line[i] != '=' {
			continue
		}
		k := i + 1
		for k < len(line) && (line[k] == ' ' || line[k] == '\t') {
			k++
		}
		start := k
		for k < len(line) && isCodingNameByte(line[k]) {
			k++
		}
		if k > start {
			return line[start:k], start, true
		}
	}
}

func isCodingNameByte(c byte) bool {
	return 'a' <= c|0x20 && c|0x20 <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.'
}

// normalCodingName is CPython's get_normal_name: it maps "utf-8" and
// "utf-8-*" to "utf-8", and the spellings of Latin-1 to "iso-8859-1",
// looking at the first 12 characters only, case-insensitively and with '_'
// for '-'. Other names are returned as they are.
func normalCodingName(name string) string {
	var buf [12]byte
	n := copy(buf[:], name)
	for i, c := range buf[:n] {
		switch {
		case c == '_':
			buf[i] = '-'
		case 'A' <= c && c <= 'Z':
			buf[i] = c + ('a' - 'A')
		}
	}
	s := string(buf[:n])
	switch {
	case s == "utf-8", strings.HasPrefix(s, "utf-8-"):
		return "utf-8"
	case s == "latin-1", s == "iso-8859-1", s == "iso-latin-1",
		strings.HasPrefix(s, "latin-1-"), strings.HasPrefix(s, "iso-8859-1-"), strings.HasPrefix(s, "iso-latin-1-"):
		return "iso-8859-1"
	}
	return name
}

// ----------------------------------------------------------------------------
// Codecs

type codecKind uint8

const (
	codecUTF8      codecKind = iota
	codecASCII               // bytes 0x00-0x7F only
	codecLatin1              // every byte is its own code point
	codecCharmap             // another single-byte code page (x/text charmap)
	codecMultibyte           // an ASCII-compatible multibyte codec (x/text)
	codecUTF16               // UTF-16 or UTF-32
)

// codec is a decoder for one of Python's codecs.
type codec struct {
	kind codecKind
	name string // Python's name for the codec in error messages
	// codecCharmap
	module string // Python's codec module, for the table's patches
	cm     *charmap.Charmap
	c1     bool // bytes 0x80-0x9F are the C1 controls, as in Python's ISO 8859 codecs
	// codecMultibyte
	enc encoding.Encoding
	// codecUTF16
	width  int  // 2 or 4
	bigEnd bool // big-endian unless a BOM says otherwise
	bomOK  bool // a leading BOM selects the byte order and is dropped
}

var utf8Codec = codec{kind: codecUTF8, name: "utf-8"}

// codecForModule returns the decoder for the Python codec module (as
// returned by pythonCodecModule), if pyrace supports it.
func codecForModule(module string) (codec, bool) {
	switch module {
	case "utf_8", "utf_8_sig":
		return utf8Codec, true
	case "ascii":
		return codec{kind: codecASCII, name: "ascii"}, true
	case "latin_1", "iso8859_1", "charmap":
		return codec{kind: codecLatin1, name: "latin-1"}, true
	case "utf_16":
		return codec{kind: codecUTF16, name: "utf-16", width: 2, bomOK: true}, true
	case "utf_16_le":
		return codec{kind: codecUTF16, name: "utf-16-le", width: 2}, true
	case "utf_16_be":
		return codec{kind: codecUTF16, name: "utf-16-be", width: 2, bigEnd: true}, true
	case "utf_32":
		return codec{kind: codecUTF16, name: "utf-32", width: 4, bomOK: true}, true
	case "utf_32_le":
		return codec{kind: codecUTF16, name: "utf-32-le", width: 4}, true
	case "utf_32_be":
		return codec{kind: codecUTF16, name: "utf-32-be", width: 4, bigEnd: true}, true
	}
	if cm, c1 := singleByteCharmap(module); cm != nil {
		return codec{kind: codecCharmap, name: "charmap", module: module, cm: cm, c1: c1}, true
	}
	if enc := multibyteEncoding(module); enc != nil {
		return codec{kind: codecMultibyte, name: module, enc: enc}, true
	}
	return codec{}, false
}

// singleByteCharmap returns the x/text code page for a Python single-byte
// codec, and whether Python decodes bytes 0x80-0x9F of it to the C1
// controls (x/text leaves them undefined). The few other differences
// between the tables are patched in charmapTable.
func singleByteCharmap(module string) (cm *charmap.Charmap, c1 bool) {
	switch module {
	case "iso8859_2":
		return charmap.ISO8859_2, true
	case "iso8859_3":
		return charmap.ISO8859_3, true
	case "iso8859_4":
		return charmap.ISO8859_4, true
	case "iso8859_5":
		return charmap.ISO8859_5, true
	case "iso8859_6":
		return charmap.ISO8859_6, true
	case "iso8859_7":
		return charmap.ISO8859_7, true
	case "iso8859_8":
		return charmap.ISO8859_8, true
	case "iso8859_9":
		return charmap.ISO8859_9, true
	case "iso8859_10":
		return charmap.ISO8859_10, true
	case "iso8859_11", "tis_620":
		return charmap.Windows874, true
	case "iso8859_13":
		return charmap.ISO8859_13, true
	case "iso8859_14":
		return charmap.ISO8859_14, true
	case "iso8859_15":
		return charmap.ISO8859_15, true
	case "iso8859_16":
		return charmap.ISO8859_16, true
	case "cp874":
		return charmap.Windows874, false
	case "cp1250":
		return charmap.Windows1250, false
	case "cp1251":
		return charmap.Windows1251, false
	case "cp1252":
		return charmap.Windows1252, false
	case "cp1253":
		return charmap.Windows1253, false
	case "cp1254":
		return charmap.Windows1254, false
	case "cp1255":
		return charmap.Windows1255, false
	case "cp1256":
		return charmap.Windows1256, false
	case "cp1257":
		return charmap.Windows1257, false
	case "cp1258":
		return charmap.Windows1258, false
	case "koi8_r":
		return charmap.KOI8R, false
	case "koi8_u":
		return charmap.KOI8U, false
	case "mac_roman":
		return charmap.Macintosh, false
	case "mac_cyrillic":
		return charmap.MacintoshCyrillic, false
	case "cp037":
		return charmap.CodePage037, false
	case "cp437":
		return charmap.CodePage437, false
	case "cp850":
		return charmap.CodePage850, false
	case "cp852":
		return charmap.CodePage852, false
	case "cp855":
		return charmap.CodePage855, false
	case "cp858":
		return charmap.CodePage858, false
	case "cp860":
		return charmap.CodePage860, false
	case "cp862":
		return charmap.CodePage862, false
	case "cp863":
		return charmap.CodePage863, false
	case "cp865":
		return charmap.CodePage865, false
	case "cp866":
		return charmap.CodePage866, false
	case "cp1140":
		return charmap.CodePage1140, false
	}
	return nil, false
}

// multibyteEncoding returns the x/text decoder for a Python CJK codec. The
// x/text decoders implement the WHATWG Encoding Standard, whose tables are
// supersets of the older standards: shift_jis decodes as Windows-31J
// (cp932), gb2312 as GBK, euc_kr as UHC (cp949) and big5 as Big5-HKSCS, so
// a few byte sequences that Python rejects under the narrower codec are
// accepted, and a few (e.g. Shift_JIS 0x815F) map to a different code point.
func multibyteEncoding(module string) encoding.Encoding {
	switch module {
	case "shift_jis", "cp932":
		return japanese.ShiftJIS
	case "euc_jp":
		return japanese.EUCJP
	case "iso2022_jp":
		return japanese.ISO2022JP
	case "gb2312", "gbk":
		return simplifiedchinese.GBK
	case "gb18030":
		return simplifiedchinese.GB18030
	case "hz":
		return simplifiedchinese.HZGB2312
	case "big5", "cp950", "big5hkscs":
		return traditionalchinese.Big5
	case "euc_kr", "cp949":
		return korean.EUCKR
	}
	return nil
}

// isBinaryCodec reports Python's bytes-to-bytes codecs, which cannot decode
// source text.
func isBinaryCodec(module string) bool {
	switch module {
	case "base64_codec", "bz2_codec", "hex_codec", "quopri_codec", "rot_13", "uu_codec", "zlib_codec":
		return true
	}
	return false
}

// decode decodes text, whose line ends are "\n", with codec c.
func (d *sourceDecoder) decode(c codec, text []byte) ([]byte, *Error) {
	var out []byte
	var err *Error
	switch c.kind {
	case codecASCII:
		for i, b := range text {
			if b >= utf8.RuneSelf {
				return nil, d.decodeError(text, c.name, i, 1, "ordinal not in range(128)")
			}
		}
		return text, nil
	case codecLatin1:
		out = make([]byte, 0, len(text)+len(text)/4)
		for _, b := range text {
			out = utf8.AppendRune(out, rune(b))
		}
		return out, nil
	case codecCharmap:
		out, err = d.decodeCharmap(c, text)
	case codecMultibyte:
		out, err = d.decodeMultibyte(c, text)
	case codecUTF16:
		out, err = d.decodeUTF16(c, text)
	default:
		panic("unreachable")
	}
	if err != nil {
		return nil, err
	}
	// A decoded "\r" can only come from an exotic codec, but Text never
	// holds one.
	return translateNewlines(out), nil
}

// decodeError reports the n undecodable bytes at offset off of text.
func (d *sourceDecoder) decodeError(text []byte, codecName string, off, n int, reason string) *Error {
	e := errorInText(d.filename, text, off, n, "")
	if text := text[off:]; n == 1 || len(text) == 0 {
		b := byte(0)
		if len(text) > 0 {
			b = text[0]
		}
		e.Msg = fmt.Sprintf("(unicode error) '%s' codec can't decode byte 0x%02x in position %d: %s", codecName, b, e.Col, reason)
	} else {
		e.Msg = fmt.Sprintf("(unicode error) '%s' codec can't decode bytes in position %d-%d: %s", codecName, e.Col, e.Col+n-1, reason)
	}
	return e
}

// utf8Error reports the first invalid UTF-8 sequence of d.body.
func (d *sourceDecoder) utf8Error(codecName string) *Error {
	text := d.body
	for i := 0; i < len(text); {
		if text[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(text[i:])
		if r != utf8.RuneError || size > 1 {
			i += size
			continue
		}
		n, reason := invalidUTF8(text[i:])
		return d.decodeError(text, codecName, i, n, reason)
	}
	panic("utf8Error: text is valid UTF-8")
}

// invalidUTF8 describes the invalid UTF-8 sequence at the start of b as
// Python's decoder does: how many bytes it rejects, and why.
func invalidUTF8(b []byte) (n int, reason string) {
	c := b[0]
	need, lo, hi := 0, byte(0x80), byte(0xBF)
	switch {
	case c < 0xC2:
		return 1, "invalid start byte"
	case c < 0xE0:
		need = 1
	case c < 0xF0:
		need = 2
		if c == 0xE0 {
			lo = 0xA0
		} else if c == 0xED {
			hi = 0x9F // no surrogates
		}
	case c < 0xF5:
		need = 3
		if c == 0xF0 {
			lo = 0x90
		} else if c == 0xF4 {
			hi = 0x8F
		}
	default:
		return 1, "invalid start byte"
	}
	for i := 1; i <= need; i++ {
		if i == len(b) {
			return i, "unexpected end of data"
		}
		if x := b[i]; i == 1 && (x < lo || x > hi) || i > 1 && (x < 0x80 || x > 0xBF) {
			return i, "invalid continuation byte"
		}
	}
	return need + 1, "invalid continuation byte" // not reached for invalid input
}

// charmapTable returns the decoding table of a single-byte codec, with -1
// for undefined bytes, patched to agree with Python's codec.
func charmapTable(c codec) *[256]rune {
	var t [256]rune
	for b := range 256 {
		r := c.cm.DecodeByte(byte(b))
		if r == utf8.RuneError {
			r = -1
		}
		if c.c1 && 0x80 <= b && b <= 0x9F {
			r = rune(b)
		}
		t[b] = r
	}
	switch c.module {
	case "koi8_u": // x/text has KOI8-RU's Ў and ў here
		t[0xAE], t[0xBE] = 0x255D, 0x256C
	case "cp1255":
		t[0xCA] = -1
	case "tis_620": // ISO 8859-11 without the no-break space
		t[0xA0] = -1
	}
	return &t
}

func (d *sourceDecoder) decodeCharmap(c codec, text []byte) ([]byte, *Error) {
	t := charmapTable(c)
	out := make([]byte, 0, len(text)+len(text)/2)
	for i, b := range text {
		r := t[b]
		if r < 0 {
			return nil, d.decodeError(text, c.name, i, 1, "character maps to <undefined>")
		}
		out = utf8.AppendRune(out, r)
	}
	return out, nil
}

func (d *sourceDecoder) decodeMultibyte(c codec, text []byte) ([]byte, *Error) {
	out, _, terr := transform.Bytes(c.enc.NewDecoder(), text)
	if terr == nil && !bytes.Contains(out, []byte("\uFFFD")) {
		return out, nil
	}
	// The x/text decoders replace undecodable bytes with U+FFFD; find the
	// first replacement that the input does not encode.
	off, n := firstUndecodable(c.enc, text)
	if off < 0 {
		if terr != nil {
			return nil, d.decodeError(text, c.name, 0, len(text), terr.Error())
		}
		return out, nil
	}
	if off+n == len(text) {
		return nil, d.decodeError(text, c.name, off, n, "incomplete multibyte sequence")
	}
	// Python's CJK codecs blame the first byte only.
	return nil, d.decodeError(text, c.name, off, 1, "illegal multibyte sequence")
}

// firstUndecodable returns the offset and length of the first byte sequence
// of text that enc decodes to a U+FFFD it does not encode, or -1. It feeds
// the decoder one byte more at a time until it decodes something, so that
// each step decodes one character.
func firstUndecodable(enc encoding.Encoding, text []byte) (off, n int) {
	legit, err := enc.NewEncoder().Bytes([]byte("\uFFFD"))
	if err != nil {
		legit = nil
	}
	dec := enc.NewDecoder()
	dst := make([]byte, 64)
	for k := 1; off < len(text); {
		end := min(off+k, len(text))
		nDst, nSrc, err := dec.Transform(dst, text[off:end], end == len(text))
		if nSrc == 0 {
			if err == transform.ErrShortSrc && end < len(text) {
				k++
				continue
			}
			return off, end - off // the decoder is stuck here
		}
		if bytes.Contains(dst[:nDst], []byte("\uFFFD")) && !bytes.Equal(text[off:off+nSrc], legit) {
			return off, nSrc
		}
		off, k = off+nSrc, 1
	}
	return -1, 0
}

// decodeUTF16 decodes UTF-16 and UTF-32 as Python's codecs do.
func (d *sourceDecoder) decodeUTF16(c codec, text []byte) ([]byte, *Error) {
	w, big := c.width, c.bigEnd
	unit := func(i int) rune {
		if w == 2 {
			if big {
				return rune(text[i])<<8 | rune(text[i+1])
			}
			return rune(text[i+1])<<8 | rune(text[i])
		}
		if big {
			return rune(text[i])<<24 | rune(text[i+1])<<16 | rune(text[i+2])<<8 | rune(text[i+3])
		}
		return rune(text[i+3])<<24 | rune(text[i+2])<<16 | rune(text[i+1])<<8 | rune(text[i])
	}
	i := 0
	if c.bomOK && len(text) >= w {
		// Python reads a leading BOM in either byte order, and defaults
		// to the machine's (little-endian) order.
		big = false
		switch {
		case unit(0) == 0xFEFF:
			i = w
		case w == 2 && text[0] == 0xFE && text[1] == 0xFF,
			w == 4 && text[0] == 0 && text[1] == 0 && text[2] == 0xFE && text[3] == 0xFF:
			big, i = true, w
		}
	}
	name := c.name
	if c.bomOK && big {
		name += "-be"
	} else if c.bomOK {
		name += "-le"
	}
	out := make([]byte, 0, len(text))
	for i < len(text) {
		if len(text)-i < w {
			return nil, d.decodeError(text, name, i, len(text)-i, "truncated data")
		}
		r := unit(i)
		switch {
		case w == 4 && (r < 0 || r > utf8.MaxRune):
			return nil, d.decodeError(text, name, i, w, "code point not in range(0x110000)")
		case w == 4 && 0xD800 <= r && r < 0xE000:
			return nil, d.decodeError(text, name, i, w, "code point in surrogate code point range(0xd800, 0xe000)")
		case w == 2 && 0xDC00 <= r && r < 0xE000:
			return nil, d.decodeError(text, name, i, 2, "illegal encoding")
		case w == 2 && 0xD800 <= r && r < 0xDC00:
			if len(text)-i < 4 {
				return nil, d.decodeError(text, name, i, len(text)-i, "unexpected end of data")
			}
			lo := unit(i + 2)
			if lo < 0xDC00 || lo >= 0xE000 {
				return nil, d.decodeError(text, name, i, 2, "illegal UTF-16 surrogate")
			}
			r = 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00)
			i += 2
		}
		out = utf8.AppendRune(out, r)
		i += w
	}
	return out, nil
}

// ----------------------------------------------------------------------------
// Codec names

// pythonCodecModule resolves a codec name the way Python's codecs.lookup
// does (Lib/encodings/__init__.py of CPython 3.13, on a platform without
// the Windows-only mbcs and oem): it lower-cases the name, collapses each run
// of characters other than letters, digits and '.' into one '_', looks the
// result up in the alias table, and returns the name of the codec module, or
// "" when Python has no such codec.
func pythonCodecModule(name string) string {
	norm := normalizeEncodingName(name)
	alias := encodingAlias(norm)
	if alias == "" {
		alias = encodingAlias(strings.ReplaceAll(norm, ".", "_"))
	}
	for _, module := range [2]string{alias, norm} {
		if module != "" && !strings.Contains(module, ".") && isCodecModule(module) {
			return module
		}
	}
	return ""
}

// normalizeEncodingName is Python's encodings.normalize_encoding applied to
// the lower-cased name.
func normalizeEncodingName(name string) string {
	b := make([]byte, 0, len(name))
	punct := false
	for i := 0; i < len(name); i++ {
		c := name[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '.' {
			if punct && len(b) > 0 {
				b = append(b, '_')
			}
			b = append(b, c)
			punct = false
		} else {
			punct = true
		}
	}
	return string(b)
}

// isCodecModule reports whether Python 3.13 has a codec module of this name
// in its encodings package.
func isCodecModule(module string) bool {
	switch module {
	case "ascii", "base64_codec", "big5", "big5hkscs", "bz2_codec", "charmap", "cp037", "cp1006",
		"cp1026", "cp1125", "cp1140", "cp1250", "cp1251", "cp1252", "cp1253", "cp1254", "cp1255",
		"cp1256", "cp1257", "cp1258", "cp273", "cp424", "cp437", "cp500", "cp720", "cp737",
		"cp775", "cp850", "cp852", "cp855", "cp856", "cp857", "cp858", "cp860", "cp861", "cp862",
		"cp863", "cp864", "cp865", "cp866", "cp869", "cp874", "cp875", "cp932", "cp949", "cp950",
		"euc_jis_2004", "euc_jisx0213", "euc_jp", "euc_kr", "gb18030", "gb2312", "gbk",
		"hex_codec", "hp_roman8", "hz", "idna", "iso2022_jp", "iso2022_jp_1", "iso2022_jp_2",
		"iso2022_jp_2004", "iso2022_jp_3", "iso2022_jp_ext", "iso2022_kr", "iso8859_1",
		"iso8859_10", "iso8859_11", "iso8859_13", "iso8859_14", "iso8859_15", "iso8859_16",
		"iso8859_2", "iso8859_3", "iso8859_4", "iso8859_5", "iso8859_6", "iso8859_7", "iso8859_8",
		"iso8859_9", "johab", "koi8_r", "koi8_t", "koi8_u", "kz1048", "latin_1", "mac_arabic",
		"mac_croatian", "mac_cyrillic", "mac_farsi", "mac_greek", "mac_iceland", "mac_latin2",
		"mac_roman", "mac_romanian", "mac_turkish", "palmos", "ptcp154", "punycode",
		"quopri_codec", "raw_unicode_escape", "rot_13", "shift_jis", "shift_jis_2004",
		"shift_jisx0213", "tis_620", "undefined", "unicode_escape", "utf_16", "utf_16_be",
		"utf_16_le", "utf_32", "utf_32_be", "utf_32_le", "utf_7", "utf_8", "utf_8_sig",
		"uu_codec", "zlib_codec":
		return true
	}
	return false
}

// encodingAlias returns the codec module that an alias of Python 3.13's
// encodings.aliases stands for, or "".
func encodingAlias(name string) string {
	switch name {
	case "646", "ansi_x3.4_1968", "ansi_x3.4_1986", "ansi_x3_4_1968", "cp367", "csascii", "ibm367", "iso646_us", "iso_646.irv_1991", "iso_ir_6", "us", "us_ascii":
		return "ascii"
	case "base64", "base_64":
		return "base64_codec"
	case "big5_tw", "csbig5", "x_mac_trad_chinese":
		return "big5"
	case "big5_hkscs", "hkscs":
		return "big5hkscs"
	case "bz2":
		return "bz2_codec"
	case "037", "csibm037", "ebcdic_cp_ca", "ebcdic_cp_nl", "ebcdic_cp_us", "ebcdic_cp_wt", "ibm037", "ibm039":
		return "cp037"
	case "1026", "csibm1026", "ibm1026":
		return "cp1026"
	case "1125", "cp866u", "ibm1125", "ruscii":
		return "cp1125"
	case "1140", "ibm1140":
		return "cp1140"
	case "1250", "windows_1250":
		return "cp1250"
	case "1251", "windows_1251":
		return "cp1251"
	case "1252", "windows_1252":
		return "cp1252"
	case "1253", "windows_1253":
		return "cp1253"
	case "1254", "windows_1254":
		return "cp1254"
	case "1255", "windows_1255":
		return "cp1255"
	case "1256", "windows_1256":
		return "cp1256"
	case "1257", "windows_1257":
		return "cp1257"
	case "1258", "windows_1258":
		return "cp1258"
	case "273", "csibm273", "ibm273":
		return "cp273"
	case "424", "csibm424", "ebcdic_cp_he", "ibm424":
		return "cp424"
	case "437", "cspc8codepage437", "ibm437":
		return "cp437"
	case "500", "csibm500", "ebcdic_cp_be", "ebcdic_cp_ch", "ibm500":
		return "cp500"
	case "775", "cspc775baltic", "ibm775":
		return "cp775"
	case "850", "cspc850multilingual", "ibm850":
		return "cp850"
	case "852", "cspcp852", "ibm852":
		return "cp852"
	case "855", "csibm855", "ibm855":
		return "cp855"
	case "857", "csibm857", "ibm857":
		return "cp857"
	case "858", "csibm858", "ibm858":
		return "cp858"
	case "860", "csibm860", "ibm860":
		return "cp860"
	case "861", "cp_is", "csibm861", "ibm861":
		return "cp861"
	case "862", "cspc862latinhebrew", "ibm862":
		return "cp862"
	case "863", "csibm863", "ibm863":
		return "cp863"
	case "864", "csibm864", "ibm864":
		return "cp864"
	case "865", "csibm865", "ibm865":
		return "cp865"
	case "866", "csibm866", "ibm866":
		return "cp866"
	case "869", "cp_gr", "csibm869", "ibm869":
		return "cp869"
	case "932", "ms932", "ms_kanji", "mskanji", "windows_31j":
		return "cp932"
	case "949", "ms949", "uhc":
		return "cp949"
	case "950", "ms950":
		return "cp950"
	case "euc_jis2004", "eucjis2004", "jisx0213":
		return "euc_jis_2004"
	case "eucjisx0213":
		return "euc_jisx0213"
	case "eucjp", "u_jis", "ujis":
		return "euc_jp"
	case "euckr", "korean", "ks_c_5601", "ks_c_5601_1987", "ks_x_1001", "ksc5601", "ksx1001", "x_mac_korean":
		return "euc_kr"
	case "gb18030_2000":
		return "gb18030"
	case "chinese", "csiso58gb231280", "euc_cn", "euccn", "eucgb2312_cn", "gb2312_1980", "gb2312_80", "iso_ir_58", "x_mac_simp_chinese":
		return "gb2312"
	case "936", "cp936", "ms936":
		return "gbk"
	case "hex":
		return "hex_codec"
	case "cp1051", "ibm1051", "r8", "roman8":
		return "hp_roman8"
	case "hz_gb", "hz_gb_2312", "hzgb":
		return "hz"
	case "csiso2022jp", "iso2022jp", "iso_2022_jp":
		return "iso2022_jp"
	case "iso2022jp_1", "iso_2022_jp_1":
		return "iso2022_jp_1"
	case "iso2022jp_2", "iso_2022_jp_2":
		return "iso2022_jp_2"
	case "iso2022jp_2004", "iso_2022_jp_2004":
		return "iso2022_jp_2004"
	case "iso2022jp_3", "iso_2022_jp_3":
		return "iso2022_jp_3"
	case "iso2022jp_ext", "iso_2022_jp_ext":
		return "iso2022_jp_ext"
	case "csiso2022kr", "iso2022kr", "iso_2022_kr":
		return "iso2022_kr"
	case "csisolatin6", "iso_8859_10", "iso_8859_10_1992", "iso_ir_157", "l6", "latin6":
		return "iso8859_10"
	case "iso_8859_11", "iso_8859_11_2001", "thai":
		return "iso8859_11"
	case "iso_8859_13", "l7", "latin7":
		return "iso8859_13"
	case "iso_8859_14", "iso_8859_14_1998", "iso_celtic", "iso_ir_199", "l8", "latin8":
		return "iso8859_14"
	case "iso_8859_15", "l9", "latin9":
		return "iso8859_15"
	case "iso_8859_16", "iso_8859_16_2001", "iso_ir_226", "l10", "latin10":
		return "iso8859_16"
	case "csisolatin2", "iso_8859_2", "iso_8859_2_1987", "iso_ir_101", "l2", "latin2":
		return "iso8859_2"
	case "csisolatin3", "iso_8859_3", "iso_8859_3_1988", "iso_ir_109", "l3", "latin3":
		return "iso8859_3"
	case "csisolatin4", "iso_8859_4", "iso_8859_4_1988", "iso_ir_110", "l4", "latin4":
		return "iso8859_4"
	case "csisolatincyrillic", "cyrillic", "iso_8859_5", "iso_8859_5_1988", "iso_ir_144":
		return "iso8859_5"
	case "arabic", "asmo_708", "csisolatinarabic", "ecma_114", "iso_8859_6", "iso_8859_6_1987", "iso_ir_127":
		return "iso8859_6"
	case "csisolatingreek", "ecma_118", "elot_928", "greek", "greek8", "iso_8859_7", "iso_8859_7_1987", "iso_ir_126":
		return "iso8859_7"
	case "csisolatinhebrew", "hebrew", "iso_8859_8", "iso_8859_8_1988", "iso_ir_138":
		return "iso8859_8"
	case "csisolatin5", "iso_8859_9", "iso_8859_9_1989", "iso_ir_148", "l5", "latin5":
		return "iso8859_9"
	case "cp1361", "ms1361":
		return "johab"
	case "cskoi8r":
		return "koi8_r"
	case "kz_1048", "rk1048", "strk1048_2002":
		return "kz1048"
	case "8859", "cp819", "csisolatin1", "ibm819", "iso8859", "iso8859_1", "iso_8859_1", "iso_8859_1_1987", "iso_ir_100", "l1", "latin", "latin1":
		return "latin_1"
	case "maccyrillic":
		return "mac_cyrillic"
	case "macgreek":
		return "mac_greek"
	case "maciceland":
		return "mac_iceland"
	case "mac_centeuro", "maccentraleurope", "maclatin2":
		return "mac_latin2"
	case "macintosh", "macroman":
		return "mac_roman"
	case "macturkish":
		return "mac_turkish"
	case "ansi", "dbcs":
		return "mbcs"
	case "cp154", "csptcp154", "cyrillic_asian", "pt154":
		return "ptcp154"
	case "quopri", "quoted_printable", "quotedprintable":
		return "quopri_codec"
	case "rot13":
		return "rot_13"
	case "csshiftjis", "s_jis", "shiftjis", "sjis", "x_mac_japanese":
		return "shift_jis"
	case "s_jis_2004", "shiftjis2004", "sjis_2004":
		return "shift_jis_2004"
	case "s_jisx0213", "shiftjisx0213", "sjisx0213":
		return "shift_jisx0213"
	case "iso_ir_166", "tis620", "tis_620_0", "tis_620_2529_0", "tis_620_2529_1":
		return "tis_620"
	case "u16", "utf16":
		return "utf_16"
	case "unicodebigunmarked", "utf_16be":
		return "utf_16_be"
	case "unicodelittleunmarked", "utf_16le":
		return "utf_16_le"
	case "u32", "utf32":
		return "utf_32"
	case "utf_32be":
		return "utf_32_be"
	case "utf_32le":
		return "utf_32_le"
	case "u7", "unicode_1_1_utf_7", "utf7":
		return "utf_7"
	case "cp65001", "u8", "utf", "utf8", "utf8_ucs2", "utf8_ucs4":
		return "utf_8"
	case "uu":
		return "uu_codec"
	case "zip", "zlib":
		return "zlib_codec"
	}
	return ""
}
