package harness

import (
	"bufio"
	"fmt"
	"io"
	"path"
	"regexp"
	"strings"
	"syscall"

	"github.com/pyrace/pyrace/internal/results"
)

// crashSignals are the signals that mean the program itself crashed.
var crashSignals = map[syscall.Signal]bool{
	syscall.SIGSEGV: true, syscall.SIGABRT: true, syscall.SIGBUS: true,
	syscall.SIGFPE: true, syscall.SIGILL: true, syscall.SIGTRAP: true, syscall.SIGSYS: true,
}

// signalName is "SIGSEGV" for syscall.SIGSEGV.
func signalName(s syscall.Signal) string {
	if name := signalNames[s]; name != "" {
		return name
	}
	return fmt.Sprintf("signal %d", int(s))
}

var signalNames = map[syscall.Signal]string{
	syscall.SIGHUP: "SIGHUP", syscall.SIGINT: "SIGINT", syscall.SIGQUIT: "SIGQUIT",
	syscall.SIGILL: "SIGILL", syscall.SIGTRAP: "SIGTRAP", syscall.SIGABRT: "SIGABRT",
	syscall.SIGBUS: "SIGBUS", syscall.SIGFPE: "SIGFPE", syscall.SIGKILL: "SIGKILL",
	syscall.SIGUSR1: "SIGUSR1", syscall.SIGSEGV: "SIGSEGV", syscall.SIGUSR2: "SIGUSR2",
	syscall.SIGPIPE: "SIGPIPE", syscall.SIGALRM: "SIGALRM", syscall.SIGTERM: "SIGTERM",
	syscall.SIGSYS: "SIGSYS", syscall.SIGXCPU: "SIGXCPU", syscall.SIGXFSZ: "SIGXFSZ",
}

// crashEvidence is what an iteration's stderr says about a crash.
type crashEvidence struct {
	// Fatal is the text after "Fatal Python error: ", or a C-level crash
	// line (segfault, failed assertion, abort).
	Fatal string
	// Frames are the top frames of the crashing thread's faulthandler dump,
	// "func (file.py:12)".
	Frames []string
	// GILEnabledBy lists modules named by "the GIL has been enabled to load
	// module" warnings.
	GILEnabledBy []string
}

var (
	fatalRE   = regexp.MustCompile(`Fatal Python error: (.*)$`)
	threadRE  = regexp.MustCompile(`^(Current thread|Thread) 0x[0-9a-fA-F]+.*\(most recent call first\):`)
	frameRE   = regexp.MustCompile(`^\s+File "(.*)", line (\d+) in (.+)$`)
	cCrashRE  = regexp.MustCompile("(?:^|: )(Segmentation fault|Bus error|Illegal instruction|Floating point exception|Aborted)(?: \\(core dumped\\))?$|(Assertion [`'].*' failed)")
	gilWarnRE = regexp.MustCompile(`(?:GIL\)|global interpreter lock \(GIL\)) has been enabled to load module '([^']+)'`)
)

// maxFrames is how many frames make a crash signature.
const maxFrames = 3

// scanCrashEvidence reads a stderr log. It keeps only bounded state, so a
// log of any size is fine.
func scanCrashEvidence(r io.Reader) crashEvidence {
	var ev crashEvidence
	br := bufio.NewReaderSize(r, 64<<10)
	inFatal := false   // after a "Fatal Python error" line
	inBlock := false   // inside a thread's frame list
	isCurrent := false // that thread is the crashing one
	var current, first, block []string
	endBlock := func() {
		if inBlock && block != nil {
			if isCurrent && current == nil {
				current = block
			} else if first == nil {
				first = block
			}
		}
		inBlock, block = false, nil
	}
	seenGIL := map[string]bool{}
	for {
		line, err := readLine(br)
		if m := gilWarnRE.FindStringSubmatch(line); m != nil && !seenGIL[m[1]] {
			seenGIL[m[1]] = true
			ev.GILEnabledBy = append(ev.GILEnabledBy, m[1])
		}
		switch m := fatalRE.FindStringSubmatch(line); {
		case m != nil:
			// The last fatal error is the one that ended the process.
			endBlock()
			ev.Fatal = strings.TrimSpace(m[1])
			inFatal, current, first = true, nil, nil
		case inFatal && threadRE.MatchString(line):
			endBlock()
			inBlock, isCurrent = true, strings.HasPrefix(line, "Current thread")
		case inBlock && frameRE.MatchString(line):
			if len(block) < maxFrames {
				f := frameRE.FindStringSubmatch(line)
				block = append(block, fmt.Sprintf("%s (%s:%s)", f[3], path.Base(f[1]), f[2]))
			}
		default:
			endBlock()
			if ev.Fatal == "" {
				if m := cCrashRE.FindStringSubmatch(line); m != nil {
					ev.Fatal = m[1] + m[2]
				}
			}
		}
		if err != nil {
			break
		}
	}
	endBlock()
	ev.Frames = current
	if ev.Frames == nil {
		ev.Frames = first
	}
	return ev
}

// readLine reads one line without its end, capping very long lines.
func readLine(br *bufio.Reader) (string, error) {
	var b strings.Builder
	for {
		chunk, isPrefix, err := br.ReadLine()
		if b.Len() < 4096 {
			b.Write(chunk[:min(len(chunk), 4096-b.Len())])
		}
		if err != nil {
			return b.String(), err
		}
		if !isPrefix {
			return strings.TrimSuffix(b.String(), "\r"), nil
		}
	}
}

// crashSignature names a crash by what failed and where: the fatal error
// (or signal) and the top frames of the crashing thread. Directories,
// addresses and thread ids never enter it, so the same crash in another
// checkout or iteration has the same signature.
func crashSignature(ev crashEvidence, sig syscall.Signal, exitCode *int) string {
	what := ev.Fatal
	if what == "" && sig != 0 {
		what = signalName(sig)
	}
	if what == "" && exitCode != nil && *exitCode > 128 {
		what = signalName(syscall.Signal(*exitCode - 128))
	}
	if what == "" {
		what = "crash"
	}
	if len(ev.Frames) == 0 {
		return what
	}
	return what + " at " + strings.Join(ev.Frames, " < ")
}

// pytestNoTests is pytest's exit status when it collected no tests; 5 is
// also unittest's since Python 3.12.
const pytestNoTests = 5

// iterationFacts is everything classification looks at.
type iterationFacts struct {
	proc  procResult
	crash crashEvidence
	tests []results.TestResult
}

// classify decides an iteration's outcome and a one-line reason.
func classify(f iterationFacts) (results.Outcome, string) {
	p := f.proc
	switch p.KilledBy {
	case killedByStall:
		cpu := "CPU use unknown"
		if p.StallCPU != nil {
			cpu = fmt.Sprintf("%.2fs of CPU in the sample", *p.StallCPU)
		}
		if p.StallBusy {
			return results.OutcomeLivelock, fmt.Sprintf("no output for %s while busy (%s): livelock", roundDur(p.Silence), cpu)
		}
		return results.OutcomeDeadlock, fmt.Sprintf("no output for %s and idle (%s): deadlock", roundDur(p.Silence), cpu)
	case killedByTimeout:
		return results.OutcomeTimeout, fmt.Sprintf("still running after %s: killed", roundDur(p.Duration))
	}
	if p.Signal != 0 {
		what := "killed by " + signalName(p.Signal)
		if f.crash.Fatal != "" {
			what += ": " + f.crash.Fatal
		}
		return results.OutcomeCrash, what
	}
	code := 0
	if p.ExitCode != nil {
		code = *p.ExitCode
	}
	if code == 0 {
		return results.OutcomePass, ""
	}
	// Crash text counts only when the run failed: a passing suite may test
	// crashes in subprocesses on purpose.
	if code > 128 && code <= 128+64 && crashSignals[syscall.Signal(code-128)] {
		return results.OutcomeCrash, fmt.Sprintf("exit status %d = 128+%s (a shell reporting a crash)", code, signalName(syscall.Signal(code-128)))
	}
	if f.crash.Fatal != "" {
		return results.OutcomeCrash, fmt.Sprintf("exit status %d: %s", code, f.crash.Fatal)
	}
	var failed []string
	for _, t := range f.tests {
		if t.Failed() {
			failed = append(failed, t.ID)
		}
	}
	if len(failed) > 0 {
		return results.OutcomeFail, fmt.Sprintf("%s failed: %s", plural(len(failed), "test"), joinLimit(failed, 3))
	}
	if code == pytestNoTests {
		return results.OutcomeFail, "exit status 5: no tests were collected or run"
	}
	return results.OutcomeFail, fmt.Sprintf("exit status %d", code)
}

func roundDur(d interface{ Seconds() float64 }) string {
	s := d.Seconds()
	if s < 10 {
		return fmt.Sprintf("%.1fs", s)
	}
	return fmt.Sprintf("%.0fs", s)
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// joinLimit joins up to n items and says how many more there are.
func joinLimit(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:n], ", "), len(items)-n)
}
