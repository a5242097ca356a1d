package lessons

import (
	"github.com/cnnlab/cnnlab/pkg/experiment"
	"github.com/cnnlab/cnnlab/pkg/nn"
)

// Lesson 14, beyond the course: the airbench recipe, one technique at a
// time.
var _ = register(&experiment.Lesson{
	Number: 14, Name: "fast", Title: "Putting it together: fast CIFAR-10 training (beyond the course)",
	Korean: "종합: 빠른 CIFAR-10 학습",
	About: "Beyond the course: the named model `fast` (nn.FastRecipe) puts together the techniques of airbench (KellerJordan/cifar10-airbench): " +
		"a frozen 2x2 whitening convolution computed from the training images, conv-pool-BN-GELU blocks started as the identity (dirac), " +
		"logits scaled by 1/9, Nesterov SGD with decoupled weight decay and BatchNorm biases at 64x the rate, label smoothing, a triangular rate, " +
		"an exponential moving average of the weights, alternating flips, 2-pixel translations and test-time augmentation. Each run takes one " +
		"technique away from the full recipe (an ablation): if the technique helps, the full recipe tests better. Small presets train the " +
		"recipe for the preset's epochs in batches of 128 (the rate scaled to the batch).",
	Runs: func(s experiment.Settings) []experiment.RunSpec {
		full := nn.FastRecipe()
		full.Epochs, full.BatchSize = experiment.Pick(s, full.Epochs, s.Epochs), experiment.Pick(s, full.BatchSize, 128)
		full.LearningRate *= float64(full.BatchSize) / 1024 // airbench's rate is per 1024 images
		runs := []experiment.RunSpec{{Label: "full recipe", Recipe: &full}}
		for _, a := range fastAblations {
			r := full.Clone()
			a.change(&r)
			runs = append(runs, experiment.RunSpec{Label: a.label, Recipe: &r})
		}
		return runs
	},
	Claims: fastClaims(),
})

// fastAblations are lesson 14's runs after the full recipe: each takes one
// technique away, and the claim says the technique helps.
var fastAblations = []struct {
	label, claim string
	change       func(r *nn.Recipe)
}{
	{"no whitening", "the whitening convolution helps", func(r *nn.Recipe) { r.Whitening = false }},
	{"one rate for BN biases", "training BatchNorm's biases at 64x the rate helps", func(r *nn.Recipe) { r.BiasLRMultiplier = 0 }},
	{"no label smoothing", "label smoothing helps", func(r *nn.Recipe) { r.LabelSmoothing = 0 }},
	{"no EMA", "the moving average of the weights helps", func(r *nn.Recipe) { r.EMA = false }},
	{"no alternating flip", "alternating flips help", func(r *nn.Recipe) { r.AlternatingFlip = false }},
	{"constant rate", "the triangular schedule helps", func(r *nn.Recipe) { r.Triangular = false }},
	{"no TTA", "test-time augmentation helps", func(r *nn.Recipe) { r.TTA = "none" }},
}

// fastClaims are the claims of [fastAblations]: the full recipe tests
// better than the run without the technique.
func fastClaims() []experiment.Claim {
	var claims []experiment.Claim
	for _, a := range fastAblations {
		claims = append(claims, experiment.Claim{Text: a.claim, Metric: experiment.TestAccuracy, Expect: experiment.Better,
			A: []string{"full recipe"}, B: []string{a.label}})
	}
	return claims
}
