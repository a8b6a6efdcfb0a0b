// Command pyrace finds thread-safety bugs in Python code for free-threaded
// CPython. It only wires the process to internal/cli; see the README.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/pyrace/pyrace/internal/cli"
)

func main() {
	// The first Ctrl-C (or SIGTERM) cancels the context: commands stop
	// cleanly and keep what finished. A second one kills pyrace at once.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop()
	}()
	code := cli.Main(ctx, os.Args[1:], cli.Env{
		Stdout: os.Stdout,
		Stderr: os.Stderr,
		Getenv: os.Getenv,
		Stdin:  os.Stdin,
	})
	stop()
	os.Exit(code)
}
