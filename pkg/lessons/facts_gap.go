package lessons

import (
	"fmt"

	"github.com/cnnlab/cnnlab/pkg/experiment"
	"github.com/cnnlab/cnnlab/pkg/nn"
)

func gapParams(e *experiment.Env) (experiment.Fact, error) {
	f := experiment.Fact{Values: map[string]float64{},
		Table: &experiment.Table{Header: []string{"model", "parameters"}}}
	for _, name := range []string{"baseline", "gap"} {
		m, err := nn.Named(name, 1)
		if err != nil {
			return experiment.Fact{}, err
		}
		p, _ := m.NumParams()
		f.Values[name] = float64(p)
		f.Table.Rows = append(f.Table.Rows, []string{name, fmt.Sprint(p)})
	}
	f.Text = fmt.Sprintf("Flatten feeds 4·4·128 = 2,048 values to Dense(300); GAP feeds 128 to Dense(50). The runs use width %g.", e.Settings.Width)
	return f, nil
}

func gapByEpoch(e *experiment.Env) (experiment.Fact, error) {
	f := experiment.Fact{XLabel: "epoch", YLabel: "accuracy − val_accuracy"}
	for _, r := range e.Results.Runs {
		acc, val := r.History.Get("accuracy"), r.History.Get("val_accuracy")
		s := experiment.Series{Name: fmt.Sprintf("%s, seed %d", r.Run.Label, r.Seed)}
		for i := range acc {
			s.X, s.Y = append(s.X, float64(i+1)), append(s.Y, acc[i]-val[i])
		}
		f.Series = append(f.Series, s)
	}
	return f, nil
}
