//go:build !unix

package cli

// peakMemory is unknown on this system.
func peakMemory() int64 { return 0 }
