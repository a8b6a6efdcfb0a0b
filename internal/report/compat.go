package report

import (
	"github.com/pyrace/pyrace/internal/results"
)

// Compat is what a package's run found out about its extension modules and
// the GIL: the `pyrace compat` row.
type Compat struct {
	Package string `json:"package"`
	// ImportName is the package the GIL probe imported ("" when the probe
	// did not run).
	ImportName string `json:"import_name,omitempty"`
	// Probed is true when the import probe ran; ProbeError says why not
	// when it failed.
	Probed     bool   `json:"probed"`
	ProbeError string `json:"probe_error,omitempty"`
	// Extensions are the extension modules found under the package.
	Extensions []string `json:"extensions,omitempty"`
	// OptIns are the free-threading declarations found in its source.
	OptIns []results.OptIn `json:"opt_ins,omitempty"`
	// GILReenabled is true when importing the package (or running its
	// tests) re-enabled the GIL; EnabledBy names the modules that did,
	// with the interpreter's warning.
	GILReenabled bool                 `json:"gil_reenabled"`
	EnabledBy    []results.GILEnabler `json:"enabled_by,omitempty"`
	// EnabledDuring is the first test that found the GIL re-enabled while
	// the suite ran, when one did.
	EnabledDuring *results.GILFlip `json:"enabled_during,omitempty"`
	// ImportErrors are the modules that failed to import at the probe.
	ImportErrors []string `json:"import_errors,omitempty"`
}

// Compatibility computes p's extension compatibility.
func (p *Package) Compatibility() Compat {
	c := Compat{Package: p.Name}
	if p.Record != nil && p.Record.GIL != nil {
		g := p.Record.GIL
		c.ImportName, c.Probed, c.ProbeError = g.ImportName, g.Probed, g.Error
		c.Extensions, c.OptIns, c.ImportErrors = g.Extensions, g.OptIns, g.ImportErrors
		c.EnabledBy = append(c.EnabledBy, g.EnabledBy...)
		c.GILReenabled = g.Fallback()
	}
	for _, it := range p.Iterations {
		for _, e := range it.GILEnabledBy {
			if !hasModule(c.EnabledBy, e.Module) {
				c.EnabledBy = append(c.EnabledBy, e)
			}
			c.GILReenabled = true
		}
		if it.GILEnabledAt != nil && c.EnabledDuring == nil {
			c.EnabledDuring = it.GILEnabledAt
			c.GILReenabled = true
		}
	}
	return c
}

func hasModule(es []results.GILEnabler, mod string) bool {
	for _, e := range es {
		if e.Module == mod {
			return true
		}
	}
	return false
}
