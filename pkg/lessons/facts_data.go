package lessons

import (
	"fmt"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/cnnlab/cnnlab/cifar"
	"github.com/cnnlab/cnnlab/pkg/experiment"
	"github.com/cnnlab/cnnlab/pkg/fit"
	"github.com/cnnlab/cnnlab/pkg/nn"
	"github.com/cnnlab/cnnlab/pkg/split"
)

func dataCounts(e *experiment.Env) (experiment.Fact, error) {
	tr, te := e.Data.Train.ClassCounts(), e.Data.Test.ClassCounts()
	t := &experiment.Table{Header: []string{"label", "class", "train", "test"}}
	for c, name := range cifar.Classes {
		t.Rows = append(t.Rows, []string{fmt.Sprint(c), name, fmt.Sprint(tr[c]), fmt.Sprint(te[c])})
	}
	return experiment.Fact{Text: fmt.Sprintf("%s (%s format): %d training and %d test images, %d per class in training.",
		e.Data.Source, e.Data.Format, e.Data.Train.Len(), e.Data.Test.Len(), tr[0]),
		Values: map[string]float64{"train": float64(e.Data.Train.Len()), "test": float64(e.Data.Test.Len())},
		Table:  t}, nil
}

func dataLabels(e *experiment.Env) (experiment.Fact, error) {
	n := e.Data.Train.Len()
	return experiment.Fact{Text: fmt.Sprintf("Keras gives `x_train` as (%d, 32, 32, 3) uint8 and `y_train` as (%d, 1); the course squeezes "+
		"the labels to (%d,). cnnlab holds them flat: `Dataset.Labels` has %d bytes, one class 0..9 per image, "+
		"and a batch gives them as int32 [B]. One-hot labels are [B, 10].", n, n, n, n),
		Table: &experiment.Table{Header: []string{"", "shape"}, Rows: [][]string{
			{"images", fmt.Sprintf("[%d, 32, 32, 3]", n)}, {"labels (Keras)", fmt.Sprintf("[%d, 1]", n)},
			{"labels (squeezed)", fmt.Sprintf("[%d]", n)}, {"one-hot labels", fmt.Sprintf("[%d, 10]", n)}}}}, nil
}

func dataGrid(e *experiment.Env) (experiment.Fact, error) {
	sample := split.Permutation(e.Data.Train.Len(), e.Settings.DataSeed)[:8]
	png, err := gridPNG(e.Data.Train, sample, nil)
	if err != nil {
		return experiment.Fact{}, err
	}
	return experiment.Fact{Text: "The course's `show_images(images, labels, ncols=8)`; a seeded sample, since some copies are sorted by class.",
		PNG: png}, nil
}

func dataScaling(e *experiment.Env) (experiment.Fact, error) {
	b := head(e.Data.Train, 64)
	lo, hi := b.X[0], b.X[0]
	for _, v := range b.X {
		lo, hi = min(lo, v), max(hi, v)
	}
	raw := e.Data.Train.Image(0)[:3]
	return experiment.Fact{Text: fmt.Sprintf("The top-left pixel of the first image is RGB %v; divided by 255 it is [%.4f %.4f %.4f]. "+
		"A batch of 64 scaled images spans [%.4f, %.4f].", raw, b.X[0], b.X[1], b.X[2], lo, hi),
		Values: map[string]float64{"min": float64(lo), "max": float64(hi)}}, nil
}

// dataLosses computes both cross-entropies of an untrained model's logits
// on one batch.
func dataLosses(e *experiment.Env) (experiment.Fact, error) {
	m, err := nn.Named("baseline", e.Settings.Width)
	if err != nil {
		return experiment.Fact{}, err
	}
	tr, err := compiled(e, m, e.Settings.DataSeed)
	if err != nil {
		return experiment.Fact{}, err
	}
	b := head(e.Data.Test, 32)
	out, err := tr.Inspect(b, false, func(scope *model.Scope, x *graph.Node) []*graph.Node {
		logits, _ := m.Apply(scope, x)
		labels := graph.Const(x.Graph(), b.Y)
		oneHot := graph.OneHot(labels, nn.NumClasses, logits.DType())
		return []*graph.Node{
			graph.ReduceAllMean(fit.SparseCategoricalCrossentropy(labels, logits)),
			graph.ReduceAllMean(fit.CategoricalCrossentropy(oneHot, logits)),
			oneHot,
		}
	})
	if err != nil {
		return experiment.Fact{}, err
	}
	sparse, oneHot := tensors.ToScalar[float32](out[0]), tensors.ToScalar[float32](out[1])
	first := floats(out[2])[:nn.NumClasses]
	return experiment.Fact{Text: fmt.Sprintf("On a batch of 32 test images, an untrained baseline's mean cross-entropy is %.6f with sparse "+
		"labels (`sparse_categorical_crossentropy`) and %.6f with one-hot labels (`categorical_crossentropy`). "+
		"The first label, %d (%s), one-hot: %v.", sparse, oneHot, b.Y[0], cifar.Classes[b.Y[0]], first),
		Values: map[string]float64{"sparse": float64(sparse), "one_hot": float64(oneHot)}}, nil
}
