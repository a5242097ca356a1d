package fit_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/cnnlab/cnnlab/cifar"
	"github.com/cnnlab/cnnlab/pkg/backend"
	"github.com/cnnlab/cnnlab/pkg/fit"
	"github.com/cnnlab/cnnlab/pkg/layers"
	"github.com/cnnlab/cnnlab/pkg/nn"
)

// An airbench-style recipe (KellerJordan/cifar10-airbench) declared with
// cnnlab's pieces: a frozen whitening conv computed from 5,000 training
// images, blocks conv → max-pool → BatchNorm without scale (momentum 0.6)
// → GELU → conv → BN → GELU, Nesterov SGD with decoupled weight decay
// (BatchNorm betas and biases excluded), the triangular one-cycle rate,
// label smoothing 0.2, EMA of the weights, alternating flip and 2-pixel
// translations, test-time augmentation. The hyper-parameters are
// placeholders for the lead's tuning. Compiled, not run (it needs the
// dataset and time).
func Example_airbench() {
	data, err := cifar.Open(context.Background(), "", os.Stderr)
	if err != nil {
		log.Fatal(err)
	}
	scaling := cifar.ZScoreScaling(data.Train) // airbench normalizes with the channel means and stds
	train := data.Train.Scaled(scaling)

	// The whitening kernel from 5,000 training images.
	const n = 5000
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	sample := fit.MakeBatch(train, idx)
	kernel, err := layers.WhiteningKernel(sample.X, n, cifar.Height, cifar.Width, cifar.Channels, 5e-4)
	if err != nil {
		log.Fatal(err)
	}

	bn := func() nn.Layer { return nn.BatchNormalization(nn.Scale(false), nn.Momentum(0.6), nn.Epsilon(1e-12)) }
	block := func(width int) []nn.Layer {
		return []nn.Layer{
			nn.Conv2D(width, 3, nn.Padding("same"), nn.UseBias(false)),
			nn.MaxPooling2D(2),
			bn(), nn.Activation("gelu"),
			nn.Conv2D(width, 3, nn.Padding("same"), nn.UseBias(false)),
			bn(), nn.Activation("gelu"),
		}
	}
	ls := []nn.Layer{
		nn.Input(cifar.Height, cifar.Width, cifar.Channels),
		nn.RandomTranslation(2.0/32, 2.0/32), // 2-pixel translations (training only)
		nn.Whitening(kernel, nn.Activation("gelu")),
	}
	for _, w := range []int{64, 256, 256} { // the 93% variant: 64, 128, 128
		ls = append(ls, block(w)...)
	}
	ls = append(ls, nn.MaxPooling2D(3), nn.Flatten(), nn.Dense(10, nn.UseBias(false)))
	model := nn.Sequential("airbench", ls...)

	const epochs, batch = 10, 1024
	steps := float64(epochs * ((train.Len() + batch - 1) / batch))
	opt := fit.SGD(0.1, 0.85) // placeholder peak rate
	opt.Nesterov = true
	opt.WeightDecay = 5e-4
	opt.ExcludeFromWeightDecay = []string{"beta", "bias"}
	opt.UseEMA, opt.EMAMomentum = true, 0.9 // copied into the weights when training ends
	loss, err := fit.SmoothedSparseCategoricalCrossentropy(0.2)
	if err != nil {
		log.Fatal(err)
	}
	b, _, err := backend.New()
	if err != nil {
		log.Fatal(err)
	}
	tr, err := fit.Compile(b, model, fit.Options{
		Optimizer: opt, Loss: loss, Seed: 42,
		Schedule: fit.Triangular(0.2*opt.LR, opt.LR, 0, 0.2*steps, steps),
	})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := tr.Fit(train, fit.FitOptions{Epochs: epochs, BatchSize: batch, AlternatingFlip: true, Verbose: fit.OneLine}); err != nil {
		log.Fatal(err)
	}
	_, acc, err := tr.Evaluate(data.Test.Scaled(scaling), 1000, fit.WithTTA(fit.TTAMirrorTranslate))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("test accuracy with TTA: %.4f\n", acc)
}
