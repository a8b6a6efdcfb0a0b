package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tsanFixture returns the path of one of the tsan package's fixtures.
func tsanFixture(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "tsan", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestTsanText(t *testing.T) {
	t.Parallel()
	seed := tsanFixture(t, "seed003_cpython_140257.txt")
	res := runMain(t, nil, "tsan", seed, seed, tsanFixture(t, "lock_order_inversion.txt"))
	if res.code != ExitFindings {
		t.Fatalf("exit %d, want 1\n%s%s", res.code, res.stdout, res.stderr)
	}
	for _, want := range []string{
		"2 distinct races in 3 reports from 3 logs\n",
		"1. data race ×2: _Py_unset_eval_breaker_bit (pycore_ceval.h) | interpreter_clear (pystate.c)\n",
		"   first " + seed + ":31 (pid 22017), last " + seed + ":31 (pid 22017)\n",
		"   write of 8 bytes by the main thread vs atomic write of 8 bytes by thread T7\n",
		"   location: global _PyRuntime in python\n",
		"   interpreter_clear /home/shamil/oss/cpython/main/Python/pystate.c:769:26 [interpreter]\n",
		"2. lock-order-inversion (potential deadlock) ×1: lock_a_then_b (deadlock.c) | lock_b_then_a (deadlock.c)\n",
		"   lock_b_then_a /tmp/ext/src/deadlock.c:20:5 [extension _deadlock]\n",
	} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, res.stdout)
		}
	}
	if strings.Contains(res.stdout, "example:") {
		t.Error("an example without --example")
	}
	ex := runMain(t, nil, "tsan", "--example", seed)
	if !strings.Contains(ex.stdout, "   example:\n     WARNING: ThreadSanitizer: data race (pid=22017)\n") {
		t.Errorf("--example:\n%s", ex.stdout)
	}
}

func TestTsanJSONAndMarkdown(t *testing.T) {
	t.Parallel()
	seed := tsanFixture(t, "seed003_cpython_140257.txt")
	res := runMain(t, nil, "tsan", "--format", "json", "--example", seed, tsanFixture(t, "thread_leak.txt"))
	var doc struct {
		Logs []struct {
			Name  string `json:"name"`
			Races int    `json:"races"`
		} `json:"logs"`
		Reports int `json:"reports"`
		Races   []struct {
			Signature string `json:"signature"`
			Count     int    `json:"count"`
			Frames    []struct {
				Function  string `json:"Function"`
				Component string `json:"component"`
			} `json:"frames"`
			Location *struct {
				Kind, Name string
			} `json:"location"`
			Accesses []struct {
				Op     string `json:"op"`
				Atomic bool   `json:"atomic"`
				Thread string `json:"thread"`
			} `json:"accesses"`
			Threads []struct {
				ID string `json:"id"`
			} `json:"threads"`
			Suppression string   `json:"suppression"`
			Example     []string `json:"example"`
		} `json:"races"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &doc); err != nil || res.code != ExitFindings {
		t.Fatalf("exit %d, %v\n%s", res.code, err, res.stdout)
	}
	if doc.Reports != 2 || len(doc.Races) != 2 || len(doc.Logs) != 2 || doc.Logs[0].Races != 1 {
		t.Fatalf("document %+v", doc)
	}
	var race = doc.Races[0]
	if !strings.HasPrefix(race.Signature, "data race: ") {
		race = doc.Races[1]
	}
	if race.Location == nil || race.Location.Kind != "global" || race.Location.Name != "_PyRuntime" ||
		len(race.Accesses) != 2 || !race.Accesses[1].Atomic || race.Accesses[1].Thread != "T7" ||
		len(race.Threads) != 1 || race.Threads[0].ID != "T7" || race.Suppression != "race:interpreter_clear" ||
		len(race.Example) == 0 || race.Frames[1].Component != "interpreter" {
		t.Errorf("seed race %+v", race)
	}

	md := runMain(t, nil, "tsan", "--format", "markdown", "--example", seed)
	for _, want := range []string{"## ThreadSanitizer: 1 distinct race in 1 report from 1 log\n",
		"| 1 | data race | 1 | `_Py_unset_eval_breaker_bit` vs `interpreter_clear` | interpreter, interpreter |",
		"<details><summary>Example report</summary>\n\n```\nWARNING: ThreadSanitizer: data race (pid=22017)\n"} {
		if !strings.Contains(md.stdout, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md.stdout)
		}
	}
}

func TestTsanSuppressions(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	supp := filepath.Join(dir, "tsan.supp")
	logs := []string{tsanFixture(t, "seed003_cpython_140257.txt"), tsanFixture(t, "lock_order_inversion.txt"), tsanFixture(t, "thread_leak.txt")}
	res := runMain(t, nil, append([]string{"tsan", "--suppressions", supp}, logs...)...)
	if res.code != ExitFindings {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	b, err := os.ReadFile(supp)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	for _, want := range []string{"# ×1 data race: _Py_unset_eval_breaker_bit (pycore_ceval.h) | interpreter_clear (pystate.c)\nrace:interpreter_clear\n",
		"deadlock:lock_b_then_a\n", "thread:do_start_joinable_thread\n"} {
		if !strings.Contains(text, want) {
			t.Errorf("suppressions file lacks %q:\n%s", want, text)
		}
	}
	// Applying it silences every report.
	res = runMain(t, nil, append([]string{"tsan", "--apply-suppressions", supp}, logs...)...)
	if res.code != ExitOK || !strings.Contains(res.stdout, "no ThreadSanitizer reports in 3 logs (3 suppressed)") {
		t.Errorf("applied: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	// Every frame counts, and the location's global, not only the frames
	// that make the signature: take_gil is deep in the second stack.
	for _, pattern := range []string{"race:take_gil", "race:_PyRuntime", "race:main/Python/pylifecycle.c", "called_from_lib:python"} {
		deep := filepath.Join(dir, "deep.supp")
		os.WriteFile(deep, []byte(pattern+"\n"), 0o644)
		res = runMain(t, nil, "tsan", "--apply-suppressions", deep, logs[0])
		if res.code != ExitOK || !strings.Contains(res.stdout, "(1 suppressed)") {
			t.Errorf("%s: exit %d\n%s%s", pattern, res.code, res.stdout, res.stderr)
		}
	}
	bad := filepath.Join(dir, "bad.supp")
	os.WriteFile(bad, []byte("race:x\nrase:y\n"), 0o644)
	res = runMain(t, nil, "tsan", "--apply-suppressions", bad, logs[0])
	if res.code != ExitError || !strings.Contains(res.stderr, "line 2: unknown suppression type \"rase\"") {
		t.Errorf("bad suppressions: exit %d\n%s", res.code, res.stderr)
	}
}

func TestTsanBadInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.log")
	os.WriteFile(empty, nil, 0o644)
	garbage := filepath.Join(dir, "garbage.bin")
	g := make([]byte, 1<<16)
	for i := range g {
		g[i] = byte(i*131 + i/7)
	}
	os.WriteFile(garbage, g, 0o644)
	long := filepath.Join(dir, "long.log")
	os.WriteFile(long, []byte(strings.Repeat("x", 3<<20)+"\n"), 0o644)
	seed := tsanFixture(t, "seed003_cpython_140257.txt")

	res := runMain(t, nil, "tsan", empty, garbage, long)
	if res.code != ExitOK || !strings.Contains(res.stdout, "no ThreadSanitizer reports in 3 logs") || res.stderr != "" {
		t.Errorf("empty, garbage, long line: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	missing := filepath.Join(dir, "missing.log")
	res = runMain(t, nil, "tsan", missing, dir, seed)
	if res.code != ExitError || !strings.Contains(res.stderr, missing+": no such file or directory") ||
		!strings.Contains(res.stderr, dir+": is a directory, not a log") ||
		!strings.Contains(res.stdout, "1 distinct race in 1 report from 3 logs") {
		t.Errorf("missing file and directory: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"tsan"}, "requires at least 1 arg"},
		{[]string{"tsan", "--format", "xml", seed}, `--format "xml"`},
		{[]string{"tsan", "-", "-"}, "standard input (-) can be read once"},
		{[]string{"tsan", "--apply-suppressions", missing, seed}, "--apply-suppressions"},
	} {
		res := runMain(t, nil, tt.args...)
		if res.code != ExitError || !strings.Contains(res.stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", tt.args, res.code, res.stderr, tt.want)
		}
	}
}

func TestTsanStdin(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(tsanFixture(t, "seed003_cpython_140257.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr strings.Builder
	code := Main(t.Context(), []string{"tsan", "-"}, Env{Stdout: &stdout, Stderr: &stderr,
		Getenv: func(string) string { return "" }, Stdin: strings.NewReader(string(b))})
	if code != ExitFindings || !strings.Contains(stdout.String(), "first <stdin>:31 (pid 22017)") {
		t.Errorf("exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
}
