package lessons

import (
	"github.com/cnnlab/cnnlab/pkg/experiment"
	"github.com/cnnlab/cnnlab/pkg/nn"
)

// Lesson 9: filters and depth; stride against pooling.
var _ = register(&experiment.Lesson{
	Number: 9, Name: "depth-stride", Title: "Filters and depth; stride-2 convolution vs pooling", Korean: "필터 수와 층 깊이, 스트라이드",
	About: "The course varies the number of filters and of convolution blocks, and replaces max pooling by a " +
		"stride-2 convolution (the second of each block): similar accuracy, faster. Every model here is the " +
		"baseline with one change.",
	Runs: func(s experiment.Settings) []experiment.RunSpec {
		return []experiment.RunSpec{
			{Label: "baseline", Arch: nn.Arch{}},
			{Label: "fewer filters", Arch: nn.Arch{Filters: []int{16, 32, 64}}},
			{Label: "more filters", Arch: nn.Arch{Filters: []int{64, 128, 256}}},
			{Label: "two blocks", Arch: nn.Arch{Filters: []int{32, 64}}},
			{Label: "three convs per block", Arch: nn.Arch{ConvsPerBlock: 3}},
			{Label: "stride 2", Arch: nn.Arch{Downsample: "stride"}},
		}
	},
	Claims: []experiment.Claim{
		{Text: "more filters train better than fewer", Metric: experiment.TestAccuracy, Expect: experiment.Better,
			A: []string{"more filters"}, B: []string{"fewer filters"}},
		{Text: "three blocks train better than two", Metric: experiment.TestAccuracy, Expect: experiment.Better,
			A: []string{"baseline"}, B: []string{"two blocks"}},
		{Text: "stride-2 convolutions reach about the accuracy of max pooling", Metric: experiment.TestAccuracy, Expect: experiment.Similar,
			A: []string{"stride 2"}, B: []string{"baseline"}},
		{Text: "stride-2 convolutions are faster than max pooling", Metric: experiment.EpochTime, Expect: experiment.Better,
			A: []string{"stride 2"}, B: []string{"baseline"}},
	},
})
