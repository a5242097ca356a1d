package lessons

import (
	"math"

	"github.com/cnnlab/cnnlab/pkg/experiment"
	"github.com/cnnlab/cnnlab/pkg/fit"
	"github.com/cnnlab/cnnlab/pkg/nn"
)

// Lesson 12, beyond the course: learning-rate schedules.
var _ = register(&experiment.Lesson{
	Number: 12, Name: "lr-schedules", Title: "Learning-rate schedules (beyond the course)", Korean: "학습률 스케줄",
	About: "Beyond the course: the same model and budget with a constant rate (Adam 1e-3), ReduceLROnPlateau " +
		"(factor 0.2), Keras's CosineDecay with a linear warm-up over the first 5% of the steps to twice the rate, and " +
		"ExponentialDecay (the rate halves every quarter of the steps). Schedules set the rate of every step from the " +
		"step counter, as Keras's `LearningRateSchedule` does.",
	Runs: func(s experiment.Settings) []experiment.RunSpec {
		epochs := s.LongerEpochs(2)
		// Patience 5 at the full preset's 30 epochs, scaled with the
		// epochs, at least 2.
		patience := max(2, int(math.Round(5*float64(epochs)/30)))
		return []experiment.RunSpec{
			{Label: "constant", Arch: nn.Arch{}, Epochs: epochs},
			{Label: "reduce on plateau", Arch: nn.Arch{}, Epochs: epochs, ReduceLR: &experiment.ReduceLR{Factor: 0.2, Patience: patience}},
			{Label: "cosine + warm-up", Arch: nn.Arch{}, Epochs: epochs, Schedule: cosineWarmup},
			{Label: "exponential", Arch: nn.Arch{}, Epochs: epochs, Schedule: func(steps int, lr float64) fit.Schedule {
				return fit.ExponentialDecay(lr, float64(steps)/4, 0.5, false)
			}},
		}
	},
	Facts: []experiment.FactSpec{{Name: "rates", Title: "The learning rate by epoch", Compute: lrByEpoch}},
	Claims: []experiment.Claim{
		{Text: "a cosine schedule with warm-up ends better than a constant rate", Metric: experiment.TestAccuracy, Expect: experiment.Better,
			A: []string{"cosine + warm-up"}, B: []string{"constant"}},
		{Text: "an exponential decay ends better than a constant rate", Metric: experiment.TestAccuracy, Expect: experiment.Better,
			A: []string{"exponential"}, B: []string{"constant"}},
		{Text: "reducing the rate on a plateau ends better than a constant rate", Metric: experiment.TestAccuracy, Expect: experiment.Better,
			A: []string{"reduce on plateau"}, B: []string{"constant"}},
	},
})
