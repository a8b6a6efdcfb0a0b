package results

import "math"

// z95 is the two-sided 95% normal quantile.
const z95 = 1.959963984540054

// Wilson returns the 95% Wilson score interval on a rate of k events in n
// trials. With n == 0 it is [0, 1]: nothing is known.
func Wilson(k, n int) Interval {
	if n <= 0 {
		return Interval{Low: 0, High: 1, Confidence: 0.95}
	}
	if k < 0 {
		k = 0
	}
	if k > n {
		k = n
	}
	nf, p := float64(n), float64(k)/float64(n)
	z2 := z95 * z95
	denom := 1 + z2/nf
	center := (p + z2/(2*nf)) / denom
	half := z95 * math.Sqrt(p*(1-p)/nf+z2/(4*nf*nf)) / denom
	low, high := center-half, center+half
	// Exact ends: with no failures the lower bound is 0, with all it is 1.
	if k == 0 {
		low = 0
	}
	if k == n {
		high = 1
	}
	return Interval{Low: math.Max(0, low), High: math.Min(1, high), Confidence: 0.95}
}

// NewRate returns k failures of n iterations with their Wilson interval.
func NewRate(k, n int) Rate {
	return Rate{Failures: k, Iterations: n, Interval: Wilson(k, n)}
}

// Overlap reports whether two rates' intervals overlap: their difference is
// within the noise of the measurements.
func Overlap(a, b Rate) bool {
	return a.Interval.Low <= b.Interval.High && b.Interval.Low <= a.Interval.High
}

// UpperBound returns the exact (Clopper–Pearson) one-sided upper confidence
// bound on a rate after k events in n trials: the largest p for which
// seeing k or fewer events still has probability at least 1-confidence.
// 0 failures in 10 iterations give 0.259: "below 26% at 95% confidence".
func UpperBound(k, n int, confidence float64) float64 {
	if n <= 0 || k >= n {
		return 1
	}
	if k < 0 {
		k = 0
	}
	alpha := 1 - confidence
	lo, hi := float64(k)/float64(n), 1.0
	for range 60 {
		mid := (lo + hi) / 2
		if binomialCDF(k, n, mid) > alpha {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi
}

// binomialCDF is P(X <= k) for X ~ Binomial(n, p).
func binomialCDF(k, n int, p float64) float64 {
	if p <= 0 {
		return 1
	}
	if p >= 1 {
		if k >= n {
			return 1
		}
		return 0
	}
	lp, lq := math.Log(p), math.Log1p(-p)
	sum := 0.0
	for i := 0; i <= k; i++ {
		lg := lgamma(n+1) - lgamma(i+1) - lgamma(n-i+1)
		sum += math.Exp(lg + float64(i)*lp + float64(n-i)*lq)
	}
	return math.Min(1, sum)
}

func lgamma(x int) float64 {
	v, _ := math.Lgamma(float64(x))
	return v
}
