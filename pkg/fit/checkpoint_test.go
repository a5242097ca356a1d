package fit

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestSaveLoadWeights(t *testing.T) {
	dir := t.TempDir()
	data := synthetic(64, 5)
	a := newTiny(t, Options{Seed: 1, Optimizer: Adam(0.01)})
	if _, err := a.Fit(data, FitOptions{Epochs: 1}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "w.weights.ckpt")
	if err := a.SaveWeights(path); err != nil {
		t.Fatal(err)
	}
	b := newTiny(t, Options{Seed: 2})
	if err := b.LoadWeights(path); err != nil {
		t.Fatal(err)
	}
	pa, _, err := a.Predict(data, 0)
	if err != nil {
		t.Fatal(err)
	}
	pb, _, _ := b.Predict(data, 0)
	if !reflect.DeepEqual(pa, pb) {
		t.Error("predictions differ after loading the weights")
	}
	if _, err := b.LoadCheckpoint(path); err == nil || !strings.Contains(err.Error(), "weights only") {
		t.Errorf("LoadCheckpoint of a weights file: %v, want a weights-only error", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("folder holds %d files, want 1 (no temporary file left)", len(entries))
	}

	// Another architecture: the error names the variable.
	wide, err := Compile(testBackend(t), tinyModelH(32, 0, 0), Options{InputShape: testShape})
	if err != nil {
		t.Fatal(err)
	}
	err = wide.LoadWeights(path)
	if err == nil || !strings.Contains(err.Error(), "/dense1/dense/weights") || !strings.Contains(err.Error(), "float32[48 16] in the file but float32[48 32] in the model") {
		t.Errorf("loading into a wider model: %v, want an error naming /dense1/dense/weights and its shapes", err)
	}

	// Damaged files are refused with a clear error.
	raw, _ := os.ReadFile(path)
	damaged := []struct {
		name, mention string
		data          []byte
	}{
		{"truncated", "truncated", raw[:len(raw)-10]},
		{"flipped", "checksum", append(append([]byte{}, raw[:len(raw)-1]...), raw[len(raw)-1]^1)},
		{"not ours", "magic", []byte("HDF\x89 not a cnnlab file")},
	}
	for _, d := range damaged {
		p := filepath.Join(dir, d.name)
		if err := os.WriteFile(p, d.data, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := b.LoadWeights(p); err == nil || !strings.Contains(err.Error(), d.mention) {
			t.Errorf("%s file: %v, want an error mentioning %q", d.name, err, d.mention)
		}
	}
}

// TestResume kills a run after epoch 3 (of 5), resumes from the checkpoint
// of epoch 2 and checks that it reaches the same History and weights as an
// uninterrupted run with the same seed; dropout, a learning-rate reduction
// and early-stopping counters are all in play.
func TestResume(t *testing.T) {
	dir := t.TempDir()
	data := synthetic(120, 6)
	newRun := func(epochsDir string) (*Trainer, []Callback) {
		tr, err := Compile(testBackend(t), tinyModelH(16, 0.3, 1e-3), Options{Seed: 11, Optimizer: Adam(0.02), InputShape: testShape})
		if err != nil {
			t.Fatal(err)
		}
		// Both callbacks watch for a loss going UP ("max"): their best is
		// epoch 0, before the checkpoint, so the resumed run only matches
		// if their state (best, wait, best weights) was restored.
		r := NewReduceLROnPlateau()
		r.Patience, r.Factor, r.MinDelta, r.Monitor, r.Mode = 1, 0.5, 0, "val_loss", Max
		e := NewEarlyStopping()
		e.Monitor, e.Mode, e.Patience, e.RestoreBestWeights = "loss", Max, 10, true
		m := NewModelCheckpoint(filepath.Join(epochsDir, "ckpt.{epoch:02d}.ckpt"))
		return tr, []Callback{r, e, m}
	}
	opts := func(epochs int, cbs []Callback) FitOptions {
		return FitOptions{Epochs: epochs, BatchSize: 16, ValidationHoldOut: 0.25, Callbacks: cbs}
	}

	full, fullCbs := newRun(filepath.Join(dir, "full"))
	want, err := full.Fit(data, opts(5, fullCbs))
	if err != nil {
		t.Fatal(err)
	}
	wantW, _ := full.GetWeights()

	killed, cbs := newRun(filepath.Join(dir, "killed"))
	if _, err := killed.Fit(data, opts(3, cbs)); err != nil {
		t.Fatal(err)
	}

	resumed, cbs := newRun(filepath.Join(dir, "resumed"))
	state, err := resumed.LoadCheckpoint(filepath.Join(dir, "killed", "ckpt.02.ckpt"))
	if err != nil {
		t.Fatal(err)
	}
	if state.Epoch != 2 || len(state.History.Epochs) != 2 {
		t.Fatalf("checkpoint state: epoch %d, %d history rows; want 2, 2", state.Epoch, len(state.History.Epochs))
	}
	got, err := resumed.Fit(data, opts(5, cbs).withResume(state))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(stripTime(got), stripTime(want)) {
		t.Errorf("resumed history differs:\n got %v\nwant %v", stripTime(got), stripTime(want))
	}
	lrs := want.Get("learning_rate")
	if lrs[0] == lrs[4] {
		t.Errorf("the learning rate never changed (%v): the test does not exercise ReduceLROnPlateau", lrs)
	}
	for i, cb := range cbs {
		a, _ := fullCbs[i].(Stateful).State()
		b, _ := cb.(Stateful).State()
		if string(a) != string(b) {
			t.Errorf("callback %s state after resuming differs:\n got %.200s\nwant %.200s", callbackKey(i, cb), b, a)
		}
	}
	gotW, _ := resumed.GetWeights()
	if !reflect.DeepEqual(gotW.vars, wantW.vars) {
		t.Error("resumed weights differ from the uninterrupted run's")
	}
}

func (o FitOptions) withResume(s *TrainState) FitOptions {
	o.Resume = s
	return o
}
