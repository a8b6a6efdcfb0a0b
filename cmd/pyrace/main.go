// Command pyrace finds thread-safety bugs in Python code for free-threaded
// CPython. It only wires the process to internal/cli; see the README.
package main

import (
	"context"
	"os"

	"github.com/pyrace/pyrace/internal/cli"
)

func main() {
	os.Exit(cli.Main(context.Background(), os.Args[1:], cli.Env{
		Stdout: os.Stdout,
		Stderr: os.Stderr,
		Getenv: os.Getenv,
	}))
}
