package lessons

import (
	"github.com/cnnlab/cnnlab/pkg/experiment"
	"github.com/cnnlab/cnnlab/pkg/nn"
)

// Lesson 6: shuffling.
var _ = register(&experiment.Lesson{
	Number: 6, Name: "shuffle", Title: "Shuffling the training data", Korean: "셔플",
	About: "The course trains with and without `shuffle` (batch 64, 30 epochs) and says that shuffling makes " +
		"training stable. We measure stability as the epoch-to-epoch spread of val_accuracy (per seed), besides the " +
		"accuracy. \"No shuffle\" visits the images in the same order every epoch: the order of the source (the " +
		"official release is not sorted; a class-sorted copy such as the JPEG archive is put in one seeded order " +
		"first, and the report says so). Beyond the course, a run in class-sorted order shows why shuffling is the " +
		"loader's job.",
	Runs: func(s experiment.Settings) []experiment.RunSpec {
		return []experiment.RunSpec{
			{Label: "shuffle", Arch: nn.Arch{}},
			{Label: "no shuffle", Arch: nn.Arch{}, Order: "fixed"},
			{Label: "sorted by class", Arch: nn.Arch{}, Order: "sorted"},
		}
	},
	Claims: []experiment.Claim{
		{Text: "shuffling makes validation steadier from epoch to epoch", Metric: experiment.ValSpread, Expect: experiment.Better,
			A: []string{"shuffle"}, B: []string{"no shuffle"}},
		{Text: "shuffling trains at least as well as a fixed order", Metric: experiment.TestAccuracy, Expect: experiment.AtLeast,
			A: []string{"shuffle"}, B: []string{"no shuffle"}},
		{Text: "a class-sorted order trains far worse than shuffled batches", Metric: experiment.TestAccuracy, Expect: experiment.Better,
			A: []string{"shuffle"}, B: []string{"sorted by class"}},
	},
})
