package lessons

import (
	"fmt"

	"github.com/cnnlab/cnnlab/pkg/experiment"
	"github.com/cnnlab/cnnlab/pkg/nn"
)

// Lesson 7: batch size.
var _ = register(&experiment.Lesson{
	Number: 7, Name: "batch-size", Title: "Batch size", Korean: "배치 크기",
	About: "The course trains with several batch sizes, with and without BatchNorm, and says that smaller batches " +
		"(between 8 and 32) do better, smaller still with BN. Smaller batches take more (noisier) steps per epoch " +
		"and each epoch takes longer on a CPU. The quick preset uses three sizes.",
	Runs: func(s experiment.Settings) []experiment.RunSpec {
		var runs []experiment.RunSpec
		for _, bn := range []bool{false, true} {
			for _, size := range batchSizes(s) {
				label := fmt.Sprintf("batch %d", size)
				if bn {
					label += " +BN"
				}
				runs = append(runs, experiment.RunSpec{Label: label, Arch: nn.Arch{BatchNorm: bn}, BatchSize: size})
			}
		}
		return runs
	},
	Claims: []experiment.Claim{
		{Text: "small batches (8 to 32) do better than large ones (64 and up)", Metric: experiment.TestAccuracy, Expect: experiment.Better,
			A: []string{"batch 16"}, B: []string{"batch 256"}},
		{Text: "with BatchNorm too, small batches do better than large ones", Metric: experiment.TestAccuracy, Expect: experiment.Better,
			A: []string{"batch 16 +BN"}, B: []string{"batch 256 +BN"}},
		{Text: "large batches are faster per epoch", Metric: experiment.EpochTime, Expect: experiment.Better,
			A: []string{"batch 256"}, B: []string{"batch 16"}},
	},
})

// batchSizes are the sizes the lesson compares at a preset.
func batchSizes(s experiment.Settings) []int {
	return experiment.Pick(s, []int{8, 16, 32, 64, 128, 256}, []int{16, 64, 256})
}
