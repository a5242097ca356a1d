package fit

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"

	"github.com/cnnlab/cnnlab/pkg/layers"
	"github.com/cnnlab/cnnlab/pkg/nn"
)

// whitenedModel declares a small model whose whitening kernel comes from
// the first 20 training samples.
func whitenedModel() *nn.Model {
	return nn.Sequential("w", nn.Input(testShape...), nn.WhiteningFromData(20, 1e-3, nn.Activation("gelu")),
		nn.Flatten(), nn.Dense(10))
}

// kernelOf returns the whitening kernel stored in tr's weights.
func kernelOf(t *testing.T, tr *Trainer) []float32 {
	t.Helper()
	v := tr.Store().GetVariable("/whitening/kernel")
	if v == nil {
		t.Fatal("no /whitening/kernel variable")
	}
	k, err := tensors.CopyFlatData[float32](v.MustValue())
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestDataInitializer: Fit computes the whitening kernel once, from the
// first training samples, and stores it with the weights; a second Fit
// keeps it, a trainer that loads the weights evaluates without data, and
// one that has neither is refused.
func TestDataInitializer(t *testing.T) {
	b := testBackend(t)
	data := synthetic(60, 3)
	m := whitenedModel()
	tr, err := Compile(b, m, Options{Seed: 1, InputShape: testShape})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := tr.Evaluate(data, 0); err == nil || !strings.Contains(err.Error(), "training data") {
		t.Errorf("Evaluate before Fit: %v, want an error about the training data", err)
	}
	if _, err := tr.Fit(data, FitOptions{Epochs: 1, BatchSize: 30}); err != nil {
		t.Fatal(err)
	}
	first := MakeBatch(data, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19})
	want, err := layers.WhiteningKernel(first.X, 20, testShape[0], testShape[1], testShape[2], 1e-3)
	if err != nil {
		t.Fatal(err)
	}
	got := kernelOf(t, tr)
	if !slices.Equal(got, want) {
		t.Fatalf("stored kernel is not the kernel of the first 20 samples")
	}
	if m.DataSamples() != 0 {
		t.Errorf("DataSamples = %d after Fit, want 0", m.DataSamples())
	}
	if _, err := tr.Fit(synthetic(60, 9), FitOptions{Epochs: 1, BatchSize: 30}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(kernelOf(t, tr), want) {
		t.Error("a second Fit changed the frozen kernel")
	}
	path := filepath.Join(t.TempDir(), "w.ckpt")
	if err := tr.SaveWeights(path); err != nil {
		t.Fatal(err)
	}
	_, acc, err := tr.Evaluate(data, 0)
	if err != nil {
		t.Fatal(err)
	}
	// A fresh declaration: its kernel comes from the weights file.
	loaded, err := Compile(b, whitenedModel(), Options{InputShape: testShape})
	if err != nil {
		t.Fatal(err)
	}
	if err := loaded.LoadWeights(path); err != nil {
		t.Fatal(err)
	}
	_, acc2, err := loaded.Evaluate(data, 0)
	if err != nil || acc2 != acc || !slices.Equal(kernelOf(t, loaded), want) {
		t.Errorf("loaded: accuracy %v (want %v), err %v, kernel equal %v", acc2, acc, err, slices.Equal(kernelOf(t, loaded), want))
	}
}
