package scan

import "github.com/pyrace/pyrace/internal/pyfiles"

// walkOptions are the file-discovery options of a scan: .gitignore files
// when asked, and the configuration's exclude patterns. A configured
// exclude list replaces the default excluded directory names.
func walkOptions(opts Options) pyfiles.Options {
	w := pyfiles.Options{RespectGitignore: opts.RespectGitignore}
	patterns := append(append([]string{}, opts.Exclude...), opts.ExtendExclude...)
	if len(patterns) > 0 {
		w.Ignore = []*pyfiles.Gitignore{pyfiles.NewGitignore(opts.ExcludeBase, patterns)}
	}
	if opts.Exclude != nil {
		w.Exclude = []string{}
	}
	return w
}
