package fit

import (
	"encoding/binary"
	"math"
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

// TestPenaltyInLoss checks Keras's convention: "loss" includes the weight
// penalty, "regularization_loss" reports it alone, and with frozen weights
// (learning rate 0) the epoch's loss equals Evaluate's.
func TestPenaltyInLoss(t *testing.T) {
	const l2 = 0.01
	tr, err := Compile(testBackend(t), tinyModel(l2), Options{Seed: 2, Optimizer: SGD(0.1, 0), InputShape: testShape})
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.SetLearningRate(0); err != nil {
		t.Fatal(err)
	}
	data := synthetic(64, 9)
	h, err := tr.Fit(data, FitOptions{Epochs: 1, BatchSize: 16, NoShuffle: true})
	if err != nil {
		t.Fatal(err)
	}
	w, _ := tr.GetWeights()
	var sumSq float64
	for _, v := range w.vars {
		if v.path == "/dense1/dense/weights" {
			for i := 0; i < len(v.data); i += 4 {
				f := float64(math.Float32frombits(binary.LittleEndian.Uint32(v.data[i:])))
				sumSq += f * f
			}
		}
	}
	logs := h.Epochs[0]
	// A penalty that is silently zero on both sides must fail: the kernel
	// was found and the penalty is positive.
	if !(sumSq > 0) || !(logs["regularization_loss"] > 0) {
		t.Fatalf("Σw² = %v, regularization_loss = %v: want both positive (kernel path changed?)", sumSq, logs["regularization_loss"])
	}
	if want := l2 * sumSq; !near(logs["regularization_loss"], want, 1e-5) {
		t.Errorf("regularization_loss = %v, want l2·Σw² = %v", logs["regularization_loss"], want)
	}
	loss, acc, err := tr.Evaluate(data, 16)
	if err != nil {
		t.Fatal(err)
	}
	if !near(logs["loss"], loss, 1e-5) || !near(logs["accuracy"], acc, 1e-9) {
		t.Errorf("epoch loss/accuracy %v/%v, Evaluate %v/%v: want equal with frozen weights", logs["loss"], logs["accuracy"], loss, acc)
	}
	if !(logs["loss"] > logs["regularization_loss"]) {
		t.Errorf("loss %v does not include the penalty %v", logs["loss"], logs["regularization_loss"])
	}
}
