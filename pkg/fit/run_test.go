package fit

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestCallbackSpecBuild(t *testing.T) {
	tests := []struct {
		spec CallbackSpec
		want []string // callback types, in order
	}{
		{CallbackSpec{}, nil},
		{CallbackSpec{ReduceLR: &ReduceLRSpec{Patience: 2, Factor: 0.5}, EarlyStop: &EarlyStopSpec{Patience: 3},
			Checkpoints: []CheckpointSpec{{Path: "a"}, {Path: "b", BestOnly: true}}, CSVLog: "log.csv"},
			[]string{"*fit.ReduceLROnPlateau", "*fit.EarlyStopping", "*fit.ModelCheckpoint", "*fit.ModelCheckpoint", "*fit.CSVLogger"}},
	}
	for _, tc := range tests {
		var got []string
		for _, c := range tc.spec.Build() {
			got = append(got, reflect.TypeOf(c).String())
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Build() = %v, want %v", got, tc.want)
		}
	}
	s := CallbackSpec{Monitor: "val_accuracy", ReduceLR: &ReduceLRSpec{Patience: 2, Factor: 0.5},
		EarlyStop: &EarlyStopSpec{Patience: 3, RestoreBest: true}, Checkpoints: []CheckpointSpec{{Path: "w.ckpt", BestOnly: true, WeightsOnly: true}}}
	cbs := s.Build()
	r, e, m := cbs[0].(*ReduceLROnPlateau), cbs[1].(*EarlyStopping), cbs[2].(*ModelCheckpoint)
	if r.Monitor != "val_accuracy" || r.Patience != 2 || r.Factor != 0.5 || r.Verbose != 1 {
		t.Errorf("ReduceLROnPlateau %+v", r)
	}
	if e.Monitor != "val_accuracy" || e.Patience != 3 || !e.RestoreBestWeights || e.Verbose != 1 {
		t.Errorf("EarlyStopping %+v", e)
	}
	if m.Monitor != "val_accuracy" || m.Filepath != "w.ckpt" || !m.SaveBestOnly || !m.SaveWeightsOnly {
		t.Errorf("ModelCheckpoint %+v", m)
	}
	if d := NewReduceLROnPlateau(); (CallbackSpec{ReduceLR: &ReduceLRSpec{Patience: 1, Factor: 0.1}}).Build()[0].(*ReduceLROnPlateau).Monitor != d.Monitor {
		t.Error("an empty Monitor does not keep the default")
	}
}

// TestRun runs a Job twice: killed after one epoch of two (its resume
// checkpoint left behind), then resumed; the resumed run's History, test
// numbers and saved weights equal an uninterrupted run's.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	train, test := synthetic(64, 1), synthetic(32, 2)
	job := func(epochs int, weights string, recorded *int) Job {
		return Job{Backend: testBackend(t), Model: tinyModel(0), Options: Options{Seed: 5, InputShape: testShape},
			Fit:       FitOptions{Epochs: epochs, BatchSize: 16, ValidationHoldOut: 0.25},
			Callbacks: CallbackSpec{Checkpoints: []CheckpointSpec{{Path: filepath.Join(dir, "resume.ckpt")}}},
			Record:    func(h *History) error { *recorded = len(h.Epochs); return nil }, WeightsPath: weights}
	}
	run := func(j Job, resume bool) *RunResult {
		t.Helper()
		r, err := Start(j)
		if err != nil {
			t.Fatal(err)
		}
		if resume {
			if err := r.Resume(filepath.Join(dir, "resume.ckpt"), true); err != nil || r.Resumed == nil {
				t.Fatalf("Resume: %v, state %v", err, r.Resumed)
			}
		}
		res, err := r.Train(train, test)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	var n1, n2, n3 int
	full := run(job(2, filepath.Join(dir, "full.ckpt"), &n1), false)
	if err := os.Remove(filepath.Join(dir, "resume.ckpt")); err != nil {
		t.Fatal(err)
	}
	run(job(1, "", &n2), false)
	resumed := run(job(2, filepath.Join(dir, "resumed.ckpt"), &n3), true)
	if n1 != 2 || n2 != 1 || n3 != 2 {
		t.Errorf("Record saw %d, %d, %d epochs; want 2, 1, 2", n1, n2, n3)
	}
	if full.TestLoss == 0 || full.TestLoss != resumed.TestLoss || full.TestAccuracy != resumed.TestAccuracy {
		t.Errorf("test loss/accuracy %v/%v uninterrupted, %v/%v resumed", full.TestLoss, full.TestAccuracy, resumed.TestLoss, resumed.TestAccuracy)
	}
	a, errA := os.ReadFile(filepath.Join(dir, "full.ckpt"))
	b, errB := os.ReadFile(filepath.Join(dir, "resumed.ckpt"))
	if errA != nil || errB != nil || len(a) == 0 || string(a) != string(b) {
		t.Errorf("weights files: %v, %v; equal: %v", errA, errB, string(a) == string(b))
	}
	// Missing and present-but-unreadable checkpoints.
	r, err := Start(job(1, "", &n1))
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Resume(filepath.Join(dir, "missing.ckpt"), true); err != nil || r.Resumed != nil {
		t.Errorf("Resume(missing, ifPresent) = %v, state %v; want nil, nil", err, r.Resumed)
	}
	if err := r.Resume(filepath.Join(dir, "missing.ckpt"), false); err == nil {
		t.Error("Resume(missing) = nil, want an error")
	}
}

// TestOneTestPass: EvaluatePredict and a Job with TestPredictions give
// exactly Evaluate's loss (the weight penalty included, as Keras) and
// accuracy and Predict's probabilities, with and without test-time
// augmentation, in batches that leave a short last one.
func TestOneTestPass(t *testing.T) {
	train, test := synthetic(64, 1), synthetic(37, 2)
	for _, tta := range []TTA{NoTTA, TTAMirror, TTAMirrorTranslate} {
		r, err := Start(Job{Backend: testBackend(t), Model: tinyModel(1e-3), Options: Options{Seed: 5, InputShape: testShape},
			Fit: FitOptions{Epochs: 1, BatchSize: 16}, TestBatch: 8, TestOptions: []EvalOption{WithTTA(tta)}, TestPredictions: true})
		if err != nil {
			t.Fatal(err)
		}
		res, err := r.Train(train, test)
		if err != nil {
			t.Fatal(err)
		}
		loss, acc, err := r.Trainer.Evaluate(test, 8, WithTTA(tta))
		if err != nil {
			t.Fatal(err)
		}
		probs, n, err := r.Trainer.Predict(test, 8, WithTTA(tta))
		if err != nil {
			t.Fatal(err)
		}
		ev, err := r.Trainer.EvaluatePredict(test, 8, WithTTA(tta))
		if err != nil {
			t.Fatal(err)
		}
		penalty := r.Trainer.hasPenalty
		for _, got := range []Evaluation{{res.TestLoss, res.TestAccuracy, res.TestProbs, res.NumClasses}, ev} {
			if got.Loss != loss || got.Accuracy != acc || got.NumClasses != n || !reflect.DeepEqual(got.Probs, probs) {
				t.Errorf("%s: one pass gives loss %v, accuracy %v, %d classes; Evaluate and Predict %v, %v, %d (probabilities equal: %v)",
					tta, got.Loss, got.Accuracy, got.NumClasses, loss, acc, n, reflect.DeepEqual(got.Probs, probs))
			}
		}
		if !penalty || len(probs) != 37*10 {
			t.Errorf("%s: penalty %v, %d probabilities", tta, penalty, len(probs))
		}
	}
	// Without TestPredictions, no probabilities are kept.
	r, err := Start(Job{Backend: testBackend(t), Model: tinyModel(0), Options: Options{InputShape: testShape}, Fit: FitOptions{Epochs: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if res, err := r.Train(train, test); err != nil || res.TestProbs != nil || res.TestLoss == 0 {
		t.Errorf("Train without TestPredictions: %v, %d probabilities, loss %v", err, len(res.TestProbs), res.TestLoss)
	}
}
