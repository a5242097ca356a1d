package lessons

import (
	"github.com/cnnlab/cnnlab/pkg/experiment"
	"github.com/cnnlab/cnnlab/pkg/nn"
)

// Lesson 3: 3x3 against 5x5 convolutions.
var _ = register(&experiment.Lesson{
	Number: 3, Name: "filter-size", Title: "Filter size: 3x3 vs 5x5", Korean: "필터 크기",
	About: "The course trains the baseline with 3x3 and with 5x5 convolutions and compares accuracy, " +
		"parameters and time. A 5x5 kernel sees more at once but has 25/9 ≈ 2.8 times the weights and " +
		"multiplications; two stacked 3x3 convolutions already see 5x5.",
	Runs: func(s experiment.Settings) []experiment.RunSpec {
		return []experiment.RunSpec{
			{Label: "3x3", Arch: nn.Arch{KernelSize: 3}},
			{Label: "5x5", Arch: nn.Arch{KernelSize: 5}},
		}
	},
	Claims: []experiment.Claim{
		{Text: "3x3 kernels train as well as 5x5 ones", Metric: experiment.TestAccuracy, Expect: experiment.Similar, A: []string{"3x3"}, B: []string{"5x5"}},
		{Text: "3x3 kernels are faster per epoch", Metric: experiment.EpochTime, Expect: experiment.Better, A: []string{"3x3"}, B: []string{"5x5"}},
		{Text: "3x3 kernels have fewer parameters", Metric: experiment.Params, Expect: experiment.Better, A: []string{"3x3"}, B: []string{"5x5"}},
	},
})
