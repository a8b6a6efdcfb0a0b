package harness

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/pyrace/pyrace/internal/results"
)

// StressOptions says what `pyrace stress` calls and how.
type StressOptions struct {
	Interpreter results.Interpreter
	// Target is MODULE:CALLABLE ("pkg.mod:Class.method").
	Target string
	// Threads call it at once, for Rounds rounds, with Args (JSON: a list,
	// or {"args": [...], "kwargs": {...}}).
	Threads, Rounds int
	Args            string
	// Timeout bounds the threads' run (0: none).
	Timeout time.Duration
	// Dir is the working directory, first on sys.path.
	Dir string
	// HelpersDir holds pyrace's Python helpers; BaseEnv is the environment
	// to start from.
	HelpersDir string
	BaseEnv    []string
}

// StressResult is what the threads did.
type StressResult struct {
	results.ThreadedRun
	// Summary is the one-line account ("3 of 8 threads failed in ...").
	Summary string `json:"summary"`
	// Stacks are the stacks of the threads still running at the timeout.
	Stacks string `json:"stacks,omitempty"`
}

// StressInputError is a target that cannot be called: a module that does not
// import, a name that is not there or not callable, arguments that are not
// the JSON wanted. Stage says which ("import", "lookup", "args").
type StressInputError struct {
	Stage, Msg string
}

func (e *StressInputError) Error() string { return e.Msg }

// stressMarker starts the helper's result line.
const stressMarker = "PYRACE-STRESS "

// Stress runs pyrace_stress in the interpreter and returns its result.
func Stress(ctx context.Context, o StressOptions) (StressResult, error) {
	grace := 2 * time.Minute
	if o.Timeout > 0 {
		grace = o.Timeout + time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, grace)
	defer cancel()
	cmd := exec.CommandContext(ctx, o.Interpreter.Path, "-m", "pyrace_stress", o.Target,
		strconv.Itoa(o.Threads), strconv.Itoa(o.Rounds), o.Args, strconv.FormatFloat(o.Timeout.Seconds(), 'f', -1, 64))
	cmd.Dir = o.Dir
	env := newEnv(o.BaseEnv)
	env.unset("PYTHON_GIL")
	if o.Interpreter.FreeThreaded {
		env.set("PYTHON_GIL", "0")
	}
	env.set("PYTHONDONTWRITEBYTECODE", "1")
	env.prependList("PYTHONPATH", string(os.PathListSeparator), o.HelpersDir)
	cmd.Env = env.list()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	if ctx.Err() != nil {
		return StressResult{}, fmt.Errorf("stress %s: %w", o.Target, ctx.Err())
	}
	sc := bufio.NewScanner(&stdout)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		line, ok := strings.CutPrefix(sc.Text(), stressMarker)
		if !ok {
			continue
		}
		var probe struct {
			Error string `json:"error"`
			Stage string `json:"stage"`
		}
		if err := json.Unmarshal([]byte(line), &probe); err != nil {
			return StressResult{}, fmt.Errorf("stress %s: reading the result: %w", o.Target, err)
		}
		if probe.Error != "" {
			return StressResult{}, &StressInputError{Stage: probe.Stage, Msg: probe.Error}
		}
		var res StressResult
		if err := json.Unmarshal([]byte(line), &res); err != nil {
			return StressResult{}, fmt.Errorf("stress %s: reading the result: %w", o.Target, err)
		}
		return res, nil
	}
	msg := strings.TrimSpace(stderr.String())
	if len(msg) > 2000 {
		msg = "..." + msg[len(msg)-2000:]
	}
	var ee *exec.ExitError
	if errors.As(runErr, &ee) {
		return StressResult{}, fmt.Errorf("stress %s: the interpreter exited with %s before reporting (a crash?): %s", o.Target, ee.ProcessState, msg)
	}
	if runErr != nil {
		return StressResult{}, fmt.Errorf("stress %s: %w", o.Target, runErr)
	}
	return StressResult{}, fmt.Errorf("stress %s: no result from the interpreter: %s", o.Target, msg)
}
