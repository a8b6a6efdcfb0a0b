package scan_test

import (
	"testing"

	"github.com/pyrace/pyrace/internal/scan"
	"github.com/pyrace/pyrace/internal/scan/rules"
)

func BenchmarkZZModelOnly(b *testing.B) {
	root := benchRoot(b)
	sel, _ := rules.Select([]string{"FT012"}, nil)
	opts := scan.Options{Paths: []string{root}, Rules: sel, KnownRule: rules.Known, MinConfidence: scan.Low, Jobs: 1}
	for b.Loop() {
		if _, err := scan.Run(b.Context(), opts); err != nil {
			b.Fatal(err)
		}
	}
}
