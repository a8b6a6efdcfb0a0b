package harness

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// procSpec is one supervised process: an iteration of the test command.
type procSpec struct {
	Argv []string
	Dir  string
	Env  []string
	// Stdout and Stderr are the files the streams are copied into as they
	// come.
	Stdout, Stderr string
	// StateDir is where our sitecustomize writes stacks-<pid>.txt (one per
	// Python process that can dump its threads on SIGUSR1) and
	// exit-<pid>.json.
	StateDir string
	// Timeout bounds the whole process; Stall is the silence on both
	// streams that counts as a stall. Zero disables either.
	Timeout, Stall time.Duration
	// CPUSample is how long the process tree's CPU time is watched after a
	// stall to tell a deadlock (idle) from a livelock (busy).
	CPUSample time.Duration
	// DumpWait is how long to wait for stack dumps after SIGUSR1.
	DumpWait time.Duration
}

// Ways the supervisor itself ends a process.
const (
	killedByStall     = "stall"
	killedByTimeout   = "timeout"
	killedByInterrupt = "interrupt"
)

// busyFraction is the share of one CPU above which a stalled process tree
// counts as busy (livelock) rather than blocked (deadlock).
const busyFraction = 0.2

// procResult is how a supervised process ended.
type procResult struct {
	ExitCode *int
	// Signal is the signal that ended the process, 0 if it exited.
	Signal syscall.Signal
	// KilledBy is set when the supervisor killed the group.
	KilledBy string
	Started  time.Time
	Duration time.Duration
	// StallCPU is the tree's CPU seconds during the stall sample and
	// StallBusy whether that counts as busy; nil without a sample.
	StallCPU  *float64
	StallBusy bool
	// Silence is how long the process had been silent when it was killed.
	Silence time.Duration
	// Stacks holds the thread stacks dumped at a stall or timeout, per pid.
	Stacks map[int]string
}

// runProcess starts spec.Argv in its own process group, copies its output
// to files, watches for stalls and the timeout, and always leaves no process
// of the group behind. ctx cancellation (Ctrl-C) kills the group and
// reports KilledBy "interrupt". An error means the process could not start.
func runProcess(ctx context.Context, spec procSpec) (procResult, error) {
	stdout, err := os.Create(spec.Stdout)
	if err != nil {
		return procResult{}, fmt.Errorf("creating stdout log: %w", err)
	}
	defer stdout.Close()
	stderr, err := os.Create(spec.Stderr)
	if err != nil {
		return procResult{}, fmt.Errorf("creating stderr log: %w", err)
	}
	defer stderr.Close()

	var lastOutput atomic.Int64
	outR, outW, err := os.Pipe()
	if err != nil {
		return procResult{}, fmt.Errorf("creating pipe: %w", err)
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		outR.Close()
		outW.Close()
		return procResult{}, fmt.Errorf("creating pipe: %w", err)
	}

	cmd := exec.Command(spec.Argv[0], spec.Argv[1:]...)
	cmd.Dir = spec.Dir
	cmd.Env = spec.Env
	cmd.Stdin = nil
	cmd.Stdout = outW
	cmd.Stderr = errW
	cmd.SysProcAttr = sysProcAttr()

	start := time.Now()
	lastOutput.Store(start.UnixNano())
	startErr := cmd.Start()
	outW.Close()
	errW.Close()
	if startErr != nil {
		outR.Close()
		errR.Close()
		return procResult{}, fmt.Errorf("starting %s: %w", spec.Argv[0], startErr)
	}
	pgid := cmd.Process.Pid

	var copying sync.WaitGroup
	for _, c := range []struct {
		r *os.File
		w io.Writer
	}{{outR, stdout}, {errR, stderr}} {
		copying.Go(func() {
			copyStream(c.w, c.r, &lastOutput)
		})
	}

	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()

	res := procResult{Started: start}
	poll := pollInterval(spec)
	ticker := time.NewTicker(poll)
	defer ticker.Stop()
	var waitErr error
loop:
	for {
		select {
		case waitErr = <-waited:
			break loop
		case <-ctx.Done():
			res.KilledBy = killedByInterrupt
			killGroup(pgid)
			waitErr = <-waited
			break loop
		case now := <-ticker.C:
			silence := now.Sub(time.Unix(0, lastOutput.Load()))
			switch {
			case spec.Timeout > 0 && now.Sub(start) >= spec.Timeout:
				res.KilledBy = killedByTimeout
			case spec.Stall > 0 && silence >= spec.Stall:
				res.KilledBy = killedByStall
			default:
				continue
			}
			res.Silence = silence
			res.Stacks = dumpStacks(ctx, pgid, spec)
			if res.KilledBy == killedByStall {
				cpu, busy, ok := sampleCPU(ctx, pgid, spec.CPUSample)
				if ok {
					res.StallCPU, res.StallBusy = &cpu, busy
				}
			}
			killGroup(pgid)
			waitErr = <-waited
			break loop
		}
	}
	res.Duration = time.Since(start)
	// Whatever the leader did, its group goes with it: test suites that
	// leak processes must not leave orphans behind.
	reapGroup(pgid)
	// Output from processes that escaped the group (a new session) could
	// keep the pipes open; stop reading after a grace period.
	if !waitTimeout(&copying, 2*time.Second) {
		outR.Close()
		errR.Close()
		copying.Wait()
	}
	outR.Close()
	errR.Close()

	var exitErr *exec.ExitError
	switch {
	case waitErr == nil:
		code := 0
		res.ExitCode = &code
	case errors.As(waitErr, &exitErr):
		if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			res.Signal = ws.Signal()
		} else {
			code := exitErr.ExitCode()
			res.ExitCode = &code
		}
	default:
		return res, fmt.Errorf("waiting for %s: %w", spec.Argv[0], waitErr)
	}
	if res.KilledBy != "" {
		// Our SIGKILL is not the process's doing.
		res.Signal = 0
	}
	return res, nil
}

// copyStream copies r to w, stamping last with the time of each read.
func copyStream(w io.Writer, r io.Reader, last *atomic.Int64) {
	buf := make([]byte, 32<<10)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			last.Store(time.Now().UnixNano())
			w.Write(buf[:n]) // a full disk loses log text, not the run
		}
		if err != nil {
			return
		}
	}
}

func pollInterval(spec procSpec) time.Duration {
	poll := 250 * time.Millisecond
	for _, d := range []time.Duration{spec.Stall, spec.Timeout} {
		if d > 0 && d/10 < poll {
			poll = max(d/10, 10*time.Millisecond)
		}
	}
	return poll
}

// killGroup sends SIGKILL to every process of the group.
func killGroup(pgid int) {
	syscall.Kill(-pgid, syscall.SIGKILL)
}

// reapGroup kills what is left of the group until no live member remains
// (bounded: processes in uninterruptible sleep can take a moment to go).
func reapGroup(pgid int) {
	for range 100 {
		killGroup(pgid)
		members, err := groupMembers(pgid)
		if err != nil || len(members) == 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func waitTimeout(wg *sync.WaitGroup, d time.Duration) bool {
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return true
	case <-time.After(d):
		return false
	}
}

// dumpStacks asks every Python process of the group that registered our
// faulthandler (it created stacks-<pid>.txt) to dump all its threads, waits
// for the dumps and returns them by pid.
func dumpStacks(ctx context.Context, pgid int, spec procSpec) map[int]string {
	if spec.StateDir == "" {
		return nil
	}
	files, _ := filepath.Glob(filepath.Join(spec.StateDir, "stacks-*.txt"))
	members, _ := groupMembers(pgid)
	inGroup := make(map[int]bool, len(members))
	for _, m := range members {
		inGroup[m.pid] = true
	}
	sizes := map[int]int64{}
	for _, f := range files {
		pid, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "stacks-"), ".txt"))
		if err != nil || (members != nil && !inGroup[pid]) {
			continue
		}
		if fi, err := os.Stat(f); err == nil {
			sizes[pid] = fi.Size()
		}
		syscall.Kill(pid, syscall.SIGUSR1)
	}
	if len(sizes) == 0 {
		return nil
	}
	wait := spec.DumpWait
	if wait <= 0 {
		wait = time.Second
	}
	// Wait until every dump has grown and stopped growing, or for wait.
	deadline := time.Now().Add(wait)
	prev := map[int]int64{}
	for time.Now().Before(deadline) && ctx.Err() == nil {
		time.Sleep(50 * time.Millisecond)
		settled := true
		for pid, before := range sizes {
			fi, err := os.Stat(filepath.Join(spec.StateDir, fmt.Sprintf("stacks-%d.txt", pid)))
			if err != nil {
				continue
			}
			if fi.Size() == before || fi.Size() != prev[pid] {
				settled = false
			}
			prev[pid] = fi.Size()
		}
		if settled {
			break
		}
	}
	stacks := map[int]string{}
	for pid, before := range sizes {
		data, err := os.ReadFile(filepath.Join(spec.StateDir, fmt.Sprintf("stacks-%d.txt", pid)))
		if err == nil && int64(len(data)) > before {
			stacks[pid] = string(data[before:])
		}
	}
	return stacks
}

// sampleCPU measures the group's CPU time over d and reports whether it was
// busy. ok is false when it cannot be measured.
func sampleCPU(ctx context.Context, pgid int, d time.Duration) (cpu float64, busy, ok bool) {
	if d <= 0 {
		d = 3 * time.Second
	}
	before, err := groupCPUSeconds(pgid)
	if err != nil {
		return 0, false, false
	}
	t0 := time.Now()
	select {
	case <-time.After(d):
	case <-ctx.Done():
	}
	after, err := groupCPUSeconds(pgid)
	if err != nil {
		return 0, false, false
	}
	cpu = max(0, after-before)
	return cpu, cpu > busyFraction*time.Since(t0).Seconds(), true
}

// formatStacks renders dumped stacks, one block per pid in pid order.
func formatStacks(stacks map[int]string) string {
	pids := make([]int, 0, len(stacks))
	for pid := range stacks {
		pids = append(pids, pid)
	}
	sort.Ints(pids)
	var b strings.Builder
	for _, pid := range pids {
		fmt.Fprintf(&b, "=== process %d ===\n%s\n", pid, strings.TrimRight(stacks[pid], "\n"))
	}
	return b.String()
}
