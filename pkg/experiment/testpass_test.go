package experiment

import (
	"path/filepath"
	"testing"

	"github.com/cnnlab/cnnlab/cifar"
	"github.com/cnnlab/cnnlab/pkg/fit"
	"github.com/cnnlab/cnnlab/pkg/nn"
)

// TestRunnerTestsOnce: the runner tests each run in one pass, and its
// test loss, accuracy and confusion matrix are those of Evaluate and
// Predict (the two passes it made before) on the saved weights, with and
// without test-time augmentation.
func TestRunnerTestsOnce(t *testing.T) {
	recipe := nn.FastRecipe()
	recipe.Epochs, recipe.BatchSize = 1, 64
	plain := recipe
	plain.TTA = "none"
	l := &Lesson{Name: "one-pass", Runs: func(Settings) []RunSpec {
		return []RunSpec{{Label: "tta", Recipe: &recipe}, {Label: "plain", Recipe: &plain}, {Label: "baseline", Arch: nn.Arch{}}}
	}}
	o := Options{Preset: Smoke, Data: smokeData, Out: t.TempDir()}
	r, err := Run(l, o)
	if err != nil {
		t.Fatal(err)
	}
	e, err := newEnv(l, o)
	if err != nil {
		t.Fatal(err)
	}
	e.Results = r
	for _, label := range []string{"tta", "plain", "baseline"} {
		_, m, run, err := e.Trained(label)
		if err != nil {
			t.Fatal(err)
		}
		var training Training // the loss (label smoothing) and TTA of a recipe
		if run.Run.Recipe != nil {
			if training, err = RecipeTraining(*run.Run.Recipe, 1); err != nil {
				t.Fatal(err)
			}
		}
		tta := training.TTA
		tr, err := fit.Compile(e.Backend, m, fit.Options{Loss: training.Loss})
		if err != nil {
			t.Fatal(err)
		}
		if err := tr.LoadWeights(filepath.Join(o.Out, RunsFolder, run.Key+".weights.ckpt")); err != nil {
			t.Fatal(err)
		}
		test := e.Test.Scaled(cifar.UnitScaling)
		loss, acc, err := tr.Evaluate(test, 256, fit.WithTTA(tta))
		if err != nil {
			t.Fatal(err)
		}
		probs, n, err := tr.Predict(test, 256, fit.WithTTA(tta))
		if err != nil {
			t.Fatal(err)
		}
		var confusion [10][10]int
		for i, c := range fit.Argmax(probs, n) {
			confusion[e.Test.Labels[i]][c]++
		}
		if float64(run.TestLoss) != loss || float64(run.TestAccuracy) != acc || run.Confusion != confusion {
			t.Errorf("%s (TTA %s): the runner's test loss %v, accuracy %v, confusion %v; Evaluate and Predict: %v, %v, %v",
				label, tta, run.TestLoss, run.TestAccuracy, run.Confusion, loss, acc, confusion)
		}
	}
}
