package experiment

import (
	"fmt"

	"github.com/cnnlab/cnnlab/pkg/fit"
	"github.com/cnnlab/cnnlab/pkg/nn"
)

// Training is a [nn.Recipe]'s training in fit's terms: what fit.Compile,
// fit.FitOptions and Evaluate take.
type Training struct {
	Optimizer       fit.Optimizer
	Loss            fit.LossFn   // nil: fit's default cross-entropy
	Schedule        fit.Schedule // nil: the optimizer's constant rate
	AlternatingFlip bool
	TTA             fit.TTA
}

// biasPattern matches the paths of the BatchNormalization biases
// ("/batch_normalization_2/beta"): the variables a recipe's
// BiasLRMultiplier applies to.
const biasPattern = "beta$"

// RecipeLRMultipliers returns the per-variable learning rates of recipe r
// (its BiasLRMultiplier), or nil: the one translation that
// [RecipeTraining] and `cnnlab train --model fast` use.
func RecipeLRMultipliers(r nn.Recipe) []fit.LRMultiplier {
	if r.BiasLRMultiplier <= 0 {
		return nil
	}
	return []fit.LRMultiplier{{Pattern: biasPattern, Factor: r.BiasLRMultiplier}}
}

// RecipeTraining returns the optimizer, loss, schedule, flip and
// test-time augmentation of recipe r for a run of steps optimizer steps
// (the triangular schedule spans them): the one translation of a recipe
// into fit's objects, which lesson 14 and `cnnlab train --model fast`
// use.
func RecipeTraining(r nn.Recipe, steps int) (Training, error) {
	if steps <= 0 {
		return Training{}, fmt.Errorf("experiment: a recipe's run needs steps, got %d", steps)
	}
	sgd := fit.SGD(r.LearningRate, r.Momentum)
	sgd.Nesterov = r.Nesterov
	sgd.WeightDecay = r.WeightDecay
	if r.WeightDecay > 0 {
		sgd.ExcludeFromWeightDecay = r.ExcludeFromWeightDecay
	}
	sgd.LRMultipliers = RecipeLRMultipliers(r)
	if r.EMA {
		sgd.UseEMA, sgd.EMAMomentum, sgd.EMAOverwriteFrequency = true, r.EMAMomentum, r.EMAEvery
	}
	if err := sgd.Validate(); err != nil {
		return Training{}, fmt.Errorf("experiment: the recipe's optimizer: %w", err)
	}
	t := Training{Optimizer: sgd, AlternatingFlip: r.AlternatingFlip}
	if r.LabelSmoothing > 0 {
		loss, err := fit.SmoothedSparseCategoricalCrossentropy(r.LabelSmoothing)
		if err != nil {
			return Training{}, fmt.Errorf("experiment: the recipe's loss: %w", err)
		}
		t.Loss = loss
	}
	if r.Triangular {
		n := float64(steps)
		t.Schedule = fit.Triangular(r.StartFactor*r.LearningRate, r.LearningRate, r.EndFactor*r.LearningRate, r.PeakFraction*n, n)
	}
	tta, err := fit.ParseTTA(r.TTA)
	if err != nil {
		return Training{}, fmt.Errorf("experiment: the recipe's test-time augmentation: %w", err)
	}
	t.TTA = tta
	return t, nil
}
