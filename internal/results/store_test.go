package results

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func newTestWriter(t *testing.T) *Writer {
	t.Helper()
	w, err := Create(t.TempDir(), "run-1", Meta{Config: Config{Package: "demo"}, Started: time.Unix(0, 0).UTC()})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestWriteAndRead(t *testing.T) {
	w := newTestWriter(t)
	var wg sync.WaitGroup
	for i := 1; i <= 20; i++ {
		wg.Go(func() {
			if err := w.AppendIteration(Iteration{Package: "demo", Mode: FreeThreaded, Index: i, Outcome: OutcomePass}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if err := w.AppendRecord(Record{Package: "demo", Category: Compatible}); err != nil {
		t.Fatal(err)
	}
	run, err := ReadRun(w.Dir())
	if err != nil {
		t.Fatal(err)
	}
	if run.Meta.Status != Running || run.Meta.Tool != ToolName || run.Meta.RunID != "run-1" {
		t.Errorf("meta before Finish = %+v", run.Meta)
	}
	if err := w.Finish(Finished, time.Unix(10, 0)); err != nil {
		t.Fatal(err)
	}
	run, err = ReadRun(w.Dir())
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Iterations) != 20 || len(run.Records) != 1 || len(run.Warnings) != 0 {
		t.Fatalf("read %d iterations, %d records, warnings %v", len(run.Iterations), len(run.Records), run.Warnings)
	}
	if run.Meta.Status != Finished || run.Meta.Finished == nil {
		t.Errorf("meta after Finish = %+v", run.Meta)
	}
	for _, it := range run.Iterations {
		if it.SchemaVersion != SchemaVersion {
			t.Errorf("iteration without schema_version: %+v", it)
		}
	}
}

func TestCreateNeverOverwrites(t *testing.T) {
	root := t.TempDir()
	if _, err := Create(root, "x", Meta{}); err != nil {
		t.Fatal(err)
	}
	_, err := Create(root, "x", Meta{})
	if err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("second Create: %v", err)
	}
	file := filepath.Join(root, "file")
	os.WriteFile(file, nil, 0o644)
	if _, err := Create(file, "y", Meta{}); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("Create under a file: %v", err)
	}
	if _, err := Create(root, "../escape", Meta{}); err == nil {
		t.Error("Create accepted a run id with a slash")
	}
}

func TestTornLastLine(t *testing.T) {
	w := newTestWriter(t)
	for i := 1; i <= 3; i++ {
		w.AppendIteration(Iteration{Index: i, Outcome: OutcomeFail})
	}
	w.Close()
	path := filepath.Join(w.Dir(), IterationsFile)
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"schema_version":1,"index":4,"outc`)
	f.Close()

	run, err := ReadRun(w.Dir())
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Iterations) != 3 || len(run.Warnings) != 1 || !strings.Contains(run.Warnings[0], "iterations.jsonl:4: torn last line") {
		t.Fatalf("iterations %d, warnings %q", len(run.Iterations), run.Warnings)
	}

	w2, run2, err := Resume(w.Dir())
	if err != nil {
		t.Fatal(err)
	}
	if len(run2.Iterations) != 3 {
		t.Fatalf("resume read %d iterations", len(run2.Iterations))
	}
	w2.AppendIteration(Iteration{Index: 4, Outcome: OutcomePass})
	w2.Finish(Finished, time.Now())
	run3, err := ReadRun(w.Dir())
	if err != nil || len(run3.Iterations) != 4 || len(run3.Warnings) != 0 {
		t.Fatalf("after resume: %v, %d iterations, warnings %q", err, len(run3.Iterations), run3.Warnings)
	}
}

func TestReadErrors(t *testing.T) {
	tests := []struct {
		name  string
		setup func(dir string)
		want  string
	}{
		{"missing", func(dir string) { os.RemoveAll(dir) }, "no such run directory"},
		{"no meta", func(string) {}, "not a pyrace run directory (no meta.json)"},
		{"foreign meta", func(dir string) {
			os.WriteFile(filepath.Join(dir, MetaFile), []byte(`{"tool":"labeille"}`), 0o644)
		}, `has tool "labeille"`},
		{"bad meta", func(dir string) {
			os.WriteFile(filepath.Join(dir, MetaFile), []byte(`<html>`), 0o644)
		}, "not a pyrace run directory"},
		{"newer schema", func(dir string) {
			os.WriteFile(filepath.Join(dir, MetaFile), []byte(`{"tool":"pyrace","schema_version":99}`), 0o644)
		}, "newer than this pyrace"},
		{"corrupt middle line", func(dir string) {
			os.WriteFile(filepath.Join(dir, MetaFile), []byte(`{"tool":"pyrace","schema_version":1}`), 0o644)
			os.WriteFile(filepath.Join(dir, ResultsFile), []byte("{\"schema_version\":1}\nnot json\n{\"schema_version\":1}\n"), 0o644)
		}, "results.jsonl:2:"},
		{"line without schema version", func(dir string) {
			os.WriteFile(filepath.Join(dir, MetaFile), []byte(`{"tool":"pyrace","schema_version":1}`), 0o644)
			os.WriteFile(filepath.Join(dir, IterationsFile), []byte("{\"index\":1}\n"), 0o644)
		}, "iterations.jsonl:1: schema_version 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "run")
			os.Mkdir(dir, 0o755)
			tt.setup(dir)
			_, err := ReadRun(dir)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ReadRun: %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestSafeName(t *testing.T) {
	for in, want := range map[string]string{"numpy": "numpy", "a/b": "a_b", "..": "_", "": "_", "x y": "x_y"} {
		if got := safeName(in); got != want {
			t.Errorf("safeName(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzReadRun(f *testing.F) {
	f.Add([]byte(`{"tool":"pyrace","schema_version":1}`), []byte("{\"schema_version\":1,\"index\":1}\n{\"schema_ver"), []byte("{\"schema_version\":1,\"category\":\"crash\"}\n"))
	f.Add([]byte(`{"tool":"pyrace"}`), []byte("\n\n"), []byte("[1,2]\n"))
	f.Fuzz(func(t *testing.T, meta, iterations, records []byte) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, MetaFile), meta, 0o644)
		os.WriteFile(filepath.Join(dir, IterationsFile), iterations, 0o644)
		os.WriteFile(filepath.Join(dir, ResultsFile), records, 0o644)
		run, err := ReadRun(dir)
		if err == nil && run.Meta.Tool != ToolName {
			t.Errorf("accepted meta of tool %q", run.Meta.Tool)
		}
	})
}
