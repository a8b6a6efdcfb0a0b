package tsan

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// FuzzParse checks that Parse never panics, keeps every report within its
// limits, and gives the same result whatever the line endings and however
// the reader splits the input.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.txt")
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(raceReport(7, "0x7b4400012340", "/usr/src/cpython", 3, true)))
	f.Add([]byte("WARNING: ThreadSanitizer: x (pid=1)\n  a:\n  #0 f  #0 g  #1 h\n==================\nWARNING: ThreadSanitizer: y\n"))
	f.Add([]byte("\x1b[1mWARNING: ThreadSanitizer: data race (pid=99999999999999999999)\x1b\n\x1b]0;t\x07==================\r\r\n"))
	f.Add([]byte("ThreadSanitizer: reported 9223372036854775807 warnings\nThreadSanitizer: reported 1 warnings\n"))

	f.Fuzz(func(t *testing.T, data []byte) {
		var reports []Report
		n, err := Parse(bytes.NewReader(data), func(r Report) error {
			checkLimits(t, r)
			_ = r.Signature()
			reports = append(reports, r)
			return nil
		})
		if err != nil {
			t.Fatalf("Parse: %v", err)
		}
		if n < -1 {
			t.Fatalf("warnings = %d", n)
		}

		var oneByte []Report
		n2, err := Parse(iotest.OneByteReader(bytes.NewReader(data)), func(r Report) error {
			oneByte = append(oneByte, r)
			return nil
		})
		if err != nil || n2 != n || !reflect.DeepEqual(oneByte, reports) {
			t.Fatalf("reading one byte at a time changes the result")
		}

		// "\n" -> "\r\n" changes nothing (lines that MaxLineBytes cuts
		// would be cut one byte earlier; fuzz inputs are shorter).
		if len(data) < MaxLineBytes/2 {
			crlf := bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n"))
			var got []Report
			n3, err := Parse(bytes.NewReader(crlf), func(r Report) error {
				got = append(got, r)
				return nil
			})
			if err != nil || n3 != n || !reflect.DeepEqual(got, reports) {
				t.Fatalf("CRLF line endings change the result:\n%+v\n%+v", got, reports)
			}
		}
	})
}

func checkLimits(t *testing.T, r Report) {
	t.Helper()
	if len(r.Lines) > MaxReportLines {
		t.Fatalf("%d lines kept", len(r.Lines))
	}
	size := 0
	for _, l := range r.Lines {
		if len(l) > MaxLineBytes {
			t.Fatalf("a line of %d bytes kept", len(l))
		}
		if strings.ContainsAny(l, "\n\x1b") {
			t.Fatalf("line %q keeps a newline or an escape", l)
		}
		size += len(l)
	}
	if size > MaxReportBytes {
		t.Fatalf("%d bytes kept", size)
	}
	frames := 0
	for _, s := range r.Stacks {
		frames += len(s.Frames)
	}
	if frames > MaxReportFrames {
		t.Fatalf("%d frames kept", frames)
	}
	if r.StartLine < 1 || strings.ContainsAny(r.Kind, "\n\x1b") || r.PID < 0 {
		t.Fatalf("bad report header: %+v", r)
	}
}
