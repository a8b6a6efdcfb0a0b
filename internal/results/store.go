package results

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"
)

// File names inside a run directory.
const (
	MetaFile       = "meta.json"
	ResultsFile    = "results.jsonl"
	IterationsFile = "iterations.jsonl"
	IterationsDir  = "iterations"
)

// Writer appends to one run directory. It is safe for concurrent use.
type Writer struct {
	dir string

	mu    sync.Mutex
	meta  Meta
	iters *os.File
	recs  *os.File
}

// Create makes RESULTS_DIR/RUN_ID, writes meta.json with status "running"
// and opens the JSONL files; the writer's Dir is absolute. It never
// touches an existing run: when the directory exists it fails.
func Create(resultsDir, runID string, meta Meta) (*Writer, error) {
	if !validRunID(runID) {
		return nil, fmt.Errorf("run id %q: use letters, digits, '.', '_' and '-' only", runID)
	}
	if fi, err := os.Stat(resultsDir); err == nil && !fi.IsDir() {
		return nil, fmt.Errorf("results directory %s: not a directory", resultsDir)
	}
	// Absolute: the run's processes work in the project's directory and
	// find pyrace's helpers and state directories through this path.
	resultsDir, err := filepath.Abs(resultsDir)
	if err != nil {
		return nil, fmt.Errorf("results directory: %w", err)
	}
	if err := os.MkdirAll(resultsDir, 0o755); err != nil {
		return nil, fmt.Errorf("results directory: %w", err)
	}
	dir := filepath.Join(resultsDir, runID)
	if err := os.Mkdir(dir, 0o755); err != nil {
		if errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("run directory %s already exists (use --resume to continue it)", dir)
		}
		return nil, fmt.Errorf("run directory: %w", err)
	}
	meta.SchemaVersion = SchemaVersion
	meta.Tool = ToolName
	meta.RunID = runID
	meta.Status = Running
	w := &Writer{dir: dir, meta: meta}
	if err := writeFileAtomic(filepath.Join(dir, MetaFile), mustJSON(meta, true)); err != nil {
		return nil, err
	}
	if err := w.open(); err != nil {
		return nil, err
	}
	return w, nil
}

// Resume opens an interrupted run for appending and returns what it holds.
// Torn last lines are cut off so that new lines start cleanly.
func Resume(dir string) (*Writer, *Run, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, nil, err
	}
	run, err := ReadRun(dir)
	if err != nil {
		return nil, nil, err
	}
	for _, name := range []string{IterationsFile, ResultsFile} {
		if err := truncateTornTail(filepath.Join(dir, name)); err != nil {
			return nil, nil, err
		}
	}
	meta := run.Meta
	meta.Status = Running
	meta.Finished = nil
	w := &Writer{dir: dir, meta: meta}
	if err := writeFileAtomic(filepath.Join(dir, MetaFile), mustJSON(meta, true)); err != nil {
		return nil, nil, err
	}
	if err := w.open(); err != nil {
		return nil, nil, err
	}
	return w, run, nil
}

func (w *Writer) open() error {
	var err error
	w.iters, err = os.OpenFile(filepath.Join(w.dir, IterationsFile), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("opening %s: %w", IterationsFile, err)
	}
	w.recs, err = os.OpenFile(filepath.Join(w.dir, ResultsFile), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		w.iters.Close()
		return fmt.Errorf("opening %s: %w", ResultsFile, err)
	}
	return syncDir(w.dir)
}

// Dir is the run directory.
func (w *Writer) Dir() string { return w.dir }

// Meta returns the metadata as last written.
func (w *Writer) Meta() Meta {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.meta
}

// IterationDir creates and returns the directory of one iteration, absolute
// and relative to the run directory. An existing directory (left by an
// iteration that was interrupted) is emptied first.
func (w *Writer) IterationDir(pkg string, mode Mode, index int) (abs, rel string, err error) {
	rel = filepath.Join(PackageDir(pkg), fmt.Sprintf("%s-%d", mode, index))
	abs = filepath.Join(w.dir, rel)
	if err := os.RemoveAll(abs); err != nil {
		return "", "", fmt.Errorf("clearing %s: %w", rel, err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return "", "", fmt.Errorf("iteration directory: %w", err)
	}
	return abs, rel, nil
}

// PackageDir is the directory, relative to a run directory, that holds a
// package's iteration directories.
func PackageDir(pkg string) string { return filepath.Join(IterationsDir, safeName(pkg)) }

// AppendIteration appends one finished iteration to iterations.jsonl and
// syncs it to disk.
func (w *Writer) AppendIteration(it Iteration) error {
	it.SchemaVersion = SchemaVersion
	return w.appendLine(func() *os.File { return w.iters }, IterationsFile, it)
}

// AppendRecord appends one package verdict to results.jsonl and syncs it.
func (w *Writer) AppendRecord(r Record) error {
	r.SchemaVersion = SchemaVersion
	return w.appendLine(func() *os.File { return w.recs }, ResultsFile, r)
}

func (w *Writer) appendLine(file func() *os.File, name string, v any) error {
	line := append(mustJSON(v, false), '\n')
	w.mu.Lock()
	defer w.mu.Unlock()
	f := file()
	if f == nil {
		return fmt.Errorf("%s: writer is closed", name)
	}
	if _, err := f.Write(line); err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("syncing %s: %w", name, err)
	}
	return nil
}

// UpdateMeta changes the metadata with fn and rewrites meta.json atomically.
func (w *Writer) UpdateMeta(fn func(*Meta)) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	fn(&w.meta)
	return writeFileAtomic(filepath.Join(w.dir, MetaFile), mustJSON(w.meta, true))
}

// Finish records the run's final status and end time in meta.json and closes
// the files.
func (w *Writer) Finish(status Status, at time.Time) error {
	err := w.UpdateMeta(func(m *Meta) {
		m.Status = status
		t := at.UTC()
		m.Finished = &t
	})
	return errors.Join(err, w.Close())
}

// Close closes the JSONL files.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	var errs []error
	for _, f := range []**os.File{&w.iters, &w.recs} {
		if *f != nil {
			errs = append(errs, (*f).Close())
			*f = nil
		}
	}
	return errors.Join(errs...)
}

// Run is a run directory read back.
type Run struct {
	Dir        string
	Meta       Meta
	Iterations []Iteration
	Records    []Record
	// Warnings are problems that lost no complete record, such as a torn
	// last line.
	Warnings []string
}

// ReadRun reads a run directory. A torn last line (no newline, not valid
// JSON) is skipped with a warning; any other bad line is an error naming the
// file and line.
func ReadRun(dir string) (*Run, error) {
	metaPath := filepath.Join(dir, MetaFile)
	data, err := os.ReadFile(metaPath)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			if fi, serr := os.Stat(dir); serr != nil || !fi.IsDir() {
				return nil, fmt.Errorf("%s: no such run directory", dir)
			}
			return nil, fmt.Errorf("%s: not a pyrace run directory (no %s)", dir, MetaFile)
		}
		return nil, fmt.Errorf("reading %s: %w", metaPath, err)
	}
	run := &Run{Dir: dir}
	if err := json.Unmarshal(data, &run.Meta); err != nil {
		return nil, fmt.Errorf("%s: not a pyrace run directory (%s: %v)", dir, MetaFile, err)
	}
	if run.Meta.Tool != ToolName {
		return nil, fmt.Errorf("%s: not a pyrace run directory (%s has tool %q)", dir, MetaFile, run.Meta.Tool)
	}
	if run.Meta.SchemaVersion > SchemaVersion {
		return nil, fmt.Errorf("%s: schema version %d is newer than this pyrace understands (%d)", metaPath, run.Meta.SchemaVersion, SchemaVersion)
	}
	if err := readJSONL(filepath.Join(dir, IterationsFile), &run.Warnings, func(line []byte) error {
		var it Iteration
		if err := json.Unmarshal(line, &it); err != nil {
			return err
		}
		run.Iterations = append(run.Iterations, it)
		return checkVersion(it.SchemaVersion)
	}); err != nil {
		return nil, err
	}
	if err := readJSONL(filepath.Join(dir, ResultsFile), &run.Warnings, func(line []byte) error {
		var r Record
		if err := json.Unmarshal(line, &r); err != nil {
			return err
		}
		run.Records = append(run.Records, r)
		return checkVersion(r.SchemaVersion)
	}); err != nil {
		return nil, err
	}
	return run, nil
}

func checkVersion(v int) error {
	if v < 1 || v > SchemaVersion {
		return fmt.Errorf("schema_version %d is not one this pyrace understands (1..%d)", v, SchemaVersion)
	}
	return nil
}

// readJSONL calls fn for each line of path. A missing file is empty.
func readJSONL(path string, warnings *[]string, fn func([]byte) error) error {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("reading %s: %w", path, err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 64<<10)
	for n := 1; ; n++ {
		line, err := r.ReadBytes('\n')
		if len(line) == 0 && err == io.EOF {
			return nil
		}
		if err != nil && err != io.EOF {
			return fmt.Errorf("reading %s: %w", path, err)
		}
		complete := bytes.HasSuffix(line, []byte("\n"))
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		if ferr := fn(line); ferr != nil {
			if !complete {
				*warnings = append(*warnings, fmt.Sprintf("%s:%d: torn last line skipped (the writer was interrupted)", path, n))
				return nil
			}
			return fmt.Errorf("%s:%d: %v", path, n, ferr)
		}
		if err == io.EOF {
			return nil
		}
	}
}

// truncateTornTail cuts path after its last newline.
func truncateTornTail(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("reading %s: %w", path, err)
	}
	keep := bytes.LastIndexByte(data, '\n') + 1
	if keep == len(data) {
		return nil
	}
	if err := os.Truncate(path, int64(keep)); err != nil {
		return fmt.Errorf("cutting the torn last line of %s: %w", path, err)
	}
	return nil
}

func mustJSON(v any, indent bool) []byte {
	var data []byte
	var err error
	if indent {
		data, err = json.MarshalIndent(v, "", "  ")
	} else {
		data, err = json.Marshal(v)
	}
	if err != nil {
		// Our record types hold only marshalable fields; NaN or Inf in a
		// float would be a programming error.
		panic(fmt.Sprintf("results: encoding %T: %v", v, err))
	}
	return data
}

// writeFileAtomic writes data to path via a synced temporary file and a
// rename, so readers see the old or the new content, never a mix.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("syncing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return syncDir(filepath.Dir(path))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("syncing %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("syncing %s: %w", dir, err)
	}
	return nil
}

var runIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)

func validRunID(id string) bool { return runIDPattern.MatchString(id) }

// NewRunID returns a run id from the start time and a short random suffix,
// sortable by time: "20261122T123456Z-3f9a".
func NewRunID(t time.Time, suffix string) string {
	return t.UTC().Format("20060102T150405Z") + "-" + suffix
}

// safeName turns a package name into one path element.
func safeName(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
			return r
		}
		return '_'
	}, s)
	s = strings.Trim(s, ".")
	if s == "" {
		return "_"
	}
	return s
}
