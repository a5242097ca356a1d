package lessons

import (
	"fmt"
	"math"
	"strings"

	"github.com/cnnlab/cnnlab/pkg/experiment"
)

// callbackPatiences returns the patiences of ReduceLROnPlateau and
// EarlyStopping for a run of epochs: the course's 5 and 10 at its 40
// epochs, scaled with the epochs (rounded, at least 1), EarlyStopping's
// twice ReduceLROnPlateau's.
func callbackPatiences(epochs int) (reduce, stop int) {
	reduce = max(1, int(math.Round(5*float64(epochs)/40)))
	return reduce, 2 * reduce
}

// lrSchedule reports, for each run, where the rate was reduced, where
// training stopped and the best epoch, and plots the learning rate.
func lrSchedule(e *experiment.Env) (experiment.Fact, error) {
	f := experiment.Fact{XLabel: "epoch", YLabel: "learning rate",
		Table: &experiment.Table{Header: []string{"run", "seed", "epochs run", "reduced at epochs", "best epoch (val_loss)", "test accuracy, last weights", "test accuracy, best checkpoint"}}}
	for _, r := range e.Results.Runs {
		lr := r.History.Get("learning_rate")
		var reduced []string
		s := experiment.Series{Name: fmt.Sprintf("%s, seed %d", r.Run.Label, r.Seed)}
		for i, v := range lr {
			s.X, s.Y = append(s.X, float64(i+1)), append(s.Y, v)
			if i > 0 && v < lr[i-1] {
				reduced = append(reduced, fmt.Sprint(i+1))
			}
		}
		f.Series = append(f.Series, s)
		f.Table.Rows = append(f.Table.Rows, []string{r.Run.Label, fmt.Sprint(r.Seed), fmt.Sprint(len(lr)),
			strings.Join(reduced, ", "), fmt.Sprint(r.BestEpoch), f4(float64(r.TestAccuracy)), f4(float64(r.BestTestAccuracy))})
	}
	f.Text = "ReduceLROnPlateau multiplies the rate by 0.2 when val_loss has not improved for its patience; " +
		"EarlyStopping ends the run when it has not improved for its (longer) patience; the best checkpoint is the epoch with the lowest val_loss."
	return f, nil
}
