package gilcheck

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/pyrace/pyrace/internal/results"
)

// The forms of results.OptIn.
const (
	// FormPyModGIL is the module slot {Py_mod_gil, Py_MOD_GIL_NOT_USED}.
	FormPyModGIL = "py_mod_gil"
	// FormPyModGILUsed is {Py_mod_gil, Py_MOD_GIL_USED}: an explicit
	// statement that the module needs the GIL.
	FormPyModGILUsed = "py_mod_gil_used"
	// FormSetGIL is PyUnstable_Module_SetGIL(...), for single-phase init.
	FormSetGIL = "set_gil"
	// FormCython is Cython's freethreading_compatible=True directive.
	FormCython = "cython"
	// FormPybind11 is pybind11's py::mod_gil_not_used().
	FormPybind11 = "pybind11"
	// FormPyO3 is PyO3's #[pymodule(gil_used = false)].
	FormPyO3 = "pyo3"
	// FormNanobind is FREE_THREADED in nanobind_add_module(...).
	FormNanobind = "nanobind"
)

// MaxScanFileSize is the size above which a file is not scanned.
const MaxScanFileSize = 10 << 20

// scanWindow is the number of lines a declaration may span: the line it
// starts on and the ones after it.
const scanWindow = 12

// Patterns of the opt-in forms. They are applied to the text from the
// keyword on, with comments removed and whitespace collapsed.
var (
	pyModGILRE   = regexp.MustCompile(`^Py_mod_gil ?, ?(?:\.value ?= ?)?(?:\( ?void ?\* ?\) ?)?(Py_MOD_GIL_NOT_USED|Py_MOD_GIL_USED)\b`)
	setGILRE     = regexp.MustCompile(`^PyUnstable_Module_SetGIL ?\([^)]*\)`)
	cythonRE     = regexp.MustCompile(`\bfreethreading_compatible['"]?\s*[:=]\s*(?:True|true|1)\b`)
	pybind11RE   = regexp.MustCompile(`\bmod_gil_not_used\s*\(\s*(?:true)?\s*\)`)
	pyo3RE       = regexp.MustCompile(`\bgil_used\s*=\s*false\b|\.gil_used\s*\(\s*false\s*\)`)
	nanobindRE   = regexp.MustCompile(`\bnanobind_add_module\s*\(`)
	freeThreaded = regexp.MustCompile(`\bFREE_THREADED\b`)
)

// keywords are the strings a line must contain to be looked at closely.
var keywords = []string{"Py_mod_gil", "PyUnstable_Module_SetGIL", "freethreading_compatible",
	"mod_gil_not_used", "gil_used", "nanobind_add_module"}

// commentStyle is how a file's comments start.
type commentStyle int

const (
	cComments    commentStyle = iota // C, C++: // and /* */, # starts a directive
	rustComments                     // Rust: // and /* */, # starts an attribute
	hashComments                     // Python, CMake, TOML, cfg, meson: #
	cythonSource                     // Cython: #, and directives live in comments
)

// slashes reports whether the style's comments are // and /* */.
func (s commentStyle) slashes() bool { return s == cComments || s == rustComments }

// scannedStyle returns the comment style of a file that may hold an
// opt-in, and whether it is scanned at all.
func scannedStyle(name string) (commentStyle, bool) {
	switch name {
	case "CMakeLists.txt", "setup.py", "pyproject.toml", "setup.cfg", "meson.build":
		return hashComments, true
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".c", ".h", ".cc", ".cpp", ".cxx", ".hpp", ".hh", ".hxx":
		return cComments, true
	case ".rs":
		return rustComments, true
	case ".pyx", ".pxd", ".pxi":
		return cythonSource, true
	case ".cmake":
		return hashComments, true
	}
	return 0, false
}

// skippedDir reports whether the scan leaves the directory called name
// out: version control, virtual environments, build output, caches,
// documentation (whose examples are not the project's modules) and vendored
// copies of pybind11 and nanobind (whose own sources and tests
// declare the opt-in for their test modules, not for the project).
func skippedDir(name string) bool {
	switch name {
	case "venv", "env", "node_modules", "__pycache__", "site-packages", "build", "dist",
		"_build", "target", "wheelhouse", "pybind11", "nanobind", "docs", "doc":
		return true
	}
	return strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".egg-info")
}

// ScanOptIns walks the project at root and returns every free-threading
// opt-in declaration in its C, C++, Cython, Rust and build files, with the
// file (relative to root, slash-separated) and line, sorted by file and
// line. Files over MaxScanFileSize and unreadable files are skipped; the
// error is for a root that cannot be walked or a cancelled context.
func ScanOptIns(ctx context.Context, root string) ([]results.OptIn, error) {
	fi, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("scanning for opt-ins: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("scanning for opt-ins: %s is not a directory", root)
	}
	var out []results.OptIn
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		if err != nil {
			if path == root {
				return err
			}
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if path != root && (skippedDir(d.Name()) || isVenv(path)) {
				return fs.SkipDir
			}
			return nil
		}
		style, ok := scannedStyle(d.Name())
		if !ok {
			return nil
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			rel = path
		}
		found, err := scanFile(path, filepath.ToSlash(rel), style)
		if err == nil {
			out = append(out, found...)
		}
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("scanning %s for opt-ins: %w", root, err)
	}
	sortOptIns(out)
	return out, nil
}

// line is a numbered line of a file.
type line struct {
	no   int
	text string
}

// scanFile scans one file, reading it line by line and keeping a window
// of scanWindow lines for declarations split over several lines.
func scanFile(path, rel string, style commentStyle) ([]results.OptIn, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() || fi.Size() > MaxScanFileSize {
		return nil, nil
	}
	r := bufio.NewReaderSize(io.LimitReader(f, MaxScanFileSize+1), 64<<10)
	var out []results.OptIn
	win := make([]line, 0, scanWindow)
	no := 0
	for {
		text, err := r.ReadString('\n')
		if text != "" {
			no++
			win = append(win, line{no, strings.TrimRight(text, "\r\n")})
			if len(win) == scanWindow {
				out = append(out, scanHead(win, rel, style)...)
				win = append(win[:0], win[1:]...)
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return out, err
		}
	}
	for len(win) > 0 {
		out = append(out, scanHead(win, rel, style)...)
		win = win[1:]
	}
	return out, nil
}

// scanHead looks for declarations starting on win[0], with the following
// lines of win as context.
func scanHead(win []line, rel string, style commentStyle) []results.OptIn {
	head := win[0].text
	interesting := false
	for _, k := range keywords {
		if strings.Contains(head, k) {
			interesting = true
			break
		}
	}
	if !interesting {
		return nil
	}
	var out []results.OptIn
	add := func(form, text string) {
		out = append(out, results.OptIn{File: rel, Line: win[0].no, Form: form, Text: clip(text)})
	}
	trimmed := strings.TrimSpace(head)
	inBlockComment := style.slashes() && (strings.HasPrefix(trimmed, "*") || strings.HasPrefix(trimmed, "/*"))
	preprocessor := style == cComments && strings.HasPrefix(trimmed, "#")

	// Cython's directive lives in a comment of a Cython file
	// ("# cython: freethreading_compatible=True") or in the compiler
	// directives of a build file.
	if m := cythonRE.FindStringIndex(head); m != nil {
		switch {
		case style == cythonSource && strings.HasPrefix(trimmed, "#") && strings.Contains(head, "cython:"),
			style == hashComments && !commented(head, m[0], style):
			add(FormCython, trimmed)
		}
	}
	if inBlockComment || preprocessor {
		return out
	}
	for _, idx := range indexAll(head, "Py_mod_gil") {
		if !wordEnd(head, idx+len("Py_mod_gil")) || commented(head, idx, style) {
			continue
		}
		ctx := normalise(fromHere(win, idx), style)
		if m := pyModGILRE.FindStringSubmatch(ctx); m != nil {
			form := FormPyModGIL
			if m[1] == "Py_MOD_GIL_USED" {
				form = FormPyModGILUsed
			}
			add(form, m[0])
		}
	}
	if idx := strings.Index(head, "PyUnstable_Module_SetGIL"); idx >= 0 && !commented(head, idx, style) &&
		!strings.Contains(head, "PyAPI_FUNC") {
		ctx := normalise(fromHere(win, idx), style)
		if m := setGILRE.FindString(ctx); m != "" && !strings.Contains(m, "void *") && !strings.Contains(m, "PyObject *") {
			add(FormSetGIL, m)
		}
	}
	if m := pybind11RE.FindStringIndex(head); m != nil && !commented(head, m[0], style) {
		add(FormPybind11, trimmed)
	}
	if m := pyo3RE.FindStringIndex(head); m != nil && !commented(head, m[0], style) {
		add(FormPyO3, trimmed)
	}
	if m := nanobindRE.FindStringIndex(head); m != nil && !commented(head, m[0], style) {
		call := parenthesised(normalise(fromHere(win, m[0]), style))
		if freeThreaded.MatchString(call) {
			add(FormNanobind, call)
		}
	}
	return out
}

// indexAll returns the offsets of every occurrence of sub in s.
func indexAll(s, sub string) []int {
	var out []int
	for off := 0; ; {
		i := strings.Index(s[off:], sub)
		if i < 0 {
			return out
		}
		out = append(out, off+i)
		off += i + len(sub)
	}
}

// wordEnd reports whether s[i] (if any) cannot continue an identifier.
func wordEnd(s string, i int) bool {
	if i >= len(s) {
		return true
	}
	c := s[i]
	return !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9')
}

// commented reports whether offset i of line is inside a line comment.
func commented(line string, i int, style commentStyle) bool {
	marker := "//"
	if !style.slashes() {
		marker = "#"
	}
	j := strings.Index(line, marker)
	return j >= 0 && j < i
}

// fromHere returns the window's text from offset i of its first line on.
func fromHere(win []line, i int) string {
	var b strings.Builder
	b.WriteString(win[0].text[i:])
	for _, l := range win[1:] {
		b.WriteByte('\n')
		b.WriteString(l.text)
	}
	return b.String()
}

// normalise removes comments from s and collapses runs of white space to
// one space (none next to punctuation), so that patterns see
// "Py_mod_gil, Py_MOD_GIL_NOT_USED" however the source was laid out.
func normalise(s string, style commentStyle) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case style.slashes() && strings.HasPrefix(s[i:], "/*"):
			end := strings.Index(s[i+2:], "*/")
			if end < 0 {
				i = len(s)
			} else {
				i += 2 + end + 1
			}
			b.WriteByte(' ')
		case style.slashes() && strings.HasPrefix(s[i:], "//"),
			!style.slashes() && s[i] == '#':
			end := strings.IndexByte(s[i:], '\n')
			if end < 0 {
				i = len(s)
			} else {
				i += end - 1
			}
			b.WriteByte(' ')
		default:
			b.WriteByte(s[i])
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// parenthesised returns s up to the parenthesis that closes its first
// opening one (all of s if it does not close within it).
func parenthesised(s string) string {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return s[:i+1]
			}
		}
	}
	return s
}

// clip shortens an opt-in's text to 200 bytes.
func clip(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}
