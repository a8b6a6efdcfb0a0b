package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/pflag"
	"go.yaml.in/yaml/v3"
)

// readManifest parses a YAML file of deploy/ into generic values.
func readManifest(t *testing.T, rel string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "deploy", rel))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := yaml.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
	return m
}

// at walks a path of map keys and list indexes.
func at(t *testing.T, v any, path ...any) any {
	t.Helper()
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("%v: not a mapping at %q", path, k)
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				t.Fatalf("%v: no item %d", path, k)
			}
			v = l[k]
		}
	}
	return v
}

// knownFlags are the flags of pyrace COMMAND.
func knownFlags(t *testing.T, command string) map[string]bool {
	t.Helper()
	root := newRootCmd(Env{})
	cmd, _, err := root.Find([]string{command})
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	cmd.Flags().VisitAll(func(f *pflag.Flag) { names[f.Name] = true })
	return names
}

var flagPattern = regexp.MustCompile(`--([a-z][a-z-]*)`)

// checkFlags reports flags in text that command does not know.
func checkFlags(t *testing.T, command, text string) {
	t.Helper()
	known := knownFlags(t, command)
	for _, m := range flagPattern.FindAllStringSubmatch(text, -1) {
		if !known[m[1]] {
			t.Errorf("pyrace %s has no flag --%s (in %q)", command, m[1], text)
		}
	}
}

func TestDeployKubernetes(t *testing.T) {
	job := readManifest(t, "kubernetes/survey-job.yaml")
	if at(t, job, "apiVersion") != "batch/v1" || at(t, job, "kind") != "Job" {
		t.Fatalf("not a batch/v1 Job")
	}
	spec := at(t, job, "spec")
	if at(t, spec, "completionMode") != "Indexed" || at(t, spec, "template", "spec", "restartPolicy") != "Never" {
		t.Errorf("completionMode %v, restartPolicy %v", at(t, spec, "completionMode"), at(t, spec, "template", "spec", "restartPolicy"))
	}
	c := at(t, spec, "template", "spec", "containers", 0)
	env := map[string]any{}
	for _, e := range at(t, c, "env").([]any) {
		env[at(t, e, "name").(string)] = e
	}
	shards, err := strconv.Atoi(at(t, env["SHARDS"], "value").(string))
	if err != nil || shards != at(t, spec, "completions") {
		t.Errorf("SHARDS %v, completions %v", at(t, env["SHARDS"], "value"), at(t, spec, "completions"))
	}
	if p := at(t, env["JOB_COMPLETION_INDEX"], "valueFrom", "fieldRef", "fieldPath"); p != "metadata.annotations['batch.kubernetes.io/job-completion-index']" {
		t.Errorf("JOB_COMPLETION_INDEX from %v", p)
	}
	if at(t, c, "command", 0) != "pyrace" {
		t.Errorf("command %v", at(t, c, "command"))
	}
	var args []string
	for _, a := range at(t, c, "args").([]any) {
		args = append(args, a.(string))
	}
	if args[0] != "survey" || !slices.Contains(args, "--shard=$(JOB_COMPLETION_INDEX)/$(SHARDS)") || !slices.Contains(args, "--run-id=$(SURVEY_ID)") {
		t.Errorf("args %q", args)
	}
	checkFlags(t, "survey", strings.Join(args, " "))
	// The results directory is the shared volume.
	mounts := map[string]string{}
	for _, m := range at(t, c, "volumeMounts").([]any) {
		mounts[at(t, m, "mountPath").(string)] = at(t, m, "name").(string)
	}
	results := mounts["/results"]
	if !slices.Contains(args, "--results-dir=/results") || results == "" {
		t.Errorf("results volume %q, args %q", results, args)
	}
	for _, v := range at(t, spec, "template", "spec", "volumes").([]any) {
		if at(t, v, "name") == results && at(t, v, "persistentVolumeClaim", "claimName") == nil {
			t.Errorf("the results volume is not a persistent volume claim")
		}
	}

	merge := readManifest(t, "kubernetes/merge-job.yaml")
	script := at(t, merge, "spec", "template", "spec", "containers", 0, "args", 0).(string)
	if !strings.Contains(script, `pyrace merge /results/"$SURVEY_ID"-shard-*-of-"$SHARDS" -o /results/"$SURVEY_ID"`) {
		t.Errorf("merge script %q", script)
	}
	checkFlags(t, "merge", strings.Split(script, "&&")[0])
	checkFlags(t, "report", strings.Split(script, "&&")[1])
}

func TestDeployGitHubActions(t *testing.T) {
	wf := readManifest(t, "github/survey.yml")
	shards, ok := at(t, wf, "env", "SHARDS").(int)
	if !ok {
		t.Fatalf("env.SHARDS %v: not a number", at(t, wf, "env", "SHARDS"))
	}
	matrix := at(t, wf, "jobs", "shard", "strategy", "matrix", "shard").([]any)
	if len(matrix) != shards || shards < 2 {
		t.Errorf("matrix %v, SHARDS %d", matrix, shards)
	}
	for i, v := range matrix {
		if v != i {
			t.Errorf("matrix shard %d is %v", i, v)
		}
	}
	var survey string
	for _, s := range at(t, wf, "jobs", "shard", "steps").([]any) {
		if run, ok := at(t, s, "run").(string); ok && strings.HasPrefix(run, "pyrace survey") {
			survey = run
		}
	}
	if !strings.Contains(survey, `--shard "${{ matrix.shard }}/$SHARDS"`) || !strings.Contains(survey, `--run-id "$SURVEY_ID"`) {
		t.Errorf("survey step %q", survey)
	}
	checkFlags(t, "survey", survey)
	if at(t, wf, "jobs", "merge", "needs") != "shard" {
		t.Errorf("merge needs %v", at(t, wf, "jobs", "merge", "needs"))
	}
	var merge string
	for _, s := range at(t, wf, "jobs", "merge", "steps").([]any) {
		if run, ok := at(t, s, "run").(string); ok && strings.Contains(run, "pyrace merge") {
			merge = run
		}
	}
	lines := strings.Split(strings.TrimSpace(merge), "\n")
	if len(lines) != 3 || !strings.Contains(lines[0], `pyrace merge shards/"$SURVEY_ID"-shard-*-of-"$SHARDS"`) {
		t.Fatalf("merge step %q", merge)
	}
	checkFlags(t, "merge", lines[0])
	checkFlags(t, "report", lines[1]+lines[2])
}
