// Package tsan reads ThreadSanitizer (TSAN) reports out of arbitrary logs.
//
// A TSAN report is the block that the runtime prints between two lines of
// eighteen '=' characters:
//
//	==================
//	WARNING: ThreadSanitizer: data race (pid=22017)
//	  Write of size 8 at 0x55555611abc8 by main thread:
//	    #0 interpreter_clear /src/Python/pystate.c:769:26 (python+0x6cd57a)
//	    ...
//	SUMMARY: ThreadSanitizer: data race /src/Python/pystate.c:769:26 in interpreter_clear
//	==================
//
// [Parse] finds such blocks in logs where they are mixed with test output,
// Python tracebacks and the output of other processes, and hands each one to
// a callback as soon as it is complete, so memory use does not grow with the
// length of the log. [Report.Signature] names a report in a way that does not
// depend on addresses, process and thread ids or build directories, so that
// the same race seen in many runs can be counted once.
package tsan

import (
	"bytes"
	"slices"
	"strings"
)

// Limits that keep memory bounded however large or hostile the input is.
// A report that exceeds them is still delivered, with the excess counted in
// [Report.DroppedLines] rather than stored.
const (
	// MaxLineBytes is the longest input line kept; the rest of a longer
	// line is discarded (the line still counts as one line).
	MaxLineBytes = 1 << 20
	// MaxReportLines is the number of lines kept in [Report.Lines]. TSAN
	// stacks are at most a few hundred frames deep, so a real report
	// is far below this.
	MaxReportLines = 2000
	// MaxReportBytes bounds the total size of the lines kept in
	// [Report.Lines].
	MaxReportBytes = 4 << 20
	// MaxReportFrames bounds the number of frames kept over all the stacks
	// of one report.
	MaxReportFrames = 10000
)

// Report is one ThreadSanitizer report.
type Report struct {
	// Kind is the report type exactly as printed after
	// "WARNING: ThreadSanitizer: ", with the trailing " (pid=N)" removed:
	// "data race", "heap-use-after-free",
	// "lock-order-inversion (potential deadlock)", "thread leak", ...
	Kind string
	// PID is N from "(pid=N)" on the WARNING line, 0 if absent.
	PID int
	// Summary is the text after "SUMMARY: ThreadSanitizer: ", or "" when
	// the report has no SUMMARY line (usually because it was truncated).
	Summary string
	// Stacks are the stacks of the report in the order printed.
	Stacks []Stack
	// Lines are the report's lines from the WARNING line to the closing
	// "==================" line, or to the last line seen when the report
	// was truncated. Unrecognised lines that were interleaved with the
	// report (other output on the same stream) are kept. Lines are stored
	// without line terminators and without ANSI escape sequences, and at
	// most MaxReportLines lines (MaxReportBytes bytes) are kept. Reports
	// from ParseSignatures have them only after Complete.
	Lines []string
	// DroppedLines counts the report lines that were not stored in Lines,
	// nor parsed for stacks, because of MaxReportLines or MaxReportBytes.
	DroppedLines int
	// Truncated is true when the report did not close: the input ended, or
	// another report started, before its closing "==================" line.
	Truncated bool
	// StartLine is the 1-based line number of the WARNING line in the input.
	StartLine int

	// What the report's headings and informational lines state, filled
	// by ReadDetails (see details.go): the memory accesses of a race,
	// where the memory lives, the mutexes named, a lock-order-inversion's
	// cycle and acquisitions, the threads described, and the "And N more
	// similar thread leaks." count.
	detailsRead  bool
	partial      bool   // from ParseSignatures: stacks stop at their key frames
	text         string // from ParseSignatures: Lines joined by "\n", until Complete
	Accesses     []Access
	Location     *Location
	Mutexes      []Mutex
	Cycle        []string
	Acquisitions []Acquisition
	Threads      []Thread
	MoreLeaks    int
}

// Stack is one stack trace of a report with the line that introduces it.
type Stack struct {
	// Heading is the line above the frames without its indentation, e.g.
	// "Write of size 8 at 0x7b0400000010 by thread T1:",
	// "Previous read of size 8 at 0x7b0400000010 by main thread:",
	// "Mutex M1 (0x7b0c00000000) created at:",
	// "Thread T1 (tid=4242, running) created by main thread at:" or
	// "Location is heap block of size 16 at 0x7b0400000000 allocated by main thread:".
	// It is "" for stacks that TSAN prints without a heading (for example
	// the first stack of "signal-unsafe call inside of a signal").
	Heading string
	// Frames are the frames of the stack, innermost first. A stack that
	// TSAN could not restore ("[failed to restore the stack]") has none.
	Frames []Frame
}

// Frame is one frame of a stack, as printed by TSAN's default
// stack_trace_format: "#0 function file:line:col (module+0xoffset)".
// Frames without source information ("#2 function (module+0x1234)",
// "#1 <null> <null> (libc.so.6+0x29d8f)") are parsed too.
type Frame struct {
	// Index is N from "#N".
	Index int
	// Function is the symbol as printed, "" when TSAN printed "<null>".
	Function string
	// File is the source file as printed (with its directories), "" when
	// absent or "<null>".
	File string
	// Line and Column are the source position, 0 when absent.
	Line, Column int
	// Module is the binary or shared object as printed inside the
	// parentheses, e.g. "python" or "libc.so.6", "" when absent.
	Module string
	// Offset is the offset in Module as printed, e.g. "0x6cd57a", "" when
	// absent.
	Offset string
	// BuildID is the hex build id from a trailing "(BuildId: ...)", ""
	// when absent.
	BuildID string
}

// Signature names the report independently of addresses, pids, thread ids
// and directories, so that the same bug found in different runs, builds and
// checkouts gets the same signature. It is the kind followed by one part per
// stack for the first two access stacks (headings beginning "Read",
// "Write", "Atomic read", "Atomic write", "Previous read", "Previous
// write", "Previous atomic", or the external-object forms "Modifying",
// "Read-only", "Previous modifying", "Previous read-only"), or, when the
// report has no access stack, for its first two stacks. A part is the first
// frame that is not in the TSAN runtime, an allocator, a libc memory
// function, a pthread function or a CPython atomic helper, written
// "function (file basename)", or "function (module basename)" when the frame
// has no file, or "<unknown>" when the stack has no such frame. Compiler
// suffixes that differ between builds (".3425", ".isra.0", ".constprop.0",
// ".part.0", ".cold", ".llvm.123", ".lto_priv.0") are removed from function
// names. The parts are sorted, so the order in which the two accesses were
// seen does not matter:
//
//	data race: _PyObject_GC_Link (gc.c) | list_append (listobject.c)
func (r Report) Signature() string {
	return string(r.appendSignature(nil))
}

// appendSignature appends the report's signature to dst, building it in
// place: grouping many repeats of a race looks it up without allocating.
func (r *Report) appendSignature(dst []byte) []byte {
	dst = append(dst, r.Kind...)
	a, b := r.keyStackIndexes()
	if a < 0 {
		return dst
	}
	dst = append(dst, ": "...)
	first := len(dst)
	dst = appendSignaturePart(dst, r.Stacks[a].Frames)
	if b < 0 {
		return dst
	}
	mid := len(dst)
	dst = append(dst, " | "...)
	dst = appendSignaturePart(dst, r.Stacks[b].Frames)
	if bytes.Compare(dst[first:mid], dst[mid+len(" | "):]) > 0 {
		// Swap the two parts: reverse the whole, then each piece.
		slices.Reverse(dst[first:])
		n := len(dst) - mid - len(" | ")
		slices.Reverse(dst[first : first+n])
		slices.Reverse(dst[first+n : first+n+len(" | ")])
		slices.Reverse(dst[first+n+len(" | "):])
	}
	return dst
}

// keyStackIndexes are the indexes in r.Stacks of the stacks that
// keyStacks returns, -1 for each one missing.
func (r *Report) keyStackIndexes() (int, int) {
	a, b := -1, -1
	for i := range r.Stacks {
		if isAccessHeading(r.Stacks[i].Heading) {
			if a < 0 {
				a = i
			} else {
				return a, i
			}
		}
	}
	if a >= 0 {
		return a, b
	}
	switch len(r.Stacks) {
	case 0:
		return -1, -1
	case 1:
		return 0, -1
	}
	return 0, 1
}

// keyStacks are the stacks Signature reads, in the order printed: the first
// two access stacks, or the first two stacks when there is no access.
func (r Report) keyStacks() []*Stack {
	var picked []*Stack
	a, b := r.keyStackIndexes()
	for _, i := range []int{a, b} {
		if i >= 0 {
			picked = append(picked, &r.Stacks[i])
		}
	}
	return picked
}

// SuppressionFunction is the function a TSAN suppression of r names: the
// key frame of its first key stack (the current access of a race), "" when
// that stack has none.
func (r Report) SuppressionFunction() string {
	for _, s := range r.keyStacks() {
		if f, ok := signatureFrame(s.Frames); ok {
			return normalizeFunction(f.Function)
		}
	}
	return ""
}

// KeyFrames are the frames Signature is made of, in the order of its parts:
// for each of the (up to two) stacks it reads, the first frame that is not
// a helper. A stack without one contributes nothing.
func (r Report) KeyFrames() []Frame {
	var frames []Frame
	for _, s := range r.keyStacks() {
		if f, ok := signatureFrame(s.Frames); ok {
			frames = append(frames, f)
		}
	}
	slices.SortStableFunc(frames, func(a, b Frame) int {
		return strings.Compare(framePart(a), framePart(b))
	})
	return frames
}

// accessPrefixes are the beginnings of the headings of memory-access stacks
// (see MopDesc and ExternalMopDesc in TSAN's tsan_report.cpp).
var accessPrefixes = []string{
	"Read ", "Write ",
	"Atomic read ", "Atomic write ",
	"Previous read ", "Previous write ",
	"Previous atomic ",
	"Modifying access ", "Read-only access ",
	"Previous modifying access ", "Previous read-only access ",
}

func isAccessHeading(h string) bool {
	for _, p := range accessPrefixes {
		if strings.HasPrefix(h, p) {
			return true
		}
	}
	return false
}

// appendSignaturePart appends the signature part of one stack: its first
// frame that belongs to the program rather than to TSAN, the allocator or
// libc helpers.
func appendSignaturePart(dst []byte, frames []Frame) []byte {
	if f, ok := signatureFrame(frames); ok {
		return appendFramePart(dst, f)
	}
	return append(dst, "<unknown>"...)
}

// signatureFrame is the first frame of frames that belongs to the program.
func signatureFrame(frames []Frame) (Frame, bool) {
	for _, f := range frames {
		fn := normalizeFunction(f.Function)
		if fn == "" || isAddress(fn) || isHelper(fn) {
			continue
		}
		return f, true
	}
	return Frame{}, false
}

// framePart writes a frame as a signature part: "function (file basename)".
func framePart(f Frame) string {
	return string(appendFramePart(nil, f))
}

// appendFramePart appends framePart(f) to dst.
func appendFramePart(dst []byte, f Frame) []byte {
	dst = append(dst, normalizeFunction(f.Function)...)
	switch {
	case f.File != "":
		return append(append(append(dst, " ("...), baseName(f.File)...), ')')
	case f.Module != "":
		return append(append(append(dst, " ("...), baseName(f.Module)...), ')')
	}
	return dst
}

// helperPrefixes and helperNames are the functions skipped by Signature:
// TSAN interceptors and runtime entry points, sanitizer internals, CPython's
// atomic helpers, allocators and libc memory functions, pthread functions.
var helperPrefixes = []string{
	"__tsan", // __tsan_read8, __tsan_atomic64_load, __tsan::TsanFree
	"__interceptor_",
	"___interceptor_",
	"__sanitizer", // __sanitizer_..., __sanitizer::...
	"_Py_atomic_",
	"pthread_",
	"operator new",
	"operator delete",
}

var helperNames = []string{
	"aligned_alloc",
	"calloc",
	"free",
	"malloc",
	"memalign",
	"memcpy",
	"memmove",
	"memset",
	"posix_memalign",
	"pvalloc",
	"realloc",
	"reallocarray",
	"valloc",
}

func isHelper(fn string) bool {
	for _, p := range helperPrefixes {
		if strings.HasPrefix(fn, p) {
			return true
		}
	}
	return slices.Contains(helperNames, fn)
}

// isAddress reports whether fn is a bare address, as printed for frames
// that could not be symbolized.
func isAddress(fn string) bool {
	if len(fn) < 3 || fn[0] != '0' || (fn[1] != 'x' && fn[1] != 'X') {
		return false
	}
	for i := 2; i < len(fn); i++ {
		if !isHexDigit(fn[i]) {
			return false
		}
	}
	return true
}

// compilerSuffixes are the name suffixes that compilers add to clones and
// local symbols; they change between builds of the same source.
var compilerSuffixes = []string{"llvm", "isra", "constprop", "part", "cold", "lto_priv", "localalias"}

// normalizeFunction removes compiler-generated clone suffixes from a symbol:
// "_PyObject_VectorcallTstate.3425" -> "_PyObject_VectorcallTstate",
// "foo.isra.0" -> "foo", "bar.cold" -> "bar".
func normalizeFunction(fn string) string {
	for {
		dot := strings.LastIndexByte(fn, '.')
		if dot <= 0 {
			return fn
		}
		suffix := fn[dot+1:]
		if !allDigits(suffix) && !slices.Contains(compilerSuffixes, suffix) {
			return fn
		}
		fn = fn[:dot]
	}
}

// baseName is the last element of a slash- or backslash-separated path.
func baseName(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 && i < len(p)-1 {
		return p[i+1:]
	}
	return p
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
