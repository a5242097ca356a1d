package nn_test

import (
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/cnnlab/cnnlab/pkg/backend"
	"github.com/cnnlab/cnnlab/pkg/fit"
	"github.com/cnnlab/cnnlab/pkg/nn"
)

// TestAugmentation: a model with augmentation predicts exactly what the
// same model without it predicts (the layers are the identity at inference,
// and hold no weights), the labels reach the loss untouched (the layers
// only see images), and a seeded trainer augments the same way every run
// (the same History).
func TestAugmentation(t *testing.T) {
	plain, _ := nn.Arch{Width: 0.125}.Model("plain")
	aug, err := nn.Arch{Width: 0.125, Augment: nn.Augment{Flip: true, Translate: 0.1, CropPadding: 4}}.Model("aug")
	if err != nil {
		t.Fatal(err)
	}
	a, b := plain.NumParams()
	if c, d := aug.NumParams(); a != c || b != d {
		t.Fatalf("augmentation adds parameters: %d+%d vs %d+%d", a, b, c, d)
	}
	r := rand.New(rand.NewPCG(1, 2))
	data := &fit.Arrays{X: make([]float32, 64*32*32*3), Shape: []int{32, 32, 3}, Y: make([]int32, 64)}
	for i := range data.X {
		data.X[i] = r.Float32()
	}
	for i := range data.Y {
		data.Y[i] = int32(r.IntN(10))
	}
	train := func() (*fit.Trainer, *fit.History) {
		tr, err := fit.Compile(backend.MustNew(), aug, fit.Options{Seed: 4})
		if err != nil {
			t.Fatal(err)
		}
		h, err := tr.Fit(data, fit.FitOptions{Epochs: 2, BatchSize: 32})
		if err != nil {
			t.Fatal(err)
		}
		return tr, h
	}
	ta, h1 := train()
	_, h2 := train()
	strip := func(h *fit.History) []fit.Logs {
		var out []fit.Logs
		for _, l := range h.Epochs {
			c := fit.Logs{}
			for k, v := range l {
				if k != "time" {
					c[k] = v
				}
			}
			out = append(out, c)
		}
		return out
	}
	if !reflect.DeepEqual(strip(h1), strip(h2)) {
		t.Errorf("same seed, different histories:\n%v\n%v", strip(h1), strip(h2))
	}
	tp, err := fit.Compile(backend.MustNew(), plain, fit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := tp.Evaluate(data, 0); err != nil {
		t.Fatal(err)
	}
	w, _ := ta.GetWeights()
	if err := tp.SetWeights(w); err != nil {
		t.Fatal(err)
	}
	pa, _, _ := ta.Predict(data, 0)
	pp, _, _ := tp.Predict(data, 0)
	if !reflect.DeepEqual(pa, pp) {
		t.Error("the augmented model predicts differently from the plain one with the same weights")
	}
}
