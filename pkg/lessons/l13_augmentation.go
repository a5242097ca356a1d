package lessons

import (
	"github.com/cnnlab/cnnlab/pkg/experiment"
	"github.com/cnnlab/cnnlab/pkg/nn"
)

// Lesson 13, beyond the course: data augmentation.
var _ = register(&experiment.Lesson{
	Number: 13, Name: "augmentation", Title: "Data augmentation (beyond the course)", Korean: "데이터 증강",
	About: "Beyond the course: Keras's preprocessing layers as the first layers of the model, active while training " +
		"only: RandomFlip(\"horizontal\"), RandomTranslation(0.1, 0.1) with reflected borders, and the CIFAR recipe of " +
		"a 32x32 RandomCrop of the image padded by 4 zero pixels. Augmentation shows the model a new variant of every " +
		"image each epoch: it should overfit less, and need more epochs to fit.",
	Runs: func(s experiment.Settings) []experiment.RunSpec {
		epochs := s.LongerEpochs(2)
		return []experiment.RunSpec{
			{Label: "none", Arch: nn.Arch{}, Epochs: epochs},
			{Label: "flip", Arch: nn.Arch{Augment: nn.Augment{Flip: true}}, Epochs: epochs},
			{Label: "flip + translate", Arch: nn.Arch{Augment: nn.Augment{Flip: true, Translate: 0.1}}, Epochs: epochs},
			{Label: "flip + crop", Arch: nn.Arch{Augment: nn.Augment{Flip: true, CropPadding: 4}}, Epochs: epochs},
		}
	},
	Claims: []experiment.Claim{
		{Text: "flipping the images improves test accuracy", Metric: experiment.TestAccuracy, Expect: experiment.Better,
			A: []string{"flip"}, B: []string{"none"}},
		{Text: "flip + crop improves test accuracy", Metric: experiment.TestAccuracy, Expect: experiment.Better,
			A: []string{"flip + crop"}, B: []string{"none"}},
		{Text: "augmentation reduces overfitting", Metric: experiment.OverfitGap, Expect: experiment.Better,
			A: []string{"flip + translate", "flip + crop"}, B: []string{"none"}},
	},
})
