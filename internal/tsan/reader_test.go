package tsan

import (
	"strings"
	"testing"
)

func TestIndexName(t *testing.T) {
	for _, s := range []string{
		"", "z", "ThreadSanitizer:", "ThreadSanitizer: ", "xThreadSanitizer: ", "zzThreadSanitizer: z",
		"size ThreadSanitizer ThreadSanitizer: ", "ThreadSanitize: ThreadSanitizer: ", "zzzzzzzzzzzzzzzzzzzz",
		"ThreadSanitizerz ", "  ThreadSanitizer:  ThreadSanitizer: x",
	} {
		if got, want := indexName([]byte(s)), strings.Index(s, nameMarker); got != want {
			t.Errorf("indexName(%q) = %d, want %d", s, got, want)
		}
	}
}
