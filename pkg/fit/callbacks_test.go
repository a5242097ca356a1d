package fit

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// script drives callbacks through epochs whose logs hold only monitor =
// values[epoch], with the callbackList that Fit uses, stopping when a
// callback asks. It returns the learning rate after each epoch run.
func script(t *testing.T, tr *Trainer, monitor string, values []float64, cbs ...Callback) (lrs []float64) {
	t.Helper()
	tr.stop = false
	list := callbackList(cbs)
	if err := list.trainBegin(tr); err != nil {
		t.Fatal(err)
	}
	hist := &History{}
	var logs Logs
	for epoch, v := range values {
		if err := list.epochBegin(tr, epoch); err != nil {
			t.Fatal(err)
		}
		logs = Logs{monitor: v}
		hist.Epochs = append(hist.Epochs, logs)
		if err := list.epochEnd(tr, epoch, logs, hist); err != nil {
			t.Fatal(err)
		}
		lrs = append(lrs, tr.LearningRate())
		if tr.Stopping() {
			break
		}
	}
	if err := list.trainEnd(tr, logs); err != nil {
		t.Fatal(err)
	}
	return lrs
}

func sameFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !near(a[i], b[i], 1e-6) {
			return false
		}
	}
	return true
}

func TestReduceLROnPlateau(t *testing.T) {
	tests := []struct {
		name    string
		monitor string
		setup   func(r *ReduceLROnPlateau)
		values  []float64
		want    []float64 // learning rate after each epoch, starting from 1
	}{
		{"patience 2", "val_loss", func(r *ReduceLROnPlateau) { r.Patience, r.Factor, r.MinDelta = 2, 0.5, 0 },
			[]float64{1, 0.9, 0.95, 0.95, 0.95, 0.8}, []float64{1, 1, 1, 0.5, 0.5, 0.5}},
		// min mode improvement is current < best - min_delta: 0.95 is not
		// below 1 - 0.1, 0.85 is.
		{"min_delta", "val_loss", func(r *ReduceLROnPlateau) { r.Patience, r.MinDelta = 1, 0.1 },
			[]float64{1, 0.95, 0.85, 0.85}, []float64{1, 0.1, 0.1, 0.01}},
		// In cooldown the counter drops and wait stays 0; the epoch the
		// counter reaches 0 already counts toward patience.
		{"cooldown", "val_loss", func(r *ReduceLROnPlateau) { r.Patience, r.Factor, r.Cooldown = 1, 0.5, 2 },
			[]float64{1, 1, 1, 1, 1, 1}, []float64{1, 0.5, 0.5, 0.25, 0.25, 0.125}},
		{"min_lr", "val_loss", func(r *ReduceLROnPlateau) { r.Patience, r.MinLR = 1, 0.05 },
			[]float64{1, 1, 1, 1, 1}, []float64{1, 0.1, 0.05, 0.05, 0.05}},
		// auto mode: the accuracy metric's direction is up (Keras 3.16;
		// before, "acc" in the name meant max).
		{"auto max", "val_accuracy", func(r *ReduceLROnPlateau) { r.Patience, r.Factor = 2, 0.5 },
			[]float64{0.5, 0.6, 0.6, 0.6}, []float64{1, 1, 1, 0.5}},
		// Keras 3.11+: best starts at None, so the first value counts even
		// when it is NaN; nothing then improves on NaN, and patience 2
		// reduces at epoch 3.
		{"first value NaN", "val_loss", func(r *ReduceLROnPlateau) { r.Patience = 2 },
			[]float64{math.NaN(), 1, 0.9, 0.8}, []float64{1, 1, 0.1, 0.1}},
		// +Inf is a first value like any other; 1 improves on it.
		{"first value inf", "val_loss", func(r *ReduceLROnPlateau) { r.Patience = 1 },
			[]float64{math.Inf(1), math.Inf(1), 1, 1}, []float64{1, 0.1, 0.1, 0.01}},
		// Compared in float32 (Keras's TF/JAX/Torch backends): 1 − 1e-9
		// is 1 in float32, so it does not improve on 1 (float64 would say
		// it does, and never reduce).
		{"float32 comparison", "val_loss", func(r *ReduceLROnPlateau) { r.Patience, r.MinDelta = 1, 0 },
			[]float64{1, 1 - 1e-9, 1 - 2e-9}, []float64{1, 0.1, 0.01}},
		{"explicit max", "score", func(r *ReduceLROnPlateau) { r.Patience, r.Mode = 1, Max },
			[]float64{1, 2, 1.5}, []float64{1, 1, 0.1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := newTiny(t, Options{Optimizer: SGD(1, 0)})
			r := NewReduceLROnPlateau()
			r.Monitor = tc.monitor
			tc.setup(r)
			got := script(t, tr, tc.monitor, tc.values, r)
			if !sameFloats(got, tc.want) {
				t.Errorf("learning rates %v, want %v", got, tc.want)
			}
		})
	}
	t.Run("wait not reset at min_lr", func(t *testing.T) {
		tr := newTiny(t, Options{Optimizer: SGD(1, 0)})
		r := NewReduceLROnPlateau()
		r.Patience, r.MinLR = 1, 0.05
		script(t, tr, "val_loss", []float64{1, 1, 1, 1, 1}, r)
		if r.Wait() != 2 {
			t.Errorf("wait = %d, want 2 (grows once the rate is at min_lr)", r.Wait())
		}
	})
	t.Run("verbose and missing monitor", func(t *testing.T) {
		tr := newTiny(t, Options{Optimizer: SGD(1, 0)})
		var out bytes.Buffer
		tr.SetOutput(&out)
		r := NewReduceLROnPlateau()
		r.Patience, r.Verbose, r.Factor = 0, 1, 0.5
		script(t, tr, "val_loss", []float64{1, 1}, r)
		if !strings.Contains(out.String(), "Epoch 2: ReduceLROnPlateau reducing learning rate to 0.5.") {
			t.Errorf("message %q lacks Keras's text", out.String())
		}
		r.Monitor = "val_accuracy"
		if lrs := script(t, tr, "val_loss", []float64{1, 1, 1}, r); !sameFloats(lrs, []float64{0.5, 0.5, 0.5}) {
			t.Errorf("missing monitor changed the rate: %v", lrs)
		}
		if !strings.Contains(out.String(), "`val_accuracy` which is not available") {
			t.Errorf("no warning for a missing monitor: %q", out.String())
		}
		// A name whose direction auto cannot tell is an error (Keras 3.16
		// raises ValueError).
		r.Monitor = "nope"
		if err := r.OnTrainBegin(tr); err == nil || !strings.Contains(err.Error(), `"nope"`) {
			t.Errorf("auto mode on %q: %v", r.Monitor, err)
		}
	})
	t.Run("factor >= 1", func(t *testing.T) {
		r := NewReduceLROnPlateau()
		r.Factor = 1
		if err := r.OnTrainBegin(nil); err == nil {
			t.Error("factor 1 accepted")
		}
	})
}

func TestEarlyStopping(t *testing.T) {
	base := 0.5
	tests := []struct {
		name        string
		monitor     string
		setup       func(e *EarlyStopping)
		values      []float64
		wantEpochs  int // epochs run
		wantStopped int
	}{
		{"patience 2", "val_loss", func(e *EarlyStopping) { e.Patience = 2 },
			[]float64{1, 0.9, 0.95, 0.96, 0.5}, 4, 3},
		{"patience 0", "val_loss", func(e *EarlyStopping) {}, []float64{1, 1.1, 0.5}, 2, 1},
		// The accuracy goes up (auto: max); min_delta 0.1 makes +0.05 and
		// +0.08 no improvement.
		{"min_delta max", "accuracy", func(e *EarlyStopping) { e.Patience, e.MinDelta = 2, 0.1 },
			[]float64{0.5, 0.55, 0.58, 0.7}, 3, 2},
		// Improvements that do not beat the baseline do not reset wait, but
		// an improving epoch never stops.
		{"baseline improving", "val_loss", func(e *EarlyStopping) { e.Patience, e.Baseline = 2, &base },
			[]float64{1, 0.9, 0.8, 0.7}, 4, 0},
		{"baseline flat", "val_loss", func(e *EarlyStopping) { e.Patience, e.Baseline = 2, &base },
			[]float64{1, 1, 1, 1}, 2, 1},
		{"start_from_epoch", "val_loss", func(e *EarlyStopping) { e.StartFromEpoch = 2 },
			[]float64{1, 2, 3, 4, 5}, 4, 3},
		{"missing monitor", "val_loss", func(e *EarlyStopping) { e.Monitor = "val_accuracy" },
			[]float64{1, 2, 3}, 3, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := newTiny(t, Options{})
			tr.SetOutput(&bytes.Buffer{})
			e := NewEarlyStopping()
			e.Monitor = tc.monitor
			tc.setup(e)
			lrs := script(t, tr, tc.monitor, tc.values, e)
			if len(lrs) != tc.wantEpochs || e.StoppedEpoch() != tc.wantStopped {
				t.Errorf("ran %d epochs, stopped_epoch %d; want %d, %d", len(lrs), e.StoppedEpoch(), tc.wantEpochs, tc.wantStopped)
			}
		})
	}
	t.Run("auto needs a known metric", func(t *testing.T) {
		e := NewEarlyStopping()
		e.Monitor = "learning_rate"
		if err := e.OnTrainBegin(nil); err == nil || !strings.Contains(err.Error(), "Mode") {
			t.Errorf("error = %v, want one asking for a mode", err)
		}
	})
}

// TestEarlyStoppingRestoresAtEnd checks Keras 3's rule: the best weights
// come back at the end of training even when it did not stop early.
func TestEarlyStoppingRestoresAtEnd(t *testing.T) {
	tr := newTiny(t, Options{Seed: 3, Optimizer: Adam(0.01)})
	var snapshots []*Weights
	record := CallbackFunc(func(tr *Trainer, epoch int, logs Logs) error {
		w, err := tr.GetWeights()
		snapshots = append(snapshots, w)
		return err
	})
	e := NewEarlyStopping()
	// The training loss goes down, so "max" makes epoch 0 the best.
	e.Monitor, e.Mode, e.Patience, e.RestoreBestWeights = "loss", Max, 100, true
	h, err := tr.Fit(synthetic(96, 4), FitOptions{Epochs: 3, BatchSize: 32, Callbacks: []Callback{record, e}})
	if err != nil {
		t.Fatal(err)
	}
	if l := h.Get("loss"); !(l[2] < l[0]) || e.StoppedEpoch() != 0 || e.BestEpoch() != 0 {
		t.Fatalf("loss %v, stopped %d, best %d: want decreasing, 0, 0", l, e.StoppedEpoch(), e.BestEpoch())
	}
	final, _ := tr.GetWeights()
	if !reflect.DeepEqual(final.vars, snapshots[0].vars) {
		t.Error("final weights are not those of the best epoch (0)")
	}
	if reflect.DeepEqual(final.vars, snapshots[2].vars) {
		t.Error("final weights equal the last epoch's")
	}
}

func TestModelCheckpoint(t *testing.T) {
	dir := t.TempDir()
	tr := newTiny(t, Options{})
	var out bytes.Buffer
	tr.SetOutput(&out)

	// Every epoch, file names from the logs, 1-based epochs.
	m := NewModelCheckpoint(filepath.Join(dir, "all", "w.{epoch:02d}-{val_loss:.2f}.weights.ckpt"))
	m.SaveWeightsOnly = true
	script(t, tr, "val_loss", []float64{1.2345, 0.5}, m)
	for _, name := range []string{"w.01-1.23.weights.ckpt", "w.02-0.50.weights.ckpt"} {
		if _, err := os.Stat(filepath.Join(dir, "all", name)); err != nil {
			t.Errorf("missing %s: %v", name, err)
		}
	}

	// save_best_only: strict improvement on the best so far (starting
	// unset: the first epoch always saves).
	m = NewModelCheckpoint(filepath.Join(dir, "best", "w.{epoch}.ckpt"))
	m.SaveBestOnly, m.Verbose = true, 1
	script(t, tr, "val_loss", []float64{1.0, 1.2, 0.8, 0.8}, m)
	entries, _ := os.ReadDir(filepath.Join(dir, "best"))
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := []string{"w.1.ckpt", "w.3.ckpt"}; !reflect.DeepEqual(names, want) {
		t.Errorf("saved %v, want %v (no temporary files left)", names, want)
	}
	if !strings.Contains(out.String(), "Epoch 1: val_loss improved from None to 1.00000, saving model to") ||
		!strings.Contains(out.String(), "Epoch 4: val_loss did not improve from 0.80000") {
		t.Errorf("messages differ from Keras's:\n%s", out.String())
	}

	// initial_value_threshold, and "max" for accuracy in auto mode.
	thr := 0.9
	m = NewModelCheckpoint(filepath.Join(dir, "thr", "w.{epoch}.ckpt"))
	m.Monitor, m.SaveBestOnly, m.InitialValueThreshold = "val_accuracy", true, &thr
	script(t, tr, "val_accuracy", []float64{0.85, 0.95, 0.9}, m)
	entries, _ = os.ReadDir(filepath.Join(dir, "thr"))
	if len(entries) != 1 || entries[0].Name() != "w.2.ckpt" {
		t.Errorf("saved %v, want only w.2.ckpt", entries)
	}

	// Keras 3.11+: +Inf as the first value saves (best was None), and
	// nothing saves again until a value below it.
	m = NewModelCheckpoint(filepath.Join(dir, "inf", "w.{epoch}.ckpt"))
	m.SaveBestOnly = true
	script(t, tr, "val_loss", []float64{math.Inf(1), math.Inf(1), 1, 1}, m)
	entries, _ = os.ReadDir(filepath.Join(dir, "inf"))
	if names = nil; len(entries) > 0 {
		for _, e := range entries {
			names = append(names, e.Name())
		}
	}
	if want := []string{"w.1.ckpt", "w.3.ckpt"}; !reflect.DeepEqual(names, want) {
		t.Errorf("saved %v, want %v", names, want)
	}

	// Keras and HDF5 formats are refused.
	for _, name := range []string{"w.h5", "w.weights.h5", "m.keras", "w.hdf5"} {
		if err := NewModelCheckpoint(name).OnTrainBegin(tr); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
	// An unknown template field fails naming it.
	m = NewModelCheckpoint(filepath.Join(dir, "w.{val_los:.2f}"))
	_ = m.OnTrainBegin(tr)
	if err := m.OnEpochEnd(tr, 0, Logs{"val_loss": 1}); err == nil || !strings.Contains(err.Error(), "val_los") {
		t.Errorf("error = %v, want one naming val_los", err)
	}
}
