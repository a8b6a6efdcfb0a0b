package survey

import (
	"cmp"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"

	"github.com/pyrace/pyrace/internal/results"
)

// ParseShard reads "i/n": shard i (0-based, as Kubernetes'
// JOB_COMPLETION_INDEX) of n.
func ParseShard(s string) (index, count int, err error) {
	a, b, ok := strings.Cut(s, "/")
	if ok {
		index, err = strconv.Atoi(a)
		if err == nil {
			count, err = strconv.Atoi(b)
		}
	}
	if !ok || err != nil || count < 1 || index < 0 || index >= count {
		return 0, 0, fmt.Errorf("%q: want i/n with 0 <= i < n, such as 0/3", s)
	}
	return index, count, nil
}

// Shard returns the packages of shard index of count, in their order in
// pkgs. Every package is in exactly one shard, and the choice depends only
// on the package names (and costs), so that machines given the same
// registry agree without talking to each other.
//
// Without costs, packages are dealt round-robin in the order of a hash of
// their names: shards differ by at most one package. With costs (seconds
// per package, from an earlier run), the most expensive packages are placed
// first, each on the shard with the least cost so far; a package without a
// cost counts as the median of the known ones.
func Shard(pkgs []Package, index, count int, costs map[string]float64) []Package {
	if count <= 1 {
		return pkgs
	}
	order := slices.Clone(pkgs)
	keep := map[string]bool{}
	if len(costs) == 0 {
		hash := func(name string) uint32 {
			h := fnv.New32a()
			h.Write([]byte(name))
			return h.Sum32()
		}
		slices.SortFunc(order, func(a, b Package) int {
			return cmp.Or(cmp.Compare(hash(a.Name), hash(b.Name)), cmp.Compare(a.Name, b.Name))
		})
		for i, p := range order {
			if i%count == index {
				keep[p.Name] = true
			}
		}
	} else {
		cost := func(name string) float64 {
			if c, ok := costs[name]; ok {
				return c
			}
			return median(costs)
		}
		slices.SortFunc(order, func(a, b Package) int {
			return cmp.Or(cmp.Compare(cost(b.Name), cost(a.Name)), cmp.Compare(a.Name, b.Name))
		})
		loads := make([]float64, count)
		for _, p := range order {
			best := 0
			for s := 1; s < count; s++ {
				if loads[s] < loads[best] {
					best = s
				}
			}
			loads[best] += cost(p.Name)
			if best == index {
				keep[p.Name] = true
			}
		}
	}
	var out []Package
	for _, p := range pkgs {
		if keep[p.Name] {
			out = append(out, p)
		}
	}
	return out
}

func median(m map[string]float64) float64 {
	var vs []float64
	for _, v := range m {
		vs = append(vs, v)
	}
	slices.Sort(vs)
	if len(vs) == 0 {
		return 1
	}
	return vs[len(vs)/2]
}

// Costs reads what each package of earlier runs cost, in seconds: its
// iterations' durations, summed (the latest run wins for a package in
// several).
func Costs(dirs []string) (map[string]float64, error) {
	costs := map[string]float64{}
	for _, d := range dirs {
		run, err := results.ReadRun(d)
		if err != nil {
			return nil, err
		}
		for _, r := range run.Records {
			sum := 0.0
			for _, it := range r.Iterations {
				sum += it.Duration
			}
			costs[r.Package] = sum
		}
	}
	return costs, nil
}
