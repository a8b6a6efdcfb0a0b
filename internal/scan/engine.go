package scan

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
	"unsafe"

	"github.com/pyrace/pyrace/internal/pyfiles"
	"github.com/pyrace/pyrace/internal/python"
	"github.com/pyrace/pyrace/internal/scan/model"
)

// Checker is a rule: its metadata and a check over one module's model.
type Checker interface {
	Meta() RuleMeta
	Check(m *model.Module, report func(Report))
}

// Report is what a rule reports; the engine turns it into a Finding.
type Report struct {
	// Node is the offending expression or statement.
	Node python.Node
	// Ctx is the node's context from model.Walk (nil for module-level
	// findings outside a walk).
	Ctx *model.Ctx
	// Message names the shared variable and what races with it.
	Message string
	// Fix overrides the rule's general fix advice when set.
	Fix string
	// Confidence overrides the engine's confidence when set.
	Confidence Confidence
	// Related are other places involved, in this file.
	Related []RelatedNode
}

// RelatedNode is a related place in the same file.
type RelatedNode struct {
	Node    python.Node
	Message string
}

// Options configure a scan.
type Options struct {
	// Paths are files and directories to scan.
	Paths []string
	// Rules are the selected rules.
	Rules []Checker
	// MinConfidence drops findings below it.
	MinConfidence Confidence
	// AssumeThreaded are module patterns ("pkg.*", "pkg.mod") whose
	// public classes are treated as shared between threads.
	AssumeThreaded []string
	// Model tunes the model (synchronizing decorators, lock names).
	Model model.Options
	// Jobs is the number of files analysed at once; 0 means one per CPU.
	Jobs int
	// RespectGitignore skips files .gitignore files exclude.
	RespectGitignore bool
	// Exclude (replacing the default excluded directories when non-nil)
	// and ExtendExclude are gitignore-style patterns relative to
	// ExcludeBase, from the configuration.
	Exclude, ExtendExclude []string
	ExcludeBase            string
	// WarnUnusedIgnores reports suppressions that suppress nothing.
	WarnUnusedIgnores bool
	// KnownRule reports whether an id or name in a suppression is a rule.
	KnownRule func(string) bool

	// packages remembers, during a Run, which directories are packages;
	// metas are the metadata of Rules, read once per Run.
	packages *packageDirs
	metas    []RuleMeta
}

// ruleMetas returns the metadata of each rule.
func ruleMetas(rules []Checker) []RuleMeta {
	metas := make([]RuleMeta, len(rules))
	for i, r := range rules {
		metas[i] = r.Meta()
	}
	return metas
}

// packageDirs caches, for ModuleName, whether directories hold an
// __init__.py: the files of a directory share it.
type packageDirs struct {
	mu  sync.Mutex
	pkg map[string]bool
}

// isPackage reports whether dir holds an __init__.py.
func (c *packageDirs) isPackage(dir string) bool {
	if c == nil {
		_, err := os.Stat(filepath.Join(dir, "__init__.py"))
		return err == nil
	}
	c.mu.Lock()
	pkg, ok := c.pkg[dir]
	c.mu.Unlock()
	if !ok {
		_, err := os.Stat(filepath.Join(dir, "__init__.py"))
		pkg = err == nil
		c.mu.Lock()
		c.pkg[dir] = pkg
		c.mu.Unlock()
	}
	return pkg
}

// Result is the outcome of a scan, sorted by file, line and column.
type Result struct {
	Findings    []Finding
	Diagnostics []Diagnostic
	// Files is the number of files analysed.
	Files int
	// Suppressed counts findings silenced by comments.
	Suppressed int
}

// Run scans opts.Paths. Files are analysed in parallel; the result is
// deterministic.
func Run(ctx context.Context, opts Options) (*Result, error) {
	jobs := opts.Jobs
	if jobs <= 0 {
		jobs = runtime.NumCPU()
	}
	opts.packages = &packageDirs{pkg: map[string]bool{}}
	opts.metas = ruleMetas(opts.Rules)
	type fileOut struct {
		findings []Finding
		diags    []Diagnostic
		supp     int
		ok       bool
	}
	paths := make(chan string, jobs)
	outs := make(chan fileOut, jobs)
	var walkDiags []Diagnostic
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(paths)
		for p, err := range pyfiles.Walk(opts.Paths, walkOptions(opts)) {
			if err != nil {
				msg := err.Error()
				var d *pyfiles.Diagnostic
				if errors.As(err, &d) {
					msg = d.Msg
				}
				walkDiags = append(walkDiags, Diagnostic{Kind: IOError, File: slashPath(p), Position: Position{Line: 1, Col: 1}, Message: msg})
				continue
			}
			select {
			case paths <- p:
			case <-ctx.Done():
				return
			}
		}
	})
	var workers sync.WaitGroup
	for range jobs {
		workers.Go(func() {
			scratch := &model.Scratch{} // this worker's buffers, reused file after file
			for p := range paths {
				f, d, s, ok := scanFile(p, opts, scratch)
				outs <- fileOut{f, d, s, ok}
			}
		})
	}
	go func() {
		workers.Wait()
		close(outs)
	}()
	res := &Result{}
	for o := range outs {
		res.Findings = append(res.Findings, o.findings...)
		res.Diagnostics = append(res.Diagnostics, o.diags...)
		res.Suppressed += o.supp
		if o.ok {
			res.Files++
		}
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res.Diagnostics = append(res.Diagnostics, walkDiags...)
	SortFindings(res.Findings)
	slices.SortFunc(res.Diagnostics, func(a, b Diagnostic) int {
		return cmp.Or(strings.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col), strings.Compare(a.Message, b.Message))
	})
	return res, nil
}

// SortFindings orders findings by file, position and rule.
func SortFindings(fs []Finding) {
	slices.SortFunc(fs, func(a, b Finding) int {
		return cmp.Or(strings.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col),
			strings.Compare(a.RuleID, b.RuleID), strings.Compare(a.Message, b.Message))
	})
}

func slashPath(p string) string { return filepath.ToSlash(p) }

// scanFile analyses one file. ok is false when it could not be read.
func scanFile(p string, opts Options, scratch *model.Scratch) (findings []Finding, diags []Diagnostic, suppressed int, ok bool) {
	file := slashPath(p)
	raw, err := os.ReadFile(p)
	if err != nil {
		msg := "cannot read file: " + err.Error()
		if errors.Is(err, fs.ErrNotExist) {
			msg = "file vanished during the scan"
		}
		return nil, []Diagnostic{{Kind: IOError, File: file, Position: Position{Line: 1, Col: 1}, Message: msg}}, 0, false
	}
	return scanSource(file, raw, opts, scratch, true)
}

// ScanSource analyses one file's bytes; file is the name findings carry.
func ScanSource(file string, raw []byte, opts Options) (findings []Finding, diags []Diagnostic, suppressed int, ok bool) {
	return scanSource(file, raw, opts, nil, false)
}

// scanSource is ScanSource building the model with scratch's buffers.
// owned is set when raw belongs to the scan alone (read from the file
// here): the text is then used in place, without a copy.
func scanSource(file string, raw []byte, opts Options, scratch *model.Scratch, owned bool) (findings []Finding, diags []Diagnostic, suppressed int, ok bool) {
	pf := python.ParseFile(file, raw)
	var src string
	if owned && len(pf.Text) > 0 {
		// Nothing writes raw, or the decoded text made from it, after
		// this: the string may share its bytes (findings quote it).
		src = unsafe.String(&pf.Text[0], len(pf.Text))
	} else {
		src = string(pf.Text)
	}
	if len(pf.Errors) > 0 {
		lines := python.NewLines(src)
		for _, e := range pf.Errors {
			col := charCol(lines, e.Line, e.Col)
			diags = append(diags, Diagnostic{Kind: ParseError, File: file,
				Position: Position{Line: e.Line, Col: col, EndLine: e.Line, EndCol: col},
				Message:  e.Msg})
		}
		if len(pf.Module.Body) == 0 {
			return nil, diags, 0, true
		}
	}
	modName := moduleName(file, opts.packages)
	mopts := opts.Model
	mopts.AssumeThreaded = matchModule(opts.AssumeThreaded, modName)
	m := model.BuildScratch(pf, src, modName, mopts, scratch)
	lines := m.Lines()
	defer m.Release()
	// Most files have no suppression comment: the model saw none.
	sup := &suppressions{byLine: map[int]*suppression{}}
	if p, t := m.Comments(); p || t {
		sup = parseSuppressions(strings.Split(src, "\n"))
	}
	metas := opts.metas
	if len(metas) != len(opts.Rules) {
		metas = ruleMetas(opts.Rules)
	}
	var meta *RuleMeta // the rule running
	report := func(r Report) {
		f := makeFinding(*meta, file, lines, m, r)
		if sup.suppresses(f, stmtLine(r)) {
			suppressed++
			return
		}
		if f.Confidence.Rank() < opts.MinConfidence.Rank() {
			return
		}
		findings = append(findings, f)
	}
	for i, rule := range opts.Rules {
		meta = &metas[i]
		rule.Check(m, report)
	}
	diags = append(diags, sup.diagnostics(file, opts)...)
	return findings, diags, suppressed, true
}

// stmtLine is the first line of the statement a report is about, where a
// suppression comment may also stand.
func stmtLine(r Report) int {
	if r.Ctx != nil && r.Ctx.Stmt != nil {
		return r.Ctx.Stmt.Pos().Line
	}
	return 0
}

func makeFinding(meta RuleMeta, file string, lines *python.Lines, m *model.Module, r Report) Finding {
	sp := r.Node.Pos()
	f := Finding{
		RuleID:     meta.ID,
		RuleName:   meta.Name,
		File:       file,
		Position:   Position{Line: sp.Line, Col: charCol(lines, sp.Line, sp.Col), EndLine: sp.EndLine, EndCol: charCol(lines, sp.EndLine, sp.EndCol)},
		Symbol:     "<module>",
		Message:    r.Message,
		Confidence: r.Confidence,
		Fix:        cmp.Or(r.Fix, meta.Fix),
	}
	if r.Ctx != nil {
		f.Symbol = r.Ctx.Symbol()
	}
	if f.Confidence == "" {
		f.Confidence = confidenceOf(meta, m, r.Ctx)
	}
	// Test suites run one test at a time: a hazard in test code is rarely
	// what a maintainer acts on first, so it is at most medium there unless
	// the audit mode covers the module.
	if f.Confidence == High && !m.Options().AssumeThreaded && IsTestFile(file) {
		f.Confidence = Medium
	}
	for _, rel := range r.Related {
		rp := rel.Node.Pos()
		f.Related = append(f.Related, Related{File: file, Message: rel.Message,
			Position: Position{Line: rp.Line, Col: charCol(lines, rp.Line, rp.Col), EndLine: rp.EndLine, EndCol: charCol(lines, rp.EndLine, rp.EndCol)}})
	}
	f.Fingerprint = fingerprint(f, lines)
	return f
}

// confidenceOf is high where the code shows it expects threads (the class
// or module uses locks or threads, or the audit mode covers it) and the
// rule's default otherwise.
func confidenceOf(meta RuleMeta, m *model.Module, ctx *model.Ctx) Confidence {
	if m.Options().AssumeThreaded || m.Intent != "" {
		return High
	}
	if ctx != nil && ctx.Func != nil {
		for f := ctx.Func; f != nil; f = f.Parent {
			if f.Class != nil && f.Class.Intent != "" {
				return High
			}
		}
		if ctx.Locked() {
			return High
		}
	}
	if meta.Confidence != "" {
		return meta.Confidence
	}
	return Medium
}

// fingerprint identifies a finding without its line number: rule, file,
// symbol and the code of its line with whitespace collapsed.
func fingerprint(f Finding, lines *python.Lines) string {
	code := ""
	if f.Line >= 1 && f.Line <= lines.Len() {
		code = strings.Join(strings.Fields(lines.Line(f.Line)), " ")
	}
	h := sha256.Sum256([]byte(f.RuleID + "\x00" + f.File + "\x00" + f.Symbol + "\x00" + code))
	return hex.EncodeToString(h[:8])
}

// charCol converts a 0-based byte column on a 1-based line into a 1-based
// character column.
func charCol(lines *python.Lines, line, byteCol int) int {
	if line < 1 || line > lines.Len() {
		return byteCol + 1
	}
	l := lines.Line(line)
	if byteCol > len(l) {
		byteCol = len(l)
	}
	if byteCol < 0 {
		byteCol = 0
	}
	return utf8.RuneCountInString(l[:byteCol]) + 1
}

// ModuleName derives the dotted module name of a file: the path from the
// outermost directory of its package chain (directories with __init__.py).
func ModuleName(file string) string { return moduleName(file, nil) }

func moduleName(file string, packages *packageDirs) string {
	p := filepath.FromSlash(file)
	base := strings.TrimSuffix(strings.TrimSuffix(filepath.Base(p), ".py"), ".pyi")
	parts := []string{}
	if base != "__init__" {
		parts = append(parts, base)
	}
	dir := filepath.Dir(p)
	for {
		if !packages.isPackage(dir) {
			break
		}
		parts = append(parts, filepath.Base(dir))
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	slices.Reverse(parts)
	return strings.Join(parts, ".")
}

// matchModule reports whether a dotted module name matches one of the
// patterns: "pkg.*" matches pkg and everything below it, other patterns
// use path.Match with '.' as the separator.
func matchModule(patterns []string, name string) bool {
	for _, p := range patterns {
		if prefix, ok := strings.CutSuffix(p, ".*"); ok && (name == prefix || strings.HasPrefix(name, prefix+".")) {
			return true
		}
		if p == "*" {
			return true
		}
		if ok, _ := path.Match(strings.ReplaceAll(p, ".", "/"), strings.ReplaceAll(name, ".", "/")); ok {
			return true
		}
	}
	return false
}

// IsTestFile reports whether a file is test code: under a directory named
// test, tests, testing or *_test(s), or named test_*.py, *_test.py or
// conftest.py.
func IsTestFile(file string) bool {
	parts := strings.Split(filepath.ToSlash(file), "/")
	base := parts[len(parts)-1]
	if strings.HasPrefix(base, "test_") || strings.HasSuffix(base, "_test.py") || base == "conftest.py" {
		return true
	}
	for _, dir := range parts[:len(parts)-1] {
		switch {
		case dir == "test", dir == "tests", dir == "testing", strings.HasSuffix(dir, "_test"), strings.HasSuffix(dir, "_tests"):
			return true
		}
	}
	return false
}
