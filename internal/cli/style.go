package cli

import (
	"io"
	"os"

	"golang.org/x/term"
)

// style decides whether output to one stream is coloured.
type style struct {
	color bool
}

// newStyle colours w only when it is a terminal, NO_COLOR is unset or empty
// (https://no-color.org) and TERM is not "dumb".
func newStyle(w io.Writer, getenv func(string) string) style {
	return style{color: useColor(isTerminal(w), getenv)}
}

func useColor(terminal bool, getenv func(string) string) bool {
	return terminal && getenv("NO_COLOR") == "" && getenv("TERM") != "dumb"
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

const (
	sgrReset  = "\x1b[0m"
	sgrBold   = "\x1b[1m"
	sgrRed    = "\x1b[1;31m"
	sgrYellow = "\x1b[1;33m"
	sgrGreen  = "\x1b[1;32m"
)

func (s style) wrap(sgr, text string) string {
	if !s.color {
		return text
	}
	return sgr + text + sgrReset
}

// bold renders text in bold.
func (s style) bold(text string) string { return s.wrap(sgrBold, text) }

// errorPrefix is the start of an error message for the user.
func (s style) errorPrefix() string { return "pyrace: " + s.wrap(sgrRed, "error:") }

// warningPrefix is the start of a warning for the user.
func (s style) warningPrefix() string { return "pyrace: " + s.wrap(sgrYellow, "warning:") }
