package survey

import (
	"fmt"

	"github.com/pyrace/pyrace/internal/results"
)

// CheckStability compares the system's state with the thresholds a survey
// needs to give comparable timings and no stalls from starvation: the
// 1-minute load average at most maxLoad, at least minMemory bytes of memory
// available.
func CheckStability(sys results.System, maxLoad float64, minMemory uint64) results.StabilityCheck {
	c := results.StabilityCheck{Load: sys.LoadAverage[0], MaxLoad: maxLoad, AvailableMemory: sys.MemoryFree, MinMemory: minMemory}
	if c.Load > maxLoad {
		c.Problems = append(c.Problems, fmt.Sprintf("load average %.2f is above %.2f", c.Load, maxLoad))
	}
	if sys.MemoryFree < minMemory {
		c.Problems = append(c.Problems, fmt.Sprintf("%.1f GiB of memory available, below %.1f GiB",
			float64(sys.MemoryFree)/(1<<30), float64(minMemory)/(1<<30)))
	}
	c.Passed = len(c.Problems) == 0
	return c
}
