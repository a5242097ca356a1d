package fit

import (
	"reflect"
	"testing"
)

func TestFitLearnsAndIsDeterministic(t *testing.T) {
	data := synthetic(200, 1)
	run := func(seed int64) *History {
		tr := newTiny(t, Options{Seed: seed, Optimizer: Adam(0.01)})
		h, err := tr.Fit(data, FitOptions{Epochs: 3, BatchSize: 32, ValidationSplit: 0.2})
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	h1, h2, h3 := run(7), run(7), run(8)
	if got := len(h1.Epochs); got != 3 {
		t.Fatalf("history has %d epochs, want 3", got)
	}
	if !reflect.DeepEqual(stripTime(h1), stripTime(h2)) {
		t.Errorf("same seed, different histories:\n%v\n%v", stripTime(h1), stripTime(h2))
	}
	if reflect.DeepEqual(stripTime(h1), stripTime(h3)) {
		t.Errorf("different seeds gave the same history")
	}
	loss := h1.Get("loss")
	if !(loss[2] < loss[0]) {
		t.Errorf("loss did not go down: %v", loss)
	}
	for _, k := range []string{"loss", "accuracy", "val_loss", "val_accuracy", "learning_rate", "epoch", "time"} {
		if _, ok := h1.Epochs[0][k]; !ok {
			t.Errorf("history lacks %q: %v", k, h1.Epochs[0])
		}
	}
	if acc := h1.Get("val_accuracy")[2]; acc < 0.3 {
		t.Errorf("val_accuracy after 3 epochs = %v, want > 0.3 (chance is 0.1)", acc)
	}
	t.Logf("history: %v", stripTime(h1))
}
