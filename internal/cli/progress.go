package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/pyrace/pyrace/internal/harness"
	"github.com/pyrace/pyrace/internal/results"
)

// progressBar shows a run's progress on stderr: a bar redrawn in place on a
// terminal, one line per iteration elsewhere (CI logs).
type progressBar struct {
	w        io.Writer
	terminal bool
	st       style
	counts   map[results.Outcome]int
	mode     results.Mode
	drawn    bool
}

func newProgressBar(w io.Writer, getenv func(string) string) *progressBar {
	return &progressBar{w: w, terminal: isTerminal(w) && getenv("TERM") != "dumb", st: newStyle(w, getenv), counts: map[results.Outcome]int{}}
}

// update is harness.Options.Progress; the harness calls it from one
// goroutine at a time.
func (p *progressBar) update(ev harness.Progress) {
	it := ev.Iteration
	if it.Mode != p.mode {
		p.finish()
		p.mode, p.drawn, p.counts = it.Mode, false, map[results.Outcome]int{}
	}
	p.counts[it.Outcome]++
	mode := ""
	switch it.Mode {
	case results.WithGIL:
		mode = " with GIL"
	case results.Plain:
		mode = " plain (baseline, one thread per test)"
	}
	if it.Threads > 0 {
		mode += fmt.Sprintf(" in %d threads", it.Threads)
	}
	if !p.terminal {
		line := fmt.Sprintf("iteration %d/%d%s: %s (%.1fs)", ev.Done, ev.Planned, mode, it.Outcome, it.Duration)
		if it.Reason != "" {
			line += ": " + it.Reason
		}
		fmt.Fprintln(p.w, line)
		return
	}
	const width = 30
	filled := width * ev.Done / max(ev.Planned, 1)
	bar := strings.Repeat("█", filled) + strings.Repeat("░", width-filled)
	var parts []string
	for _, o := range []results.Outcome{results.OutcomePass, results.OutcomeFail, results.OutcomeCrash,
		results.OutcomeDeadlock, results.OutcomeLivelock, results.OutcomeTimeout} {
		if n := p.counts[o]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", o, n))
		}
	}
	fmt.Fprintf(p.w, "\r\x1b[2K%s %d/%d%s  %s", bar, ev.Done, ev.Planned, mode, strings.Join(parts, "  "))
	p.drawn = true
}

// finish ends the bar's line.
func (p *progressBar) finish() {
	if p.drawn {
		fmt.Fprintln(p.w)
	}
}
