package lessons

import (
	"github.com/cnnlab/cnnlab/pkg/experiment"
	"github.com/cnnlab/cnnlab/pkg/nn"
)

// Lesson 10: Global Average Pooling.
var _ = register(&experiment.Lesson{
	Number: 10, Name: "gap", Title: "Global Average Pooling vs Flatten", Korean: "Global Average Pooling의 이해와 적용",
	About: "The course replaces Flatten + Dense(300) by GlobalAveragePooling2D, Dropout(0.5), Dense(50), " +
		"Dropout(0.2), Dense(10): 293,968 parameters instead of 904,718, and less overfitting (the gap between " +
		"training and validation accuracy).",
	Runs: func(s experiment.Settings) []experiment.RunSpec {
		return []experiment.RunSpec{
			{Label: "flatten", Arch: nn.Arch{}},
			{Label: "gap", Arch: nn.Arch{Head: "gap"}},
		}
	},
	Facts: []experiment.FactSpec{
		{Name: "params", Title: "Parameters at the course's width", Compute: gapParams},
		{Name: "gap_by_epoch", Title: "Overfitting gap by epoch (accuracy − val_accuracy)", Compute: gapByEpoch},
	},
	Claims: []experiment.Claim{
		{Text: "GAP has far fewer parameters", Metric: experiment.Params, Expect: experiment.Better, A: []string{"gap"}, B: []string{"flatten"}},
		{Text: "GAP overfits less", Metric: experiment.OverfitGap, Expect: experiment.Better, A: []string{"gap"}, B: []string{"flatten"}},
		{Text: "GAP reaches about the accuracy of Flatten", Metric: experiment.TestAccuracy, Expect: experiment.Similar, A: []string{"gap"}, B: []string{"flatten"}},
	},
})
