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
	About: "Beyond the course: the named model `fast` (nn.FastRecipe) puts together the techniques of airbench " +
		"(KellerJordan/cifar10-airbench): a frozen 2x2 whitening convolution computed from the training images, " +
		"conv-pool-BN-GELU blocks, Nesterov SGD with decoupled weight decay, label smoothing, a triangular rate, an " +
		"exponential moving average of the weights, alternating flips, 2-pixel translations and test-time " +
		"augmentation. Each run takes one technique away from the full recipe (an ablation): if the technique " +
		"helps, the full recipe tests better. Small presets train the recipe for the preset's epochs in batches of 128.",
	Runs: func(s experiment.Settings) []experiment.RunSpec {
		full := nn.FastRecipe()
		full.Epochs, full.BatchSize = experiment.Pick(s, full.Epochs, s.Epochs), experiment.Pick(s, full.BatchSize, 128)
		without := func(label string, change func(r *nn.Recipe)) experiment.RunSpec {
			r := full
			change(&r)
			return experiment.RunSpec{Label: label, Recipe: &r}
		}
		return []experiment.RunSpec{
			{Label: "full recipe", Recipe: &full},
			without("no whitening", func(r *nn.Recipe) { r.Whitening = false }),
			without("no label smoothing", func(r *nn.Recipe) { r.LabelSmoothing = 0 }),
			without("no EMA", func(r *nn.Recipe) { r.EMA = false }),
			without("no alternating flip", func(r *nn.Recipe) { r.AlternatingFlip = false }),
			without("constant rate", func(r *nn.Recipe) { r.Triangular = false }),
			without("no TTA", func(r *nn.Recipe) { r.TTA = "none" }),
		}
	},
	Claims: []experiment.Claim{
		{Text: "the whitening convolution helps", Metric: experiment.TestAccuracy, Expect: experiment.Better,
			A: []string{"full recipe"}, B: []string{"no whitening"}},
		{Text: "label smoothing helps", Metric: experiment.TestAccuracy, Expect: experiment.Better,
			A: []string{"full recipe"}, B: []string{"no label smoothing"}},
		{Text: "the moving average of the weights helps", Metric: experiment.TestAccuracy, Expect: experiment.Better,
			A: []string{"full recipe"}, B: []string{"no EMA"}},
		{Text: "alternating flips help", Metric: experiment.TestAccuracy, Expect: experiment.Better,
			A: []string{"full recipe"}, B: []string{"no alternating flip"}},
		{Text: "the triangular schedule helps", Metric: experiment.TestAccuracy, Expect: experiment.Better,
			A: []string{"full recipe"}, B: []string{"constant rate"}},
		{Text: "test-time augmentation helps", Metric: experiment.TestAccuracy, Expect: experiment.Better,
			A: []string{"full recipe"}, B: []string{"no TTA"}},
	},
})
