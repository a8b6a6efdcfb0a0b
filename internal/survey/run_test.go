package survey

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pyrace/pyrace/internal/harness"
	"github.com/pyrace/pyrace/internal/harness/pyhelpers"
	"github.com/pyrace/pyrace/internal/interp"
	"github.com/pyrace/pyrace/internal/results"
	"github.com/pyrace/pyrace/internal/testenv"
)

// TestSurveyEndToEnd surveys testdata/registry with a real interpreter and
// real venvs: a racy and a clean example project, a pure package whose
// install runs in its venv, a failing install, a package that does not
// import, an unreachable git repository and a skipped entry.
func TestSurveyEndToEnd(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(t.Context(), 4*time.Minute)
	defer cancel()
	py, err := interp.Probe(ctx, testenv.Python3(t))
	if err != nil {
		t.Fatal(err)
	}
	reg, err := Load(filepath.Join("testdata", "registry"))
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	w, err := results.Create(filepath.Join(work, "results"), "survey", results.Meta{Interpreter: py, Started: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	helpers := filepath.Join(w.Dir(), "helpers")
	if err := pyhelpers.Install(helpers); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var events []Event
	res, err := Run(ctx, Options{
		Packages: reg.Top(0), Python: py, Writer: w, Jobs: 2, Probe: interp.Probe,
		ReposDir: filepath.Join(work, "repos"), VenvsDir: filepath.Join(work, "venvs"),
		// Threads make the racy example fail every time, not half the time.
		Harness: harness.Options{Iterations: 1, Timeout: time.Minute, Stall: 30 * time.Second, CPUSample: time.Second,
			Threads: 4, TestIterations: 3, HelpersDir: helpers},
		Progress: func(ev Event) { mu.Lock(); events = append(events, ev); mu.Unlock() },
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Finish(results.Finished, time.Now()); err != nil {
		t.Fatal(err)
	}
	got := map[string]results.Record{}
	for _, r := range res.Records {
		got[r.Package] = r
	}
	want := map[string][]results.Category{
		"racy":        {results.Intermittent, results.Incompatible},
		"clean":       {results.Compatible},
		"pure":        {results.Compatible},
		"badinstall":  {results.InstallFailure},
		"broken":      {results.ImportFailure},
		"unreachable": {results.InstallFailure},
	}
	for pkg, cats := range want {
		r, ok := got[pkg]
		if !ok || !slices.Contains(cats, r.Category) {
			t.Errorf("%s: %s (%s), want one of %v\n%s", pkg, r.Category, r.Verdict, cats, strings.Join(r.Evidence, "\n"))
		}
	}
	if len(res.Records) != len(want) || len(res.Skipped) != 1 || res.Skipped[0] != "skipped: takes an hour to build" {
		t.Errorf("%d records, skipped %q", len(res.Records), res.Skipped)
	}
	bad := got["badinstall"]
	if !strings.Contains(bad.Verdict, "install failed") || !slices.ContainsFunc(bad.Evidence, func(l string) bool {
		return strings.Contains(l, "no C compiler for _speedups")
	}) {
		t.Errorf("badinstall: %s\n%q", bad.Verdict, bad.Evidence)
	}
	if un := got["unreachable"]; !strings.Contains(un.Verdict, "fetch failed: git clone") {
		t.Errorf("unreachable: %s", un.Verdict)
	}
	if log, err := os.ReadFile(filepath.Join(w.Dir(), "iterations", "badinstall", "setup-0", "setup.log")); err != nil ||
		!strings.Contains(string(log), "building badinstall") {
		t.Errorf("setup log: %v\n%s", err, log)
	}
	// The pure package's tests ran in its venv (they check sys.prefix and
	// the registry's env), from a copy of the source.
	if p := got["pure"]; p.Iterations[len(p.Iterations)-1].Tests.Passed != 2 {
		t.Errorf("pure: %+v", p.Iterations)
	}
	if _, err := os.Stat(filepath.Join(work, "repos", "pure", "pure", "__init__.py")); err != nil {
		t.Errorf("no copy of pure's source: %v", err)
	}
	if len(events) != len(reg.Packages) || events[len(events)-1].Done != len(reg.Packages) {
		t.Errorf("%d progress events", len(events))
	}

	// The run directory holds every verdict for the views.
	run, err := results.ReadRun(w.Dir())
	if err != nil || len(run.Records) != len(want) {
		t.Fatalf("read back: %v, %d records", err, len(run.Records))
	}
}
