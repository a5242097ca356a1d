package lessons

import (
	"fmt"

	"github.com/cnnlab/cnnlab/pkg/nn"
	"github.com/cnnlab/cnnlab/pkg/regularizers"
)

// Lesson 11: weight regularization.
var _ = register(&Lesson{
	Number: 11, Name: "regularization", Title: "Weight regularization: L1, L2, L1_L2", Korean: "가중치 규제",
	About: "The course adds l2(1e-5) or l1_l2(l1=1e-5, l2=1e-4) penalties to the kernels of the convolutions or " +
		"of the Dense layers. Keras adds the penalty to the loss (l2: factor·Σw², no ½); the report shows it apart " +
		"from the data loss. A too-large factor shows the other side.",
	Runs: func(s Settings) []RunSpec {
		l2, l1l2, big := regularizers.L2(1e-5), regularizers.L1L2(1e-5, 1e-4), regularizers.L2(1e-2)
		return []RunSpec{
			{Label: "none", Arch: nn.Arch{}},
			{Label: "l2 conv", Arch: nn.Arch{ConvRegularizer: l2}},
			{Label: "l2 dense", Arch: nn.Arch{DenseRegularizer: l2}},
			{Label: "l1_l2 conv", Arch: nn.Arch{ConvRegularizer: l1l2}},
			{Label: "l1_l2 dense", Arch: nn.Arch{DenseRegularizer: l1l2}},
			{Label: "l2 1e-2 everywhere", Arch: nn.Arch{ConvRegularizer: big, DenseRegularizer: big}},
		}
	},
	Facts: []FactSpec{
		{Name: "penalty", Title: "The penalty apart from the data loss (last epoch)", Compute: regLosses},
	},
	Claims: []Claim{
		{Text: "small penalties train about as well as none", Metric: TestAccuracy, Expect: Similar,
			A: []string{"l2 conv", "l2 dense", "l1_l2 conv", "l1_l2 dense"}, B: []string{"none"}},
		{Text: "a penalty on the Dense layers reduces overfitting", Metric: OverfitGap, Expect: Better,
			A: []string{"l1_l2 dense"}, B: []string{"none"}},
		{Text: "a too-large penalty hurts accuracy", Metric: TestAccuracy, Expect: Better,
			A: []string{"none"}, B: []string{"l2 1e-2 everywhere"}},
	},
})

// regLosses splits each run's final training loss into data loss and
// penalty.
func regLosses(e *Env) (Fact, error) {
	t := &Table{Header: []string{"run", "seed", "loss", "penalty (regularization_loss)", "data loss", "test accuracy"}}
	for _, r := range e.Results.Runs {
		loss, pen := r.Final("loss"), r.Final("regularization_loss")
		if pen != pen { // NaN: no penalty
			pen = 0
		}
		t.Rows = append(t.Rows, []string{r.Run.Label, fmt.Sprint(r.Seed), f4(loss), fmt.Sprintf("%.4g", pen), f4(loss - pen), f4(float64(r.TestAccuracy))})
	}
	return Fact{Text: "Keras's loss includes the penalty; History's regularization_loss is the penalty alone.", Table: t}, nil
}
