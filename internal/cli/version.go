package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// version is pyrace's release version, injected at build time with
//
//	go build -ldflags "-X github.com/pyrace/pyrace/internal/cli.version=v1.2.3"
//
// When empty, the module version recorded in the binary's build information
// is used. It is the only package-level variable, and nothing assigns it.
var version string

// buildVersion describes the running binary.
type buildVersion struct {
	Version  string // release or module version, "devel" when unknown
	Revision string // VCS revision, if recorded
	Modified bool   // the work tree had uncommitted changes
	Go       string // Go toolchain version
	Platform string // GOOS/GOARCH
}

// readBuildVersion gathers the version of the running binary from the
// injected version string and the Go build information.
func readBuildVersion() buildVersion {
	v := buildVersion{
		Version:  version,
		Go:       runtime.Version(),
		Platform: runtime.GOOS + "/" + runtime.GOARCH,
	}
	if info, ok := debug.ReadBuildInfo(); ok {
		if v.Version == "" && info.Main.Version != "" && info.Main.Version != "(devel)" {
			v.Version = info.Main.Version
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				v.Revision = s.Value
			case "vcs.modified":
				v.Modified = s.Value == "true"
			}
		}
	}
	if v.Version == "" {
		v.Version = "devel"
	}
	return v
}

// versionString is the first line of `pyrace version`: "pyrace 1.2.3" with
// the revision when known.
func versionString() string {
	v := readBuildVersion()
	s := "pyrace " + v.Version
	if v.Revision != "" {
		rev := v.Revision
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if v.Modified {
			rev += "-dirty"
		}
		s += " (" + rev + ")"
	}
	return s
}

func newVersionCmd(env Env) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print pyrace's version, Go version and platform",
		Long: `Print pyrace's version (set at build time, else the module version, else
"devel"), the Go version it was built with, and its operating system and
architecture.`,
		Args: noArgs,
		RunE: func(*cobra.Command, []string) error {
			v := readBuildVersion()
			_, err := fmt.Fprintf(env.Stdout, "%s\ngo: %s\nplatform: %s\n", versionString(), v.Go, v.Platform)
			if err != nil {
				return fmt.Errorf("writing version: %w", err)
			}
			return nil
		},
	}
}

// noArgs accepts no positional arguments.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef("%s takes no arguments, got %q", cmd.CommandPath(), args[0])
	}
	return nil
}
