package difftest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
)

// Record is CPython's verdict on one file, as astdump.py --batch prints it.
type Record struct {
	// Path is the file's path as passed to astdump.py.
	Path string
	// Dump is the canonical dump, each line ending in "\n", when CPython
	// accepts the file.
	Dump string
	// Rejected is "ExcType: message (line N)" when ast.parse raised, and
	// empty when CPython accepts the file.
	Rejected string
}

// Protocol markers of astdump.py --batch.
const (
	headerPrefix = "=== "
	endLine      = "=== end"
	rejectPrefix = "!!! "
)

// RunBatch runs astdump.py --batch (script) under the interpreter for the
// given paths and calls fn with each file's record, in the order of paths,
// as the records stream in. It fails when the interpreter fails, when its
// output breaks the protocol, or when fn returns an error.
func RunBatch(ctx context.Context, in Interpreter, script string, paths []string, fn func(Record) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	interpreter := in.Path
	argv := in.Command(script, "--batch")
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	if len(in.Env) > 0 {
		cmd.Env = append(os.Environ(), in.Env...)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() {
		w := bufio.NewWriter(stdin)
		for _, p := range paths {
			w.WriteString(p)
			w.WriteByte('\n')
		}
		w.Flush()
		stdin.Close()
	}()
	readErr := ReadRecords(stdout, paths, fn)
	if readErr != nil {
		cancel() // stop the interpreter; its exit status no longer matters
		io.Copy(io.Discard, stdout)
	}
	waitErr := cmd.Wait()
	if readErr != nil {
		if msg := bytes.TrimSpace(stderr.Bytes()); len(msg) > 0 {
			return fmt.Errorf("%w\n%s stderr:\n%s", readErr, interpreter, tail(string(msg), 2000))
		}
		return readErr
	}
	if waitErr != nil {
		return fmt.Errorf("%s %s --batch: %v\n%s", interpreter, script, waitErr, tail(stderr.String(), 2000))
	}
	return nil
}

// errTruncated reports output that ends in the middle of the protocol.
var errTruncated = errors.New("astdump output ends early")

// ReadRecords parses astdump.py --batch output from r, checking that it
// holds one record per path, in order, and calls fn with each.
func ReadRecords(r io.Reader, paths []string, fn func(Record) error) error {
	br := bufio.NewReaderSize(r, 1<<20)
	var line []byte
	var dump strings.Builder
	for i, want := range paths {
		var err error
		if line, err = readLine(br, line[:0]); err != nil {
			return recordError(want, err)
		}
		got, ok := strings.CutPrefix(string(line), headerPrefix)
		if !ok || got != want {
			return fmt.Errorf("astdump output: record %d: want header %q, got %q", i, headerPrefix+want, truncate(string(line), 200))
		}
		rec := Record{Path: want}
		dump.Reset()
		for first := true; ; first = false {
			if line, err = readLine(br, line[:0]); err != nil {
				return recordError(want, err)
			}
			if string(line) == endLine {
				break
			}
			if first {
				if msg, ok := strings.CutPrefix(string(line), rejectPrefix); ok {
					rec.Rejected = msg
					continue
				}
			}
			if rec.Rejected != "" {
				return fmt.Errorf("astdump output for %s: line after the rejection: %q", want, truncate(string(line), 200))
			}
			dump.Write(line)
			dump.WriteByte('\n')
		}
		rec.Dump = dump.String()
		if err := fn(rec); err != nil {
			return err
		}
	}
	if line, err := readLine(br, line[:0]); err != io.EOF {
		return fmt.Errorf("astdump output: unexpected data after the last record: %q", truncate(string(line), 200))
	}
	return nil
}

// readLine appends the next line of br, without its "\n", to buf. A last
// line without "\n" is an error: astdump.py ends every line.
func readLine(br *bufio.Reader, buf []byte) ([]byte, error) {
	for {
		chunk, err := br.ReadSlice('\n')
		buf = append(buf, chunk...)
		switch err {
		case nil:
			return buf[:len(buf)-1], nil
		case bufio.ErrBufferFull:
			continue
		case io.EOF:
			if len(buf) > 0 {
				return buf, errTruncated
			}
			return buf, io.EOF
		default:
			return buf, err
		}
	}
}

func recordError(path string, err error) error {
	if err == io.EOF {
		err = errTruncated
	}
	return fmt.Errorf("astdump output for %s: %w", path, err)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}
