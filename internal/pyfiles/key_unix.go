//go:build unix

package pyfiles

import (
	"io/fs"
	"syscall"
)

// fileKey identifies a file or directory independently of the path used to
// reach it.
type fileKey struct {
	dev, ino uint64
}

// keyOf returns the device and inode of fi, which must come from Stat or
// Lstat. ok is false when the platform does not provide them.
func keyOf(_ string, fi fs.FileInfo) (k fileKey, ok bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fileKey{}, false
	}
	return fileKey{dev: uint64(st.Dev), ino: uint64(st.Ino)}, true
}
