package fit_test

import (
	"fmt"
	"log"
	"math/rand/v2"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/layers"
	"github.com/gomlx/gomlx/ml/layers/activation"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/cnnlab/cnnlab/pkg/backend"
	"github.com/cnnlab/cnnlab/pkg/fit"
)

// perceptron is a small Keras-like model written with GoMLX layers; an
// *nn.Model from pkg/nn works the same way.
var perceptron = fit.ModelFunc(func(scope *model.Scope, x *graph.Node) (logits, penalty *graph.Node) {
	h := graph.Reshape(x, x.Shape().Dim(0), -1)
	h = activation.Relu(layers.Dense(scope.In("hidden"), h, true, 32))
	return layers.Dense(scope.In("out"), h, true, 10), nil
})

// toyData returns n labelled 4x4x3 "images" whose class brightens some
// pixels.
func toyData(n int) *fit.Arrays {
	r := rand.New(rand.NewPCG(1, 2))
	a := &fit.Arrays{Shape: []int{4, 4, 3}, X: make([]float32, n*48), Y: make([]int32, n)}
	for i := range n {
		c := r.IntN(10)
		a.Y[i] = int32(c)
		for j := range 48 {
			a.X[i*48+j] = r.Float32()
			if j%10 == c {
				a.X[i*48+j]++
			}
		}
	}
	return a
}

// Fit with Keras's defaults plus a seeded 20% hold-out, a learning-rate
// schedule and early stopping.
func ExampleTrainer_Fit() {
	tr, err := fit.Compile(backend.MustNew(), perceptron, fit.Options{
		Optimizer:  fit.Adam(1e-2),
		Seed:       42,
		InputShape: []int{4, 4, 3},
	})
	if err != nil {
		log.Fatal(err)
	}
	reduce := fit.NewReduceLROnPlateau()
	reduce.Patience, reduce.Factor = 2, 0.5
	stop := fit.NewEarlyStopping()
	stop.Patience, stop.RestoreBestWeights = 3, true
	hist, err := tr.Fit(toyData(300), fit.FitOptions{
		Epochs:            5,
		BatchSize:         32,
		ValidationHoldOut: 0.2,
		Callbacks:         []fit.Callback{reduce, stop},
		Verbose:           fit.Silent, // fit.ProgressBar for Keras's bar
	})
	if err != nil {
		log.Fatal(err)
	}
	acc := hist.Get("val_accuracy")
	fmt.Printf("%d epochs; val_accuracy above chance: %v\n", len(hist.Epochs), acc[len(acc)-1] > 0.2)
	// Output: 5 epochs; val_accuracy above chance: true
}

// Predict returns class probabilities; Argmax turns them into classes.
func ExampleTrainer_Predict() {
	tr, err := fit.Compile(backend.MustNew(), perceptron, fit.Options{Seed: 1, InputShape: []int{4, 4, 3}})
	if err != nil {
		log.Fatal(err)
	}
	data := toyData(100)
	if _, err := tr.Fit(data, fit.FitOptions{Epochs: 3}); err != nil {
		log.Fatal(err)
	}
	probs, numClasses, err := tr.Predict(data, 0)
	if err != nil {
		log.Fatal(err)
	}
	classes := fit.Argmax(probs, numClasses)
	var sum float32
	for _, p := range probs[:numClasses] {
		sum += p
	}
	fmt.Printf("%d predictions of %d classes; first row sums to %.3f\n", len(classes), numClasses, sum)
	// Output: 100 predictions of 10 classes; first row sums to 1.000
}

// Keras's checkpoint file names, with Python's str.format semantics.
func ExampleFormatPath() {
	name, err := fit.FormatPath("weights.{epoch:02d}-{val_loss:.2f}.ckpt",
		map[string]any{"epoch": 3, "val_loss": 0.87654})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(name)
	// Output: weights.03-0.88.ckpt
}

// Batches cuts an epoch exactly as Fit does: here 10 samples in batches of
// 4, shuffled with the seed, the last partial batch kept as in Keras.
func ExampleBatches() {
	for step, b := range fit.Batches(toyData(10), 4, true, 42, 0) {
		fmt.Printf("step %d: %d samples, %d values\n", step, b.Size(), len(b.X))
	}
	// Output:
	// step 0: 4 samples, 192 values
	// step 1: 4 samples, 192 values
	// step 2: 2 samples, 96 values
}

// SplitValidation holds out validation samples as Fit does: the course's
// train_test_split takes ceil(0.15·10) = 2 of 10.
func ExampleSplitValidation() {
	_, _, split, err := fit.SplitValidation(toyData(10), fit.FitOptions{ValidationHoldOut: 0.15}, 42)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%+v\n", split)
	// Output: {Method:holdout Fraction:0.15 Train:8 Val:2 Order:reshuffled every epoch}
}
