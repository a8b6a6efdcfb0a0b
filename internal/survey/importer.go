package survey

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// labeillePackage is a package file of a labeille/laruche registry
// (packages/NAME.yaml).
type labeillePackage struct {
	Package        string            `yaml:"package"`
	Repo           string            `yaml:"repo"`
	PyPIURL        string            `yaml:"pypi_url"`
	ExtensionType  string            `yaml:"extension_type"`
	PythonVersions []string          `yaml:"python_versions"`
	InstallMethod  string            `yaml:"install_method"`
	InstallCommand string            `yaml:"install_command"`
	TestCommand    string            `yaml:"test_command"`
	TestFramework  string            `yaml:"test_framework"`
	UsesXdist      bool              `yaml:"uses_xdist"`
	Timeout        float64           `yaml:"timeout"`
	Skip           bool              `yaml:"skip"`
	SkipReason     string            `yaml:"skip_reason"`
	SkipVersions   map[string]string `yaml:"skip_versions"`
	Notes          string            `yaml:"notes"`
	Enriched       bool              `yaml:"enriched"`
	CloneDepth     int               `yaml:"clone_depth"`
	ImportName     string            `yaml:"import_name"`
}

// labeilleIndex is a labeille/laruche registry's index.yaml.
type labeilleIndex struct {
	Packages []struct {
		Name          string `yaml:"name"`
		DownloadCount int64  `yaml:"download_count"`
	} `yaml:"packages"`
}

// Imported is what Import did.
type Imported struct {
	// Written are the files written, Skipped the packages left out (a
	// file already there, or an entry without a repository), with why.
	Written []string
	Skipped []string
}

// Import converts a labeille/laruche registry (index.yaml and
// packages/NAME.yaml) in src into a pyrace registry in dest, one file per
// package (docs/survey.md gives the mapping). Existing files in dest are
// kept unless overwrite is set. A source file that cannot be read or
// parsed is an error naming it.
func Import(src, dest string, overwrite bool) (Imported, error) {
	var res Imported
	pkgDir := filepath.Join(src, "packages")
	files, err := filepath.Glob(filepath.Join(pkgDir, "*.yaml"))
	if err != nil {
		return res, err
	}
	if len(files) == 0 {
		return res, fmt.Errorf("%s: not a labeille registry (no packages/*.yaml)", src)
	}
	popularity := map[string]int64{}
	if data, err := os.ReadFile(filepath.Join(src, "index.yaml")); err == nil {
		var idx labeilleIndex
		if err := yaml.Unmarshal(data, &idx); err != nil {
			return res, fmt.Errorf("%s: %w", filepath.Join(src, "index.yaml"), err)
		}
		for _, p := range idx.Packages {
			popularity[p.Name] = p.DownloadCount
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return res, err
	}
	if err := os.MkdirAll(dest, 0o755); err != nil {
		return res, err
	}
	slices.Sort(files)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return res, err
		}
		var lp labeillePackage
		if err := yaml.Unmarshal(data, &lp); err != nil {
			return res, fmt.Errorf("%s: %w", f, err)
		}
		if lp.Package == "" {
			lp.Package = strings.TrimSuffix(filepath.Base(f), ".yaml")
		}
		if lp.Repo == "" {
			res.Skipped = append(res.Skipped, lp.Package+": no repository")
			continue
		}
		out := filepath.Join(dest, lp.Package+".yaml")
		if _, err := os.Stat(out); err == nil && !overwrite {
			res.Skipped = append(res.Skipped, lp.Package+": "+out+" exists")
			continue
		}
		pkg := convertLabeille(lp, popularity[lp.Package])
		text, err := marshalPackage(pkg, f)
		if err != nil {
			return res, err
		}
		if err := os.WriteFile(out, text, 0o644); err != nil {
			return res, err
		}
		res.Written = append(res.Written, out)
	}
	return res, nil
}

// convertLabeille maps a labeille entry onto a pyrace one.
func convertLabeille(lp labeillePackage, popularity int64) Package {
	p := Package{
		Name:          lp.Package,
		Popularity:    popularity,
		Source:        Source{Git: lp.Repo, Depth: lp.CloneDepth},
		ImportName:    lp.ImportName,
		TestCommand:   lp.TestCommand,
		TestFramework: lp.TestFramework,
		Timeout:       lp.Timeout,
		SkipVersions:  lp.SkipVersions,
		ExtensionType: lp.ExtensionType,
	}
	if p.TestFramework == "custom" {
		p.TestFramework = "other"
	}
	switch {
	case lp.InstallCommand != "":
		p.Install = Commands{lp.InstallCommand}
	case lp.InstallMethod == "" || lp.InstallMethod == "pip":
		p.Install = Commands{"python -m pip install -e ."}
	}
	if lp.Skip {
		p.Skip = lp.SkipReason
		if p.Skip == "" {
			p.Skip = "skipped in the labeille registry"
		}
	}
	var notes []string
	if lp.Notes != "" {
		notes = append(notes, strings.TrimSpace(lp.Notes))
	}
	if lp.UsesXdist {
		notes = append(notes, "labeille: the test suite uses pytest-xdist")
	}
	if !lp.Enriched {
		notes = append(notes, "labeille: not enriched (install and test commands may be guesses)")
	}
	if lp.PyPIURL != "" {
		notes = append(notes, "PyPI: "+lp.PyPIURL)
	}
	if len(lp.PythonVersions) > 0 {
		notes = append(notes, "labeille python_versions: "+strings.Join(lp.PythonVersions, ", "))
	}
	p.Notes = strings.Join(notes, "\n")
	return p
}

// marshalPackage writes p as a registry file, with a header naming where
// it came from.
func marshalPackage(p Package, from string) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Imported by pyrace survey import from %s\n", from)
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(p); err != nil {
		return nil, fmt.Errorf("writing %s: %w", p.Name, err)
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
