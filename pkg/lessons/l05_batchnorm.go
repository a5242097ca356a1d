package lessons

import (
	"fmt"
	"math"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/cnnlab/cnnlab/cifar"
	"github.com/cnnlab/cnnlab/pkg/fit"
	"github.com/cnnlab/cnnlab/pkg/nn"
)

// Lesson 5: feature scaling and BatchNorm.
var _ = register(&Lesson{
	Number: 5, Name: "batchnorm", Title: "Feature scaling and BatchNorm", Korean: "배치 정규화",
	About: "Min-max scaling maps [20, 30, 40] to [0, 0.5, 1] and the z-score to [-1.22, 0, 1.22]. The course " +
		"trains on /255, min-max and z-score inputs, then puts BatchNormalization after each convolution and before " +
		"its ReLU. BatchNorm normalizes with the batch's statistics while training and with its moving averages " +
		"(momentum 0.99) at inference, so the same batch gives different outputs in the two modes. The small " +
		"presets use momentum 0.9: with their few training steps, 0.99's averages would still remember their initial values.",
	Runs: func(s Settings) []RunSpec {
		return []RunSpec{
			{Label: "/255", Arch: nn.Arch{}},
			{Label: "min-max", Arch: nn.Arch{}, Scaling: "minmax"},
			{Label: "z-score", Arch: nn.Arch{}, Scaling: "zscore"},
			{Label: "BN", Arch: nn.Arch{BatchNorm: true}},
		}
	},
	Facts: []FactSpec{
		{Name: "examples", Title: "Min-max and z-score of [20, 30, 40]", Compute: scalingExamples,
			Labels: map[string]string{"minmax_30": "min-max of 30", "half": "0.5", "zscore_40": "z-score of 40", "z40": "√1.5"}},
		{Name: "pixels", Title: "Per-channel pixel statistics of the training images", Compute: pixelStats},
		{Name: "modes", Title: "BatchNorm in training and in inference mode", Compute: bnModes,
			Labels: map[string]string{"differ": "whether the outputs differ between the modes (1 yes, 0 no)", "one": "1"}},
		{Name: "momentum", Title: "What the moving averages still remember", Compute: bnMemory},
		{Name: "statistics", Title: "Moving averages against statistics recomputed at the final weights", Compute: bnStatistics},
	},
	Claims: []Claim{
		{Text: "min-max of [20, 30, 40] is [0, 0.5, 1]", Expect: Equal, Values: [2]string{"examples.minmax_30", "examples.half"}, Tolerance: 1e-6},
		{Text: "z-score of [20, 30, 40] is [-1.22, 0, 1.22]", Expect: Equal, Values: [2]string{"examples.zscore_40", "examples.z40"}, Tolerance: 0.005},
		{Text: "BatchNorm improves test accuracy", Metric: TestAccuracy, Expect: Better, A: []string{"BN"}, B: []string{"/255"}},
		{Text: "z-score inputs train about as well as /255", Metric: TestAccuracy, Expect: Similar, A: []string{"z-score"}, B: []string{"/255"}},
		{Text: "min-max inputs train about as well as /255", Metric: TestAccuracy, Expect: Similar, A: []string{"min-max"}, B: []string{"/255"}},
		{Text: "the same batch gives different outputs in training and inference mode", Expect: Equal,
			Values: [2]string{"modes.differ", "modes.one"}},
	},
})

// bnMemory says how much of their initial values (mean 0, variance 1) the
// moving averages keep after the preset's training steps: momentum^steps.
func bnMemory(e *Env) (Fact, error) {
	train, _, _ := e.split("")
	s := e.Settings
	steps := trainingSteps(train.Len(), s.BatchSize, s.Epochs)
	m := s.BatchNormMomentum()
	keep, keras := math.Pow(m, float64(steps)), math.Pow(0.99, float64(steps))
	text := fmt.Sprintf("After %d training steps, a moving average keeps momentum^steps of its initial value: "+
		"%g^%d = %.2g here", steps, m, steps, keep)
	if m != 0.99 {
		text += fmt.Sprintf(", against %.2g with Keras's 0.99, which at this size leaves the moving averages far from "+
			"the batch statistics and puts a BN model's test accuracy near chance (docs/RESULTS.md); this preset "+
			"uses %g", keras, m)
	}
	return Fact{Text: text + ".", Values: map[string]float64{"steps": float64(steps), "kept": keep, "kept_keras": keras}}, nil
}

// bnStatistics tests the trained BN model twice: with the moving averages
// that training left, and after one more pass over the training images in
// training mode with the weights frozen (fit.Trainer.UpdateStatistics),
// which brings the averages to the final weights' statistics.
func bnStatistics(e *Env) (Fact, error) {
	tr, _, _, err := e.Trained("BN")
	if err != nil {
		return Fact{}, err
	}
	train, _, _ := e.split("")
	test := fit.CIFAR(e.Test, cifar.UnitScaling)
	_, moving, err := tr.Evaluate(test, 256)
	if err != nil {
		return Fact{}, err
	}
	if err := tr.UpdateStatistics(fit.CIFAR(train, cifar.UnitScaling), e.Settings.BatchSize); err != nil {
		return Fact{}, err
	}
	_, recomputed, err := tr.Evaluate(test, 256)
	if err != nil {
		return Fact{}, err
	}
	return Fact{Text: fmt.Sprintf("Test accuracy of the trained BN model with the moving averages that training left: %.4f; "+
		"after one more pass over the %d training images in training mode with the weights frozen, which brings the "+
		"averages to the final weights' statistics: %.4f. A moving average mixes the statistics of the last "+
		"1/(1−momentum) or so steps, taken while the weights were still changing; a learning rate that decays to zero "+
		"at the end (lesson 12) shrinks the difference.", moving, train.Len(), recomputed),
		Values: map[string]float64{"moving": moving, "recomputed": recomputed}}, nil
}

// scalingExamples scales [20, 30, 40] with the library's min-max and
// z-score: three images whose every pixel is one of the values.
func scalingExamples(e *Env) (Fact, error) {
	vals := []uint8{20, 30, 40}
	d := &cifar.Dataset{Images: make([]uint8, len(vals)*cifar.ImageSize), Labels: make([]uint8, len(vals))}
	for i, v := range vals {
		for p := range cifar.ImageSize {
			d.Images[i*cifar.ImageSize+p] = v
		}
	}
	out := make([]float32, 3)
	minmax, zscore := cifar.MinMaxScaling(d), cifar.ZScoreScaling(d)
	t := &Table{Header: []string{"x", "min-max", "z-score"}}
	values := map[string]float64{"half": 0.5, "z40": 1.2247}
	for _, v := range vals {
		minmax.Apply(out[:1], []uint8{v})
		mm := out[0]
		zscore.Apply(out[:1], []uint8{v})
		t.Rows = append(t.Rows, []string{fmt.Sprint(v), fmt.Sprintf("%.2f", mm), fmt.Sprintf("%.2f", out[0])})
		values[fmt.Sprintf("minmax_%d", v)] = float64(mm)
		values[fmt.Sprintf("zscore_%d", v)] = float64(out[0])
	}
	return Fact{Text: "(x − min)/(max − min) and (x − mean)/std with the population std, as cifar.MinMaxScaling and cifar.ZScoreScaling compute them.",
		Values: values, Table: t}, nil
}

func pixelStats(e *Env) (Fact, error) {
	mean, std := cifar.ChannelStats(e.Train)
	t := &Table{Header: []string{"channel", "mean (0..255)", "std (0..255)"}}
	for c, name := range []string{"red", "green", "blue"} {
		t.Rows = append(t.Rows, []string{name, fmt.Sprintf("%.2f", mean[c]), fmt.Sprintf("%.2f", std[c])})
	}
	return Fact{Text: "What the z-score subtracts and divides by (computed on the training images, applied to every split).", Table: t}, nil
}

// bnModes runs one test batch through the trained BN model in training
// mode (batch statistics) and inference mode (moving averages).
func bnModes(e *Env) (Fact, error) {
	tr, m, _, err := e.Trained("BN")
	if err != nil {
		return Fact{}, err
	}
	b := head(e.Test, 64)
	probs := func(scope *model.Scope, x *graph.Node) []*graph.Node { return []*graph.Node{m.Call(scope, x)} }
	train, err := tr.Inspect(b, true, probs)
	if err != nil {
		return Fact{}, err
	}
	infer, err := tr.Inspect(b, false, probs)
	if err != nil {
		return Fact{}, err
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
	_, acc, err := tr.Evaluate(fit.CIFAR(e.Test, cifar.UnitScaling), 256)
	if err != nil {
		return Fact{}, err
	}
	return Fact{Text: fmt.Sprintf("The trained BN model on 64 test images: the class probabilities differ by up to %.3f between "+
		"training mode (each BatchNorm normalizes with this batch's mean and variance) and inference mode (the moving "+
		"averages); the predicted classes agree on %d of 64. Evaluate and predict use inference mode "+
		"(test accuracy %.4f).", diff, agree, acc),
		Values: map[string]float64{"max_diff": diff, "agree": float64(agree), "differ": differ, "one": 1}}, nil
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
