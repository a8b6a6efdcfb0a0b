// Package config reads pyrace's configuration: the [tool.pyrace] table of a
// pyproject.toml.
//
// [Find] locates the file by walking up from the first scanned path, [Load]
// reads and validates it. Every problem is reported as an [*Error] naming
// the file, the line and the key:
//
//	pyproject.toml:12: tool.pyrace.min-confidence: "hi" is not one of high, medium, low
//
// The package knows nothing of the rules; [Load] checks rule selectors with
// a function its caller passes in.
//
// The keys, all optional, are (see [Keys] for their documentation):
//
//	[tool.pyrace]
//	select = ["FT001", "FT0", "inconsistent-locking"]  # rules to run (ids, id prefixes or names)
//	extend-select = ["FT012"]                          # added to select
//	ignore = ["FT009"]                                 # removed from the selection
//	min-confidence = "medium"                          # high, medium or low
//	assume-threaded = ["mylib.*"]                      # modules whose public classes are shared
//	exclude = ["tests/fixtures/"]                      # replaces the default excludes
//	extend-exclude = ["*_pb2.py"]                      # added to the excludes
//	respect-gitignore = true                           # skip what git ignores
//	synchronizing-decorators = ["synchronized", "locked"]
//	lock-names = ["*_guard"]                           # more names that count as locks
//	baseline = ".pyrace-baseline.json"                 # relative to this file
//	format = "text"                                    # text, json, sarif, github or junit
package config

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/BurntSushi/toml"
)

// FileName is the name of the file [Find] looks for.
const FileName = "pyproject.toml"

// The values of min-confidence and format.
var (
	confidences = []string{"high", "medium", "low"}
	formats     = []string{"text", "json", "sarif", "github", "junit"}
)

// Config is the content of a [tool.pyrace] table. A list that the file
// does not set is nil; a list set to [] is empty but not nil. Use
// [Config.IsSet] to tell whether the file set a key.
type Config struct {
	// Path is the file the configuration was read from, as given to Load;
	// "" for [Default].
	Path string
	// Dir is the directory holding Path: exclude patterns and the baseline
	// are relative to it.
	Dir string

	// Select lists the rules to run: rule ids ("FT001"), id prefixes
	// ("FT0") or rule names ("rmw-counter"). Nil means the default set.
	Select []string
	// ExtendSelect lists rules run in addition to Select.
	ExtendSelect []string
	// Ignore lists rules not to run, even when selected.
	Ignore []string
	// MinConfidence is the lowest confidence reported: "high", "medium" or
	// "low"; "" when unset.
	MinConfidence string
	// AssumeThreaded lists module patterns ("pkg.module.*", "pkg.*")
	// whose public classes are treated as shared between threads.
	AssumeThreaded []string
	// Exclude lists gitignore-style patterns, relative to Dir, of the
	// files and directories not to scan; setting it replaces the default
	// excludes. Nil means the defaults.
	Exclude []string
	// ExtendExclude lists gitignore-style patterns, relative to Dir,
	// excluded in addition to Exclude (or to the defaults).
	ExtendExclude []string
	// RespectGitignore skips the files that git ignores (.gitignore,
	// .git/info/exclude). Default true.
	RespectGitignore bool
	// SynchronizingDecorators lists the names of decorators that make a
	// whole function run under a lock. Default ["synchronized", "locked"].
	SynchronizingDecorators []string
	// LockNames lists glob patterns of further names that count as locks
	// in "with NAME:" ("*_guard", "_mtx").
	LockNames []string
	// Baseline is the baseline file, made absolute or relative to the
	// working directory by joining the value with Dir; "" when unset.
	Baseline string
	// Format is the output format: "text", "json", "sarif", "github" or
	// "junit"; "" when unset.
	Format string

	lines map[string]int // key set by the file -> its line
}

// Default returns the configuration used when no file sets anything.
func Default() Config {
	return Config{
		RespectGitignore:        true,
		SynchronizingDecorators: []string{"synchronized", "locked"},
	}
}

// IsSet reports whether the file sets key (as written in TOML, such as
// "min-confidence").
func (c *Config) IsSet(key string) bool {
	_, ok := c.lines[key]
	return ok
}

// Line returns the line of the file where key (as written in TOML) is
// set, or 0 when it is not set or its line is unknown.
func (c *Config) Line(key string) int { return c.lines[key] }

// Error is a problem with a configuration file.
type Error struct {
	// Path is the file, as given to Load or returned by Find.
	Path string
	// Line is the 1-based line of the problem, or 0 when unknown.
	Line int
	// Key is the full key concerned ("tool.pyrace.select",
	// "tool.pyrace.select[2]"), or "" for a syntax error.
	Key string
	// Msg describes the problem.
	Msg string
	// Err is the underlying error, if any (a toml.ParseError for a syntax
	// error).
	Err error
}

// Error returns "path:line: key: message".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Path)
	if e.Line > 0 {
		b.WriteString(":")
		b.WriteString(strconv.Itoa(e.Line))
	}
	b.WriteString(": ")
	if e.Key != "" {
		b.WriteString(e.Key)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Find looks for the pyproject.toml holding a [tool.pyrace] table that
// applies to start, a file or directory (the first path given to pyrace
// scan). It checks start's directory and then each parent in turn, like
// ruff: a pyproject.toml without a [tool.pyrace] table does not stop the
// search, and the search ends after checking the top of the git repository
// (a directory holding .git) or the filesystem root.
//
// It returns "" and a nil error when there is no such file. The path
// returned is relative to the working directory when start is relative,
// absolute otherwise. A pyproject.toml that mentions pyrace but is not
// valid TOML is an error, since it cannot be told whether it configures
// pyrace.
func Find(start string) (string, error) {
	abs, err := filepath.Abs(start)
	if err != nil {
		return "", fmt.Errorf("finding %s for %s: %w", FileName, start, err)
	}
	dir := abs
	if fi, err := os.Stat(abs); err == nil && !fi.IsDir() {
		dir = filepath.Dir(abs)
	}
	wd := ""
	if !filepath.IsAbs(start) {
		wd, _ = os.Getwd()
	}
	for {
		file := filepath.Join(dir, FileName)
		shown := file
		if wd != "" {
			if rel, err := filepath.Rel(wd, file); err == nil {
				shown = rel
			}
		}
		ok, err := hasPyraceTable(file, shown)
		if err != nil {
			return "", err
		}
		if ok {
			return shown, nil
		}
		if _, err := os.Lstat(filepath.Join(dir, ".git")); err == nil {
			return "", nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", nil
		}
		dir = parent
	}
}

// hasPyraceTable reports whether the file exists and has a tool.pyrace key.
// shown is the path used in errors.
func hasPyraceTable(file, shown string) (bool, error) {
	fi, err := os.Stat(file)
	if err != nil || fi.IsDir() {
		return false, nil // absent (or unreachable, like anything absent)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return false, fmt.Errorf("finding %s: %w", FileName, err)
	}
	if !strings.Contains(string(data), "pyrace") {
		return false, nil // cheap: most pyproject.toml files never mention pyrace
	}
	var root map[string]any
	if _, err := toml.Decode(string(data), &root); err != nil {
		return false, syntaxError(shown, err)
	}
	tool, _ := root["tool"].(map[string]any)
	_, ok := tool["pyrace"]
	return ok, nil
}

// syntaxError converts a TOML decoding error into an *Error.
func syntaxError(path string, err error) error {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		return &Error{Path: path, Line: pe.Position.Line, Msg: "invalid TOML: " + pe.Message, Err: err}
	}
	return &Error{Path: path, Msg: "invalid TOML: " + err.Error(), Err: err}
}

// Load reads the [tool.pyrace] table of the TOML file at path and validates
// it. A file without the table yields [Default] with Path and Dir set.
//
// knownRule reports whether a rule selector (a rule id such as "FT001", an
// id prefix such as "FT0", or a rule name such as "rmw-counter") names at
// least one rule; nil accepts every selector that is well formed.
//
// All the problems found are reported, in the order of the file, each as an
// [*Error] (joined with [errors.Join] when there are several); the Config
// returned then holds the valid keys only.
func Load(path string, knownRule func(selector string) bool) (Config, error) {
	c := Default()
	c.Path = path
	c.Dir = filepath.Dir(path)
	c.lines = make(map[string]int)
	data, err := os.ReadFile(path)
	if err != nil {
		return c, fmt.Errorf("reading configuration: %w", err)
	}
	var root map[string]toml.Primitive
	md, err := toml.Decode(string(data), &root)
	if err != nil {
		return c, syntaxError(path, err)
	}
	l := &loader{md: &md, c: &c, path: path, knownRule: knownRule}
	toolPrim, ok := root["tool"]
	if !ok {
		return c, nil
	}
	tool, ok := l.table(toolPrim, "tool")
	if !ok {
		return c, l.err()
	}
	tablePrim, ok := tool["pyrace"]
	if !ok {
		return c, nil
	}
	table, ok := l.table(tablePrim, "tool.pyrace")
	if !ok {
		return c, l.err()
	}
	for _, key := range l.order(table) {
		v, line := l.probe(table[key])
		full := "tool.pyrace." + quoteKey(key)
		spec := lookup(key)
		if spec == nil {
			msg := "unknown key"
			if s := suggest(key); s != "" {
				msg += "; did you mean " + s + "?"
			} else {
				msg += " (known keys: " + strings.Join(keyNames(), ", ") + ")"
			}
			l.errorf(line, full, "%s", msg)
			continue
		}
		before := len(l.errs)
		spec.set(l, full, line, v)
		if len(l.errs) == before {
			c.lines[key] = line
		}
	}
	return c, l.err()
}

// loader holds the state of one Load.
type loader struct {
	md        *toml.MetaData
	c         *Config
	path      string
	knownRule func(string) bool
	errs      []error
}

func (l *loader) errorf(line int, key, format string, args ...any) {
	l.errs = append(l.errs, &Error{Path: l.path, Line: line, Key: key, Msg: fmt.Sprintf(format, args...)})
}

func (l *loader) err() error {
	if len(l.errs) == 1 {
		return l.errs[0]
	}
	return errors.Join(l.errs...)
}

// table decodes a primitive that must be a table, reporting it under key
// when it is not.
func (l *loader) table(p toml.Primitive, key string) (map[string]toml.Primitive, bool) {
	// The decoder quietly decodes a non-table into a nil map: check first.
	if v, line := l.probe(p); !isTable(v) {
		l.errorf(line, key, "expected a table, found %s", describe(v))
		return nil, false
	}
	var m map[string]toml.Primitive
	if err := l.md.PrimitiveDecode(p, &m); err != nil {
		l.errs = append(l.errs, fmt.Errorf("decoding %s: %w", key, err))
		return nil, false
	}
	return m, true
}

func isTable(v any) bool {
	_, ok := v.(map[string]any)
	return ok
}

// lineProbe captures a decoded value and fails on purpose, so that the
// decoder reports the position of the key being decoded.
type lineProbe struct{ v any }

var errProbe = errors.New("probe")

// UnmarshalTOML implements toml.Unmarshaler.
func (p *lineProbe) UnmarshalTOML(v any) error {
	p.v = v
	return errProbe
}

// probe returns the value of a primitive and the line of its key (0 when
// unknown). The key of a table defined only through dotted keys
// ("x.y = 1") has no line of its own: the line of its first key is used.
func (l *loader) probe(p toml.Primitive) (any, int) {
	var pr lineProbe
	err := l.md.PrimitiveDecode(p, &pr)
	line := 0
	var pe toml.ParseError
	if errors.As(err, &pe) {
		line = pe.Position.Line
	}
	if line == 0 && isTable(pr.v) {
		var sub map[string]toml.Primitive
		if l.md.PrimitiveDecode(p, &sub) == nil {
			first := 0
			for _, sp := range sub {
				if _, n := l.probe(sp); n > 0 && (first == 0 || n < first) {
					first = n
				}
			}
			line = first
		}
	}
	return pr.v, line
}

// order returns the keys of the [tool.pyrace] table in the order of the
// file.
func (l *loader) order(table map[string]toml.Primitive) []string {
	var keys []string
	seen := make(map[string]bool)
	for _, k := range l.md.Keys() {
		if len(k) >= 3 && k[0] == "tool" && k[1] == "pyrace" && !seen[k[2]] {
			if _, ok := table[k[2]]; ok {
				seen[k[2]] = true
				keys = append(keys, k[2])
			}
		}
	}
	var rest []string
	for k := range table {
		if !seen[k] {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	return append(keys, rest...)
}

// quoteKey quotes a TOML key that is not a bare key.
func quoteKey(k string) string {
	if k != "" && strings.IndexFunc(k, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-')
	}) < 0 {
		return k
	}
	return strconv.Quote(k)
}

// describe names the TOML type of a decoded value, with the value when it
// is short.
func describe(v any) string {
	switch v := v.(type) {
	case string:
		return "string " + strconv.Quote(v)
	case bool:
		return "boolean " + strconv.FormatBool(v)
	case int64:
		return "integer " + strconv.FormatInt(v, 10)
	case float64:
		return "float " + strconv.FormatFloat(v, 'g', -1, 64)
	case time.Time:
		return "date-time " + v.Format(time.RFC3339)
	case []any, []map[string]any:
		return "an array"
	case map[string]any:
		return "a table"
	case nil:
		return "nothing"
	}
	return fmt.Sprintf("a value of type %T", v)
}

// keySpec describes one key of [tool.pyrace].
type keySpec struct {
	KeyInfo
	set func(l *loader, key string, line int, v any)
}

// KeyInfo documents one key of the [tool.pyrace] table.
type KeyInfo struct {
	// Name is the key as written in TOML.
	Name string
	// Type is the TOML type expected ("array of strings", "string",
	// "boolean").
	Type string
	// Default describes the value used when the key is unset.
	Default string
	// Doc is a one-paragraph description.
	Doc string
}

// Keys returns the documentation of every key, in the order of the
// documentation (suitable for generating reference docs). It returns a new
// slice on every call.
func Keys() []KeyInfo {
	specs := keySpecs()
	infos := make([]KeyInfo, len(specs))
	for i, s := range specs {
		infos[i] = s.KeyInfo
	}
	return infos
}

func keyNames() []string {
	var names []string
	for _, s := range keySpecs() {
		names = append(names, s.Name)
	}
	return names
}

func lookup(key string) *keySpec {
	for _, s := range keySpecs() {
		if s.Name == key {
			return &s
		}
	}
	return nil
}

// suggest returns the known key closest to an unknown one, or "".
func suggest(key string) string {
	best, bestDist := "", 3
	norm := strings.ReplaceAll(strings.ToLower(key), "_", "-")
	for _, name := range keyNames() {
		if norm == name {
			return name
		}
		if d := editDistance(norm, name); d < bestDist {
			best, bestDist = name, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// keySpecs returns the specification of every key. It builds a new slice
// on every call, so that nothing is shared between loads.
func keySpecs() []keySpec {
	return []keySpec{
		{KeyInfo{"select", "array of strings", "the default rule set",
			"Rules to run: rule ids (\"FT001\"), id prefixes (\"FT0\", \"FT\") or rule names (\"rmw-counter\"). Replaces the default selection."},
			func(l *loader, key string, line int, v any) { l.c.Select = l.selectors(key, line, v) }},
		{KeyInfo{"extend-select", "array of strings", "[]",
			"Rules to run in addition to those of select, written as in select."},
			func(l *loader, key string, line int, v any) { l.c.ExtendSelect = l.selectors(key, line, v) }},
		{KeyInfo{"ignore", "array of strings", "[]",
			"Rules not to run even when selected, written as in select."},
			func(l *loader, key string, line int, v any) { l.c.Ignore = l.selectors(key, line, v) }},
		{KeyInfo{"min-confidence", "string", `"high"`,
			"The lowest confidence of the findings reported: \"high\" (concurrency intent is visible), \"medium\" or \"low\"."},
			func(l *loader, key string, line int, v any) { l.c.MinConfidence = l.oneOf(key, line, v, confidences) }},
		{KeyInfo{"assume-threaded", "array of strings", "[]",
			"Module patterns (dotted names with the wildcards * and ?, such as \"pkg.module.*\" or \"pkg.*\") whose public classes are treated as shared between threads, as a library audit for free-threading wants."},
			func(l *loader, key string, line int, v any) {
				l.c.AssumeThreaded = l.stringList(key, line, v, checkModulePattern)
			}},
		{KeyInfo{"exclude", "array of strings", "the default excludes (.git, .venv, venv, build, dist, node_modules, __pycache__, site-packages, ...)",
			"Files and directories not to scan, as gitignore-style patterns relative to the directory of this file. Replaces the default excludes; see extend-exclude to add to them."},
			func(l *loader, key string, line int, v any) { l.c.Exclude = l.stringList(key, line, v, checkNonEmpty) }},
		{KeyInfo{"extend-exclude", "array of strings", "[]",
			"Files and directories not to scan in addition to exclude (or to the defaults), as gitignore-style patterns relative to the directory of this file."},
			func(l *loader, key string, line int, v any) {
				l.c.ExtendExclude = l.stringList(key, line, v, checkNonEmpty)
			}},
		{KeyInfo{"respect-gitignore", "boolean", "true",
			"Skip the files that git ignores: .gitignore files (including those above the scanned paths up to the repository's top) and .git/info/exclude. Paths named on the command line are always scanned."},
			func(l *loader, key string, line int, v any) {
				if b, ok := v.(bool); ok {
					l.c.RespectGitignore = b
				} else {
					l.errorf(line, key, "expected true or false, found %s", describe(v))
				}
			}},
		{KeyInfo{"synchronizing-decorators", "array of strings", `["synchronized", "locked"]`,
			"Names of decorators that make the whole decorated function run under a lock, written without \"@\" (\"synchronized\", \"utils.synchronized\")."},
			func(l *loader, key string, line int, v any) {
				l.c.SynchronizingDecorators = l.stringList(key, line, v, checkDecorator)
			}},
		{KeyInfo{"lock-names", "array of strings", "[]",
			"Glob patterns (*, ?, [...]) of further names that count as locks in \"with NAME:\" and NAME.acquire(), in addition to the built-in *lock*, *mutex*, *_cv and *cond*."},
			func(l *loader, key string, line int, v any) { l.c.LockNames = l.stringList(key, line, v, checkGlob) }},
		{KeyInfo{"baseline", "string", "none",
			"The baseline file (see --baseline), relative to the directory of this file: findings recorded in it are not reported."},
			func(l *loader, key string, line int, v any) {
				s, ok := v.(string)
				switch {
				case !ok:
					l.errorf(line, key, "expected a file name (a string), found %s", describe(v))
				case strings.TrimSpace(s) == "":
					l.errorf(line, key, "expected a file name, found an empty string")
				case filepath.IsAbs(s):
					l.c.Baseline = s
				default:
					l.c.Baseline = filepath.Join(l.c.Dir, filepath.FromSlash(s))
				}
			}},
		{KeyInfo{"format", "string", `"text"`,
			"The output format: \"text\", \"json\", \"sarif\" (2.1.0, for GitHub code scanning), \"github\" (workflow annotations) or \"junit\"."},
			func(l *loader, key string, line int, v any) { l.c.Format = l.oneOf(key, line, v, formats) }},
	}
}

// oneOf checks that v is one of the strings allowed.
func (l *loader) oneOf(key string, line int, v any, allowed []string) string {
	s, ok := v.(string)
	switch {
	case !ok:
		l.errorf(line, key, "expected a string (one of %s), found %s", strings.Join(allowed, ", "), describe(v))
	case !slices.Contains(allowed, s):
		l.errorf(line, key, "%q is not one of %s", s, strings.Join(allowed, ", "))
	default:
		return s
	}
	return ""
}

// stringList checks that v is an array of strings, each passing check (which
// returns a problem or ""). It returns nil when there is a problem.
func (l *loader) stringList(key string, line int, v any, check func(string) string) []string {
	arr, ok := v.([]any)
	if !ok {
		l.errorf(line, key, "expected an array of strings, found %s", describe(v))
		return nil
	}
	out := make([]string, 0, len(arr))
	bad := false
	for i, e := range arr {
		s, ok := e.(string)
		if !ok {
			l.errorf(line, fmt.Sprintf("%s[%d]", key, i), "expected a string, found %s", describe(e))
			bad = true
			continue
		}
		if msg := check(s); msg != "" {
			l.errorf(line, fmt.Sprintf("%s[%d]", key, i), "%s", msg)
			bad = true
			continue
		}
		out = append(out, s)
	}
	if bad {
		return nil
	}
	return out
}

// selectors checks an array of rule selectors.
func (l *loader) selectors(key string, line int, v any) []string {
	return l.stringList(key, line, v, func(s string) string {
		if msg := checkSelector(s); msg != "" {
			return msg
		}
		if l.knownRule != nil && !l.knownRule(s) {
			return fmt.Sprintf("unknown rule %q (expected a rule id such as \"FT001\", an id prefix such as \"FT0\", or a rule name such as \"rmw-counter\")", s)
		}
		return ""
	})
}

func checkNonEmpty(s string) string {
	if strings.TrimSpace(s) == "" {
		return "expected a pattern, found an empty string"
	}
	return ""
}

// checkSelector checks the form of a rule selector: letters, digits and
// dashes, starting with a letter.
func checkSelector(s string) string {
	if s == "" {
		return "expected a rule id, prefix or name, found an empty string"
	}
	for i, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && (r >= '0' && r <= '9' || r == '-')
		if !ok {
			return fmt.Sprintf("%q is not a rule id, prefix or name (expected letters, digits and dashes, such as \"FT001\" or \"rmw-counter\")", s)
		}
	}
	return ""
}

// checkModulePattern checks a dotted module pattern: components of
// identifier characters and the wildcards * and ?, separated by single
// dots.
func checkModulePattern(s string) string {
	bad := func() string {
		return fmt.Sprintf("%q is not a module pattern (expected dotted names with * and ? wildcards, such as \"pkg.module.*\")", s)
	}
	if s == "" {
		return "expected a module pattern, found an empty string"
	}
	for part := range strings.SplitSeq(s, ".") {
		if part == "" {
			return bad()
		}
		for _, r := range part {
			if !(r == '_' || r == '*' || r == '?' || unicode.IsLetter(r) || unicode.IsDigit(r)) {
				return bad()
			}
		}
	}
	return ""
}

// checkDecorator checks a decorator name: a dotted Python name.
func checkDecorator(s string) string {
	if strings.HasPrefix(s, "@") {
		return fmt.Sprintf("%q: write the decorator's name without \"@\" (%q)", s, strings.TrimPrefix(s, "@"))
	}
	if !isDottedName(s) {
		return fmt.Sprintf("%q is not a decorator name (expected a name such as \"synchronized\" or \"utils.synchronized\")", s)
	}
	return ""
}

// isDottedName reports whether s is a dotted Python name.
func isDottedName(s string) bool {
	if s == "" {
		return false
	}
	for part := range strings.SplitSeq(s, ".") {
		if part == "" {
			return false
		}
		for i, r := range part {
			if !(r == '_' || unicode.IsLetter(r) || i > 0 && unicode.IsDigit(r)) {
				return false
			}
		}
	}
	return true
}

// checkGlob checks a name glob pattern with the syntax of path.Match.
func checkGlob(s string) string {
	if s == "" {
		return "expected a name pattern, found an empty string"
	}
	if _, err := path.Match(s, ""); err != nil {
		return fmt.Sprintf("%q is not a valid glob pattern: %v", s, err)
	}
	for _, r := range s {
		if !(r == '_' || r == '*' || r == '?' || r == '[' || r == ']' || r == '!' || r == '^' || r == '-' || r == '.' ||
			unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return fmt.Sprintf("%q is not a name pattern (expected identifier characters and the wildcards *, ? and [...], such as \"*_guard\")", s)
		}
	}
	return ""
}
