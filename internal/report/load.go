// Package report reads pyrace result directories back and turns them into
// views: a summary per package (show), per-test flakiness (flaky), extension
// compatibility (compat), the difference between two sets of runs (compare),
// full reports in text, Markdown and HTML (report) and CSV or JSON exports
// (export). It reads only the on-disk schema of internal/results and never
// the harness that wrote it.
package report

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/pyrace/pyrace/internal/results"
)

// Set is what one or more result directories hold, read as one: the shards
// of a survey, a run and its rerun, or a single run.
type Set struct {
	// Runs are the run directories read, in the order given (a directory
	// of runs contributes its runs in name order).
	Runs []*results.Run
	// Packages are the packages of all runs, by name. A package found in
	// several runs is taken from the one that started last.
	Packages []*Package
	// Warnings are problems that lost no complete record: torn last lines,
	// packages found twice.
	Warnings []string
}

// Package is one package's results: its record when the run got as far as
// a verdict, and its iterations.
type Package struct {
	Name string
	// Run is the run the package comes from.
	Run *results.Run
	// Record is the verdict; nil while the run is still going, or when it
	// was interrupted before the package's verdict.
	Record *results.Record
	// Iterations are the package's iterations in the order they were
	// recorded: from the record when there is one, else as far as
	// iterations.jsonl goes.
	Iterations []results.Iteration
}

// Load reads the result directories at paths. Each path is a run directory
// (it holds meta.json) or a directory whose subdirectories are runs, such
// as pyrace-results/. A path that is neither, or a run that cannot be read
// (a newer schema, a bad line), is an error naming it.
func Load(paths []string) (*Set, error) {
	if len(paths) == 0 {
		return nil, errors.New("no result directories given")
	}
	set := &Set{}
	for _, p := range paths {
		dirs, err := runDirs(p)
		if err != nil {
			return nil, err
		}
		for _, dir := range dirs {
			run, err := results.ReadRun(dir)
			if err != nil {
				return nil, err
			}
			set.Runs = append(set.Runs, run)
			set.Warnings = append(set.Warnings, run.Warnings...)
		}
	}
	set.collect()
	return set, nil
}

// runDirs returns path itself when it is a run directory, else its
// subdirectories that are.
func runDirs(path string) ([]string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s: no such result directory", path)
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("%s: not a directory (want a run directory, such as pyrace-results/RUN_ID)", path)
	}
	if _, err := os.Stat(filepath.Join(path, results.MetaFile)); err == nil {
		return []string{path}, nil
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var dirs []string
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		if _, err := os.Stat(filepath.Join(path, e.Name(), results.MetaFile)); err == nil {
			dirs = append(dirs, filepath.Join(path, e.Name()))
		}
	}
	if len(dirs) == 0 {
		return nil, fmt.Errorf("%s: not a pyrace run directory (no %s), and no run directories in it", path, results.MetaFile)
	}
	return dirs, nil
}

// collect gathers the packages of the runs, the latest run winning.
func (s *Set) collect() {
	byName := map[string]*Package{}
	for _, run := range s.Runs {
		for _, p := range packagesOf(run) {
			have := byName[p.Name]
			if have == nil {
				byName[p.Name] = p
				continue
			}
			keep, drop := have, p
			if p.Run.Meta.Started.After(have.Run.Meta.Started) {
				keep, drop = p, have
			}
			s.Warnings = append(s.Warnings, fmt.Sprintf("package %s is in runs %s and %s: showing %s, the later one",
				p.Name, drop.Run.Meta.RunID, keep.Run.Meta.RunID, keep.Run.Meta.RunID))
			byName[p.Name] = keep
		}
	}
	for _, p := range byName {
		s.Packages = append(s.Packages, p)
	}
	slices.SortFunc(s.Packages, func(a, b *Package) int { return cmp.Compare(a.Name, b.Name) })
}

// packagesOf returns the packages of one run: those with a record (the
// last one when a resumed run wrote two), then those with iterations only
// (a run in progress or interrupted), and the run's own package when it
// has neither yet (a survey has no package of its own).
func packagesOf(run *results.Run) []*Package {
	var out []*Package
	seen := map[string]*Package{}
	for i := range run.Records {
		r := &run.Records[i]
		if p := seen[r.Package]; p != nil {
			p.Record, p.Iterations = r, r.Iterations
			continue
		}
		p := &Package{Name: r.Package, Run: run, Record: r, Iterations: r.Iterations}
		seen[r.Package] = p
		out = append(out, p)
	}
	pending := map[string]*Package{}
	for _, it := range run.Iterations {
		if seen[it.Package] != nil {
			continue
		}
		p := pending[it.Package]
		if p == nil {
			p = &Package{Name: it.Package, Run: run}
			pending[it.Package] = p
			out = append(out, p)
		}
		p.Iterations = append(p.Iterations, it)
	}
	if len(out) == 0 && run.Meta.Config.Package != "" && run.Meta.Survey == nil {
		out = append(out, &Package{Name: run.Meta.Config.Package, Run: run})
	}
	return out
}
