//go:build unix

package report

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The Chromium tests open the HTML report in a real browser, headless,
// through its command line only (no DevTools protocol): --dump-dom prints
// the DOM once the page has loaded and its script has run, --screenshot
// saves what it looks like, and --enable-logging=stderr logs what the page
// wrote to the console, its uncaught exceptions and the Content Security
// Policy's violations.

// chromium finds a Chromium. Without one the test skips, unless
// PYRACE_REQUIRE_CHROMIUM=1 (as in CI) makes that a failure.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	const why = "no Chromium on PATH (looked for chromium, chromium-browser and google-chrome); on Debian: apt-get install chromium"
	if os.Getenv("PYRACE_REQUIRE_CHROMIUM") == "1" {
		t.Fatal(why + " (PYRACE_REQUIRE_CHROMIUM=1 requires it)")
	}
	t.Skip(why + " (set PYRACE_REQUIRE_CHROMIUM=1 to make this a failure)")
	return ""
}

// chromiumRun is what one headless Chromium run of a page gave.
type chromiumRun struct {
	DOM    string // --dump-dom: the DOM serialized after load
	Stderr string
}

// runChromium opens url in headless Chromium, saving a screenshot at
// screenshot when it is not "". A browser that hangs is killed, with its
// whole process group, after a minute.
func runChromium(t *testing.T, bin, url, screenshot string) chromiumRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	args := []string{"--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=" + t.TempDir(),
		"--no-first-run", "--no-default-browser-check", "--disable-extensions",
		"--enable-logging=stderr", "--v=1", "--virtual-time-budget=2000", "--window-size=1280,2000"}
	if screenshot != "" {
		args = append(args, "--screenshot="+screenshot)
	}
	args = append(args, "--dump-dom", url)
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	t.Logf("chromium %s: %v", url, time.Since(start).Round(time.Millisecond))
	if ctx.Err() != nil {
		t.Fatalf("chromium did not finish in time: %v\n%s", ctx.Err(), chromiumTail(stderr.String()))
	}
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, chromiumTail(stderr.String()))
	}
	if !strings.Contains(stdout.String(), "</html>") {
		t.Fatalf("chromium printed no DOM:\n%s", chromiumTail(stderr.String()))
	}
	return chromiumRun{DOM: stdout.String(), Stderr: stderr.String()}
}

// chromiumTail is the end of a log, for a failure message.
func chromiumTail(log string) string {
	lines := strings.Split(strings.TrimSpace(log), "\n")
	return strings.Join(lines[max(0, len(lines)-30):], "\n")
}

// chromiumConsole returns the lines of Chromium's stderr log that are
// console messages. With --enable-logging=stderr every console.log or
// console.error, uncaught exception and Content-Security-Policy violation
// is logged at level INFO (the console's own level is not in the line) as
//
//	[2092:2092:1122/194122.436642:INFO:CONSOLE:1] "Uncaught ReferenceError: f is not defined", source: file:///tmp/page.html (1)
//
// (Chromium 156; releases before about 2024 wrote CONSOLE(1) instead of
// CONSOLE:1). The report's script writes nothing to the console, so any
// such line is an error.
func chromiumConsole(stderr string) []string {
	var out []string
	for line := range strings.Lines(stderr) {
		head, _, ok := strings.Cut(line, "] ")
		if ok && strings.HasPrefix(head, "[") && (strings.Contains(head, ":CONSOLE:") || strings.Contains(head, ":CONSOLE(")) {
			out = append(out, strings.TrimSpace(line))
		}
	}
	return out
}

// The hostile names put in a real run for the browser test.
const (
	chromiumHostileTest    = `<script>document.title='pwned'</script><img src=x onerror="document.title='pwned'">`
	chromiumHostilePackage = `a&b<img src=x onerror="document.title='pwned'">`
)

// chromiumHostileRuns copies the real runs of testdata/runs into a
// temporary directory, renaming the counters package and one of its flaky
// tests to hostile names, and builds their document.
func chromiumHostileRuns(t *testing.T) Document {
	t.Helper()
	root := t.TempDir()
	var dirs []string
	for _, name := range []string{"ft-counters", "ft-crash", "ft-deadlock", "ft-cext", "ft-clean"} {
		src, dst := filepath.Join("testdata", "runs", name), filepath.Join(root, name)
		if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, dst)
	}
	jsonString := func(s string) string {
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	replaced := 0
	for _, file := range []string{"results.jsonl", "iterations.jsonl"} {
		path := filepath.Join(root, "ft-counters", file)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		for _, r := range [][2]string{
			{`"tests/test_registry.py::ConcurrentRegistryTest::test_describe_while_registering"`, jsonString(chromiumHostileTest)},
			{`"package":"counters"`, `"package":` + jsonString(chromiumHostilePackage)},
		} {
			replaced += strings.Count(s, r[0])
			s = strings.ReplaceAll(s, r[0], r[1])
		}
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if replaced < 4 {
		t.Fatalf("only %d replacements in the copy of ft-counters: has its format changed?", replaced)
	}
	set, err := Load(dirs)
	if err != nil {
		t.Fatal(err)
	}
	doc := Build(set)
	found := false
	for _, fl := range doc.Flaky {
		found = found || fl.Package == chromiumHostilePackage &&
			slices.ContainsFunc(fl.Tests, func(h TestHistory) bool { return h.ID == chromiumHostileTest })
	}
	if !found {
		t.Fatal("the hostile package and test are not in the document")
	}
	return doc
}

// chromiumArtifacts is where the test leaves its screenshot:
// $PYRACE_TEST_ARTIFACTS when set, else a temporary directory.
func chromiumArtifacts(t *testing.T) string {
	dir := os.Getenv("PYRACE_TEST_ARTIFACTS")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

func TestChromiumReport(t *testing.T) {
	bin := chromium(t)
	t.Parallel()
	doc := chromiumHostileRuns(t)
	var page bytes.Buffer
	if err := WriteHTML(&page, doc); err != nil {
		t.Fatal(err)
	}
	artifacts := chromiumArtifacts(t)
	path := filepath.Join(artifacts, "report.html")
	if err := os.WriteFile(path, page.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(artifacts, "report.png")
	// #sort=package has the script sort the packages table by name.
	run := runChromium(t, bin, "file://"+path+"#sort=package", shot)
	t.Logf("report: %s\nscreenshot: %s", path, shot)

	if lines := chromiumConsole(run.Stderr); len(lines) > 0 {
		t.Errorf("the page logged to the console:\n%s", strings.Join(lines, "\n"))
	}
	dom := htmlScan(t, run.DOM)
	if got, want := htmlTitleOf(t, run.DOM), htmlTitle(doc); got != want {
		t.Errorf("the page's title is %q, want %q", got, want)
	}
	if strings.Contains(run.DOM, "<title>pwned") {
		t.Error("a hostile name set the page's title")
	}
	// The elements are the server's: nothing hostile became one.
	if n := dom.tags("img"); n != 0 {
		t.Errorf("the DOM has %d img elements", n)
	}
	if n := dom.tags("script"); n != 1 {
		t.Errorf("the DOM has %d script elements, want 1", n)
	}
	for _, want := range []string{chromiumHostileTest, chromiumHostilePackage} {
		if !dom.hasText(want) {
			t.Errorf("the DOM does not show %q as text", want)
		}
	}
	heat := 0
	for _, fl := range doc.Flaky {
		for _, h := range fl.Tests {
			heat += len(h.Marks)
		}
	}
	iterations := 0
	for _, tl := range doc.Timelines {
		iterations += len(tl.Iterations)
	}
	for class, want := range map[string]int{"cat-bar": len(doc.Categories), "hist-bar": 10, "tl-cell": iterations, "heat-cell": heat} {
		var inSVG int
		depth := 0
		for _, e := range dom.Elems {
			switch e.Tag {
			case "svg":
				depth++
			case "/svg":
				depth--
			}
			if depth > 0 && e.hasClass(class) {
				inSVG++
			}
		}
		if inSVG != want || want == 0 {
			t.Errorf("%d %s elements in SVG, want %d", inSVG, class, want)
		}
	}
	// The script ran (the policy let it) and sorted the table by name.
	root := slices.IndexFunc(dom.Elems, func(e htmlElem) bool { return e.Tag == "html" })
	if root < 0 || dom.Elems[root].Attrs["data-js"] != "ready" {
		t.Error("the page's script did not run")
	}
	var names []string
	sorted := false
	for _, e := range dom.Elems {
		if e.Tag == "td" && e.hasClass("pkg") && e.Attrs["data-sort"] != "" {
			names = append(names, e.Attrs["data-sort"])
		}
		if e.Tag == "th" && e.Attrs["data-key"] == "package" {
			sorted = e.Attrs["aria-sort"] == "ascending"
		}
	}
	want := []string{chromiumHostilePackage, "cext", "clean", "hang", "segv"}
	if !slices.Equal(names, want) || !sorted {
		t.Errorf("packages %v (sorted: %v), want sorted by name: %v", names, sorted, want)
	}

	f, err := os.Open(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 1280 || b.Dy() != 2000 {
		t.Errorf("screenshot of %v, want 1280x2000", b.Size())
	}
}

// TestChromiumCatchesErrors shows that the console check of
// TestChromiumReport can fail: on the report with markup injected past the
// escaping (the policy blocks it, and says so on the console), and on a
// page whose script fails.
func TestChromiumCatchesErrors(t *testing.T) {
	bin := chromium(t)
	t.Parallel()
	var report bytes.Buffer
	if err := WriteHTML(&report, htmlHostileDoc("x")); err != nil {
		t.Fatal(err)
	}
	injected := strings.Replace(report.String(), "<main>",
		`<main><script>document.title='pwned'</script><img src="https://example.invalid/x.png">`, 1)
	broken := `<!DOCTYPE html><html><head><title>broken</title></head><body><script>console.error("boom"); undefinedFunction();</script></body></html>`
	dir := t.TempDir()
	for _, tc := range []struct {
		name, page string
		want       []string // in the console lines, in order
	}{
		{"injected", injected, []string{"violates the following Content Security Policy directive", "Loading the image 'https://example.invalid/x.png' violates"}},
		{"broken", broken, []string{`"boom"`, "Uncaught ReferenceError: undefinedFunction is not defined"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(dir, tc.name+".html")
			if err := os.WriteFile(path, []byte(tc.page), 0o644); err != nil {
				t.Fatal(err)
			}
			run := runChromium(t, bin, "file://"+path, "")
			lines := chromiumConsole(run.Stderr)
			for _, want := range tc.want {
				if !slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, want) }) {
					t.Errorf("no console line has %q; console lines:\n%s", want, strings.Join(lines, "\n"))
				}
			}
			if tc.name == "injected" {
				if strings.Contains(run.DOM, "<title>pwned") {
					t.Error("the policy did not block the injected script")
				}
				dom := htmlScan(t, run.DOM)
				if root := slices.IndexFunc(dom.Elems, func(e htmlElem) bool { return e.Tag == "html" }); dom.Elems[root].Attrs["data-js"] != "ready" {
					t.Error("the report's own script did not run")
				}
			}
		})
	}
}
