package lessons

import (
	"bytes"
	"fmt"
	"math"

	"github.com/gomlx/gomlx/core/tensors"

	"github.com/cnnlab/cnnlab/cifar"
	"github.com/cnnlab/cnnlab/pkg/experiment"
	"github.com/cnnlab/cnnlab/pkg/fit"
	"github.com/cnnlab/cnnlab/pkg/nn"
)

// Helpers that several lessons' facts share.

// summaryTable returns a model's Keras summary as a table.
func summaryTable(m *nn.Model) *experiment.Table {
	t := &experiment.Table{Header: []string{"layer (type)", "output shape", "params"}}
	for _, l := range m.Layers() {
		t.Rows = append(t.Rows, []string{fmt.Sprintf("%s (%s)", l.Name, l.Class), fmt.Sprint(l.OutputShape), fmt.Sprint(l.Params())})
	}
	tr, ntr := m.NumParams()
	t.Rows = append(t.Rows, []string{"total", "", fmt.Sprint(tr + ntr)})
	return t
}

// gridPNG returns the images of d at indices as a PNG grid titled with
// titles (class names when nil).
func gridPNG(d *cifar.Dataset, indices []int, titles []string) ([]byte, error) {
	var buf bytes.Buffer
	if err := cifar.EncodeGrid(&buf, d, indices, cifar.GridOptions{Cols: 8, Titles: titles}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// head returns the first n images of d (all when it has fewer) as a batch
// scaled by /255.
func head(d *cifar.Dataset, n int) fit.Batch {
	n = min(n, d.Len())
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	return fit.MakeBatch(d.Scaled(cifar.UnitScaling), idx)
}

// compiled returns a trainer for m on the lesson's backend with its
// variables created (at their initial values for seed).
func compiled(e *experiment.Env, m *nn.Model, seed int64) (*fit.Trainer, error) {
	tr, err := fit.Compile(e.Backend, m, fit.Options{Seed: seed})
	if err != nil {
		return nil, err
	}
	if _, _, err := tr.Evaluate(e.Test.Head(1).Scaled(cifar.UnitScaling), 1); err != nil {
		return nil, err
	}
	return tr, nil
}

// floats copies a tensor's values as float64.
func floats(t *tensors.Tensor) []float64 {
	v := tensors.MustCopyFlatData[float32](t)
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

// maxAbsDiff returns the largest |a[i]-b[i]|.
func maxAbsDiff(a, b []float32) float64 {
	d := 0.0
	for i := range a {
		d = max(d, math.Abs(float64(a[i]-b[i])))
	}
	return d
}

// f4 formats a number with 4 decimals.
func f4(x float64) string { return fmt.Sprintf("%.4f", x) }
