package lessons

import (
	"fmt"

	"github.com/cnnlab/cnnlab/pkg/experiment"
	"github.com/cnnlab/cnnlab/pkg/fit"
)

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
func lrByEpoch(e *experiment.Env) (experiment.Fact, error) {
	f := experiment.Fact{XLabel: "epoch", YLabel: "learning rate (the epoch's last step)"}
	seen := map[string]bool{}
	for _, r := range e.Results.Runs {
		if seen[r.Run.Label] {
			continue
		}
		seen[r.Run.Label] = true
		s := experiment.Series{Name: r.Run.Label}
		for i, v := range r.History.Get("learning_rate") {
			s.X, s.Y = append(s.X, float64(i+1)), append(s.Y, v)
		}
		f.Series = append(f.Series, s)
	}
	f.Text = fmt.Sprintf("Schedules change the rate at every step; the plot shows it at the end of each epoch. %d epochs.", len(f.Series[0].X))
	return f, nil
}
