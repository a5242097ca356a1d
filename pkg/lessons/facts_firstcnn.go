package lessons

import (
	"fmt"
	"slices"

	"github.com/gomlx/gomlx/core/tensors"

	"github.com/cnnlab/cnnlab/cifar"
	"github.com/cnnlab/cnnlab/pkg/experiment"
	"github.com/cnnlab/cnnlab/pkg/fit"
	"github.com/cnnlab/cnnlab/pkg/nn"
)

func firstSummary(e *experiment.Env) (experiment.Fact, error) {
	m, err := nn.Named("baseline", 1)
	if err != nil {
		return experiment.Fact{}, err
	}
	tr, ntr := m.NumParams()
	return experiment.Fact{Text: fmt.Sprintf("The full-width baseline has %d parameters (the runs below use width %g).", tr+ntr, e.Settings.Width),
		Values: map[string]float64{"params": float64(tr + ntr)}, Table: summaryTable(m)}, nil
}

// twoSpellings declares a block with its activation inline or as its own
// layer.
func twoSpellings() (inline, layer *nn.Model) {
	inline = nn.Sequential("inline", nn.Input(32, 32, 3),
		nn.Conv2D(8, 3, nn.Padding("same"), nn.Activation("relu")), nn.MaxPooling2D(2),
		nn.Flatten(), nn.Dense(10, nn.Activation("softmax")))
	layer = nn.Sequential("layer", nn.Input(32, 32, 3),
		nn.Conv2D(8, 3, nn.Padding("same")), nn.Activation("relu"), nn.MaxPooling2D(2),
		nn.Flatten(), nn.Dense(10), nn.Activation("softmax"))
	return inline, layer
}

// sameOutputs returns the largest difference between the probabilities of
// b through a and through c with a's initial weights.
func sameOutputs(e *experiment.Env, a, c *nn.Model, b fit.Batch) (float64, error) {
	ta, err := compiled(e, a, 1)
	if err != nil {
		return 0, err
	}
	tc, err := compiled(e, c, 2)
	if err != nil {
		return 0, err
	}
	w, err := ta.GetWeights()
	if err != nil {
		return 0, err
	}
	if err := tc.SetWeights(w); err != nil {
		return 0, err
	}
	pa, _, err := ta.Predict(batchData(b), 0)
	if err != nil {
		return 0, err
	}
	pc, _, err := tc.Predict(batchData(b), 0)
	if err != nil {
		return 0, err
	}
	return maxAbsDiff(pa, pc), nil
}

// batchData returns a batch as fit.Data.
func batchData(b fit.Batch) fit.Data {
	return &fit.Arrays{X: b.X, Shape: []int{cifar.Height, cifar.Width, cifar.Channels}, Y: b.Y}
}

func firstActivation(e *experiment.Env) (experiment.Fact, error) {
	inline, layer := twoSpellings()
	d, err := sameOutputs(e, inline, layer, head(e.Test, 16))
	if err != nil {
		return experiment.Fact{}, err
	}
	pi, _ := inline.NumParams()
	pl, _ := layer.NumParams()
	return experiment.Fact{Text: fmt.Sprintf("`Conv2D(8, 3, activation=\"relu\")` and `Conv2D(8, 3)` followed by `Activation(\"relu\")`: "+
		"%d and %d parameters; with the same weights their probabilities on 16 test images differ by at most %.2g.", pi, pl, d),
		Values: map[string]float64{"params_inline": float64(pi), "params_layer": float64(pl), "max_diff": d}}, nil
}

func firstPooling(e *experiment.Env) (experiment.Fact, error) {
	spellings := []struct {
		name  string
		layer nn.Layer
	}{
		{"MaxPooling2D(2)", nn.MaxPooling2D(2)},
		{"MaxPooling2D((2, 2))", nn.MaxPooling2D([2]int{2, 2})},
		{"MaxPooling2D(2, 2) (pool 2, strides 2)", nn.MaxPooling2D(2, nn.Strides(2))},
	}
	t := &experiment.Table{Header: []string{"spelling", "output shape", "params"}}
	var models []*nn.Model
	for _, s := range spellings {
		m := nn.Sequential("pool", nn.Input(32, 32, 3), nn.Conv2D(8, 3, nn.Padding("same"), nn.Activation("relu")),
			s.layer, nn.Flatten(), nn.Dense(10, nn.Activation("softmax")))
		if err := m.Validate(); err != nil {
			return experiment.Fact{}, err
		}
		p, _ := m.NumParams()
		t.Rows = append(t.Rows, []string{s.name, fmt.Sprint(m.Layers()[1].OutputShape), fmt.Sprint(p)})
		models = append(models, m)
	}
	worst := 0.0
	for _, m := range models[1:] {
		if !slices.Equal(m.Layers()[1].OutputShape, models[0].Layers()[1].OutputShape) {
			worst = 1
		}
		d, err := sameOutputs(e, models[0], m, head(e.Test, 16))
		if err != nil {
			return experiment.Fact{}, err
		}
		worst = max(worst, d)
	}
	return experiment.Fact{Text: fmt.Sprintf("The same layer: the same output shape and, with the same weights, outputs that differ by %.2g.", worst),
		Values: map[string]float64{"max_diff": worst}, Table: t}, nil
}

func firstPredict(e *experiment.Env) (experiment.Fact, error) {
	tr, m, _, err := e.Trained("baseline")
	if err != nil {
		return experiment.Fact{}, err
	}
	b := head(e.Test, 32)
	probs, classes, err := tr.Predict(batchData(b), 0)
	if err != nil {
		return experiment.Fact{}, err
	}
	rows := len(probs) / classes
	sum := 0.0
	for _, p := range probs[:classes] {
		sum += float64(p)
	}
	pred := fit.Argmax(probs, classes)
	t := &experiment.Table{Header: []string{"test image", "true class", "predicted", "probability"}}
	for i := range 8 {
		t.Rows = append(t.Rows, []string{fmt.Sprint(i), cifar.Classes[b.Y[i]], cifar.Classes[pred[i]], f4(float64(probs[i*classes+pred[i]]))})
	}
	// One image: it gets the batch axis first.
	one, err := m.SingleInput(b.X[:cifar.ImageSize])
	if err != nil {
		return experiment.Fact{}, err
	}
	oneProbs, _, err := tr.Predict(&fit.Arrays{X: tensors.MustCopyFlatData[float32](one), Shape: m.InputShape()}, 1)
	if err != nil {
		return experiment.Fact{}, err
	}
	c := fit.Argmax(oneProbs, classes)[0]
	return experiment.Fact{Text: fmt.Sprintf("`predict` on 32 test images gives probabilities of shape [%d, %d]; the first row sums to %.6f, "+
		"and argmax gives the classes. One image [32, 32, 3] becomes the batch %v before predict: "+
		"it is a %s (probability %.3f; truly a %s).", rows, classes, sum, one.Shape().Dimensions,
		cifar.Classes[c], oneProbs[c], cifar.Classes[b.Y[0]]),
		Values: map[string]float64{"rows": float64(rows), "classes": float64(classes), "row_sum": sum},
		Table:  t}, nil
}

func firstMisclassified(e *experiment.Env) (experiment.Fact, error) {
	tr, _, _, err := e.Trained("baseline")
	if err != nil {
		return experiment.Fact{}, err
	}
	probs, classes, err := tr.Predict(e.Test.Scaled(cifar.UnitScaling), 256)
	if err != nil {
		return experiment.Fact{}, err
	}
	var idx []int
	var titles []string
	for i, c := range fit.Argmax(probs, classes) {
		if c != int(e.Test.Labels[i]) && len(idx) < 16 {
			idx = append(idx, i)
			titles = append(titles, cifar.Classes[e.Test.Labels[i]]+"->"+cifar.Classes[c])
		}
	}
	if len(idx) == 0 {
		return experiment.Fact{Text: "None."}, nil
	}
	png, err := gridPNG(e.Test, idx, titles)
	if err != nil {
		return experiment.Fact{}, err
	}
	return experiment.Fact{Text: fmt.Sprintf("The first %d test images the trained baseline gets wrong.", len(idx)), PNG: png}, nil
}
