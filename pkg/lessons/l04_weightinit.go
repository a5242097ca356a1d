package lessons

import (
	"github.com/cnnlab/cnnlab/pkg/experiment"
	"github.com/cnnlab/cnnlab/pkg/initializers"
	"github.com/cnnlab/cnnlab/pkg/nn"
)

// The three initializations the course compares: Keras's random_normal
// (mean 0, stddev 0.05), glorot_uniform (Keras's default) and he_normal.
var inits = []struct {
	label string
	init  initializers.Initializer
}{
	{"normal", initializers.RandomNormal(0, 0.05, initializers.NoSeed)},
	{"glorot", initializers.GlorotUniform(initializers.NoSeed)},
	{"he", initializers.HeNormal(initializers.NoSeed)},
}

// Lesson 4: weight initialization.
var _ = register(&experiment.Lesson{
	Number: 4, Name: "weight-init", Title: "Weight initialization: normal, Glorot, He", Korean: "가중치 초기화",
	About: "The course draws from a normal distribution, then trains the baseline with Keras's random_normal " +
		"(stddev 0.05), Glorot (Xavier) uniform and He normal kernels. Beyond the course, the spread of every " +
		"layer's activations at initialization shows why: with ReLU, He keeps the spread steady with depth, a " +
		"fixed small stddev shrinks it. With BatchNorm after each convolution, the initialization should matter less.",
	Runs: func(s experiment.Settings) []experiment.RunSpec {
		var runs []experiment.RunSpec
		for _, bn := range []bool{false, true} {
			for _, in := range inits {
				label := in.label
				if bn {
					label += "+BN"
				}
				runs = append(runs, experiment.RunSpec{Label: label, Arch: nn.Arch{KernelInitializer: in.init, BatchNorm: bn}})
			}
		}
		return runs
	},
	Facts: []experiment.FactSpec{
		{Name: "normal", Title: "A 100x100 draw from the standard normal", Compute: initNormalDemo},
		{Name: "spread", Title: "Activation spread by depth at initialization", Compute: initSpread(false)},
		{Name: "spread_bn", Title: "Activation spread by depth at initialization, with BatchNorm", Compute: initSpread(true)},
	},
	Claims: []experiment.Claim{
		{Text: "He initialization trains better than a small random normal", Metric: experiment.TestAccuracy, Expect: experiment.Better,
			A: []string{"he"}, B: []string{"normal"}},
		{Text: "Glorot initialization trains better than a small random normal", Metric: experiment.TestAccuracy, Expect: experiment.Better,
			A: []string{"glorot"}, B: []string{"normal"}},
		{Text: "with BatchNorm, He and a small random normal train about the same", Metric: experiment.TestAccuracy, Expect: experiment.Similar,
			A: []string{"he+BN"}, B: []string{"normal+BN"}},
	},
})
