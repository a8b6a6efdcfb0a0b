package model

// Names is a set of names. Most functions bind a handful: the set is a
// list while small (no hashing, one allocation) and a map beyond.
type Names struct {
	list []string
	set  map[string]bool
}

// namesListMax is the size up to which Names keeps a list.
const namesListMax = 8

// Has reports whether name is in the set.
func (s *Names) Has(name string) bool {
	if s.set != nil {
		return s.set[name]
	}
	for _, n := range s.list {
		if n == name {
			return true
		}
	}
	return false
}

// Add puts name in the set.
func (s *Names) Add(name string) {
	if s.set != nil {
		s.set[name] = true
		return
	}
	for _, n := range s.list {
		if n == name {
			return
		}
	}
	if len(s.list) < namesListMax {
		s.list = append(s.list, name)
		return
	}
	s.set = make(map[string]bool, 2*namesListMax)
	for _, n := range s.list {
		s.set[n] = true
	}
	s.set[name] = true
	s.list = nil
}

// Remove takes name out of the set.
func (s *Names) Remove(name string) {
	if s.set != nil {
		delete(s.set, name)
		return
	}
	for i, n := range s.list {
		if n == name {
			s.list = append(s.list[:i], s.list[i+1:]...)
			return
		}
	}
}

// Len is the number of names in the set.
func (s *Names) Len() int {
	if s.set != nil {
		return len(s.set)
	}
	return len(s.list)
}

// All calls fn with each name of the set, in no particular order.
func (s *Names) All(fn func(string)) {
	if s.set != nil {
		for n := range s.set {
			fn(n)
		}
		return
	}
	for _, n := range s.list {
		fn(n)
	}
}

// NameFilter is a small Bloom filter over names: MayHave is false for
// most names not added, at the cost of a few instructions, so that a map
// lookup runs only for likely members.
type NameFilter [4]uint64

func nameBit(s string) uint {
	if s == "" {
		return 0
	}
	return (uint(len(s))*31 + uint(s[0])*7 + uint(s[len(s)-1])) & 255
}

// Add puts s in the filter.
func (b *NameFilter) Add(s string) {
	h := nameBit(s)
	b[h>>6] |= 1 << (h & 63)
}

// MayHave reports whether s may have been added; false means it was not.
func (b *NameFilter) MayHave(s string) bool {
	h := nameBit(s)
	return b[h>>6]&(1<<(h&63)) != 0
}
