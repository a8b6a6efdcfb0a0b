package python

import "fmt"

// Error is a syntax or source-decoding error. Line is 1-based and Col is a
// 0-based UTF-8 byte offset in the line, as in Span; Error() prints the column
// 1-based, as compilers do.
type Error struct {
	Filename string
	Line     int
	Col      int
	EndLine  int
	EndCol   int
	Msg      string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.Filename, e.Line, e.Col+1, e.Msg)
}

// File is the result of parsing one source file.
type File struct {
	Filename string
	// Module holds every statement that parsed; after a syntax error the
	// parser resumes at the next statement, so Module is never nil.
	Module *Module
	// Errors lists decoding and syntax errors in source order. A file is
	// valid Python exactly when Errors is empty.
	Errors []*Error
	// Encoding is the source encoding: "utf-8" unless a coding cookie
	// (PEP 263) names another.
	Encoding string
	// Lines is the number of lines of the decoded text.
	Lines int
	// Text is the decoded text (UTF-8, line ends translated to "\n"),
	// nil when the file could not be decoded. It may share memory with
	// the source given to the parser.
	Text []byte
}

// Version is a CPython language version such as 3.13.
type Version struct {
	Major, Minor int
}

// LatestVersion returns the newest grammar the parser implements.
func LatestVersion() Version { return Version{3, 14} }

// Less reports whether v is older than w.
func (v Version) Less(w Version) bool {
	return v.Major < w.Major || v.Major == w.Major && v.Minor < w.Minor
}

func (v Version) String() string { return fmt.Sprintf("%d.%d", v.Major, v.Minor) }
