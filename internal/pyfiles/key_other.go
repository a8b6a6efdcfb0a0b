//go:build !unix

package pyfiles

import (
	"io/fs"
	"path/filepath"
)

// fileKey identifies a file or directory independently of the path used to
// reach it: here, its path with every symbolic link resolved.
type fileKey struct {
	path string
}

// keyOf returns the resolved path of the file at path. ok is false when it
// cannot be resolved.
func keyOf(path string, _ fs.FileInfo) (k fileKey, ok bool) {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return fileKey{}, false
	}
	abs, err := filepath.Abs(real)
	if err != nil {
		return fileKey{}, false
	}
	return fileKey{path: abs}, true
}
