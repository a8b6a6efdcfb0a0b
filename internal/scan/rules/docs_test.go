package rules

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite docs/rules.md from the rules' metadata")

// TestRulesDoc keeps docs/rules.md in step with the rules' metadata.
func TestRulesDoc(t *testing.T) {
	path := filepath.Join("..", "..", "..", "docs", "rules.md")
	want := Markdown()
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (generate it: go test ./internal/scan/rules -run TestRulesDoc -update)", err)
	}
	if string(got) != want {
		t.Errorf("docs/rules.md is out of date: go test ./internal/scan/rules -run TestRulesDoc -update")
	}
}
