package report

import (
	"cmp"
	"fmt"
	"slices"
)

// The orders of `pyrace show`.
const (
	// SortCategory puts the most severe categories first, then sorts by
	// name.
	SortCategory = "category"
	// SortPassRate puts the lowest pass rates first.
	SortPassRate = "pass_rate"
	// SortName sorts by package name.
	SortName = "name"
)

// SortOrders lists the orders SortSummaries knows.
func SortOrders() []string { return []string{SortCategory, SortPassRate, SortName} }

// SortSummaries sorts ss in place by order (one of SortOrders).
func SortSummaries(ss []Summary, order string) error {
	byName := func(a, b Summary) int { return cmp.Compare(a.Package, b.Package) }
	switch order {
	case SortCategory:
		slices.SortStableFunc(ss, func(a, b Summary) int {
			return cmp.Or(cmp.Compare(Severity(b.Category), Severity(a.Category)), byName(a, b))
		})
	case SortPassRate:
		slices.SortStableFunc(ss, func(a, b Summary) int {
			return cmp.Or(cmp.Compare(passRateOrOne(a), passRateOrOne(b)), cmp.Compare(b.Iterations, a.Iterations), byName(a, b))
		})
	case SortName:
		slices.SortStableFunc(ss, byName)
	default:
		return fmt.Errorf("unknown order %q (want %s, %s or %s)", order, SortCategory, SortPassRate, SortName)
	}
	return nil
}

// passRateOrOne is the pass rate, 1 for a package without iterations (it
// shows no failures).
func passRateOrOne(s Summary) float64 {
	if s.Iterations == 0 {
		return 1
	}
	return passRate(s)
}
