package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/pyrace/pyrace/internal/results"
)

const schemaPath = "../../docs/export.schema.json"

func exportSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("export.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("export.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

// TestJSONExportSchema validates exports of the real runs, of a run in
// progress and of an empty run against docs/export.schema.json, and checks
// that the schema rejects what it should.
func TestJSONExportSchema(t *testing.T) {
	sch := exportSchema(t)
	root := t.TempDir()
	running := newRun(t, root, "running", false, map[string][]results.Outcome{"p": {results.OutcomePass, results.OutcomeFail}})
	empty := newRun(t, root, "empty", false, nil)
	for name, dirs := range map[string][]string{"survey": survey(), "running": {running}, "empty": {empty}} {
		var b bytes.Buffer
		if err := WriteJSON(&b, mustLoad(t, dirs...)); err != nil {
			t.Fatal(err)
		}
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(inst); err != nil {
			t.Errorf("%s: the export does not validate: %#v", name, err)
		}
	}
	// The schema is strict: an unknown field or a wrong category fails.
	for _, bad := range []string{
		`{"export_version":1,"schema_version":1,"runs":[],"packages":[],"warnings":[],"extra":1}`,
		`{"export_version":1,"schema_version":1,"runs":[],"warnings":[],"packages":[{"record":null,"summary":{"package":"p","run_id":"r","state":"done","category":"fine","passes":0,"iterations":0,"pass_rate_interval":{"low":0,"high":1,"confidence":0.95},"outcomes":{},"deadlocks":0,"livelocks":0,"timeouts":0,"flaky_tests":0,"failing_tests":0,"tsan_races":0,"duration_seconds":0}}]}`,
		`{"export_version":2,"schema_version":1,"runs":[],"packages":[],"warnings":[]}`,
	} {
		inst, _ := jsonschema.UnmarshalJSON(strings.NewReader(bad))
		if sch.Validate(inst) == nil {
			t.Errorf("the schema accepts %s", bad)
		}
	}
}

// TestSchemaCoversEveryField: every JSON field of the exported types is
// described in the schema (a field added without documenting fails here).
func TestSchemaCoversEveryField(t *testing.T) {
	raw, err := os.ReadFile(filepath.FromSlash(schemaPath))
	if err != nil {
		t.Fatal(err)
	}
	var schema struct {
		Properties map[string]any `json:"properties"`
		Defs       map[string]struct {
			Properties map[string]any `json:"properties"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(raw, &schema); err != nil {
		t.Fatal(err)
	}
	for def, v := range map[string]any{
		"summary": Summary{}, "package": ExportedPackage{}, "record": results.Record{}, "iteration": results.Iteration{},
		"meta": results.Meta{}, "config": results.Config{}, "system": results.System{}, "interpreter": results.Interpreter{},
		"test_result": results.TestResult{}, "threaded_run": results.ThreadedRun{}, "thread_exception": results.ThreadException{},
		"gil_flip": results.GILFlip{}, "gil_check": results.GILCheck{}, "opt_in": results.OptIn{}, "test_stat": results.TestStat{},
		"gil_comparison": results.GILComparison{}, "rate": results.Rate{}, "interval": results.Interval{},
		"tsan_report": results.TSANReport{}, "gil_enabler": results.GILEnabler{}, "signature_count": results.SignatureCount{},
		"test_counts": results.TestCounts{}, "thread_unsafe_test": results.ThreadUnsafeTest{},
		"survey_info": results.SurveyInfo{}, "stability_check": results.StabilityCheck{},
	} {
		props := schema.Defs[def].Properties
		if props == nil {
			t.Errorf("no $defs/%s in the schema", def)
			continue
		}
		for _, name := range jsonFields(reflect.TypeOf(v)) {
			if _, ok := props[name]; !ok {
				t.Errorf("$defs/%s lacks %q", def, name)
			}
		}
	}
	for _, name := range jsonFields(reflect.TypeOf(Export{})) {
		if _, ok := schema.Properties[name]; !ok {
			t.Errorf("the schema's top level lacks %q", name)
		}
	}
}

// jsonFields lists the JSON names of a struct's fields.
func jsonFields(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return out
}
