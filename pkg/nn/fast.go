package nn

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/cnnlab/cnnlab/pkg/initializers"
)

// Recipe declares a model together with how to train it: the named model
// "fast" (an airbench-style network, KellerJordan/cifar10-airbench, and
// its training recipe) in one value, read by `cnnlab train --model fast`
// (as its flags' defaults) and by lesson 14 (whose runs take one technique
// away at a time). [FastRecipe] returns the full recipe; every field is
// explicit, so that switching a technique off is setting its field to its
// zero value. The training fields are plain numbers and names: the
// lessons package and the CLI turn them into fit's optimizer, loss,
// schedule and options.
type Recipe struct {
	// The network: a 2x2 whitening convolution (GELU), then one block per
	// width: conv 3x3 → MaxPooling2D(2) → BatchNormalization (no scale) →
	// GELU → conv 3x3 → BN → GELU; then MaxPooling2D(3), Flatten and
	// Dense(10) without bias (logits, trained with softmax
	// cross-entropy).
	Widths []int
	// Dirac starts every block's convolutions with their first filters
	// as the identity (initializers.Dirac over Keras's glorot_uniform,
	// airbench's PyTorch dirac_: an implicit residual).
	Dirac bool `json:",omitempty"`
	// Whitening computes the first convolution's kernel from the first
	// WhiteningImages training images (WhiteningFromData with eps
	// WhiteningEps), frozen; false trains an ordinary convolution of as
	// many filters instead (Conv2D(24, 3), "valid", GELU: 30x30 outputs,
	// which the first pooling brings to the same 15x15).
	Whitening       bool
	WhiteningImages int
	WhiteningEps    float64
	// Translate shifts the training images by up to that many pixels
	// (RandomTranslation, reflected borders); 0: none.
	Translate int
	// BNMomentum is the BatchNormalization layers' momentum (Keras's
	// convention: the weight of the old average).
	BNMomentum float64
	// LogitScale multiplies the logits (Rescaling(LogitScale, 0) after
	// the Dense layer, airbench's 1/9); 0: none.
	LogitScale float64 `json:",omitempty"`

	// Training.
	Epochs, BatchSize int
	// LearningRate is the peak rate of SGD with Momentum (Nesterov's when
	// Nesterov is set).
	LearningRate, Momentum float64
	Nesterov               bool
	// WeightDecay is Keras 3's decoupled weight decay, not applied to the
	// variables whose path matches one of ExcludeFromWeightDecay.
	WeightDecay            float64
	ExcludeFromWeightDecay []string
	// BiasLRMultiplier multiplies the learning rate of the
	// BatchNormalization biases (their paths end in "beta"; airbench's
	// bias_scaler, 64); 0: none.
	BiasLRMultiplier float64 `json:",omitempty"`
	// LabelSmoothing of the cross-entropy; 0: none.
	LabelSmoothing float64
	// Triangular: the rate rises linearly from StartFactor·LearningRate to
	// LearningRate over the first PeakFraction of the steps, then falls
	// linearly to EndFactor·LearningRate (airbench's schedule); false: a
	// constant LearningRate.
	Triangular                bool
	StartFactor, PeakFraction float64
	EndFactor                 float64 `json:",omitempty"`
	// EMA keeps an exponential moving average of the weights (momentum
	// EMAMomentum, copied into the weights every EMAEvery steps, 0: only
	// at the end, Keras's default).
	EMA         bool
	EMAMomentum float64
	EMAEvery    int
	// AlternatingFlip mirrors each training image in every other epoch.
	AlternatingFlip bool
	// TTA is the test-time augmentation of the evaluation: "none",
	// "mirror" or "mirror_translate" (fit.ParseTTA's names).
	TTA string
}

// FastRecipe returns the recipe of the named model "fast": airbench's 93%
// variant (widths 64, 128, 128) with its techniques, adapted to cnnlab's
// /255 pixels (airbench's whitening eps 5e-4 for z-scored pixels, times
// their variance ≈ 0.25², is 3e-5 here). The hyper-parameters follow
// airbench94 where they carry over (its learning rate is per summed loss
// and its momentum is PyTorch's: the rate here is a first choice, not
// tuned yet).
func FastRecipe() Recipe {
	return Recipe{
		Widths:    []int{64, 128, 128},
		Dirac:     true,
		Whitening: true, WhiteningImages: 5000, WhiteningEps: 3e-5,
		Translate: 2, BNMomentum: 0.6, LogitScale: 1.0 / 9,
		Epochs: 10, BatchSize: 1024,
		LearningRate: 1.5, Momentum: 0.85, Nesterov: true,
		WeightDecay: 0.0089, BiasLRMultiplier: 64,
		LabelSmoothing: 0.2,
		Triangular:     true, StartFactor: 0.2, PeakFraction: 0.23, EndFactor: 0.07,
		EMA: true, EMAMomentum: 0.9, EMAEvery: 0,
		AlternatingFlip: true,
		TTA:             "mirror_translate",
	}
}

// Model declares the recipe's network, named name, for 32x32x3 images and
// 10 classes, with every block's filters multiplied by width (rounded, at
// least 1; the whitening's 24 filters and the 10 outputs are not scaled).
func (r Recipe) Model(name string, width float64) (*Model, error) {
	switch {
	case !(width > 0) || math.IsInf(width, 0):
		return nil, fmt.Errorf("width must be a positive number, got %g", width)
	case len(r.Widths) == 0:
		return nil, fmt.Errorf("recipe %q has no blocks (Widths)", name)
	case r.Translate < 0 || r.Translate > 16:
		return nil, fmt.Errorf("recipe %q: translation by %d pixels: want 0 to 16", name, r.Translate)
	}
	ls := []Layer{Input(32, 32, 3)}
	if r.Translate > 0 {
		f := float64(r.Translate) / 32
		ls = append(ls, RandomTranslation(f, f))
	}
	if r.Whitening {
		ls = append(ls, WhiteningFromData(r.WhiteningImages, r.WhiteningEps, Activation("gelu")))
	} else {
		ls = append(ls, Conv2D(24, 3, Activation("gelu"))) // trainable, "valid": 30x30, pooled to the same 15x15
	}
	bn := func() Layer { return BatchNormalization(Scale(false), Momentum(r.BNMomentum), Epsilon(1e-12)) }
	conv := func(f int) Layer {
		opts := []Option{Padding("same"), UseBias(false)}
		if r.Dirac {
			opts = append(opts, KernelInitializer(initializers.Dirac(initializers.GlorotUniform(initializers.NoSeed))))
		}
		return Conv2D(f, 3, opts...)
	}
	for _, f := range r.Widths {
		f = max(1, int(math.Round(float64(f)*width)))
		ls = append(ls,
			conv(f), MaxPooling2D(2), bn(), Activation("gelu"),
			conv(f), bn(), Activation("gelu"),
		)
	}
	ls = append(ls, MaxPooling2D(3), Flatten(), Dense(NumClasses, UseBias(false)))
	if r.LogitScale != 0 {
		ls = append(ls, Rescaling(r.LogitScale, 0))
	}
	m := Sequential(name, ls...)
	if err := m.Validate(); err != nil {
		return nil, err
	}
	m.width = width
	return m, nil
}

// Clone returns r with its slices copied, so that changing the copy
// leaves r as it was.
func (r Recipe) Clone() Recipe {
	r.Widths = slices.Clone(r.Widths)
	r.ExcludeFromWeightDecay = slices.Clone(r.ExcludeFromWeightDecay)
	return r
}

// String describes the recipe in one line, e.g. "airbench [64 128 128],
// whitening 5000 images, translate 2, batch 1024 x 10 epochs, SGD
// nesterov 0.2 momentum 0.85, weight decay 0.0005, label smoothing 0.2,
// triangular, EMA 0.9, alternating flip, TTA mirror_translate"; the
// techniques switched off are left out.
func (r Recipe) String() string {
	parts := []string{fmt.Sprintf("airbench %v", r.Widths)}
	add := func(on bool, format string, args ...any) {
		if on {
			parts = append(parts, fmt.Sprintf(format, args...))
		}
	}
	add(r.Dirac, "dirac")
	add(r.Whitening, "whitening %d images", r.WhiteningImages)
	add(r.Translate > 0, "translate %d", r.Translate)
	parts = append(parts, fmt.Sprintf("batch %d x %d epochs", r.BatchSize, r.Epochs))
	sgd := "SGD"
	if r.Nesterov {
		sgd += " nesterov"
	}
	parts = append(parts, fmt.Sprintf("%s %g momentum %g", sgd, r.LearningRate, r.Momentum))
	add(r.WeightDecay > 0, "weight decay %g", r.WeightDecay)
	add(r.BiasLRMultiplier > 0, "BN biases at %gx the rate", r.BiasLRMultiplier)
	add(r.LogitScale != 0, "logits x%.4g", r.LogitScale)
	add(r.LabelSmoothing > 0, "label smoothing %g", r.LabelSmoothing)
	add(r.Triangular, "triangular")
	add(r.EMA, "EMA %g", r.EMAMomentum)
	add(r.AlternatingFlip, "alternating flip")
	add(r.TTA != "" && r.TTA != "none", "TTA %s", r.TTA)
	return strings.Join(parts, ", ")
}
