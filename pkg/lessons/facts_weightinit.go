package lessons

import (
	"fmt"
	"math"

	"github.com/cnnlab/cnnlab/pkg/experiment"
	"github.com/cnnlab/cnnlab/pkg/initializers"
	"github.com/cnnlab/cnnlab/pkg/nn"
)

func initNormalDemo(e *experiment.Env) (experiment.Fact, error) {
	x, err := initializers.RandomNormal(0, 1, e.Settings.DataSeed).Draw(e.Backend, 100, 100)
	if err != nil {
		return experiment.Fact{}, err
	}
	var sum, sq float64
	for _, v := range x {
		sum += float64(v)
		sq += float64(v) * float64(v)
	}
	mean := sum / float64(len(x))
	std := math.Sqrt(sq/float64(len(x)) - mean*mean)
	return experiment.Fact{Text: fmt.Sprintf("`np.random.normal(0, 1, (100, 100))` in the course; here `initializers.RandomNormal(0, 1, seed).Draw`: "+
		"mean %.4f, std %.4f, sum %.2f (the sum of 10,000 values spreads by √10,000 = 100).", mean, std, sum),
		Values: map[string]float64{"mean": mean, "std": std, "sum": sum}}, nil
}

// initSpread returns the fact that plots the standard deviation of each
// convolution block's activations at initialization, for every
// initialization, on one batch of training images (training mode: batch
// statistics in BatchNorm).
func initSpread(bn bool) func(e *experiment.Env) (experiment.Fact, error) {
	return func(e *experiment.Env) (experiment.Fact, error) {
		f := experiment.Fact{XLabel: "layer (ReLU output)", YLabel: "std of activations",
			Values: map[string]float64{}, Table: &experiment.Table{Header: []string{"init"}}}
		b := head(e.Train, 64)
		for _, in := range inits {
			a := e.Settings.Sized(nn.Arch{KernelInitializer: in.init, BatchNorm: bn})
			m, err := a.Model(in.label)
			if err != nil {
				return experiment.Fact{}, err
			}
			tr, err := compiled(e, m, e.Settings.DataSeed)
			if err != nil {
				return experiment.Fact{}, err
			}
			outs, err := tr.Inspect(b, true, m.Outputs)
			if err != nil {
				return experiment.Fact{}, err
			}
			s := experiment.Series{Name: in.label}
			row := []string{in.label}
			for i, l := range m.Layers() {
				if l.Activation != "relu" || (l.Class != "Conv2D" && l.Class != "Activation") {
					continue // the ReLU outputs of the convolution blocks
				}
				_, std := experiment.MeanStd(floats(outs[i]))
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
