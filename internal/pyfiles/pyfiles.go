// Package pyfiles discovers Python source files under a list of paths.
//
// Discovery is deterministic: roots are visited in the order given and every
// directory is read in lexical order of its entries, so the same tree always
// yields the same sequence. Problems (missing paths, unreadable directories,
// broken symbolic links, symbolic link loops) never stop the walk; they are
// reported as [*Diagnostic] values in the same stream as the files.
//
// Symbolic links to files and directories are followed. A directory reached
// again through a link while it is still being walked is a loop and is
// reported; a directory or file reached a second time by another route is
// skipped silently, so every file is yielded once.
//
// With [Options.RespectGitignore], the walk also skips what git would
// ignore: patterns from .gitignore files (those in the directories walked
// and, when a root lies inside a git repository, those between the
// repository's top and the root) and from the repository's
// .git/info/exclude. [Gitignore] holds the compiled patterns of one file.
package pyfiles

import (
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
)

// DefaultExcludes returns the directory names skipped while walking unless a
// directory of that name is passed explicitly as a root. It returns a new
// slice on every call.
func DefaultExcludes() []string {
	return []string{
		".git", ".venv", "venv", "build", "dist", "node_modules",
		"__pycache__", "site-packages", ".tox", ".nox", ".mypy_cache",
	}
}

// DefaultExtensions returns the file name suffixes of Python sources found
// while walking directories. It returns a new slice on every call.
func DefaultExtensions() []string { return []string{".py", ".pyi"} }

// Options configures [Walk]. The zero value uses [DefaultExcludes] and
// [DefaultExtensions].
type Options struct {
	// Exclude lists directory base names to skip while walking. Nil means
	// DefaultExcludes(); an empty non-nil slice excludes nothing.
	Exclude []string
	// Extensions lists the file name suffixes to yield while walking. Nil
	// means DefaultExtensions(). Files named explicitly as roots are always
	// yielded, whatever their name.
	Extensions []string
	// RespectGitignore skips the files and directories that git would
	// ignore, and never enters a directory named .git. Patterns come from
	// the .gitignore file of every directory walked, applying to its
	// subtree with deeper files taking precedence, and from
	// .git/info/exclude at a repository's top (a directory holding .git),
	// with the lowest precedence. When a root lies inside a git repository,
	// the .gitignore files of the directories from the repository's top
	// down to the root's parent apply too, so walking "src" honours the
	// repository's top .gitignore; outside a repository, the .gitignore
	// files from the root down still apply. A directory holding .git found
	// while walking starts a nested repository, where the enclosing rules
	// no longer apply. Like git, .gitignore files that are symbolic links
	// are not read, and nothing inside an ignored directory can be
	// re-included. Global excludes (core.excludesFile) are not read.
	//
	// Roots are never ignored: a file named as a root is always yielded
	// and a directory named as a root is always walked; the patterns
	// apply to what lies below it.
	RespectGitignore bool
	// Ignore lists further pattern sets, such as the exclusions of a
	// configuration file, each relative to its Dir (made absolute with
	// [filepath.Abs] when the walk starts). They apply whether or not
	// RespectGitignore is set, independently of it, to the paths below
	// each root that lie inside their Dir: a path is skipped when the last
	// set with a pattern matching it excludes it, or when RespectGitignore
	// ignores it. Nil entries are skipped.
	Ignore []*Gitignore
}

// Kind classifies a [Diagnostic].
type Kind int

// The kinds of discovery problems.
const (
	// NotFound: a root does not exist.
	NotFound Kind = iota + 1
	// Unreadable: a file or directory cannot be examined or listed.
	Unreadable
	// BrokenSymlink: a symbolic link whose target does not exist.
	BrokenSymlink
	// SymlinkLoop: a symbolic link that leads back into a directory being
	// walked, or a chain of links that never ends.
	SymlinkLoop
	// NotRegular: a path named like a Python file that is not a regular file
	// (a named pipe, socket or device), which is never opened.
	NotRegular
)

// String returns a short lower-case name for the kind.
func (k Kind) String() string {
	switch k {
	case NotFound:
		return "not-found"
	case Unreadable:
		return "unreadable"
	case BrokenSymlink:
		return "broken-symlink"
	case SymlinkLoop:
		return "symlink-loop"
	case NotRegular:
		return "not-regular"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Diagnostic is a problem found while discovering files. It is an error.
type Diagnostic struct {
	// Path is the path the problem concerns, as it was reached: a root as
	// given, or a root joined with the names below it.
	Path string
	Kind Kind
	// Msg is a human-readable description without the path.
	Msg string
	// Err is the underlying error, if any.
	Err error
}

// Error returns "path: message".
func (d *Diagnostic) Error() string { return d.Path + ": " + d.Msg }

// Unwrap returns the underlying error.
func (d *Diagnostic) Unwrap() error { return d.Err }

// Walk returns an iterator over the Python files found under roots.
//
// Each step yields either a file path and a nil error, or the path concerned
// and a [*Diagnostic]. Roots that are files are yielded whatever their
// extension; roots that are directories are walked even when their name is
// excluded. Paths are built with [filepath.Join] from the roots as given.
// Stopping the iteration early stops the walk.
func Walk(roots []string, opts Options) iter.Seq2[string, error] {
	exclude := opts.Exclude
	if exclude == nil {
		exclude = DefaultExcludes()
	}
	exts := opts.Extensions
	if exts == nil {
		exts = DefaultExtensions()
	}
	var extra []ignoreFrame
	for _, g := range opts.Ignore {
		if g == nil {
			continue
		}
		dir := g.Dir
		if abs, err := filepath.Abs(dir); err == nil {
			dir = abs
		}
		extra = append(extra, ignoreFrame{prefix: dirPrefix(filepath.ToSlash(filepath.Clean(dir))), g: g})
	}
	return func(yield func(string, error) bool) {
		w := &walker{
			exclude:  exclude,
			exts:     exts,
			yield:    yield,
			seenDirs: make(map[fileKey]bool),
			seenFile: make(map[fileKey]bool),
			active:   make(map[fileKey]string),
			git:      opts.RespectGitignore,
			extra:    extra,
		}
		if w.git {
			w.ignoreFiles = make(map[string]*Gitignore)
		}
		for _, root := range roots {
			if !w.root(root) {
				return
			}
		}
	}
}

type walker struct {
	exclude  []string
	exts     []string
	yield    func(string, error) bool
	seenDirs map[fileKey]bool   // directories already walked or being walked
	seenFile map[fileKey]bool   // files already yielded
	active   map[fileKey]string // directories on the current path, to their path

	git         bool                  // Options.RespectGitignore
	extra       []ignoreFrame         // Options.Ignore
	frames      []ignoreFrame         // ignore files in force, lowest precedence first
	absDir      string                // slash-separated absolute path of the directory being walked, ending in "/", when matching
	ignoreFiles map[string]*Gitignore // ignore files read, by absolute path (nil: absent)
}

// ignoreFrame is a set of patterns and the directory they are relative to.
type ignoreFrame struct {
	prefix string // slash-separated absolute directory, ending in "/"
	g      *Gitignore
}

// dirPrefix returns the slash-separated absolute directory dir with a
// trailing slash.
func dirPrefix(dir string) string {
	if strings.HasSuffix(dir, "/") {
		return dir
	}
	return dir + "/"
}

// matchFrames returns the verdict of the frames on the slash-separated
// absolute path abs: the last frame with a matching pattern decides.
func matchFrames(frames []ignoreFrame, abs string, isDir bool) Match {
	for i := len(frames) - 1; i >= 0; i-- {
		f := &frames[i]
		if len(abs) <= len(f.prefix) || !strings.HasPrefix(abs, f.prefix) {
			continue
		}
		if m := f.g.Match(abs[len(f.prefix):], isDir); m != MatchNone {
			return m
		}
	}
	return MatchNone
}

// matching reports whether paths must be matched against ignore patterns.
func (w *walker) matching() bool { return w.git || len(w.extra) > 0 }

// childAbs returns the absolute path of the entry name of the directory
// being walked, or "" when no matching is needed.
func (w *walker) childAbs(name string) string {
	if !w.matching() {
		return ""
	}
	return w.absDir + name
}

// ignored reports whether the path below a root whose absolute form is abs
// is ignored.
func (w *walker) ignored(abs string, isDir bool) bool {
	if abs == "" {
		return false
	}
	if len(w.extra) > 0 && matchFrames(w.extra, abs, isDir) == MatchIgnored {
		return true
	}
	return w.git && matchFrames(w.frames, abs, isDir) == MatchIgnored
}

// diag yields a diagnostic and reports whether to continue.
func (w *walker) diag(path string, kind Kind, msg string, err error) bool {
	return w.yield(path, &Diagnostic{Path: path, Kind: kind, Msg: msg, Err: err})
}

// root handles one root path. It reports whether to continue.
func (w *walker) root(path string) bool {
	lfi, err := os.Lstat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return w.diag(path, NotFound, "no such file or directory", err)
		}
		return w.diag(path, Unreadable, "cannot examine: "+errText(err), err)
	}
	fi := lfi
	if lfi.Mode()&fs.ModeSymlink != 0 {
		var ok, cont bool
		if fi, ok, cont = w.resolve(path); !ok {
			return cont
		}
	}
	switch {
	case fi.IsDir():
		abs, cont := w.enterRoot(path)
		if !cont {
			return false
		}
		return w.dir(path, fi, abs, true)
	case fi.Mode().IsRegular():
		return w.file(path, fi)
	default:
		return w.diag(path, NotRegular, "not a regular file ("+modeName(fi.Mode())+")", nil)
	}
}

// resolve follows the symbolic link at path. ok is false when the link
// cannot be followed; cont then says whether to continue.
func (w *walker) resolve(path string) (fi fs.FileInfo, ok, cont bool) {
	fi, err := os.Stat(path)
	if err == nil {
		return fi, true, true
	}
	target, _ := os.Readlink(path)
	switch {
	case errors.Is(err, syscall.ELOOP):
		return nil, false, w.diag(path, SymlinkLoop, "symbolic link loop: too many levels of symbolic links", err)
	case errors.Is(err, fs.ErrNotExist):
		return nil, false, w.diag(path, BrokenSymlink, fmt.Sprintf("broken symbolic link to %q", target), err)
	default:
		return nil, false, w.diag(path, Unreadable, "cannot follow symbolic link: "+errText(err), err)
	}
}

// file yields a regular file once. It reports whether to continue.
func (w *walker) file(path string, fi fs.FileInfo) bool {
	if k, ok := keyOf(path, fi); ok {
		if w.seenFile[k] {
			return true
		}
		w.seenFile[k] = true
	}
	return w.yield(path, nil)
}

// dir walks a directory whose slash-separated absolute path is abs ("" when
// no matching is needed). root says whether it is a root of the walk. It
// reports whether to continue.
func (w *walker) dir(path string, fi fs.FileInfo, abs string, root bool) bool {
	k, haveKey := keyOf(path, fi)
	if haveKey {
		if first, ok := w.active[k]; ok {
			return w.diag(path, SymlinkLoop,
				fmt.Sprintf("symbolic link loop: leads back to %s, which is being walked", first), nil)
		}
		if w.seenDirs[k] {
			return true
		}
		w.seenDirs[k] = true
		w.active[k] = path
		defer delete(w.active, k)
	}
	entries, err := readDir(path)
	if err != nil && len(entries) == 0 {
		return w.diag(path, Unreadable, "cannot read directory: "+errText(err), err)
	}
	if w.matching() {
		prevAbs, prevFrames := w.absDir, w.frames
		defer func() { w.absDir, w.frames = prevAbs, prevFrames }()
		w.absDir = dirPrefix(abs)
		if w.git && !w.dirIgnores(path, abs, entries, root) {
			return false
		}
	}
	for _, e := range entries {
		if !w.entry(filepath.Join(path, e.Name()), e) {
			return false
		}
	}
	if err != nil {
		return w.diag(path, Unreadable, "cannot read directory completely: "+errText(err), err)
	}
	return true
}

// entry handles one directory entry found while walking. It reports whether
// to continue.
func (w *walker) entry(path string, e fs.DirEntry) bool {
	name := e.Name()
	typ := e.Type()
	if typ&fs.ModeSymlink != 0 {
		fi, err := os.Stat(path)
		if err != nil {
			// A dangling link matters only if it names a Python file; a link
			// loop is reported whatever its name, since it could have been a
			// directory.
			if !w.isPython(name) && !errors.Is(err, syscall.ELOOP) {
				return true
			}
			if w.ignored(w.childAbs(name), false) {
				return true
			}
			_, _, cont := w.resolve(path)
			return cont
		}
		if fi.IsDir() {
			if w.excluded(name) {
				return true
			}
			abs := w.childAbs(name)
			if w.ignored(abs, true) {
				return true
			}
			return w.dir(path, fi, abs, false)
		}
		if !w.isPython(name) || w.ignored(w.childAbs(name), false) {
			return true
		}
		if !fi.Mode().IsRegular() {
			return w.diag(path, NotRegular, "not a regular file ("+modeName(fi.Mode())+")", nil)
		}
		return w.file(path, fi)
	}
	switch {
	case typ.IsDir():
		if w.excluded(name) {
			return true
		}
		abs := w.childAbs(name)
		if w.ignored(abs, true) {
			return true
		}
		fi, err := e.Info()
		if err != nil {
			return w.diag(path, Unreadable, "cannot examine: "+errText(err), err)
		}
		return w.dir(path, fi, abs, false)
	case !w.isPython(name), w.ignored(w.childAbs(name), false):
		return true
	case !typ.IsRegular():
		return w.diag(path, NotRegular, "not a regular file ("+modeName(typ)+")", nil)
	default:
		fi, err := e.Info()
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return true // removed since the directory was read
			}
			return w.diag(path, Unreadable, "cannot examine: "+errText(err), err)
		}
		return w.file(path, fi)
	}
}

func (w *walker) excluded(name string) bool {
	return (w.git && name == ".git") || slices.Contains(w.exclude, name)
}

func (w *walker) isPython(name string) bool {
	for _, ext := range w.exts {
		if strings.HasSuffix(name, ext) && len(name) > len(ext) {
			return true
		}
	}
	return false
}

// readDir lists a directory sorted by name, returning what it could read
// along with any error.
func readDir(path string) ([]fs.DirEntry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	entries, err := f.ReadDir(-1)
	slices.SortFunc(entries, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return entries, err
}

// errText returns the innermost description of err: "permission denied"
// rather than "open x: permission denied".
func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func modeName(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeCharDevice != 0:
		return "character device"
	case m&fs.ModeDevice != 0:
		return "device"
	case m&fs.ModeIrregular != 0:
		return "irregular file"
	}
	return "mode " + m.String()
}

// enterRoot prepares the matching state for the directory root path: its
// absolute path and, with RespectGitignore, the ignore files in force above
// it. It returns the slash-separated absolute path ("" when no matching is
// needed) and whether to continue.
func (w *walker) enterRoot(path string) (abs string, cont bool) {
	if !w.matching() {
		return "", true
	}
	dir, err := filepath.Abs(path)
	if err != nil {
		return "", w.diag(path, Unreadable, "cannot make the path absolute: "+errText(err), err)
	}
	dir = filepath.Clean(dir)
	w.frames = nil
	if w.git {
		if top := findRepo(dir); top != "" {
			if !w.pushInfoExclude(top) {
				return "", false
			}
			// The .gitignore files from the top down to the root's parent;
			// the root's own is read by dir.
			var chain []string
			for d := dir; d != top; {
				parent := filepath.Dir(d)
				chain = append(chain, parent)
				d = parent
			}
			for i := len(chain) - 1; i >= 0; i-- {
				d := chain[i]
				file := filepath.Join(d, ".gitignore")
				if fi, err := os.Lstat(file); err != nil || !fi.Mode().IsRegular() {
					continue
				}
				if !w.pushIgnoreFile(file, file, filepath.ToSlash(d)) {
					return "", false
				}
			}
		}
	}
	return filepath.ToSlash(dir), true
}

// dirIgnores pushes the ignore files of the directory path, whose entries
// are given: its .gitignore and, when it holds .git and is not a root, its
// repository's info/exclude in place of the enclosing rules. It reports
// whether to continue.
func (w *walker) dirIgnores(path, abs string, entries []fs.DirEntry, root bool) bool {
	hasGit, hasIgnore := false, false
	for _, e := range entries {
		switch e.Name() {
		case ".git":
			hasGit = true
		case ".gitignore":
			// Like git, a .gitignore that is a symbolic link is not read.
			hasIgnore = e.Type().IsRegular()
		}
	}
	if hasGit && !root {
		w.frames = nil
		if !w.pushInfoExclude(filepath.FromSlash(abs)) {
			return false
		}
	}
	if hasIgnore {
		file := filepath.Join(path, ".gitignore")
		return w.pushIgnoreFile(file, filepath.FromSlash(dirPrefix(abs)+".gitignore"), abs)
	}
	return true
}

// pushInfoExclude pushes the info/exclude file of the repository whose top
// directory is top. It reports whether to continue.
func (w *walker) pushInfoExclude(top string) bool {
	gitDir := resolveGitDir(filepath.Join(top, ".git"))
	if gitDir == "" {
		return true
	}
	file := filepath.Join(gitDir, "info", "exclude")
	if fi, err := os.Stat(file); err != nil || !fi.Mode().IsRegular() {
		return true
	}
	return w.pushIgnoreFile(file, file, filepath.ToSlash(top))
}

// pushIgnoreFile reads (once per walk) the ignore file at path, whose
// absolute path is abs, and pushes its patterns relative to the
// slash-separated absolute directory dir. An unreadable file is reported.
// It reports whether to continue.
func (w *walker) pushIgnoreFile(path, abs, dir string) bool {
	g, seen := w.ignoreFiles[abs]
	if !seen {
		data, err := os.ReadFile(path)
		if err != nil {
			w.ignoreFiles[abs] = nil
			if errors.Is(err, fs.ErrNotExist) {
				return true // removed since its directory was read
			}
			return w.diag(path, Unreadable, "cannot read ignore file: "+errText(err), err)
		}
		g = ParseGitignore(filepath.FromSlash(dir), data)
		if g.Len() == 0 {
			g = nil
		}
		w.ignoreFiles[abs] = g
	}
	if g != nil {
		w.frames = append(w.frames, ignoreFrame{prefix: dirPrefix(dir), g: g})
	}
	return true
}

// findRepo returns the nearest directory at or above the absolute directory
// dir that holds a .git entry (a directory, or a file pointing to one as in
// worktrees and submodules), or "" when there is none.
func findRepo(dir string) string {
	for {
		if _, err := os.Lstat(filepath.Join(dir, ".git")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// resolveGitDir returns the repository directory that the .git entry at
// dotGit stands for: dotGit itself when it is a directory, the target of
// its "gitdir:" line when it is a file, and then the common directory of a
// worktree (where info/exclude lives). It returns "" when there is none.
func resolveGitDir(dotGit string) string {
	fi, err := os.Stat(dotGit)
	if err != nil {
		return ""
	}
	gitDir := dotGit
	if !fi.IsDir() {
		if !fi.Mode().IsRegular() || fi.Size() > 1<<16 {
			return ""
		}
		data, err := os.ReadFile(dotGit)
		if err != nil {
			return ""
		}
		line, _, _ := strings.Cut(string(data), "\n")
		target, ok := strings.CutPrefix(strings.TrimSpace(line), "gitdir:")
		if !ok {
			return ""
		}
		gitDir = filepath.FromSlash(strings.TrimSpace(target))
		if !filepath.IsAbs(gitDir) {
			gitDir = filepath.Join(filepath.Dir(dotGit), gitDir)
		}
	}
	if data, err := os.ReadFile(filepath.Join(gitDir, "commondir")); err == nil {
		common := filepath.FromSlash(strings.TrimSpace(string(data)))
		if !filepath.IsAbs(common) {
			common = filepath.Join(gitDir, common)
		}
		gitDir = common
	}
	return gitDir
}
