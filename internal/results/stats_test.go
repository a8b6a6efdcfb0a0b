package results

import (
	"math"
	"testing"
)

func TestWilson(t *testing.T) {
	tests := []struct {
		k, n      int
		low, high float64
	}{
		{0, 0, 0, 1},
		{0, 10, 0, 0.2775},
		{10, 10, 0.7225, 1},
		{5, 10, 0.2366, 0.7634},
		{1, 100, 0.0018, 0.0545},
	}
	for _, tt := range tests {
		got := Wilson(tt.k, tt.n)
		if math.Abs(got.Low-tt.low) > 5e-4 || math.Abs(got.High-tt.high) > 5e-4 {
			t.Errorf("Wilson(%d, %d) = [%.4f, %.4f], want [%.4f, %.4f]", tt.k, tt.n, got.Low, got.High, tt.low, tt.high)
		}
		if got.Confidence != 0.95 {
			t.Errorf("Wilson(%d, %d).Confidence = %v", tt.k, tt.n, got.Confidence)
		}
	}
}

func TestUpperBound(t *testing.T) {
	tests := []struct {
		k, n int
		want float64
	}{
		{0, 10, 0.2589}, // 1 - 0.05^(1/10)
		{0, 30, 0.0950},
		{0, 100, 0.0295},
		{1, 10, 0.3942},
		{5, 10, 0.7779},
		{10, 10, 1},
		{0, 0, 1},
	}
	for _, tt := range tests {
		if got := UpperBound(tt.k, tt.n, 0.95); math.Abs(got-tt.want) > 5e-4 {
			t.Errorf("UpperBound(%d, %d) = %.4f, want %.4f", tt.k, tt.n, got, tt.want)
		}
	}
}

func TestOverlap(t *testing.T) {
	if !Overlap(NewRate(3, 10), NewRate(4, 10)) {
		t.Error("3/10 and 4/10 should be within noise")
	}
	if Overlap(NewRate(0, 50), NewRate(50, 50)) {
		t.Error("0/50 and 50/50 should differ")
	}
}
