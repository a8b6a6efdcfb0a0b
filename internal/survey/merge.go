package survey

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/pyrace/pyrace/internal/results"
)

// The ways Merge resolves a package found in two shards.
const (
	DuplicateError  = "error"  // refuse to merge
	DuplicateFirst  = "first"  // keep the one of the run given first
	DuplicateLatest = "latest" // keep the one of the run that started last
)

// Merged is what Merge did.
type Merged struct {
	Dir      string
	Packages int
	// Warnings are problems that did not stop the merge (missing shards).
	Warnings []string
}

// Merge combines the run directories of a survey's shards into one run
// directory out (which must not exist): their metadata must agree (the same
// survey id, shard count and interpreter), and a package found in two of
// them is an error unless dup says which to keep. The merged run is built
// beside out and renamed into place at the end: a failed merge leaves
// nothing behind.
func Merge(dirs []string, out, dup string) (Merged, error) {
	res := Merged{Dir: out}
	switch dup {
	case DuplicateError, DuplicateFirst, DuplicateLatest:
	default:
		return res, fmt.Errorf("duplicate policy %q: want error, first or latest", dup)
	}
	if len(dirs) == 0 {
		return res, errors.New("no runs to merge")
	}
	if _, err := os.Stat(out); err == nil {
		return res, fmt.Errorf("%s already exists (merge writes a new run directory)", out)
	}
	var runs []*results.Run
	for _, d := range dirs {
		run, err := results.ReadRun(d)
		if err != nil {
			return res, err
		}
		if run.Meta.Survey == nil {
			return res, fmt.Errorf("%s: not a survey run (pyrace survey writes the runs that merge combines)", d)
		}
		runs = append(runs, run)
	}
	first := runs[0].Meta
	seenShard := map[int]string{}
	for i, run := range runs {
		m := run.Meta
		switch {
		case m.Survey.ID != first.Survey.ID:
			return res, fmt.Errorf("%s is survey %q, %s is survey %q: not shards of one survey", dirs[i], m.Survey.ID, dirs[0], first.Survey.ID)
		case m.Survey.Shards != first.Survey.Shards:
			return res, fmt.Errorf("%s has %d shards, %s has %d", dirs[i], m.Survey.Shards, dirs[0], first.Survey.Shards)
		case m.Interpreter.Version != first.Interpreter.Version || m.Interpreter.FreeThreaded != first.Interpreter.FreeThreaded ||
			m.Interpreter.Implementation != first.Interpreter.Implementation:
			return res, fmt.Errorf("%s ran %s %s, %s ran %s %s: not one survey", dirs[i], m.Interpreter.Implementation,
				m.Interpreter.Version, dirs[0], first.Interpreter.Implementation, first.Interpreter.Version)
		}
		if have, ok := seenShard[m.Survey.Shard]; ok {
			return res, fmt.Errorf("%s and %s are both shard %d of %d", have, dirs[i], m.Survey.Shard, m.Survey.Shards)
		}
		seenShard[m.Survey.Shard] = dirs[i]
	}
	for s := range first.Survey.Shards {
		if _, ok := seenShard[s]; !ok {
			res.Warnings = append(res.Warnings, fmt.Sprintf("shard %d of %d is missing: its packages are not in the merged run", s, first.Survey.Shards))
		}
	}

	// Which run each package comes from.
	owner := map[string]int{}
	var order, dups []string
	for i, run := range runs {
		for _, name := range packageNames(run) {
			j, seen := owner[name]
			if !seen {
				owner[name] = i
				order = append(order, name)
				continue
			}
			dups = append(dups, fmt.Sprintf("%s (in %s and %s)", name, dirs[j], dirs[i]))
			if dup == DuplicateLatest && runs[i].Meta.Started.After(runs[j].Meta.Started) {
				owner[name] = i
			}
		}
	}
	if len(dups) > 0 {
		if dup == DuplicateError {
			return res, fmt.Errorf("packages in two shards: %s (say which to keep: --on-duplicate first or latest)", strings.Join(dups, ", "))
		}
		res.Warnings = append(res.Warnings, "packages in two shards, the "+dup+" kept: "+strings.Join(dups, ", "))
	}
	return mergeInto(res, runs, owner, order, out)
}

// packageNames lists a run's packages: those with records, then those
// with iterations only.
func packageNames(run *results.Run) []string {
	var names []string
	for _, r := range run.Records {
		if !slices.Contains(names, r.Package) {
			names = append(names, r.Package)
		}
	}
	for _, it := range run.Iterations {
		if !slices.Contains(names, it.Package) {
			names = append(names, it.Package)
		}
	}
	return names
}

// mergeInto writes the merged run.
func mergeInto(res Merged, runs []*results.Run, owner map[string]int, order []string, out string) (Merged, error) {
	parent := filepath.Dir(out)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return res, fmt.Errorf("merging into %s: %w", out, err)
	}
	tmp, err := os.MkdirTemp(parent, ".merge-*")
	if err != nil {
		return res, fmt.Errorf("merging into %s: %w", out, err)
	}
	defer os.RemoveAll(tmp)

	meta := runs[0].Meta
	survey := *runs[0].Meta.Survey
	meta.Survey = &survey
	meta.Survey.Shard, meta.Survey.Shards = 0, 1
	meta.Survey.Packages = order
	meta.Survey.Stability = nil
	meta.Argv = []string{"pyrace", "merge"}
	finished, allFinished := time.Time{}, true
	for _, run := range runs {
		if run.Meta.Started.Before(meta.Started) {
			meta.Started = run.Meta.Started
		}
		if run.Meta.Status != results.Finished || run.Meta.Finished == nil {
			allFinished = false
		} else if run.Meta.Finished.After(finished) {
			finished = *run.Meta.Finished
		}
	}
	id := filepath.Base(out)
	w, err := results.Create(tmp, id, meta)
	if err != nil {
		return res, fmt.Errorf("merging into %s: %w", out, err)
	}
	fail := func(err error) (Merged, error) {
		w.Close()
		return res, fmt.Errorf("merging into %s: %w", out, err)
	}
	for _, name := range order {
		run := runs[owner[name]]
		for _, it := range run.Iterations {
			if it.Package == name {
				if err := w.AppendIteration(it); err != nil {
					return fail(err)
				}
			}
		}
		for _, r := range run.Records {
			if r.Package == name {
				r.RunID = id
				if err := w.AppendRecord(r); err != nil {
					return fail(err)
				}
			}
		}
		src := filepath.Join(run.Dir, results.PackageDir(name))
		if _, err := os.Stat(src); err == nil {
			if err := copyTree(src, filepath.Join(w.Dir(), results.PackageDir(name))); err != nil {
				return fail(err)
			}
		}
		res.Packages++
	}
	status, at := results.Interrupted, time.Now()
	if allFinished {
		status, at = results.Finished, finished
	}
	if err := w.Finish(status, at); err != nil {
		return res, fmt.Errorf("merging into %s: %w", out, err)
	}
	if err := os.Rename(w.Dir(), out); err != nil {
		return res, fmt.Errorf("merging into %s: %w", out, err)
	}
	return res, nil
}
