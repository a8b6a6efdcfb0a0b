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
	return func(yield func(string, error) bool) {
		w := &walker{
			exclude:  exclude,
			exts:     exts,
			yield:    yield,
			seenDirs: make(map[fileKey]bool),
			seenFile: make(map[fileKey]bool),
			active:   make(map[fileKey]string),
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
		return w.dir(path, fi)
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

// dir walks a directory. It reports whether to continue.
func (w *walker) dir(path string, fi fs.FileInfo) bool {
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
			_, _, cont := w.resolve(path)
			return cont
		}
		if fi.IsDir() {
			if w.excluded(name) {
				return true
			}
			return w.dir(path, fi)
		}
		if !w.isPython(name) {
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
		fi, err := e.Info()
		if err != nil {
			return w.diag(path, Unreadable, "cannot examine: "+errText(err), err)
		}
		return w.dir(path, fi)
	case !w.isPython(name):
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

func (w *walker) excluded(name string) bool { return slices.Contains(w.exclude, name) }

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
