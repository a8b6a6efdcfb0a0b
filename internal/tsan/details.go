package tsan

import (
	"regexp"
	"strconv"
	"strings"
)

// The facts a report states besides its stacks, read from its stack
// headings and informational lines (tsan_report.cpp's formats). Each refers
// to its stack by index in [Report.Stacks], -1 when it has none.

// Access is one memory access of a data race or heap-use-after-free:
// "Previous atomic write of size 8 at 0x... by thread T7 (mutexes: write M1):".
type Access struct {
	// Op is "read" or "write".
	Op string `json:"op"`
	// Atomic is set for atomic accesses, Previous for the earlier one.
	Atomic   bool `json:"atomic,omitempty"`
	Previous bool `json:"previous,omitempty"`
	// Size is the access size in bytes, 0 when not printed.
	Size int `json:"size,omitempty"`
	// Thread is "T7", or "main" for the main thread.
	Thread string `json:"thread"`
	// Mutexes are the mutexes held, as printed: "write M1", "read M2".
	Mutexes []string `json:"mutexes,omitempty"`
	Stack   int      `json:"stack"`
}

// Location is where the raced-on memory lives.
type Location struct {
	// Kind is "global", "heap", "stack", "tls" or "fd".
	Kind string `json:"kind"`
	// Name is a global's name ("_PyRuntime"); Size a global's or heap
	// block's size in bytes.
	Name string `json:"name,omitempty"`
	Size int    `json:"size,omitempty"`
	// Module is the binary holding a global ("python").
	Module string `json:"module,omitempty"`
	// FD is the file descriptor of an "fd" location.
	FD int `json:"fd,omitempty"`
	// Thread allocated the heap block, created or destroyed the file
	// descriptor, or owns the stack or TLS ("T1", "main").
	Thread string `json:"thread,omitempty"`
	// Stack is where the heap block was allocated or the descriptor
	// created or destroyed.
	Stack int `json:"stack"`
	// Text is the line as printed.
	Text string `json:"text"`
}

// Mutex is a mutex the report mentions: where it was created, or that it
// was already destroyed.
type Mutex struct {
	ID        string `json:"id"` // "M1"
	Destroyed bool   `json:"destroyed,omitempty"`
	Stack     int    `json:"stack"`
}

// Acquisition is one edge of a lock-order-inversion: Mutex acquired while
// holding Held ("Mutex M1 acquired here while holding mutex M0 in thread
// T1:"), or, with Previous, where the thread acquired Mutex earlier.
type Acquisition struct {
	Mutex    string `json:"mutex"`
	Held     string `json:"held,omitempty"`
	Thread   string `json:"thread,omitempty"`
	Previous bool   `json:"previous,omitempty"`
	Stack    int    `json:"stack"`
}

// Thread is a thread the report describes: "Thread T7 'worker' (tid=4242,
// running) created by main thread at:".
type Thread struct {
	ID        string `json:"id"`
	Name      string `json:"name,omitempty"`
	TID       int    `json:"tid,omitempty"`
	State     string `json:"state,omitempty"` // running, finished
	CreatedBy string `json:"created_by,omitempty"`
	Stack     int    `json:"stack"`
}

var (
	accessRE = regexp.MustCompile(`^(Previous )?(?i:(atomic )?(read|write))(?: of size (\d+))? at 0x[0-9a-fA-F]+ by (main thread|thread (T\d+))(?: \(mutexes: ([^)]*)\))?:$`)
	globalRE = regexp.MustCompile(`^Location is global '(.*)'(?: of size (\d+))? at 0x[0-9a-fA-F]+(?: \(([^()+]*)\+0x[0-9a-fA-F]+\))?$`)
	heapRE   = regexp.MustCompile(`^Location is heap block of size (\d+) at 0x[0-9a-fA-F]+ allocated by (main thread|thread (T\d+)):$`)
	ownedRE  = regexp.MustCompile(`^Location is (stack|TLS) of (main thread|thread (T\d+))\.?$`)
	fdRE     = regexp.MustCompile(`^Location is file descriptor (\d+) (?:created|destroyed) by (main thread|thread (T\d+)) at:$`)
	mutexRE  = regexp.MustCompile(`^Mutex (M\d+) \(0x[0-9a-fA-F]+\) created at:$`)
	goneRE   = regexp.MustCompile(`^Mutex (M\d+) is already destroyed\.?$`)
	cycleRE  = regexp.MustCompile(`^Cycle in lock order graph: (.*)$`)
	acqRE    = regexp.MustCompile(`^Mutex (M\d+) acquired here while holding mutex (M\d+) in (main thread|thread (T\d+)):$`)
	prevRE   = regexp.MustCompile(`^Mutex (M\d+) previously acquired by the same thread here:$`)
	threadRE = regexp.MustCompile(`^Thread (T\d+)(?: '(.*)')? \(tid=(\d+), (\w+)\) created by (main thread|thread (T\d+)) at:$`)
	leaksRE  = regexp.MustCompile(`^And (\d+) more similar thread leaks\.?$`)
	mutexIDs = regexp.MustCompile(`M\d+`)
)

// threadName turns "main thread" / "thread T7" (with T7 captured) into
// "main" / "T7".
func threadName(whole, id string) string {
	if id != "" {
		return id
	}
	if whole == "main thread" {
		return "main"
	}
	return whole
}

// ReadDetails fills the report's Accesses, Location, Mutexes, Cycle,
// Acquisitions, Threads and MoreLeaks from its lines. Parse leaves them
// empty: reading them costs more than the rest of a report, and a log
// mostly repeats reports whose details are known (a Grouper reads them once
// per distinct race). Calling it again does nothing.
func (r *Report) ReadDetails() {
	if r.detailsRead {
		return
	}
	r.detailsRead = true
	next := 0 // the next stack whose heading has not been matched
	stackOf := func(line string) int {
		for i := next; i < len(r.Stacks); i++ {
			if r.Stacks[i].Heading == line {
				next = i + 1
				return i
			}
		}
		return -1
	}
	for _, raw := range r.Lines {
		if j := mergedFrameStart(raw); j >= 0 {
			raw = raw[:j] // frames run on after the heading (a log copied from a web page)
		}
		line := strings.TrimSpace(raw)
		if line == "" || line[0] == '#' || strings.HasPrefix(line, "WARNING:") || strings.HasPrefix(line, "SUMMARY:") {
			continue
		}
		switch {
		case strings.HasPrefix(line, "Location is "):
			r.location(line, stackOf)
		case strings.HasPrefix(line, "Mutex "):
			if m := mutexRE.FindStringSubmatch(line); m != nil {
				r.Mutexes = append(r.Mutexes, Mutex{ID: m[1], Stack: stackOf(line)})
			} else if m := goneRE.FindStringSubmatch(line); m != nil {
				r.Mutexes = append(r.Mutexes, Mutex{ID: m[1], Destroyed: true, Stack: -1})
			} else if m := acqRE.FindStringSubmatch(line); m != nil {
				r.Acquisitions = append(r.Acquisitions, Acquisition{Mutex: m[1], Held: m[2], Thread: threadName(m[3], m[4]), Stack: stackOf(line)})
			} else if m := prevRE.FindStringSubmatch(line); m != nil {
				r.Acquisitions = append(r.Acquisitions, Acquisition{Mutex: m[1], Previous: true, Stack: stackOf(line)})
			}
		case strings.HasPrefix(line, "Thread "):
			if m := threadRE.FindStringSubmatch(line); m != nil {
				tid, _ := strconv.Atoi(m[3])
				r.Threads = append(r.Threads, Thread{ID: m[1], Name: m[2], TID: tid, State: m[4], CreatedBy: threadName(m[5], m[6]), Stack: stackOf(line)})
			}
		case strings.HasPrefix(line, "Cycle in lock order graph: "):
			m := cycleRE.FindStringSubmatch(line)
			r.Cycle = mutexIDs.FindAllString(strings.Join(strings.Fields(stripAddresses(m[1])), " "), -1)
		case strings.HasPrefix(line, "And "):
			if m := leaksRE.FindStringSubmatch(line); m != nil {
				r.MoreLeaks, _ = strconv.Atoi(m[1])
			}
		default:
			if m := accessRE.FindStringSubmatch(line); m != nil {
				size, _ := strconv.Atoi(m[4])
				a := Access{Op: strings.ToLower(m[3]), Atomic: m[2] != "", Previous: m[1] != "", Size: size,
					Thread: threadName(m[5], m[6]), Stack: stackOf(line)}
				if m[7] != "" {
					for _, mu := range strings.Split(m[7], ",") {
						a.Mutexes = append(a.Mutexes, strings.TrimSpace(mu))
					}
				}
				r.Accesses = append(r.Accesses, a)
			}
		}
	}
}

// location reads a "Location is ..." line.
func (r *Report) location(line string, stackOf func(string) int) {
	loc := Location{Text: line, Stack: -1}
	switch {
	case globalRE.MatchString(line):
		m := globalRE.FindStringSubmatch(line)
		loc.Kind, loc.Name, loc.Module = "global", m[1], m[3]
		loc.Size, _ = strconv.Atoi(m[2])
		if loc.Name == "<null>" {
			loc.Name = ""
		}
	case heapRE.MatchString(line):
		m := heapRE.FindStringSubmatch(line)
		loc.Kind, loc.Thread, loc.Stack = "heap", threadName(m[2], m[3]), stackOf(line)
		loc.Size, _ = strconv.Atoi(m[1])
	case ownedRE.MatchString(line):
		m := ownedRE.FindStringSubmatch(line)
		loc.Kind, loc.Thread = strings.ToLower(m[1]), threadName(m[2], m[3])
	case fdRE.MatchString(line):
		m := fdRE.FindStringSubmatch(line)
		loc.Kind, loc.Thread, loc.Stack = "fd", threadName(m[2], m[3]), stackOf(line)
		loc.FD, _ = strconv.Atoi(m[1])
	default:
		loc.Kind = "other"
		if strings.HasSuffix(line, ":") {
			loc.Stack = stackOf(line)
		}
	}
	if r.Location == nil {
		r.Location = &loc
	}
}

// stripAddresses removes "(0x...)" groups: "M0 (0x7b0c00000010) => M1".
func stripAddresses(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "(0x")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		j := strings.IndexByte(s[i:], ')')
		if j < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		s = s[i+j+1:]
	}
}
