package lessons

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/cnnlab/cnnlab/pkg/experiment"
	"github.com/cnnlab/cnnlab/pkg/nn"
)

// TestSharedRuns: with a shared folder, a run that one lesson trained is
// not trained again by another lesson planning the same run (the baseline
// is gap's "flatten", first-cnn's "baseline" and batchnorm's "/255"),
// whose facts still load its weights; runs that differ in any setting
// (a model, a scaling, a seed) are trained.
func TestSharedRuns(t *testing.T) {
	root := t.TempDir()
	shared := filepath.Join(root, "smoke", "_runs")
	run := func(name string, seeds int) (trained, reused []string, r *experiment.Results) {
		t.Helper()
		l, err := Get(name)
		if err != nil {
			t.Fatal(err)
		}
		r, err = experiment.Run(l, experiment.Options{Preset: experiment.Smoke, Seeds: seeds, Data: smokeData, Out: filepath.Join(root, "smoke", name), Shared: shared,
			Progress: func(p experiment.RunProgress) { trained = append(trained, p.Run.Key()) },
			Reused:   func(p experiment.Planned) { reused = append(reused, p.Key()) }})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !r.Complete() {
			t.Fatalf("%s: %d of %d runs", name, len(r.Runs), r.Planned)
		}
		return trained, reused, r
	}
	trained, reused, gap := run("gap", 1)
	if len(trained) != 2 || len(reused) != 0 {
		t.Fatalf("gap, first: trained %v, reused %v; want both trained", trained, reused)
	}
	// first-cnn's only run is gap's flatten: trained once, and its facts
	// (predict, misclassified) load the weights saved under gap's label.
	trained, reused, first := run("first-cnn", 1)
	if len(trained) != 0 || len(reused) != 1 {
		t.Fatalf("first-cnn: trained %v, reused %v; want the baseline reused", trained, reused)
	}
	base, flatten := first.Runs[0], gap.Runs[0]
	if base.SharedRun == "" || base.SharedRun != flatten.SharedRun || base.TestAccuracy != flatten.TestAccuracy ||
		base.ReusedFrom != "gap/00-flatten-seed42" || base.Run.Label != "baseline" || base.Key != "00-baseline-seed42" {
		t.Errorf("first-cnn's baseline %+v\nis not gap's flatten %+v", base, flatten)
	}
	if gap.Runs[1].SharedRun == flatten.SharedRun {
		t.Error("gap and flatten share an identity")
	}
	if len(first.Facts) != 5 {
		t.Errorf("first-cnn computed %d facts, want 5", len(first.Facts))
	}
	// batchnorm: /255 is the baseline; min-max and z-score (another
	// scaling) and BN (another model) are not.
	trained, reused, _ = run("batchnorm", 1)
	if len(trained) != 3 || len(reused) != 1 || reused[0] != "00-255-seed42" {
		t.Errorf("batchnorm: trained %v, reused %v; want /255 reused and 3 trained", trained, reused)
	}
	// A second seed trains new runs and reuses the first seed's.
	trained, reused, _ = run("depth-stride", 2)
	if len(reused) != 1 || reused[0] != "00-baseline-seed42" || len(trained) != 11 {
		t.Errorf("depth-stride with 2 seeds: trained %v, reused %v", trained, reused)
	}
	// The runs of its time claim (stride 2 against the baseline) are
	// trained first, seed by seed, so that a stop between sittings leaves
	// each seed's pair timed on one machine.
	if want := []string{"10-stride-2-seed42", "01-baseline-seed43", "11-stride-2-seed43", "02-fewer-filters-seed42"}; len(trained) < 4 || !slices.Equal(trained[:4], want) {
		t.Errorf("depth-stride trained %v first, want %v", trained, want)
	}
	// A shared run committed without its weights (results in git keep
	// none) is reused from its record: first-cnn trains no run, and its
	// facts train the baseline again for its weights (Env.Trained), which
	// stay in first-cnn's folder.
	weights := filepath.Join(shared, flatten.SharedRun, "weights.ckpt")
	if err := os.Remove(weights); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(root, "smoke", "first-cnn")); err != nil {
		t.Fatal(err)
	}
	trained, reused, again := run("first-cnn", 1)
	if len(trained) != 0 || len(reused) != 1 || again.Runs[0].TestAccuracy != flatten.TestAccuracy {
		t.Errorf("first-cnn without the shared weights: trained %v, reused %v, test accuracy %v (gap's %v); "+
			"want the record reused", trained, reused, again.Runs[0].TestAccuracy, flatten.TestAccuracy)
	}
	// Trained again here with its seed, the weights are the same, and so
	// are the facts computed from them (predictions, misclassified images).
	if !reflect.DeepEqual(again.Facts, first.Facts) {
		t.Errorf("first-cnn's facts from the weights trained again:\n%+v\nfrom the first weights:\n%+v", again.Facts, first.Facts)
	}
	if _, err := os.Stat(filepath.Join(root, "smoke", "first-cnn", experiment.RunsFolder, "00-baseline-seed42.weights.ckpt")); err != nil {
		t.Errorf("first-cnn's facts did not train the baseline again for its weights: %v", err)
	}
	if _, err := os.Stat(weights); err == nil {
		t.Error("weights trained again for a fact were put in the shared folder, beside a record of another training")
	}
	// depth-stride compares the baseline's time per epoch with stride 2's.
	// A weightless shared record from this machine is reused; one from
	// another machine is trained again here, for depth-stride alone: the
	// shared run stays the first training.
	forget := func() {
		t.Helper()
		old, err := filepath.Glob(filepath.Join(root, "smoke", "depth-stride", experiment.RunsFolder, "00-baseline-seed42*"))
		if err != nil || len(old) == 0 {
			t.Fatalf("depth-stride's baseline: %v %v", old, err)
		}
		for _, f := range old {
			if err := os.Remove(f); err != nil {
				t.Fatal(err)
			}
		}
	}
	forget()
	// A training of the baseline killed here before: reused, the run's
	// stale resume checkpoint goes.
	stale := filepath.Join(root, "smoke", "depth-stride", experiment.RunsFolder, "00-baseline-seed42.resume.ckpt")
	if err := os.WriteFile(stale, []byte("stale"), 0o644); err != nil {
		t.Fatal(err)
	}
	trained, reused, _ = run("depth-stride", 2)
	if len(trained) != 0 || len(reused) != 1 {
		t.Errorf("depth-stride, a weightless record of this machine: trained %v, reused %v; want it reused", trained, reused)
	}
	if _, err := os.Stat(stale); err == nil {
		t.Error("the reused run's stale resume checkpoint is still there")
	}
	// elsewhere moves a run record to another machine.
	elsewhere := func(record string) {
		t.Helper()
		raw, err := os.ReadFile(record)
		if err != nil {
			t.Fatal(err)
		}
		other := strings.Replace(string(raw), `"cpu": "`, `"cpu": "another CPU `, 1)
		if other == string(raw) {
			t.Fatalf("no cpu in the run record %s", record)
		}
		if err := os.WriteFile(record, []byte(other), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	record := filepath.Join(shared, flatten.SharedRun, "run.json")
	elsewhere(record)
	before, err := os.ReadFile(record)
	if err != nil {
		t.Fatal(err)
	}
	forget()
	trained, reused, ds := run("depth-stride", 2)
	if len(trained) != 1 || trained[0] != "00-baseline-seed42" || len(reused) != 0 {
		t.Errorf("depth-stride, a weightless record of another machine: trained %v, reused %v; want the baseline trained", trained, reused)
	}
	if after, err := os.ReadFile(record); err != nil || string(after) != string(before) {
		t.Errorf("the shared record changed when depth-stride trained the run again (err %v)", err)
	}
	if _, err := os.Stat(weights); err == nil {
		t.Error("depth-stride's weights were put beside the shared record of another training")
	}
	// With its weights, a record of another machine is trained again too.
	if err := os.Link(filepath.Join(root, "smoke", "depth-stride", experiment.RunsFolder, "00-baseline-seed42.weights.ckpt"), weights); err != nil {
		t.Fatal(err)
	}
	forget()
	trained, reused, _ = run("depth-stride", 2)
	if len(trained) != 1 || len(reused) != 0 {
		t.Errorf("depth-stride, a record of another machine with its weights: trained %v, reused %v; want the baseline trained", trained, reused)
	}
	// When the lesson's runs that the time is compared with (stride 2,
	// seed 42) ran on that other machine, its record is the one to reuse.
	stride, err := filepath.Glob(filepath.Join(root, "smoke", "depth-stride", experiment.RunsFolder, "*-stride-2-seed42.json"))
	if err != nil || len(stride) != 1 {
		t.Fatalf("depth-stride's stride 2, seed 42: %v %v", stride, err)
	}
	elsewhere(stride[0])
	forget()
	trained, reused, _ = run("depth-stride", 2)
	if len(trained) != 0 || len(reused) != 1 {
		t.Errorf("depth-stride, stride 2 and the shared baseline on another machine: trained %v, reused %v; want the baseline reused", trained, reused)
	}
	forget()
	if err := os.Remove(stride[0]); err != nil {
		t.Fatal(err)
	}
	// Without depth-stride's stride 2 (its shared run is of this machine):
	// the baseline is trained here, and stride 2 reused.
	trained, reused, ds = run("depth-stride", 2)
	if len(trained) != 1 || trained[0] != "00-baseline-seed42" || len(reused) != 1 {
		t.Errorf("depth-stride trained %v, reused %v; want the baseline trained here and stride 2 reused", trained, reused)
	}
	// The shared run is still the first training (gap's flatten, its
	// record as it was): the next lesson reusing it copies that one, not
	// depth-stride's training.
	if err := os.RemoveAll(filepath.Join(root, "smoke", "gap")); err != nil {
		t.Fatal(err)
	}
	trained, reused, again = run("gap", 1)
	if len(trained) != 0 || len(reused) != 2 {
		t.Errorf("gap after depth-stride's retrain: trained %v, reused %v; want both reused", trained, reused)
	}
	if got := again.Runs[0].ReusedFrom; got != "gap/00-flatten-seed42" || again.Runs[0].CPU == ds.Runs[0].CPU {
		t.Errorf("gap's flatten reused from %q on %q, want gap's first training, not depth-stride's on %q", got, again.Runs[0].CPU, ds.Runs[0].CPU)
	}
	entries, err := os.ReadDir(shared)
	if err != nil {
		t.Fatal(err)
	}
	// gap 2 + batchnorm 3 + depth-stride 11, no temporary folder left.
	if len(entries) != 16 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("%d shared runs, want 16: %v", len(entries), names)
	}
}

// TestRunIdentity: the identity follows every setting that changes what a
// run trains, and nothing else (its label, Once, a default written out).
func TestRunIdentity(t *testing.T) {
	l, _ := Get("gap")
	s, _ := experiment.SettingsFor("smoke")
	id := func(r experiment.RunSpec, seed int64, s experiment.Settings) string {
		t.Helper()
		got, err := experiment.RunID(l, s, smokeData, experiment.Planned{Run: r, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	base := id(experiment.RunSpec{Label: "baseline", Arch: nn.Arch{}}, 42, s)
	same := []experiment.RunSpec{
		{Label: "another label", Arch: nn.Arch{}},
		{Label: "x", Arch: nn.Arch{KernelSize: 3, Filters: []int{32, 64, 128}}, BatchSize: 64, Once: true},
		{Label: "x", Arch: nn.Arch{}, LearningRate: 1e-3},
	}
	for _, r := range same {
		if got := id(r, 42, s); got != base {
			t.Errorf("%+v: identity %s, want the baseline's %s", r, got, base)
		}
	}
	seen := map[string]string{base: "baseline"}
	quick, _ := experiment.SettingsFor("quick")
	more := s
	more.Train = 200
	for name, got := range map[string]string{
		"5x5":         id(experiment.RunSpec{Label: "r", Arch: nn.Arch{KernelSize: 5}}, 42, s),
		"he":          id(experiment.RunSpec{Label: "r", Arch: nn.Arch{KernelInitializer: inits[2].init}}, 42, s),
		"normal":      id(experiment.RunSpec{Label: "r", Arch: nn.Arch{KernelInitializer: inits[0].init}}, 42, s),
		"batch 32":    id(experiment.RunSpec{Label: "r", Arch: nn.Arch{}, BatchSize: 32}, 42, s),
		"2 epochs":    id(experiment.RunSpec{Label: "r", Arch: nn.Arch{}, Epochs: 2}, 42, s),
		"zscore":      id(experiment.RunSpec{Label: "r", Arch: nn.Arch{}, Scaling: "zscore"}, 42, s),
		"fixed order": id(experiment.RunSpec{Label: "r", Arch: nn.Arch{}, Order: "fixed"}, 42, s),
		"seed 43":     id(experiment.RunSpec{Label: "r", Arch: nn.Arch{}}, 43, s),
		"quick":       id(experiment.RunSpec{Label: "r", Arch: nn.Arch{}}, 42, quick),
		"200 images":  id(experiment.RunSpec{Label: "r", Arch: nn.Arch{}}, 42, more),
		"checkpoint":  id(experiment.RunSpec{Label: "r", Arch: nn.Arch{}, CheckpointBest: true}, 42, s),
		"reduce lr":   id(experiment.RunSpec{Label: "r", Arch: nn.Arch{}, ReduceLR: &experiment.ReduceLR{Factor: 0.2, Patience: 2}}, 42, s),
		"reduce lr 3": id(experiment.RunSpec{Label: "r", Arch: nn.Arch{}, ReduceLR: &experiment.ReduceLR{Factor: 0.2, Patience: 3}}, 42, s),
	} {
		if other, ok := seen[got]; ok {
			t.Errorf("%s has the identity of %s", name, other)
		}
		seen[got] = name
	}
	other := testData(300, 120)
	for i := range other.Train.Images {
		other.Train.Images[i]++
	}
	if got, _ := experiment.RunID(l, s, other, experiment.Planned{Run: experiment.RunSpec{Label: "r", Arch: nn.Arch{}}, Seed: 42}); got == base {
		t.Error("other images, the same identity")
	}
}
