package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "a.py")
	if err := os.WriteFile(file, []byte("x = 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		args    []string
		wantErr string // in stderr
		hint    string // the help hint's command
	}{
		{"unknown flag", []string{"parse", "--bogus", dir}, "unknown flag: --bogus", "pyrace parse"},
		{"unknown command", []string{"frobnicate"}, `unknown command "frobnicate"`, "pyrace"},
		{"parse without paths", []string{"parse"}, "needs at least one PATH", "pyrace parse"},
		{"negative jobs", []string{"parse", "--jobs", "-1", dir}, "--jobs must be 0", "pyrace parse"},
		{"jobs not a number", []string{"parse", "--jobs", "many", dir}, `invalid argument "many"`, "pyrace parse"},
		{"bad format", []string{"parse", "--stats", "--format", "xml", dir}, "--format must be text or json", "pyrace parse"},
		{"json without stats", []string{"parse", "--format", "json", dir}, "--format json applies to --stats", "pyrace parse"},
		{"dump with two files", []string{"parse", "--dump", file, file}, "--dump needs exactly one file", "pyrace parse"},
		{"dump a directory", []string{"parse", "--dump", dir}, "is a directory", "pyrace parse"},
		{"dump with stats", []string{"parse", "--dump", "--stats", file}, "--dump and --stats cannot be used together", "pyrace parse"},
		{"version with arguments", []string{"version", "extra"}, "takes no arguments", "pyrace version"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runMain(t, nil, tt.args...)
			if r.code != ExitError {
				t.Errorf("exit status %d, want %d", r.code, ExitError)
			}
			if !strings.Contains(r.stderr, "pyrace: error: ") || !strings.Contains(r.stderr, tt.wantErr) {
				t.Errorf("stderr %q does not report %q", r.stderr, tt.wantErr)
			}
			if hint := "Run '" + tt.hint + " --help' for usage."; !strings.Contains(r.stderr, hint) {
				t.Errorf("stderr %q lacks the hint %q", r.stderr, hint)
			}
			if r.stdout != "" {
				t.Errorf("stdout %q, want nothing", r.stdout)
			}
		})
	}
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		r := runMain(t, nil, args...)
		if r.code != ExitOK || r.stderr != "" {
			t.Fatalf("%v: status %d, stderr %q", args, r.code, r.stderr)
		}
		if !strings.HasPrefix(r.stdout, "pyrace ") {
			t.Errorf("%v: stdout %q does not start with the version", args, r.stdout)
		}
	}
	r := runMain(t, nil, "version")
	for _, want := range []string{"go: " + runtime.Version(), "platform: " + runtime.GOOS + "/" + runtime.GOARCH} {
		if !strings.Contains(r.stdout, want+"\n") {
			t.Errorf("stdout %q lacks %q", r.stdout, want)
		}
	}
}

func TestVersionFromLdflags(t *testing.T) {
	r := runBin(t, t.Context(), t.TempDir(), nil, "version")
	if !strings.HasPrefix(r.stdout, "pyrace ") {
		t.Errorf("stdout %q", r.stdout)
	}
	bin := filepath.Join(t.TempDir(), "pyrace")
	cmd := []string{"build", "-buildvcs=false", "-o", bin, "-ldflags", "-X github.com/pyrace/pyrace/internal/cli.version=v9.8.7", "github.com/pyrace/pyrace/cmd/pyrace"}
	if out, err := execOutput(t, "go", cmd...); err != nil {
		t.Fatalf("go %v: %v\n%s", cmd, err, out)
	}
	out, err := execOutput(t, bin, "version")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out, "pyrace v9.8.7") {
		t.Errorf("version output %q does not carry the injected version", out)
	}
}

func TestHelpAndCompletion(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--help"}, "parse"},
		{[]string{"help", "parse"}, "--jobs"},
		{[]string{"parse", "--help"}, "-j, --jobs N "},
		{[]string{"parse", "--help"}, `--format FORMAT   FORMAT of --stats: text or json (default "text")`},
		{[]string{"completion", "bash"}, "bash completion"},
		{[]string{"completion", "zsh"}, "compdef"},
	}
	for _, tt := range tests {
		r := runMain(t, nil, tt.args...)
		if r.code != ExitOK {
			t.Errorf("%v: status %d, stderr %q", tt.args, r.code, r.stderr)
		}
		if !strings.Contains(r.stdout, tt.want) {
			t.Errorf("%v: stdout lacks %q", tt.args, tt.want)
		}
	}
}

func TestUseColor(t *testing.T) {
	tests := []struct {
		terminal bool
		env      map[string]string
		want     bool
	}{
		{true, nil, true},
		{false, nil, false},
		{true, map[string]string{"NO_COLOR": "1"}, false},
		{true, map[string]string{"NO_COLOR": ""}, true},
		{true, map[string]string{"TERM": "dumb"}, false},
		{false, map[string]string{"NO_COLOR": ""}, false},
	}
	for _, tt := range tests {
		if got := useColor(tt.terminal, func(k string) string { return tt.env[k] }); got != tt.want {
			t.Errorf("useColor(%v, %v) = %v, want %v", tt.terminal, tt.env, got, tt.want)
		}
	}
	if isTerminal(new(strings.Builder)) {
		t.Error("a strings.Builder is not a terminal")
	}
	colored := style{color: true}
	if got := colored.bold("x"); got != "\x1b[1mx\x1b[0m" {
		t.Errorf("bold = %q", got)
	}
	if got := (style{}).errorPrefix(); got != "pyrace: error:" {
		t.Errorf("plain error prefix = %q", got)
	}
}

// TestParseInProcess runs the whole parse pipeline in the test process (so
// under the race detector) with several job counts and checks that the
// output does not depend on them.
func TestParseInProcess(t *testing.T) {
	dir := t.TempDir()
	for i := range 40 {
		sub := filepath.Join(dir, "pkg", string(rune('a'+i%7)))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		src := strings.Repeat("x = 1\n", i+1)
		if err := os.WriteFile(filepath.Join(sub, "m"+string(rune('a'+i))+".py"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "pkg", "__pycache__"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "pkg", "__pycache__", "skipped.py"), []byte("("), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.py")

	var first result
	for i, jobs := range []string{"1", "2", "8", "0"} {
		r := runMain(t, nil, "parse", "--stats", "--format", "json", "--jobs", jobs, filepath.Join(dir, "pkg"), missing)
		var st parseStats
		if err := json.Unmarshal([]byte(r.stdout), &st); err != nil {
			t.Fatalf("jobs %s: stdout is not JSON: %v\n%s", jobs, err, r.stdout)
		}
		if st.Files != 40 || st.IOErrors != 1 || st.Bytes != int64(6*40*41/2) || st.LargestFile != 6*40 {
			t.Errorf("jobs %s: stats %+v, want 40 files, 1 I/O error, %d bytes, largest %d", jobs, st, 6*40*41/2, 6*40)
		}
		if r.code != ExitError {
			t.Errorf("jobs %s: status %d, want %d (missing path)", jobs, r.code, ExitError)
		}
		if !strings.Contains(r.stderr, missing+":1:1: no such file or directory\n") {
			t.Errorf("jobs %s: stderr lacks the missing path:\n%s", jobs, r.stderr)
		}
		if strings.Contains(r.stderr, "__pycache__") {
			t.Errorf("jobs %s: __pycache__ was not excluded:\n%s", jobs, r.stderr)
		}
		if i == 0 {
			first = r
		} else if r.stderr != first.stderr {
			t.Errorf("jobs %s: diagnostics differ from jobs 1:\n%s\nvs\n%s", jobs, r.stderr, first.stderr)
		}
	}
}

func TestParseNoFiles(t *testing.T) {
	r := runMain(t, nil, "parse", t.TempDir())
	if r.code != ExitOK {
		t.Errorf("status %d, want 0", r.code)
	}
	if !strings.Contains(r.stderr, "warning: no Python files found") {
		t.Errorf("stderr %q lacks the warning", r.stderr)
	}
}

func TestStatsText(t *testing.T) {
	st := parseStats{Files: 1234, Lines: 1234567, Bytes: 12345678, FilesWithErrors: 1, Errors: 2, IOErrors: 3,
		LargestFile: 2_500_000, PeakMemory: 31_000_000}
	st.finish(2*time.Second, 4)
	var b strings.Builder
	if err := writeStatsText(&b, st); err != nil {
		t.Fatal(err)
	}
	want := `files                        1,234
lines                    1,234,567
bytes                   12,345,678
files with errors                1
errors                           2
I/O errors                       3
wall time                       2s
MB/s                          6.17
MB/s per core (4 jobs)        1.54
largest file               2.50 MB
peak memory               31.00 MB
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", -1234567: "-1,234,567", 100000: "100,000"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestWriteDiagnosticsSortedAndColoured(t *testing.T) {
	diags := []diagnostic{
		{path: "a.py", line: 3, col: 1, text: "a.py:3:1: c"},
		{path: "a.py", line: 1, col: 5, text: "a.py:1:5: b"},
	}
	var b strings.Builder
	if err := writeDiagnostics(&b, style{color: true}, diags); err != nil {
		t.Fatal(err)
	}
	if want := "\x1b[1ma.py\x1b[0m:3:1: c\n\x1b[1ma.py\x1b[0m:1:5: b\n"; b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

// FuzzParseSource feeds arbitrary bytes through the wrapper that the parse
// command calls for every file: it must never panic or lose the path.
func FuzzParseSource(f *testing.F) {
	for _, seed := range []string{
		"", "x = 1\n", "def f(:\n", "\xff\xfe\x00x", "# -*- coding: latin-1 -*-\nx = '\xe9'\n",
		"\ufeffprint(1)\r\n", "if x:\n\tpass\n        pass\n", "x = [" + strings.Repeat("1, ", 1000) + "]",
		strings.Repeat("(", 500), "f'{x!r:>{w}}'\n", "\x00",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		r := parseSource("fuzz.py", src)
		if r.internal > 0 {
			t.Fatalf("parser failure: %s", r.diags[len(r.diags)-1].text)
		}
		if r.bytes != int64(len(src)) || !r.parsed {
			t.Fatalf("counted %d bytes of %d", r.bytes, len(src))
		}
		for _, d := range r.diags {
			if !strings.HasPrefix(d.text, "fuzz.py:") {
				t.Fatalf("diagnostic %q does not start with the path", d.text)
			}
		}
	})
}
