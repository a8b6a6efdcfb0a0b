//go:build unix

package tsan

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// realTSAN builds the C program src with -fsanitize=thread (clang, which CI
// installs, else gcc), runs it and returns what it printed. It skips the
// test only when no compiler here has a working TSAN runtime.
func realTSAN(t *testing.T, src string) []byte {
	t.Helper()
	src, err := filepath.Abs(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, cc := range []string{"clang", "gcc"} {
		path, err := exec.LookPath(cc)
		if err != nil {
			continue
		}
		bin := filepath.Join(t.TempDir(), "prog")
		if b, err := exec.Command(path, "-fsanitize=thread", "-g", "-O0", src, "-o", bin, "-lpthread").CombinedOutput(); err != nil {
			t.Logf("%s cannot build with -fsanitize=thread: %v\n%s", cc, err, b)
			continue
		}
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		cmd := exec.CommandContext(ctx, bin)
		cmd.Env = append(os.Environ(), "TSAN_OPTIONS=")
		var buf bytes.Buffer
		cmd.Stdout, cmd.Stderr = &buf, &buf
		cmd.Run() // TSAN exits 66 after reporting
		cancel()
		if bytes.Contains(buf.Bytes(), []byte("WARNING: ThreadSanitizer")) {
			t.Logf("built with %s", cc)
			return buf.Bytes()
		}
		t.Logf("%s's TSAN runtime reported nothing:\n%s", cc, buf.Bytes())
	}
	t.Skip("no compiler with a working ThreadSanitizer runtime (install clang and libclang-rt-dev)")
	return nil
}

// readReal parses a program's output: its reports with their details,
// their signatures and the warnings count.
func readReal(t *testing.T, out []byte) (reports []Report, sigs []string, warnings int) {
	t.Helper()
	warnings, err := Parse(bytes.NewReader(out), func(r Report) error {
		r.ReadDetails()
		reports = append(reports, r)
		sigs = append(sigs, r.Signature())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return reports, sigs, warnings
}

// TestRealTSAN parses what the real runtime printed for testdata/real/
// races.c: a data race on a global, a lock-order inversion and a thread
// leak, with their signatures and details.
func TestRealTSAN(t *testing.T) {
	out := realTSAN(t, "testdata/real/races.c")
	reports, sigs, warnings := readReal(t, out)
	want := []string{
		"data race: bump (races.c) | main (races.c)",
		"lock-order-inversion (potential deadlock): main (races.c) | take_ab (races.c)",
		"thread leak: main (races.c)",
	}
	if !slices.Equal(sigs, want) || warnings != 3 {
		t.Fatalf("signatures %q (warnings %d), want %q\n%s", sigs, warnings, want, out)
	}
	race := reports[0]
	// Which thread comes first is a matter of timing: main and T1, the
	// second one "previous".
	if len(race.Accesses) != 2 || race.Location == nil || race.Location.Kind != "global" || race.Location.Name != "counter" ||
		race.Location.Size != 4 || race.Accesses[0].Previous || !race.Accesses[1].Previous ||
		race.Accesses[0].Thread+" "+race.Accesses[1].Thread != "main T1" && race.Accesses[0].Thread+" "+race.Accesses[1].Thread != "T1 main" {
		t.Errorf("data race details: %+v location %+v", race.Accesses, race.Location)
	}
	inv := reports[1]
	if len(inv.Cycle) != 3 || inv.Cycle[0] != inv.Cycle[2] || len(inv.Acquisitions) < 2 {
		t.Errorf("lock-order inversion: cycle %v acquisitions %+v", inv.Cycle, inv.Acquisitions)
	}
	leak := reports[2]
	if len(leak.Threads) != 1 || leak.Threads[0].State != "finished" || leak.Threads[0].CreatedBy != "main" {
		t.Errorf("thread leak threads %+v", leak.Threads)
	}
	for _, r := range reports {
		if r.PID == 0 || r.PID != reports[0].PID || r.Truncated || !strings.HasPrefix(r.Summary, r.Kind+" ") {
			t.Errorf("%s: pid %d truncated %v summary %q", r.Kind, r.PID, r.Truncated, r.Summary)
		}
	}
}

// TestRealTSANKinds parses the real runtime's mutex and signal reports
// (testdata/real/mutexes.c): an unlock of an unlocked mutex, and
// signal-unsafe calls (malloc, free) inside a handler.
func TestRealTSANKinds(t *testing.T) {
	out := realTSAN(t, "testdata/real/mutexes.c")
	reports, sigs, _ := readReal(t, out)
	want := []string{
		"unlock of an unlocked mutex (or by a wrong thread): main (mutexes.c) | main (mutexes.c)",
		"signal-unsafe call inside of a signal: unsafe (mutexes.c)",
		"signal-unsafe call inside of a signal: unsafe (mutexes.c)",
	}
	if !slices.Equal(sigs, want) {
		t.Fatalf("signatures %q, want %q\n%s", sigs, want, out)
	}
	u := reports[0]
	if u.Location == nil || u.Location.Kind != "global" || u.Location.Name != "other" || len(u.Mutexes) != 1 || u.Mutexes[0].Stack != 1 ||
		SuppressionType(u.Kind) != "mutex" || SuppressionType(reports[1].Kind) != "signal" {
		t.Errorf("unlock of an unlocked mutex: location %+v mutexes %+v", u.Location, u.Mutexes)
	}
}
