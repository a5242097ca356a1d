package lessons

import (
	"fmt"

	"github.com/cnnlab/cnnlab/pkg/nn"
)

// Lesson 10: Global Average Pooling.
var _ = register(&Lesson{
	Number: 10, Name: "gap", Title: "Global Average Pooling vs Flatten", Korean: "Global Average Pooling의 이해와 적용",
	About: "The course replaces Flatten + Dense(300) by GlobalAveragePooling2D, Dropout(0.5), Dense(50), " +
		"Dropout(0.2), Dense(10): 293,968 parameters instead of 904,718, and less overfitting (the gap between " +
		"training and validation accuracy).",
	Runs: func(s Settings) []RunSpec {
		return []RunSpec{
			{Label: "flatten", Arch: nn.Arch{}},
			{Label: "gap", Arch: nn.Arch{Head: "gap"}},
		}
	},
	Facts: []FactSpec{
		{Name: "params", Title: "Parameters at the course's width", Compute: gapParams},
		{Name: "gap_by_epoch", Title: "Overfitting gap by epoch (accuracy − val_accuracy)", Compute: gapByEpoch},
	},
	Claims: []Claim{
		{Text: "GAP has far fewer parameters", Metric: Params, Expect: Better, A: []string{"gap"}, B: []string{"flatten"}},
		{Text: "GAP overfits less", Metric: OverfitGap, Expect: Better, A: []string{"gap"}, B: []string{"flatten"}},
		{Text: "GAP reaches about the accuracy of Flatten", Metric: TestAccuracy, Expect: Similar, A: []string{"gap"}, B: []string{"flatten"}},
	},
})

func gapParams(e *Env) (Fact, error) {
	f := Fact{Values: map[string]float64{},
		Table: &Table{Header: []string{"model", "parameters"}}}
	for _, name := range []string{"baseline", "gap"} {
		m, err := nn.Named(name, 1)
		if err != nil {
			return Fact{}, err
		}
		p, _ := m.NumParams()
		f.Values[name] = float64(p)
		f.Table.Rows = append(f.Table.Rows, []string{name, fmt.Sprint(p)})
	}
	f.Text = fmt.Sprintf("Flatten feeds 4·4·128 = 2,048 values to Dense(300); GAP feeds 128 to Dense(50). The runs use width %g.", e.Settings.Width)
	return f, nil
}

func gapByEpoch(e *Env) (Fact, error) {
	f := Fact{XLabel: "epoch", YLabel: "accuracy − val_accuracy"}
	for _, r := range e.Results.Runs {
		acc, val := r.History.Get("accuracy"), r.History.Get("val_accuracy")
		s := Series{Name: fmt.Sprintf("%s, seed %d", r.Run.Label, r.Seed)}
		for i := range acc {
			s.X, s.Y = append(s.X, float64(i+1)), append(s.Y, acc[i]-val[i])
		}
		f.Series = append(f.Series, s)
	}
	return f, nil
}
