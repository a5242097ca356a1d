package lessons

import (
	"github.com/cnnlab/cnnlab/pkg/experiment"
	"github.com/cnnlab/cnnlab/pkg/nn"
)

// Lesson 8: learning-rate callbacks.
var _ = register(&experiment.Lesson{
	Number: 8, Name: "lr-callbacks", Title: "ReduceLROnPlateau, EarlyStopping, ModelCheckpoint", Korean: "학습률 스케줄링과 콜백",
	About: "The course trains with Adam 1e-3 and batch 32, ReduceLROnPlateau(val_loss, factor 0.2, patience 5), " +
		"EarlyStopping(patience 10) and ModelCheckpoint(save_best_only, `weights.{epoch:02d}-{val_loss:.2f}`), then " +
		"reloads the best checkpoint and evaluates it on the test set, over 40 epochs. The other presets train for their " +
		"epochs (three times as many in the smoke and quick presets) and scale the patiences with the epochs: " +
		"ReduceLROnPlateau's is 5·epochs/40, rounded, at least 1, and EarlyStopping's twice that, the course's ratio " +
		"(standard: 15 epochs, patiences 2 and 4; quick: 12 epochs, 2 and 4), so that both callbacks can fire. " +
		"A run with a constant rate and no callbacks, for the same epochs, is the reference.",
	Runs: func(s experiment.Settings) []experiment.RunSpec {
		epochs := experiment.Pick(s, 40, s.LongerEpochs(3))
		reduce, stop := callbackPatiences(epochs)
		return []experiment.RunSpec{
			{Label: "callbacks", Arch: nn.Arch{}, BatchSize: 32, Epochs: epochs,
				ReduceLR:  &experiment.ReduceLR{Factor: 0.2, Patience: reduce},
				EarlyStop: &experiment.EarlyStop{Patience: stop}, CheckpointBest: true},
			{Label: "constant", Arch: nn.Arch{}, BatchSize: 32, Epochs: epochs, CheckpointBest: true},
		}
	},
	Facts: []experiment.FactSpec{
		{Name: "schedule", Title: "The learning rate by epoch", Compute: lrSchedule},
	},
	Claims: []experiment.Claim{
		{Text: "reducing the rate on a plateau ends at a better test accuracy than a constant rate", Metric: experiment.TestAccuracy,
			Expect: experiment.Better, A: []string{"callbacks"}, B: []string{"constant"}},
		{Text: "the best checkpoint tests at least as well as the last epoch's weights", Metric: experiment.BestMinusLast,
			Expect: experiment.AtLeast, A: []string{"constant"}},
	},
})
