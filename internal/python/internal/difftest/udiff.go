package difftest

import (
	"fmt"
	"slices"
	"strings"
)

// maxEdits bounds the edit distance that the line diff searches for (its
// time is linear in the input times this bound). Beyond it, the differing
// middle of the two texts is shown as one replaced block.
const maxEdits = 1000

// diffContext is the number of unchanged lines around each hunk.
const diffContext = 3

// op is one line of an edit script: ' ' keeps a[i] (= b[j]), '-' deletes
// a[i], '+' inserts b[j].
type op struct {
	kind byte
	i, j int
}

// UnifiedDiff returns the unified diff, with three lines of context, that
// turns text a (labelled aName) into text b (labelled bName); it returns ""
// when they are equal. Common leading and trailing lines are matched first;
// what remains is diffed exactly up to maxEdits edits, and beyond that shown
// as one block.
func UnifiedDiff(aName, bName, a, b string) string {
	if a == b {
		return ""
	}
	al, bl := splitLines(a), splitLines(b)
	ops := diffLines(al, bl)
	var out strings.Builder
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", aName, bName)
	for start := 0; start < len(ops); {
		// Find the next change and the extent of its hunk.
		for start < len(ops) && ops[start].kind == ' ' {
			start++
		}
		if start == len(ops) {
			break
		}
		lo := max(0, start-diffContext)
		hi := start
		for hi < len(ops) {
			if ops[hi].kind != ' ' {
				hi++
				continue
			}
			run := hi
			for run < len(ops) && ops[run].kind == ' ' {
				run++
			}
			if run == len(ops) || run-hi > 2*diffContext {
				hi = min(run, hi+diffContext)
				break
			}
			hi = run
		}
		writeHunk(&out, al, bl, ops[lo:hi])
		start = hi
	}
	return out.String()
}

// writeHunk writes one hunk: its header and lines.
func writeHunk(out *strings.Builder, a, b []string, ops []op) {
	ai, bi := ops[0].i, ops[0].j
	var an, bn int
	for _, o := range ops {
		switch o.kind {
		case ' ':
			an++
			bn++
		case '-':
			an++
		case '+':
			bn++
		}
	}
	fmt.Fprintf(out, "@@ -%s +%s @@\n", hunkRange(ai, an), hunkRange(bi, bn))
	for _, o := range ops {
		switch o.kind {
		case ' ':
			out.WriteString(" " + a[o.i] + "\n")
		case '-':
			out.WriteString("-" + a[o.i] + "\n")
		case '+':
			out.WriteString("+" + b[o.j] + "\n")
		}
	}
}

// hunkRange formats a hunk's start and length as diff -u does: 1-based
// start, length omitted when 1, start before the range when it is empty.
func hunkRange(start, n int) string {
	switch n {
	case 0:
		return fmt.Sprintf("%d,0", start)
	case 1:
		return fmt.Sprintf("%d", start+1)
	}
	return fmt.Sprintf("%d,%d", start+1, n)
}

// diffLines returns an edit script turning a into b. Each op's i and j are
// the positions in a and b before the op applies.
func diffLines(a, b []string) []op {
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	ops := make([]op, 0, len(a)+len(b))
	for i := 0; i < pre; i++ {
		ops = append(ops, op{' ', i, i})
	}
	am, bm := a[pre:len(a)-suf], b[pre:len(b)-suf]
	// Compare lines as small integers.
	ids := map[string]int{}
	intern := func(ss []string) []int {
		out := make([]int, len(ss))
		for i, s := range ss {
			id, ok := ids[s]
			if !ok {
				id = len(ids)
				ids[s] = id
			}
			out[i] = id
		}
		return out
	}
	mid, ok := myers(intern(am), intern(bm), maxEdits)
	if !ok {
		mid = mid[:0]
		for i := range am {
			mid = append(mid, op{'-', i, 0})
		}
		for j := range bm {
			mid = append(mid, op{'+', len(am), j})
		}
	}
	for _, o := range mid {
		ops = append(ops, op{o.kind, o.i + pre, o.j + pre})
	}
	for k := 0; k < suf; k++ {
		ops = append(ops, op{' ', len(a) - suf + k, len(b) - suf + k})
	}
	return ops
}

// myers computes a shortest edit script from a to b with Myers' O(ND)
// algorithm, giving up (ok false) when it needs more than maxD edits.
func myers(a, b []int, maxD int) (ops []op, ok bool) {
	n, m := len(a), len(b)
	maxD = min(maxD, n+m)
	off := maxD + 1
	v := make([]int, 2*maxD+3)
	// trace[d] is v after step d, for diagonals -d..d (index k+d).
	var trace [][]int
	for d := 0; d <= maxD; d++ {
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || (k != d && v[off+k-1] < v[off+k+1]) {
				x = v[off+k+1]
			} else {
				x = v[off+k-1] + 1
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x++
				y++
			}
			v[off+k] = x
			if x >= n && y >= m {
				trace = append(trace, slices.Clone(v[off-d:off+d+1]))
				return backtrack(trace, n, m), true
			}
		}
		trace = append(trace, slices.Clone(v[off-d:off+d+1]))
	}
	return nil, false
}

// backtrack turns the trace of myers into an edit script ending at (n, m).
func backtrack(trace [][]int, n, m int) []op {
	var rev []op
	x, y := n, m
	for d := len(trace) - 1; d > 0; d-- {
		prev := trace[d-1]
		at := func(k int) int { return prev[k+d-1] }
		k := x - y
		var pk int
		if k == -d || (k != d && at(k-1) < at(k+1)) {
			pk = k + 1 // reached by an insertion
		} else {
			pk = k - 1 // reached by a deletion
		}
		px := at(pk)
		py := px - pk
		// After the edit the path is at (sx, sy); then it follows a snake.
		sx, sy := px, py+1
		if pk == k-1 {
			sx, sy = px+1, py
		}
		for x > sx && y > sy {
			x--
			y--
			rev = append(rev, op{' ', x, y})
		}
		if pk == k-1 {
			rev = append(rev, op{'-', px, py})
		} else {
			rev = append(rev, op{'+', px, py})
		}
		x, y = px, py
	}
	for x > 0 && y > 0 {
		x--
		y--
		rev = append(rev, op{' ', x, y})
	}
	slices.Reverse(rev)
	return rev
}
