package lessons

import (
	"fmt"
	"math"
	"strings"

	"github.com/cnnlab/cnnlab/pkg/nn"
)

// Lesson 8: learning-rate callbacks.
var _ = register(&Lesson{
	Number: 8, Name: "lr-callbacks", Title: "ReduceLROnPlateau, EarlyStopping, ModelCheckpoint", Korean: "학습률 스케줄링과 콜백",
	About: "The course trains with Adam 1e-3 and batch 32, ReduceLROnPlateau(val_loss, factor 0.2, patience 5), " +
		"EarlyStopping(patience 10) and ModelCheckpoint(save_best_only, `weights.{epoch:02d}-{val_loss:.2f}`), then " +
		"reloads the best checkpoint and evaluates it on the test set, over 40 epochs. The other presets train for their " +
		"epochs (three times as many in the smoke and quick presets) and scale the patiences with the epochs: " +
		"ReduceLROnPlateau's is 5·epochs/40, rounded, at least 1, and EarlyStopping's twice that, the course's ratio " +
		"(standard: 15 epochs, patiences 2 and 4; quick: 12 epochs, 2 and 4), so that both callbacks can fire. " +
		"A run with a constant rate and no callbacks, for the same epochs, is the reference.",
	Runs: func(s Settings) []RunSpec {
		epochs := Pick(s, 40, s.LongerEpochs(3))
		reduce, stop := callbackPatiences(epochs)
		return []RunSpec{
			{Label: "callbacks", Arch: nn.Arch{}, BatchSize: 32, Epochs: epochs,
				ReduceLR:  &ReduceLR{Factor: 0.2, Patience: reduce},
				EarlyStop: &EarlyStop{Patience: stop}, CheckpointBest: true},
			{Label: "constant", Arch: nn.Arch{}, BatchSize: 32, Epochs: epochs, CheckpointBest: true},
		}
	},
	Facts: []FactSpec{
		{Name: "schedule", Title: "The learning rate by epoch", Compute: lrSchedule},
	},
	Claims: []Claim{
		{Text: "reducing the rate on a plateau ends at a better test accuracy than a constant rate", Metric: TestAccuracy,
			Expect: Better, A: []string{"callbacks"}, B: []string{"constant"}},
		{Text: "the best checkpoint tests at least as well as the last epoch's weights", Metric: BestMinusLast,
			Expect: AtLeast, A: []string{"constant"}},
	},
})

// callbackPatiences returns the patiences of ReduceLROnPlateau and
// EarlyStopping for a run of epochs: the course's 5 and 10 at its 40
// epochs, scaled with the epochs (rounded, at least 1), EarlyStopping's
// twice ReduceLROnPlateau's.
func callbackPatiences(epochs int) (reduce, stop int) {
	reduce = max(1, int(math.Round(5*float64(epochs)/40)))
	return reduce, 2 * reduce
}

// BestMinusLast is the test accuracy of the best epoch's checkpoint minus
// that of the last epoch's weights.
var BestMinusLast = Metric{Name: "test accuracy of the best checkpoint minus that of the last weights", Higher: true,
	MinEffect: 0.005, Learned: true, Images: testImages,
	Of: func(r *RunResult) float64 { return float64(r.BestTestAccuracy - r.TestAccuracy) }}

// lrSchedule reports, for each run, where the rate was reduced, where
// training stopped and the best epoch, and plots the learning rate.
func lrSchedule(e *Env) (Fact, error) {
	f := Fact{XLabel: "epoch", YLabel: "learning rate",
		Table: &Table{Header: []string{"run", "seed", "epochs run", "reduced at epochs", "best epoch (val_loss)", "test accuracy, last weights", "test accuracy, best checkpoint"}}}
	for _, r := range e.Results.Runs {
		lr := r.History.Get("learning_rate")
		var reduced []string
		s := Series{Name: fmt.Sprintf("%s, seed %d", r.Run.Label, r.Seed)}
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
