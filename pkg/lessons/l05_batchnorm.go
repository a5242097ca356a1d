package lessons

import (
	"github.com/cnnlab/cnnlab/pkg/experiment"
	"github.com/cnnlab/cnnlab/pkg/nn"
)

// Lesson 5: feature scaling and BatchNorm.
var _ = register(&experiment.Lesson{
	Number: 5, Name: "batchnorm", Title: "Feature scaling and BatchNorm", Korean: "배치 정규화",
	About: "Min-max scaling maps [20, 30, 40] to [0, 0.5, 1] and the z-score to [-1.22, 0, 1.22]. The course " +
		"trains on /255, min-max and z-score inputs, then puts BatchNormalization after each convolution and before " +
		"its ReLU. BatchNorm normalizes with the batch's statistics while training and with its moving averages " +
		"(momentum 0.99) at inference, so the same batch gives different outputs in the two modes. The small " +
		"presets use momentum 0.9: with their few training steps, 0.99's averages would still remember their initial values.",
	Runs: func(s experiment.Settings) []experiment.RunSpec {
		return []experiment.RunSpec{
			{Label: "/255", Arch: nn.Arch{}},
			{Label: "min-max", Arch: nn.Arch{}, Scaling: "minmax"},
			{Label: "z-score", Arch: nn.Arch{}, Scaling: "zscore"},
			{Label: "BN", Arch: nn.Arch{BatchNorm: true}},
		}
	},
	Facts: []experiment.FactSpec{
		{Name: "examples", Title: "Min-max and z-score of [20, 30, 40]", Compute: scalingExamples,
			Labels: map[string]string{"minmax_30": "min-max of 30", "zscore_40": "z-score of 40"}},
		{Name: "pixels", Title: "Per-channel pixel statistics of the training images", Compute: pixelStats},
		{Name: "modes", Title: "BatchNorm in training and in inference mode", Compute: bnModes,
			Labels: map[string]string{"differ": "whether the outputs differ between the modes (1 yes, 0 no)"}},
		{Name: "momentum", Title: "What the moving averages still remember", Compute: bnMemory},
		{Name: "statistics", Title: "Moving averages against statistics recomputed at the final weights", Compute: bnStatistics},
	},
	Claims: []experiment.Claim{
		{Text: "min-max of [20, 30, 40] is [0, 0.5, 1]", Expect: experiment.Equal, Values: [2]string{"examples.minmax_30"}, Want: 0.5, Tolerance: 1e-6},
		{Text: "z-score of [20, 30, 40] is [-1.22, 0, 1.22]", Expect: experiment.Equal, Values: [2]string{"examples.zscore_40"}, Want: 1.2247, Tolerance: 0.005},
		{Text: "BatchNorm improves test accuracy", Metric: experiment.TestAccuracy, Expect: experiment.Better, A: []string{"BN"}, B: []string{"/255"}},
		{Text: "z-score inputs train about as well as /255", Metric: experiment.TestAccuracy, Expect: experiment.Similar, A: []string{"z-score"}, B: []string{"/255"}},
		{Text: "min-max inputs train about as well as /255", Metric: experiment.TestAccuracy, Expect: experiment.Similar, A: []string{"min-max"}, B: []string{"/255"}},
		{Text: "the same batch gives different outputs in training and inference mode", Expect: experiment.Equal,
			Values: [2]string{"modes.differ"}, Want: 1},
	},
})
