// Package survey runs pyrace over many packages: it reads a registry (a
// directory of YAML files, one per package, saying where each package's
// source is and how to install and test it), and turns it into the work of
// an ecosystem survey.
package survey

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Package is one registry entry: a YAML file of the registry directory.
type Package struct {
	// Name is the package's name (its PyPI name): unique in the registry.
	Name string `yaml:"name"`
	// Popularity orders the registry for --top N, highest first (for
	// example, monthly downloads). Packages without one come last.
	Popularity int64 `yaml:"popularity,omitempty"`
	// Source says where the code is.
	Source Source `yaml:"source"`
	// ImportName is the importable package probed for GIL fallback
	// (default: found in the source, as pyrace run does).
	ImportName string `yaml:"import_name,omitempty"`
	// Install are shell commands run in the source directory with the
	// package's virtual environment first on PATH, in order.
	Install Commands `yaml:"install,omitempty"`
	// TestCommand runs the tests, in the source directory (default
	// "python -m pytest"; "python" is the venv's interpreter).
	TestCommand string `yaml:"test_command,omitempty"`
	// TestFramework is pytest, unittest or other (informational; the
	// command decides).
	TestFramework string `yaml:"test_framework,omitempty"`
	// Timeout bounds each install command and each test iteration, in
	// seconds (0: the survey's --timeout).
	Timeout float64 `yaml:"timeout,omitempty"`
	// Skip, when not empty, leaves the package out; it says why.
	Skip string `yaml:"skip,omitempty"`
	// SkipVersions leaves the package out for interpreter versions
	// ("3.14" matches 3.14.x), with the reason.
	SkipVersions map[string]string `yaml:"skip_versions,omitempty"`
	// Env is extra environment for installing and testing.
	Env map[string]string `yaml:"env,omitempty"`
	// ExtensionType is pure, extensions or unknown (informational).
	ExtensionType string `yaml:"extension_type,omitempty"`
	// Notes are free text for people.
	Notes string `yaml:"notes,omitempty"`

	// File is the YAML file the entry came from, Line the line of its
	// name.
	File string `yaml:"-"`
	Line int    `yaml:"-"`
}

// Source is where a package's code comes from: a git repository or a local
// path.
type Source struct {
	// Git is a repository URL; Ref a branch, tag or commit (default: the
	// default branch); Depth the clone depth (default 1; 0 keeps the
	// default, -1 means the whole history).
	Git   string `yaml:"git,omitempty"`
	Ref   string `yaml:"ref,omitempty"`
	Depth int    `yaml:"depth,omitempty"`
	// Path is a local directory, relative to the registry file; it is
	// copied into the repos directory unless InPlace is set.
	Path    string `yaml:"path,omitempty"`
	InPlace bool   `yaml:"in_place,omitempty"`
}

// Commands are shell commands; YAML may give one as a string or several
// as a list.
type Commands []string

// UnmarshalYAML accepts a string or a list of strings.
func (c *Commands) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		var s string
		if err := n.Decode(&s); err != nil {
			return err
		}
		*c = Commands{s}
		return nil
	}
	var list []string
	if err := n.Decode(&list); err != nil {
		return err
	}
	*c = list
	return nil
}

// Fields are the keys a registry file may have, in documentation order;
// Source's keys are SourceFields.
func Fields() []string {
	return []string{"name", "popularity", "source", "import_name", "install", "test_command", "test_framework",
		"timeout", "skip", "skip_versions", "env", "extension_type", "notes"}
}

// SourceFields are the keys of a registry file's source.
func SourceFields() []string { return []string{"git", "ref", "depth", "path", "in_place"} }

// DefaultTestCommand is the test command of a package that gives none.
const DefaultTestCommand = "python -m pytest"

// Registry is a registry directory read and checked.
type Registry struct {
	Dir string
	// Packages are the entries, by name.
	Packages []Package
}

// Problem is one thing wrong with a registry file, at a line (0: the file
// as a whole).
type Problem struct {
	File    string
	Line    int
	Message string
}

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Message)
	}
	return fmt.Sprintf("%s: %s", p.File, p.Message)
}

// Problems is every problem Load found; it is the error Load returns.
type Problems []Problem

func (ps Problems) Error() string {
	var lines []string
	for _, p := range ps {
		lines = append(lines, p.String())
	}
	return strings.Join(lines, "\n")
}

// namePattern is what a package name may look like (PEP 508 names).
var namePattern = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$`)

// Load reads every *.yaml and *.yml file of dir (not its subdirectories)
// and checks it: known fields only (a typo names the known ones), the
// right types, a name and a source, unique names. It returns every
// problem of every file at once, as Problems.
func Load(dir string) (*Registry, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("registry %s: no such directory", dir)
		}
		return nil, fmt.Errorf("registry %s: %w", dir, err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("registry %s: not a directory", dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("registry %s: %w", dir, err)
	}
	reg := &Registry{Dir: dir}
	var problems Problems
	byName := map[string]Package{}
	for _, e := range entries {
		ext := filepath.Ext(e.Name())
		if e.IsDir() || (ext != ".yaml" && ext != ".yml") {
			continue
		}
		path := filepath.Join(dir, e.Name())
		pkg, ps := loadFile(path)
		problems = append(problems, ps...)
		if len(ps) > 0 {
			continue
		}
		if have, dup := byName[pkg.Name]; dup {
			problems = append(problems, Problem{File: path, Line: pkg.Line,
				Message: fmt.Sprintf("package %q is also in %s:%d", pkg.Name, have.File, have.Line)})
			continue
		}
		byName[pkg.Name] = pkg
		reg.Packages = append(reg.Packages, pkg)
	}
	if len(problems) > 0 {
		return nil, problems
	}
	slices.SortFunc(reg.Packages, func(a, b Package) int { return cmp.Compare(a.Name, b.Name) })
	return reg, nil
}

// loadFile reads and checks one registry file.
func loadFile(path string) (Package, Problems) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Package{}, Problems{{File: path, Message: err.Error()}}
	}
	return parseFile(path, data)
}

// parseFile checks data, the contents of the registry file path.
func parseFile(path string, data []byte) (Package, Problems) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		return Package{}, Problems{yamlProblem(path, err)}
	}
	if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		line := 1
		if len(doc.Content) == 1 {
			line = doc.Content[0].Line
		}
		return Package{}, Problems{{File: path, Line: line, Message: "want a mapping of fields (name: ..., source: ...)"}}
	}
	root := doc.Content[0]
	var ps Problems
	ps = append(ps, unknownKeys(path, root, Fields(), "")...)
	if src := valueOf(root, "source"); src != nil {
		if src.Kind != yaml.MappingNode {
			ps = append(ps, Problem{File: path, Line: src.Line, Message: "source: want a mapping (git: URL, or path: DIR)"})
		} else {
			ps = append(ps, unknownKeys(path, src, SourceFields(), "source.")...)
		}
	}
	if len(ps) > 0 {
		return Package{}, ps
	}
	var pkg Package
	if err := root.Decode(&pkg); err != nil {
		return Package{}, Problems{yamlProblem(path, err)}
	}
	pkg.File, pkg.Line = path, root.Line
	if n := valueOf(root, "name"); n != nil {
		pkg.Line = n.Line
	}
	return pkg, pkg.check(root)
}

// check reports what is missing or inconsistent in a decoded entry.
func (p *Package) check(root *yaml.Node) Problems {
	var ps Problems
	at := func(key string) int {
		if n := valueOf(root, key); n != nil {
			return n.Line
		}
		return root.Line
	}
	add := func(key, format string, args ...any) {
		ps = append(ps, Problem{File: p.File, Line: at(key), Message: fmt.Sprintf(format, args...)})
	}
	switch {
	case p.Name == "":
		add("name", "name: missing (the package's name)")
	case !namePattern.MatchString(p.Name):
		add("name", "name %q: not a package name (letters, digits, '.', '_', '-')", p.Name)
	}
	s := p.Source
	switch {
	case s.Git == "" && s.Path == "":
		add("source", "source: want git: URL or path: DIR")
	case s.Git != "" && s.Path != "":
		add("source", "source: git and path both given; want one")
	case s.Git == "" && (s.Ref != "" || s.Depth != 0):
		add("source", "source: ref and depth go with git")
	case s.Path == "" && s.InPlace:
		add("source", "source: in_place goes with path")
	}
	if s.Depth < -1 {
		add("source", "source.depth %d: want a depth of 1 or more, or -1 for the whole history", s.Depth)
	}
	if p.Timeout < 0 {
		add("timeout", "timeout %g: want seconds, more than 0", p.Timeout)
	}
	switch p.TestFramework {
	case "", "pytest", "unittest", "other":
	default:
		add("test_framework", "test_framework %q: want pytest, unittest or other", p.TestFramework)
	}
	switch p.ExtensionType {
	case "", "pure", "extensions", "unknown":
	default:
		add("extension_type", "extension_type %q: want pure, extensions or unknown", p.ExtensionType)
	}
	if p.TestCommand != "" {
		if _, err := SplitCommand(p.TestCommand); err != nil {
			add("test_command", "test_command: %v", err)
		}
	}
	for i, c := range p.Install {
		if strings.TrimSpace(c) == "" {
			add("install", "install command %d is empty", i+1)
		}
	}
	for k := range p.Env {
		if k == "" || strings.ContainsAny(k, "= ") {
			add("env", "env: %q is not a variable name", k)
		}
	}
	return ps
}

// unknownKeys reports the keys of m that are not in known (prefix names
// the mapping in messages), and keys given twice.
func unknownKeys(path string, m *yaml.Node, known []string, prefix string) Problems {
	var ps Problems
	seen := map[string]int{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k := m.Content[i]
		if first, dup := seen[k.Value]; dup {
			ps = append(ps, Problem{File: path, Line: k.Line, Message: fmt.Sprintf("%s%s: given twice (first at line %d)", prefix, k.Value, first)})
			continue
		}
		seen[k.Value] = k.Line
		if !slices.Contains(known, k.Value) {
			msg := fmt.Sprintf("unknown field %s%s (known: %s)", prefix, k.Value, strings.Join(known, ", "))
			if near := nearest(k.Value, known); near != "" {
				msg = fmt.Sprintf("unknown field %s%s: did you mean %s%s? (known: %s)", prefix, k.Value, prefix, near, strings.Join(known, ", "))
			}
			ps = append(ps, Problem{File: path, Line: k.Line, Message: msg})
		}
	}
	return ps
}

// valueOf returns the value of key in mapping m, or nil.
func valueOf(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// yamlLine finds "line N" in a YAML library error.
var yamlLine = regexp.MustCompile(`line (\d+)`)

// yamlProblem turns a YAML error into a problem at its line.
func yamlProblem(path string, err error) Problem {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.TrimPrefix(msg, "unmarshal errors:\n  ")
	line := 0
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		fmt.Sscan(m[1], &line)
		msg = strings.TrimSpace(yamlLine.ReplaceAllString(msg, ""))
		msg = strings.TrimPrefix(msg, ": ")
	}
	return Problem{File: path, Line: line, Message: msg}
}

// nearest returns the known word within edit distance 2 of word, if one.
func nearest(word string, known []string) string {
	best, bestD := "", 3
	for _, k := range known {
		if d := editDistance(word, k); d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			sub := prev[j-1]
			if a[i-1] != b[j-1] {
				sub++
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, sub)
		}
		prev = cur
	}
	return prev[len(b)]
}

// Top returns the n most popular packages (all when n <= 0): by
// popularity, highest first, then by name.
func (r *Registry) Top(n int) []Package {
	pkgs := slices.Clone(r.Packages)
	slices.SortStableFunc(pkgs, func(a, b Package) int {
		return cmp.Or(cmp.Compare(b.Popularity, a.Popularity), cmp.Compare(a.Name, b.Name))
	})
	if n > 0 && n < len(pkgs) {
		pkgs = pkgs[:n]
	}
	return pkgs
}

// Select returns the packages named in names, in that order; a name the
// registry lacks is an error naming it.
func (r *Registry) Select(names []string) ([]Package, error) {
	var out []Package
	var missing []string
	for _, n := range names {
		i := slices.IndexFunc(r.Packages, func(p Package) bool { return p.Name == n })
		if i < 0 {
			missing = append(missing, n)
			continue
		}
		out = append(out, r.Packages[i])
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("not in the registry %s: %s", r.Dir, strings.Join(missing, ", "))
	}
	return out, nil
}

// SkipReason says why p is left out for an interpreter of version (such
// as "3.14.0"), or "" when it is not.
func (p Package) SkipReason(version string) string {
	if p.Skip != "" {
		return p.Skip
	}
	keys := make([]string, 0, len(p.SkipVersions))
	for k := range p.SkipVersions {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if version == k || strings.HasPrefix(version, k+".") {
			return fmt.Sprintf("%s (Python %s)", p.SkipVersions[k], k)
		}
	}
	return ""
}

// SourcePath is the absolute local path of a path source (relative to the
// registry file).
func (p Package) SourcePath() string {
	if p.Source.Path == "" || filepath.IsAbs(p.Source.Path) {
		return p.Source.Path
	}
	return filepath.Join(filepath.Dir(p.File), p.Source.Path)
}
