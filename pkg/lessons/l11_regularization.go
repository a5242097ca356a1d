package lessons

import (
	"github.com/cnnlab/cnnlab/pkg/experiment"
	"github.com/cnnlab/cnnlab/pkg/nn"
	"github.com/cnnlab/cnnlab/pkg/regularizers"
)

// Lesson 11: weight regularization.
var _ = register(&experiment.Lesson{
	Number: 11, Name: "regularization", Title: "Weight regularization: L1, L2, L1_L2", Korean: "가중치 규제",
	About: "The course adds l2(1e-5) or l1_l2(l1=1e-5, l2=1e-4) penalties to the kernels of the convolutions or " +
		"of the Dense layers. Keras adds the penalty to the loss (l2: factor·Σw², no ½); the report shows it apart " +
		"from the data loss. A too-large factor shows the other side.",
	Runs: func(s experiment.Settings) []experiment.RunSpec {
		l2, l1l2, big := regularizers.L2(1e-5), regularizers.L1L2(1e-5, 1e-4), regularizers.L2(1e-2)
		return []experiment.RunSpec{
			{Label: "none", Arch: nn.Arch{}},
			{Label: "l2 conv", Arch: nn.Arch{ConvRegularizer: l2}},
			{Label: "l2 dense", Arch: nn.Arch{DenseRegularizer: l2}},
			{Label: "l1_l2 conv", Arch: nn.Arch{ConvRegularizer: l1l2}},
			{Label: "l1_l2 dense", Arch: nn.Arch{DenseRegularizer: l1l2}},
			{Label: "l2 1e-2 everywhere", Arch: nn.Arch{ConvRegularizer: big, DenseRegularizer: big}},
		}
	},
	Facts: []experiment.FactSpec{
		{Name: "penalty", Title: "The penalty apart from the data loss (last epoch)", Compute: regLosses},
	},
	Claims: []experiment.Claim{
		{Text: "small penalties train about as well as none", Metric: experiment.TestAccuracy, Expect: experiment.Similar,
			A: []string{"l2 conv", "l2 dense", "l1_l2 conv", "l1_l2 dense"}, B: []string{"none"}},
		{Text: "a penalty on the Dense layers reduces overfitting", Metric: experiment.OverfitGap, Expect: experiment.Better,
			A: []string{"l1_l2 dense"}, B: []string{"none"}},
		{Text: "a too-large penalty hurts accuracy", Metric: experiment.TestAccuracy, Expect: experiment.Better,
			A: []string{"none"}, B: []string{"l2 1e-2 everywhere"}},
	},
})
