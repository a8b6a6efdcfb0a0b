package scan

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// BaselineVersion is the version of the baseline file format.
const BaselineVersion = 1

// Baseline is a set of accepted findings: CI fails only on new ones. An
// entry matches a finding with the same rule, file, symbol and normalised
// code (its fingerprint), never by line number, so edits elsewhere in the
// file do not break it. Each entry absorbs as many findings as it counts.
type Baseline struct {
	Version int             `json:"version"`
	Entries []BaselineEntry `json:"findings"`
}

// BaselineEntry is one accepted finding, with human-readable context.
type BaselineEntry struct {
	RuleID      string `json:"rule_id"`
	File        string `json:"file"`
	Symbol      string `json:"symbol"`
	Fingerprint string `json:"fingerprint"`
	Count       int    `json:"count"`
	// Message is the finding's message when it was accepted (for people).
	Message string `json:"message,omitempty"`
}

// NewBaseline records findings as accepted.
func NewBaseline(findings []Finding) *Baseline {
	b := &Baseline{Version: BaselineVersion}
	index := map[string]int{}
	for _, f := range findings {
		if i, ok := index[f.Fingerprint]; ok {
			b.Entries[i].Count++
			continue
		}
		index[f.Fingerprint] = len(b.Entries)
		b.Entries = append(b.Entries, BaselineEntry{RuleID: f.RuleID, File: f.File, Symbol: f.Symbol,
			Fingerprint: f.Fingerprint, Count: 1, Message: f.Message})
	}
	return b
}

// ReadBaseline reads a baseline file.
func ReadBaseline(path string) (*Baseline, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	var b Baseline
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, fmt.Errorf("baseline %s: not a pyrace baseline: %v", path, err)
	}
	if b.Version != BaselineVersion {
		return nil, fmt.Errorf("baseline %s: version %d, want %d", path, b.Version, BaselineVersion)
	}
	for i, e := range b.Entries {
		if e.Fingerprint == "" || e.RuleID == "" {
			return nil, fmt.Errorf("baseline %s: entry %d lacks rule_id or fingerprint", path, i+1)
		}
	}
	return &b, nil
}

// Write saves the baseline atomically.
func (b *Baseline) Write(path string) error {
	data, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		return fmt.Errorf("baseline: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".baseline-*")
	if err != nil {
		return fmt.Errorf("baseline: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("baseline: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("baseline: %w", err)
	}
	return os.Rename(tmp.Name(), path)
}

// Filter returns the findings the baseline does not cover and how many it
// covered.
func (b *Baseline) Filter(findings []Finding) (kept []Finding, covered int) {
	left := map[string]int{}
	for _, e := range b.Entries {
		left[e.Fingerprint] += max(e.Count, 1)
	}
	for _, f := range findings {
		if left[f.Fingerprint] > 0 {
			left[f.Fingerprint]--
			covered++
			continue
		}
		kept = append(kept, f)
	}
	return kept, covered
}

// BaselineExists reports whether path names an existing baseline file.
func BaselineExists(path string) (bool, error) {
	_, err := os.Stat(path)
	if err == nil {
		return true, nil
	}
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	return false, fmt.Errorf("baseline: %w", err)
}
