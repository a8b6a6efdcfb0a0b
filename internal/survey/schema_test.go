package survey

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
)

const registrySchema = "../../docs/registry.schema.json"

// TestRegistrySchema: the schema names exactly the fields Load knows, and
// the example registry and an imported one validate against it, while a
// file Load rejects does not.
func TestRegistrySchema(t *testing.T) {
	raw, err := os.ReadFile(registrySchema)
	if err != nil {
		t.Fatal(err)
	}
	var top struct {
		Properties map[string]struct {
			Properties map[string]any `json:"properties"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(raw, &top); err != nil {
		t.Fatal(err)
	}
	keys := func(m map[string]struct {
		Properties map[string]any `json:"properties"`
	}) []string {
		var out []string
		for k := range m {
			out = append(out, k)
		}
		slices.Sort(out)
		return out
	}
	want := slices.Sorted(slices.Values(Fields()))
	if got := keys(top.Properties); !slices.Equal(got, want) {
		t.Errorf("schema fields %v, Load knows %v", got, want)
	}
	var src []string
	for k := range top.Properties["source"].Properties {
		src = append(src, k)
	}
	slices.Sort(src)
	if want := slices.Sorted(slices.Values(SourceFields())); !slices.Equal(src, want) {
		t.Errorf("schema source fields %v, Load knows %v", src, want)
	}

	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("registry.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("registry.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	imported := t.TempDir()
	if _, err := Import(filepath.Join("testdata", "labeille"), imported, false); err != nil {
		t.Fatal(err)
	}
	examples, _ := filepath.Glob(filepath.Join("..", "..", "examples", "registry", "*.yaml"))
	more, _ := filepath.Glob(filepath.Join(imported, "*.yaml"))
	files := append(examples, more...)
	if len(files) < 4 {
		t.Fatalf("only %d registry files", len(files))
	}
	validate := func(data []byte) error {
		var v any
		if err := yaml.Unmarshal(data, &v); err != nil {
			return err
		}
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			return err
		}
		return sch.Validate(inst)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := validate(data); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	for _, bad := range []string{"name: p\nsource: {git: g, path: x}\n", "name: p\nsource: {git: g}\ninstal: x\n", "source: {git: g}\n"} {
		if validate([]byte(bad)) == nil {
			t.Errorf("the schema accepts %q", bad)
		}
		if _, ps := parseFile("bad.yaml", []byte(bad)); len(ps) == 0 {
			t.Errorf("Load accepts %q", bad)
		}
	}
}
