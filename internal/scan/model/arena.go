package model

import "unsafe"

// A module allocates many small records (a context per statement, a Func
// per function, a lock state per with block). They are taken from chunks
// that a Scratch keeps from one module to the next, so that scanning a
// project allocates them once per worker instead of once per module.

// chunkBytes is the size of a chunk. Chunks are small objects for the
// garbage collector, and maxFreeChunks bounds how many a Scratch keeps:
// memory the Scratch holds is scanned at every collection, so after a
// large module it keeps only what a typical one needs.
const (
	chunkBytes    = 8 << 10
	maxFreeChunks = 32
)

// chunks hands out records of type T from fixed-size chunks: a record's
// address never changes. The chunks in use are kept in order, so that
// All visits the records in allocation order.
type chunks[T any] struct {
	used [][]T // full chunks, then the current one last
	free [][]T // empty chunks to reuse
}

// alloc returns a zeroed record.
func (c *chunks[T]) alloc() *T {
	n := len(c.used)
	if n == 0 || len(c.used[n-1]) == cap(c.used[n-1]) {
		var next []T
		if k := len(c.free); k > 0 {
			next, c.free = c.free[k-1], c.free[:k-1]
		} else {
			next = make([]T, 0, max(8, chunkBytes/int(unsafe.Sizeof(*new(T)))))
		}
		c.used = append(c.used, next)
		n++
	}
	cur := c.used[n-1]
	cur = cur[:len(cur)+1]
	c.used[n-1] = cur
	return &cur[len(cur)-1]
}

// all calls fn with each record in allocation order.
func (c *chunks[T]) all(fn func(*T)) {
	for _, ch := range c.used {
		for i := range ch {
			fn(&ch[i])
		}
	}
}

// reset zeroes every record (no stale references for the collector to
// follow) and makes the chunks free for reuse.
func (c *chunks[T]) reset() {
	for _, ch := range c.used {
		if len(c.free) == maxFreeChunks {
			break
		}
		clear(ch)
		c.free = append(c.free, ch[:0])
	}
	clear(c.used)
	c.used = c.used[:0]
}

// arena holds the records of one module.
type arena struct {
	ctxs    chunks[Ctx]
	funcs   chunks[Func]
	classes chunks[Class]
	states  chunks[lockState]
	names   chunks[[namesListMax]string]
}

// reset makes every record free for the next module.
func (a *arena) reset() {
	a.ctxs.reset()
	a.funcs.reset()
	a.classes.reset()
	a.states.reset()
	a.names.reset()
}

// stringMaker makes the module's strings (qualified names, state keys) out of
// shared buffers: one allocation for many short strings. The buffers are
// the module's own, never reused, since findings keep such strings.
type stringMaker struct {
	buf []byte
}

// join returns the concatenation of parts.
func (s *stringMaker) join(parts []string) string {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	if n == 0 {
		return ""
	}
	if cap(s.buf)-len(s.buf) < n {
		s.buf = make([]byte, 0, max(2048, n))
	}
	start := len(s.buf)
	for _, p := range parts {
		s.buf = append(s.buf, p...)
	}
	return unsafe.String(&s.buf[start], n)
}
