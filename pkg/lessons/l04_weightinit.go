package lessons

import (
	"fmt"
	"math"

	"github.com/cnnlab/cnnlab/pkg/initializers"
	"github.com/cnnlab/cnnlab/pkg/nn"
)

// The three initializations the course compares: Keras's random_normal
// (mean 0, stddev 0.05), glorot_uniform (Keras's default) and he_normal.
var inits = []struct {
	label string
	init  initializers.Initializer
}{
	{"normal", initializers.RandomNormal(0, 0.05, initializers.NoSeed)},
	{"glorot", initializers.GlorotUniform(initializers.NoSeed)},
	{"he", initializers.HeNormal(initializers.NoSeed)},
}

// Lesson 4: weight initialization.
var _ = register(&Lesson{
	Number: 4, Name: "weight-init", Title: "Weight initialization: normal, Glorot, He", Korean: "가중치 초기화",
	About: "The course draws from a normal distribution, then trains the baseline with Keras's random_normal " +
		"(stddev 0.05), Glorot (Xavier) uniform and He normal kernels. Beyond the course, the spread of every " +
		"layer's activations at initialization shows why: with ReLU, He keeps the spread steady with depth, a " +
		"fixed small stddev shrinks it. With BatchNorm after each convolution, the initialization should matter less.",
	Runs: func(s Settings) []RunSpec {
		var runs []RunSpec
		for _, bn := range []bool{false, true} {
			for _, in := range inits {
				label := in.label
				if bn {
					label += "+BN"
				}
				runs = append(runs, RunSpec{Label: label, Arch: nn.Arch{KernelInitializer: in.init, BatchNorm: bn}})
			}
		}
		return runs
	},
	Facts: []FactSpec{
		{Name: "normal", Title: "A 100x100 draw from the standard normal", Compute: initNormalDemo},
		{Name: "spread", Title: "Activation spread by depth at initialization", Compute: initSpread(false)},
		{Name: "spread_bn", Title: "Activation spread by depth at initialization, with BatchNorm", Compute: initSpread(true)},
	},
	Claims: []Claim{
		{Text: "He initialization trains better than a small random normal", Metric: TestAccuracy, Expect: Better,
			A: []string{"he"}, B: []string{"normal"}},
		{Text: "Glorot initialization trains better than a small random normal", Metric: TestAccuracy, Expect: Better,
			A: []string{"glorot"}, B: []string{"normal"}},
		{Text: "with BatchNorm, He and a small random normal train about the same", Metric: TestAccuracy, Expect: Similar,
			A: []string{"he+BN"}, B: []string{"normal+BN"}},
	},
})

func initNormalDemo(e *Env) (Fact, error) {
	x, err := initializers.RandomNormal(0, 1, e.Settings.DataSeed).Draw(e.Backend, 100, 100)
	if err != nil {
		return Fact{}, err
	}
	var sum, sq float64
	for _, v := range x {
		sum += float64(v)
		sq += float64(v) * float64(v)
	}
	mean := sum / float64(len(x))
	std := math.Sqrt(sq/float64(len(x)) - mean*mean)
	return Fact{Text: fmt.Sprintf("`np.random.normal(0, 1, (100, 100))` in the course; here `initializers.RandomNormal(0, 1, seed).Draw`: "+
		"mean %.4f, std %.4f, sum %.2f (the sum of 10,000 values spreads by √10,000 = 100).", mean, std, sum),
		Values: map[string]float64{"mean": mean, "std": std, "sum": sum}}, nil
}

// initSpread returns the fact that plots the standard deviation of each
// convolution block's activations at initialization, for every
// initialization, on one batch of training images (training mode: batch
// statistics in BatchNorm).
func initSpread(bn bool) func(e *Env) (Fact, error) {
	return func(e *Env) (Fact, error) {
		f := Fact{XLabel: "layer (ReLU output)", YLabel: "std of activations",
			Values: map[string]float64{}, Table: &Table{Header: []string{"init"}}}
		b := head(e.Train, 64)
		for _, in := range inits {
			a := e.Settings.sized(nn.Arch{KernelInitializer: in.init, BatchNorm: bn})
			m, err := a.Model(in.label)
			if err != nil {
				return Fact{}, err
			}
			tr, err := e.compiled(m, e.Settings.DataSeed)
			if err != nil {
				return Fact{}, err
			}
			outs, err := tr.Inspect(b, true, m.Outputs)
			if err != nil {
				return Fact{}, err
			}
			s := Series{Name: in.label}
			row := []string{in.label}
			for i, l := range m.Layers() {
				if l.Activation != "relu" || (l.Class != "Conv2D" && l.Class != "Activation") {
					continue // the ReLU outputs of the convolution blocks
				}
				_, std := meanStd(floats(outs[i]))
				s.X = append(s.X, float64(len(s.X)+1))
				s.Y = append(s.Y, std)
				row = append(row, fmt.Sprintf("%.3g", std))
				if len(f.Table.Header) <= len(s.X) {
					f.Table.Header = append(f.Table.Header, fmt.Sprintf("relu %d", len(s.X)))
				}
			}
			f.Values[in.label+"_last"] = s.Y[len(s.Y)-1]
			f.Series = append(f.Series, s)
			f.Table.Rows = append(f.Table.Rows, row)
		}
		f.Text = "The standard deviation of each convolution's ReLU output on 64 training images, before any training."
		return f, nil
	}
}
