package lessons

import (
	"fmt"
	"math"

	"github.com/cnnlab/cnnlab/pkg/fit"
	"github.com/cnnlab/cnnlab/pkg/nn"
)

// Lesson 12, beyond the course: learning-rate schedules.
var _ = register(&Lesson{
	Number: 12, Name: "lr-schedules", Title: "Learning-rate schedules (beyond the course)", Korean: "학습률 스케줄",
	About: "Beyond the course: the same model and budget with a constant rate (Adam 1e-3), ReduceLROnPlateau " +
		"(factor 0.2), Keras's CosineDecay with a linear warm-up over the first 5% of the steps to twice the rate, and " +
		"ExponentialDecay (the rate halves every quarter of the steps). Schedules set the rate of every step from the " +
		"step counter, as Keras's `LearningRateSchedule` does.",
	Runs: func(s Settings) []RunSpec {
		epochs := s.LongerEpochs(2)
		// Patience 5 at the full preset's 30 epochs, scaled with the
		// epochs, at least 2.
		patience := max(2, int(math.Round(5*float64(epochs)/30)))
		return []RunSpec{
			{Label: "constant", Arch: nn.Arch{}, Epochs: epochs},
			{Label: "reduce on plateau", Arch: nn.Arch{}, Epochs: epochs, ReduceLR: &ReduceLR{Factor: 0.2, Patience: patience}},
			{Label: "cosine + warm-up", Arch: nn.Arch{}, Epochs: epochs, Schedule: cosineWarmup},
			{Label: "exponential", Arch: nn.Arch{}, Epochs: epochs, Schedule: func(steps int, lr float64) fit.Schedule {
				return fit.ExponentialDecay(lr, float64(steps)/4, 0.5, false)
			}},
		}
	},
	Facts: []FactSpec{{Name: "rates", Title: "The learning rate by epoch", Compute: lrByEpoch}},
	Claims: []Claim{
		{Text: "a cosine schedule with warm-up ends better than a constant rate", Metric: TestAccuracy, Expect: Better,
			A: []string{"cosine + warm-up"}, B: []string{"constant"}},
		{Text: "an exponential decay ends better than a constant rate", Metric: TestAccuracy, Expect: Better,
			A: []string{"exponential"}, B: []string{"constant"}},
		{Text: "reducing the rate on a plateau ends better than a constant rate", Metric: TestAccuracy, Expect: Better,
			A: []string{"reduce on plateau"}, B: []string{"constant"}},
	},
})

// cosineWarmup warms up linearly from 0 to twice lr over 5% of the steps,
// then decays along a cosine to 0: Keras's
// CosineDecay(0, 0.95·steps, warmup_target=2·lr, warmup_steps=0.05·steps).
func cosineWarmup(steps int, lr float64) fit.Schedule {
	warm := max(1, float64(steps)/20)
	s := fit.CosineDecay(0, float64(steps)-warm)
	s.WarmupTarget, s.WarmupSteps = 2*lr, warm
	return s
}

// lrByEpoch plots the learning rate of every run's first seed by epoch.
func lrByEpoch(e *Env) (Fact, error) {
	f := Fact{XLabel: "epoch", YLabel: "learning rate (the epoch's last step)"}
	seen := map[string]bool{}
	for _, r := range e.Results.Runs {
		if seen[r.Run.Label] {
			continue
		}
		seen[r.Run.Label] = true
		s := Series{Name: r.Run.Label}
		for i, v := range r.History.Get("learning_rate") {
			s.X, s.Y = append(s.X, float64(i+1)), append(s.Y, v)
		}
		f.Series = append(f.Series, s)
	}
	f.Text = fmt.Sprintf("Schedules change the rate at every step; the plot shows it at the end of each epoch. %d epochs.", len(f.Series[0].X))
	return f, nil
}
