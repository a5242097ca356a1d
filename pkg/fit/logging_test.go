package fit

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCSVLogger checks Keras's format: a sorted header after "epoch", one
// row per 0-based epoch, Python's number formatting, "val_" twins with NA
// without validation, and append.
func TestCSVLogger(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "log.csv")
	tr := newTiny(t, Options{Seed: 1})
	data := synthetic(40, 1)
	c := NewCSVLogger(path)
	h, err := tr.Fit(data, FitOptions{Epochs: 2, BatchSize: 20, ValidationSplit: 0.25, Callbacks: []Callback{c}})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSuffix(string(raw), "\r\n"), "\r\n")
	if len(lines) != 3 || lines[0] != "epoch,accuracy,learning_rate,loss,val_accuracy,val_loss" {
		t.Fatalf("file:\n%q", raw)
	}
	if want := "1," + pyRepr(h.Epochs[1]["accuracy"]) + "," + pyRepr(h.Epochs[1]["learning_rate"]); !strings.HasPrefix(lines[2], want) {
		t.Errorf("second row %q, want it to start with %q", lines[2], want)
	}
	// Without validation, Keras adds val_ columns, written NA.
	c2 := NewCSVLogger(filepath.Join(dir, "noval.csv"))
	c2.Separator = ";"
	if _, err := tr.Fit(data, FitOptions{Epochs: 1, BatchSize: 20, Callbacks: []Callback{c2}}); err != nil {
		t.Fatal(err)
	}
	raw, _ = os.ReadFile(filepath.Join(dir, "noval.csv"))
	if !strings.HasPrefix(string(raw), "epoch;accuracy;learning_rate;loss;val_accuracy;val_learning_rate;val_loss\r\n0;") ||
		!strings.HasSuffix(string(raw), ";NA;NA;NA\r\n") {
		t.Errorf("file without validation:\n%q", raw)
	}
	// Append: the header stays, rows follow.
	c.Append = true
	if _, err := tr.Fit(data, FitOptions{Epochs: 1, BatchSize: 20, ValidationSplit: 0.25, Callbacks: []Callback{c}}); err != nil {
		t.Fatal(err)
	}
	raw, _ = os.ReadFile(path)
	if n := bytes.Count(raw, []byte("epoch,")); n != 1 || bytes.Count(raw, []byte("\r\n")) != 4 {
		t.Errorf("appended file has %d headers:\n%q", n, raw)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("folder holds %d files, want 2 (no temporary file left)", len(entries))
	}
}

// TestLearningRateScheduler: the rate of each epoch is schedule(epoch, lr),
// set before the epoch (History records it), with Keras's message.
func TestLearningRateScheduler(t *testing.T) {
	tr := newTiny(t, Options{Optimizer: SGD(0.1, 0)})
	var out bytes.Buffer
	tr.SetOutput(&out)
	s := NewLearningRateScheduler(func(epoch int, lr float64) float64 {
		if epoch < 1 {
			return lr
		}
		return lr * 0.5
	})
	s.Verbose = 1
	h, err := tr.Fit(synthetic(32, 2), FitOptions{Epochs: 3, BatchSize: 16, Callbacks: []Callback{s}})
	if err != nil {
		t.Fatal(err)
	}
	if got := h.Get("learning_rate"); !sameFloats(got, []float64{0.1, 0.05, 0.025}) {
		t.Errorf("learning rates %v, want [0.1 0.05 0.025]", got)
	}
	// Keras reads the float32 rate back as a Python float, as here: 0.1 is
	// 0.10000000149011612, halved twice 0.02500000037252903.
	if !strings.Contains(out.String(), "Epoch 3: LearningRateScheduler setting learning rate to 0.02500000037252903.") {
		t.Errorf("messages:\n%s", out.String())
	}
	bad := NewLearningRateScheduler(func(int, float64) float64 { return -1 })
	if _, err := tr.Fit(synthetic(32, 2), FitOptions{Callbacks: []Callback{bad}}); err == nil {
		t.Error("a negative rate was accepted")
	}
}
