package lessons

import (
	"fmt"
	"math"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/cnnlab/cnnlab/cifar"
	"github.com/cnnlab/cnnlab/pkg/experiment"
	"github.com/cnnlab/cnnlab/pkg/nn"
)

// bnMemory says how much of their initial values (mean 0, variance 1) the
// moving averages keep after the preset's training steps: momentum^steps.
func bnMemory(e *experiment.Env) (experiment.Fact, error) {
	train := e.TrainingImages()
	s := e.Settings
	steps := experiment.TrainingSteps(train.Len(), s.BatchSize, s.Epochs)
	m := s.BatchNormMomentum()
	keep, keras := math.Pow(m, float64(steps)), math.Pow(0.99, float64(steps))
	text := fmt.Sprintf("After %d training steps, a moving average keeps momentum^steps of its initial value: "+
		"%g^%d = %.2g here", steps, m, steps, keep)
	if m != 0.99 {
		text += fmt.Sprintf(", against %.2g with Keras's 0.99, which at this size leaves the moving averages far from "+
			"the batch statistics and puts a BN model's test accuracy near chance (docs/RESULTS.md); this preset "+
			"uses %g", keras, m)
	}
	return experiment.Fact{Text: text + ".", Values: map[string]float64{"steps": float64(steps), "kept": keep, "kept_keras": keras}}, nil
}

// bnStatistics tests the trained BN model twice: with the moving averages
// that training left, and after one more pass over the training images in
// training mode with the weights frozen (fit.Trainer.UpdateStatistics),
// which brings the averages to the final weights' statistics.
func bnStatistics(e *experiment.Env) (experiment.Fact, error) {
	tr, _, _, err := e.Trained("BN")
	if err != nil {
		return experiment.Fact{}, err
	}
	train := e.TrainingImages()
	test := e.Test.Scaled(cifar.UnitScaling)
	_, moving, err := tr.Evaluate(test, 256)
	if err != nil {
		return experiment.Fact{}, err
	}
	if err := tr.UpdateStatistics(train.Scaled(cifar.UnitScaling), e.Settings.BatchSize); err != nil {
		return experiment.Fact{}, err
	}
	_, recomputed, err := tr.Evaluate(test, 256)
	if err != nil {
		return experiment.Fact{}, err
	}
	return experiment.Fact{Text: fmt.Sprintf("Test accuracy of the trained BN model with the moving averages that training left: %.4f; "+
		"after one more pass over the %d training images in training mode with the weights frozen, which brings the "+
		"averages to the final weights' statistics: %.4f. A moving average mixes the statistics of the last "+
		"1/(1−momentum) or so steps, taken while the weights were still changing; a learning rate that decays to zero "+
		"at the end (lesson 12) shrinks the difference.", moving, train.Len(), recomputed),
		Values: map[string]float64{"moving": moving, "recomputed": recomputed}}, nil
}

// scalingExamples scales [20, 30, 40] with the library's min-max and
// z-score: three images whose every pixel is one of the values.
func scalingExamples(e *experiment.Env) (experiment.Fact, error) {
	vals := []uint8{20, 30, 40}
	d := &cifar.Dataset{Images: make([]uint8, len(vals)*cifar.ImageSize), Labels: make([]uint8, len(vals))}
	for i, v := range vals {
		for p := range cifar.ImageSize {
			d.Images[i*cifar.ImageSize+p] = v
		}
	}
	out := make([]float32, 3)
	minmax, zscore := cifar.MinMaxScaling(d), cifar.ZScoreScaling(d)
	t := &experiment.Table{Header: []string{"x", "min-max", "z-score"}}
	values := map[string]float64{}
	for _, v := range vals {
		minmax.Apply(out[:1], []uint8{v})
		mm := out[0]
		zscore.Apply(out[:1], []uint8{v})
		t.Rows = append(t.Rows, []string{fmt.Sprint(v), fmt.Sprintf("%.2f", mm), fmt.Sprintf("%.2f", out[0])})
		values[fmt.Sprintf("minmax_%d", v)] = float64(mm)
		values[fmt.Sprintf("zscore_%d", v)] = float64(out[0])
	}
	return experiment.Fact{Text: "(x − min)/(max − min) and (x − mean)/std with the population std, as cifar.MinMaxScaling and cifar.ZScoreScaling compute them.",
		Values: values, Table: t}, nil
}

func pixelStats(e *experiment.Env) (experiment.Fact, error) {
	mean, std := cifar.ChannelStats(e.Train)
	t := &experiment.Table{Header: []string{"channel", "mean (0..255)", "std (0..255)"}}
	for c, name := range []string{"red", "green", "blue"} {
		t.Rows = append(t.Rows, []string{name, fmt.Sprintf("%.2f", mean[c]), fmt.Sprintf("%.2f", std[c])})
	}
	return experiment.Fact{Text: "What the z-score subtracts and divides by (computed on the training images, applied to every split).", Table: t}, nil
}

// bnModes runs one test batch through the trained BN model in training
// mode (batch statistics) and inference mode (moving averages).
func bnModes(e *experiment.Env) (experiment.Fact, error) {
	tr, m, _, err := e.Trained("BN")
	if err != nil {
		return experiment.Fact{}, err
	}
	b := head(e.Test, 64)
	probs := func(scope *model.Scope, x *graph.Node) []*graph.Node { return []*graph.Node{m.Call(scope, x)} }
	train, err := tr.Inspect(b, true, probs)
	if err != nil {
		return experiment.Fact{}, err
	}
	infer, err := tr.Inspect(b, false, probs)
	if err != nil {
		return experiment.Fact{}, err
	}
	pt, pi := floats(train[0]), floats(infer[0])
	agree, diff := 0, 0.0
	for i := 0; i < len(pt); i += nn.NumClasses {
		if argmax(pt[i:i+nn.NumClasses]) == argmax(pi[i:i+nn.NumClasses]) {
			agree++
		}
		for j := i; j < i+nn.NumClasses; j++ {
			diff = max(diff, abs(pt[j]-pi[j]))
		}
	}
	differ := 0.0
	if diff > 1e-4 {
		differ = 1
	}
	_, acc, err := tr.Evaluate(e.Test.Scaled(cifar.UnitScaling), 256)
	if err != nil {
		return experiment.Fact{}, err
	}
	return experiment.Fact{Text: fmt.Sprintf("The trained BN model on 64 test images: the class probabilities differ by up to %.3f between "+
		"training mode (each BatchNorm normalizes with this batch's mean and variance) and inference mode (the moving "+
		"averages); the predicted classes agree on %d of 64. Evaluate and predict use inference mode "+
		"(test accuracy %.4f).", diff, agree, acc),
		Values: map[string]float64{"max_diff": diff, "agree": float64(agree), "differ": differ}}, nil
}

func argmax(v []float64) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}

func abs(x float64) float64 { return max(x, -x) }
