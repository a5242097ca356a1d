package lessons

import (
	"fmt"

	"github.com/cnnlab/cnnlab/pkg/experiment"
)

// regLosses splits each run's final training loss into data loss and
// penalty.
func regLosses(e *experiment.Env) (experiment.Fact, error) {
	t := &experiment.Table{Header: []string{"run", "seed", "loss", "penalty (regularization_loss)", "data loss", "test accuracy"}}
	for _, r := range e.Results.Runs {
		loss, pen := r.Final("loss"), r.Final("regularization_loss")
		if pen != pen { // NaN: no penalty
			pen = 0
		}
		t.Rows = append(t.Rows, []string{r.Run.Label, fmt.Sprint(r.Seed), f4(loss), fmt.Sprintf("%.4g", pen), f4(loss - pen), f4(float64(r.TestAccuracy))})
	}
	return experiment.Fact{Text: "Keras's loss includes the penalty; History's regularization_loss is the penalty alone.", Table: t}, nil
}
