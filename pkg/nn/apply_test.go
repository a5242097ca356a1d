package nn

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/cnnlab/cnnlab/pkg/backend"
	"github.com/cnnlab/cnnlab/pkg/initializers"
	"github.com/cnnlab/cnnlab/pkg/layers"
	"github.com/cnnlab/cnnlab/pkg/regularizers"
)

// apply runs m.Apply on x in a new store (seeded with 1) and returns the
// logits, the penalty and the store.
func apply(t *testing.T, m *Model, x *tensors.Tensor, training bool) (logits *tensors.Tensor, penalty float64, store *model.Store) {
	t.Helper()
	return applyWith(t, layers.Options{}, m, x, training)
}

// applyWith is apply with the layers options o.
func applyWith(t *testing.T, o layers.Options, m *Model, x *tensors.Tensor, training bool) (logits *tensors.Tensor, penalty float64, store *model.Store) {
	t.Helper()
	store = model.NewStore()
	layers.SetOptions(store, o)
	if err := store.SetRNGStateFromSeed(1); err != nil {
		t.Fatal(err)
	}
	out, err := model.ExecOnceN(backend.MustNew(), store, func(scope *model.Scope, x *graph.Node) (*graph.Node, *graph.Node) {
		scope.SetTraining(x.Graph(), training)
		return m.Apply(scope, x)
	}, x)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if out[1].Rank() != 0 {
		t.Fatalf("penalty shape %s, want a scalar", out[1].Shape())
	}
	return out[0], float64(tensors.MustCopyFlatData[float32](out[1])[0]), store
}

// TestApplyValues checks hand-computed logits and penalty: the final
// softmax is left out, the hidden relu is applied, and the penalties of
// both layers add up.
func TestApplyValues(t *testing.T) {
	m := Sequential("tiny",
		Input(3),
		Dense(2, Activation("relu"),
			KernelInitializer(initializers.Ones()), BiasInitializer(initializers.Constant(0.5)),
			KernelRegularizer(regularizers.L1(0.1)), BiasRegularizer(regularizers.L2(1))),
		Dense(3, Activation("softmax"),
			KernelInitializer(initializers.Constant(-1)), KernelRegularizer(regularizers.L2(0.01))),
	)
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	x := tensors.FromValue([][]float32{{1, 2, 3}, {0, 0, -1}})
	logits, penalty, _ := apply(t, m, x, false)
	// Hidden: [6.5, 6.5] and relu([-0.5, -0.5]) = [0, 0]; output: -(sum) per unit.
	want := []float32{-13, -13, -13, 0, 0, 0}
	if got := tensors.MustCopyFlatData[float32](logits); !slices.Equal(got, want) ||
		!slices.Equal(logits.Shape().Dimensions, []int{2, 3}) {
		t.Errorf("logits %v %v, want [2 3] %v", logits.Shape(), got, want)
	}
	// 0.1·Σ|1|(6 weights) + 1·(0.5²+0.5²) + 0.01·Σ(-1)²(6 weights) = 0.6 + 0.5 + 0.06.
	if math.Abs(penalty-1.16) > 1e-6 {
		t.Errorf("penalty %.7g, want 1.16", penalty)
	}
	if m.OutputActivation() != "softmax" {
		t.Errorf("OutputActivation = %q", m.OutputActivation())
	}
	if !m.HasPenalty() {
		t.Errorf("HasPenalty() = false for a regularized model")
	}

	// A separate final Activation("softmax") layer is left out too, and no
	// regularizer means a zero penalty.
	m2 := Sequential("tiny2", Input(3), Dense(2, KernelInitializer(initializers.Ones())), Activation("softmax"))
	logits, penalty, _ = apply(t, m2, x, false)
	if got := tensors.MustCopyFlatData[float32](logits); !slices.Equal(got, []float32{6, 6, -1, -1}) || penalty != 0 || m2.HasPenalty() {
		t.Errorf("logits %v penalty %g HasPenalty %v, want [6 6 -1 -1], 0, false", got, penalty, m2.HasPenalty())
	}
}

// TestRescaling checks Keras's Rescaling(scale, offset) by hand: x·scale +
// offset, the same in training and at inference, with no variables.
func TestRescaling(t *testing.T) {
	x := tensors.FromValue([][]float32{{1, 2, 3}, {0, 0, -1}})
	tests := []struct {
		scale, offset float64
		want          []float32
	}{
		{1.0 / 2, 0, []float32{3, 3, -0.5, -0.5}}, // airbench's logits ×1/9, at 1/2
		{2, 1, []float32{13, 13, -1, -1}},
	}
	for _, tc := range tests {
		m := Sequential("r", Input(3), Dense(2, UseBias(false), KernelInitializer(initializers.Ones())), Rescaling(tc.scale, tc.offset))
		for _, training := range []bool{false, true} {
			logits, _, _ := apply(t, m, x, training)
			if got := tensors.MustCopyFlatData[float32](logits); !slices.Equal(got, tc.want) {
				t.Errorf("Rescaling(%g, %g), training %v: %v, want %v", tc.scale, tc.offset, training, got, tc.want)
			}
		}
		if l := m.Layers()[1]; l.Class != "Rescaling" || l.Params() != 0 || !slices.Equal(l.OutputShape, []int{2}) {
			t.Errorf("Rescaling layer info %+v, want class Rescaling, no parameters, shape [2]", l)
		}
	}
}

// TestApplyVariables builds a narrow "bn" model and checks the output shape,
// the Keras variable names, and that the variables add up to NumParams, with
// the moving statistics non-trainable.
func TestApplyVariables(t *testing.T) {
	m, err := Named("bn", 0.125) // filters 4, 8, 16; Dense 38
	if err != nil {
		t.Fatal(err)
	}
	x := tensors.FromFlatDataAndDimensions(make([]float32, 2*32*32*3), 2, 32, 32, 3)
	logits, penalty, store := apply(t, m, x, true)
	if !slices.Equal(logits.Shape().Dimensions, []int{2, 10}) || penalty != 0 {
		t.Errorf("logits %s, penalty %g; want [2 10] and 0", logits.Shape(), penalty)
	}
	var trainable, nonTrainable int
	var names []string
	for v := range store.IterVariables() {
		if strings.Contains(v.Name(), "#") { // the store's random state
			continue
		}
		names = append(names, v.Path())
		if v.Trainable {
			trainable += v.Shape().Size()
		} else {
			nonTrainable += v.Shape().Size()
		}
	}
	wantTr, wantNtr := m.NumParams()
	if trainable != wantTr || nonTrainable != wantNtr {
		t.Errorf("variables hold %d trainable + %d non-trainable values, NumParams says %d + %d",
			trainable, nonTrainable, wantTr, wantNtr)
	}
	for _, want := range []string{"/conv2d/kernel", "/batch_normalization/gamma", "/batch_normalization/beta",
		"/batch_normalization/moving_mean", "/batch_normalization_5/moving_variance", "/dense/kernel", "/dense_1/bias"} {
		if !slices.Contains(names, want) {
			t.Errorf("no variable %s among %v", want, names)
		}
	}
	if slices.Contains(names, "/conv2d/bias") {
		t.Errorf("bn convs must have no bias: %v", names)
	}
}

// TestApplyTraining checks that Dropout follows the scope's training flag.
func TestApplyTraining(t *testing.T) {
	m := Sequential("drop", Input(1000), Dropout(0.5))
	ones := make([]float32, 1000)
	for i := range ones {
		ones[i] = 1
	}
	x := tensors.FromFlatDataAndDimensions(ones, 1, 1000)
	inference, _, _ := apply(t, m, x, false)
	if got := tensors.MustCopyFlatData[float32](inference); !slices.Equal(got, ones) {
		t.Errorf("inference changed the input")
	}
	x = tensors.FromFlatDataAndDimensions(ones, 1, 1000)
	training, _, _ := apply(t, m, x, true)
	zeros := 0
	for _, v := range tensors.MustCopyFlatData[float32](training) {
		switch v {
		case 0:
			zeros++
		case 2:
		default:
			t.Fatalf("training output %v, want 0 or 2", v)
		}
	}
	if zeros < 400 || zeros > 600 {
		t.Errorf("%d of 1000 dropped, want about 500", zeros)
	}
}

func TestApplyErrors(t *testing.T) {
	b := backend.MustNew()
	tests := []struct {
		name string
		m    *Model
		x    *tensors.Tensor
		want string
	}{
		{"shape", Sequential("m", Input(4, 4, 3), Flatten()), tensors.FromFlatDataAndDimensions(make([]float32, 48), 1, 4, 3, 4),
			`model "m": input shape (Float32)[1, 4, 3, 4], want [batch, 4, 4, 3]`},
		{"dtype", Sequential("m", Input(2), Flatten()), tensors.FromValue([][]int32{{1, 2}}), "input must be float"},
		{"invalid", Sequential("m", Input(2), Dropout(2)), tensors.FromValue([][]float32{{1, 2}}), "rate must be in [0, 1)"},
	}
	for _, tc := range tests {
		_, err := model.ExecOnceN(b, model.NewStore(), func(scope *model.Scope, x *graph.Node) (*graph.Node, *graph.Node) {
			return tc.m.Apply(scope, x)
		}, tc.x)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

// TestPenaltyGradient checks that the penalty is a function of the layer's
// kernel variable (so training shrinks the weights): for l2·Σw² with every
// w = 3 and l2 = 0.5, the penalty is 0.5·(2·9) = 9 and its gradient 2·0.5·3 = 3.
func TestPenaltyGradient(t *testing.T) {
	m := Sequential("reg", Input(2),
		Dense(1, KernelInitializer(initializers.Constant(3)), KernelRegularizer(regularizers.L2(0.5))))
	out, err := model.ExecOnceN(backend.MustNew(), model.NewStore(), func(scope *model.Scope, x *graph.Node) (*graph.Node, *graph.Node) {
		_, penalty := m.Apply(scope, x)
		kernel := scope.Store().GetVariable("/dense/kernel")
		if kernel == nil {
			panic("no dense/kernel variable")
		}
		return penalty, graph.Gradient(penalty, kernel.NodeValue(x.Graph()))[0]
	}, [][]float32{{1, 1}})
	if err != nil {
		t.Fatal(err)
	}
	penalty := tensors.MustCopyFlatData[float32](out[0])[0]
	grad := tensors.MustCopyFlatData[float32](out[1])
	if penalty != 9 || !slices.Equal(grad, []float32{3, 3}) {
		t.Errorf("penalty %g, gradient %v; want 9 and [3 3]", penalty, grad)
	}
}

// TestApplyTwice checks that a second Apply on the same scope reuses the
// weights (Keras's shared-model semantics) instead of panicking.
func TestApplyTwice(t *testing.T) {
	m := Sequential("twice", Input(3), Dense(2))
	store := model.NewStore()
	out, err := model.ExecOnceN(backend.MustNew(), store, func(scope *model.Scope, x *graph.Node) (*graph.Node, *graph.Node) {
		a, _ := m.Apply(scope, x)
		b, _ := m.Apply(scope, x)
		return a, b
	}, [][]float32{{1, 2, 3}})
	if err != nil {
		t.Fatal(err)
	}
	a, b := tensors.MustCopyFlatData[float32](out[0]), tensors.MustCopyFlatData[float32](out[1])
	if !slices.Equal(a, b) || store.NumVariables() > 3 { // kernel, bias and the random state
		t.Errorf("outputs %v and %v, %d variables; want equal outputs and shared weights", a, b, store.NumVariables())
	}
}

// TestApplyNativeMatchesFast runs narrow presets with both formulations of
// package layers (the Go-backend "fast" one and GoMLX's native ops, which
// XLA uses) and compares the logits: the model must build and agree on
// either path.
func TestApplyNativeMatchesFast(t *testing.T) {
	img := make([]float32, 2*32*32*3)
	for i := range img {
		img[i] = float32((i*7919)%256)/255 - 0.5
	}
	for _, name := range []string{"bn", "strided", "gap"} {
		m, err := Named(name, 0.125)
		if err != nil {
			t.Fatal(err)
		}
		var results [2][]float32
		for i, impl := range []layers.Impl{layers.Fast, layers.Native} {
			x := tensors.FromFlatDataAndDimensions(slices.Clone(img), 2, 32, 32, 3)
			logits, _, _ := applyWith(t, layers.Options{Impl: impl}, m, x, true)
			results[i] = tensors.MustCopyFlatData[float32](logits)
		}
		if !slices.ContainsFunc(results[1], func(v float32) bool { return v != 0 }) {
			t.Errorf("%s: all logits are zero", name)
		}
		for j := range results[0] {
			if d := math.Abs(float64(results[0][j] - results[1][j])); d > 1e-4*math.Max(1, math.Abs(float64(results[1][j]))) {
				t.Errorf("%s: fast logits %v differ from native %v", name, results[0], results[1])
				break
			}
		}
	}
}

// TestGradientNativeMatchesFast compares the gradients of every trainable
// variable under both formulations, on images made of flat 8x8 blocks.
// Flat regions give equal convolution outputs, so max-pooling windows hold
// ties: Keras (TensorFlow's MaxPoolGrad) sends a window's gradient to its
// first maximum only, and so must both paths. An Equal-mask gradient that
// reaches every tied position passes the logits check above but fails here.
func TestGradientNativeMatchesFast(t *testing.T) {
	const n = 4
	img := make([]float32, n*32*32*3)
	for i := range img {
		b, y, x, c := i/(32*32*3), i/(32*3)%32, i/3%32, i%3
		img[i] = float32((b*31+y/8*7+x/8*13+c*5)%17) / 17
	}
	labels := []int32{0, 3, 7, 9}
	for _, name := range []string{"baseline", "bn"} {
		m, err := Named(name, 0.125)
		if err != nil {
			t.Fatal(err)
		}
		var grads [2][][]float32
		var paths []string
		for i, impl := range []layers.Impl{layers.Fast, layers.Native} {
			store := model.NewStore()
			layers.SetOptions(store, layers.Options{Impl: impl})
			if err := store.SetRNGStateFromSeed(1); err != nil {
				t.Fatal(err)
			}
			out, err := model.ExecOnceN(backend.MustNew(), store, func(scope *model.Scope, x, y *graph.Node) []*graph.Node {
				g := x.Graph()
				scope.SetTraining(g, true)
				logits, _ := m.Apply(scope, x)
				// Cross-entropy of the logits against the labels.
				logp := graph.LogSoftmax(logits, -1)
				loss := graph.Neg(graph.ReduceAllMean(graph.ReduceSum(graph.Mul(logp, graph.OneHot(y, 10, logits.DType())), -1)))
				var vars []*graph.Node
				paths = paths[:0]
				for v := range store.IterVariables() {
					if v.Trainable && v.InUseByGraph(g) {
						vars = append(vars, v.NodeValue(g))
						paths = append(paths, v.Path())
					}
				}
				return graph.Gradient(loss, vars...)
			}, tensors.FromFlatDataAndDimensions(slices.Clone(img), n, 32, 32, 3), tensors.FromValue(labels))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			for _, g := range out {
				grads[i] = append(grads[i], tensors.MustCopyFlatData[float32](g))
			}
		}
		if len(paths) == 0 || len(grads[0]) != len(paths) {
			t.Fatalf("%s: %d gradients for %d variables", name, len(grads[0]), len(paths))
		}
		for k, path := range paths {
			var num, den float64
			for j, a := range grads[0][k] {
				c := float64(grads[1][k][j])
				num += (float64(a) - c) * (float64(a) - c)
				den += c * c
			}
			if rel := math.Sqrt(num / den); den == 0 || rel > 1e-3 {
				t.Errorf("%s %s: fast gradient differs from native by %.3g (relative L2)", name, path, rel)
			}
		}
	}
}

// TestBatchNormalizationWithoutScale declares airbench's block norm, Keras's
// BatchNormalization(scale=False, momentum=0.6) followed by GELU: the layer
// has "beta" and the moving averages but no "gamma", and NumParams counts
// what the variables hold.
func TestBatchNormalizationWithoutScale(t *testing.T) {
	m := Sequential("airbench_block", Input(8, 8, 3),
		Conv2D(4, 3, Padding("same"), UseBias(false)),
		MaxPooling2D(2),
		BatchNormalization(Scale(false), Momentum(0.6)),
		Activation("gelu"),
		GlobalAveragePooling2D(),
		Dense(10))
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	x := tensors.FromFlatDataAndDimensions(make([]float32, 2*8*8*3), 2, 8, 8, 3)
	_, _, store := apply(t, m, x, true)
	var trainable, nonTrainable int
	var names []string
	for v := range store.IterVariables() {
		if strings.Contains(v.Name(), "#") {
			continue
		}
		names = append(names, v.Path())
		if v.Trainable {
			trainable += v.Shape().Size()
		} else {
			nonTrainable += v.Shape().Size()
		}
	}
	// conv 3·3·3·4 = 108, beta 4, dense 4·10+10 = 50; moving averages 2·4.
	if wantTr, wantNtr := m.NumParams(); trainable != wantTr || nonTrainable != wantNtr || wantTr != 162 || wantNtr != 8 {
		t.Errorf("variables hold %d + %d values, NumParams says %d + %d, want 162 + 8", trainable, nonTrainable, wantTr, wantNtr)
	}
	if slices.Contains(names, "/batch_normalization/gamma") || !slices.Contains(names, "/batch_normalization/beta") {
		t.Errorf("Scale(false): want beta and no gamma, got %v", names)
	}
	if d := m.Declare().Layers[2]; !strings.Contains(d, "scale=false") || !strings.Contains(d, "momentum=0.6") {
		t.Errorf("declaration %q does not record scale=false and momentum=0.6", d)
	}
}

// TestWhitening declares airbench's whitening layer with a kernel computed
// by layers.WhiteningKernel: [8, 8, 3] becomes [7, 7, 24], the kernel is a
// non-trainable variable holding the given values, the bias is trainable,
// and NumParams counts them so.
func TestWhitening(t *testing.T) {
	images := make([]float32, 10*8*8*3)
	for i := range images {
		images[i] = float32(math.Sin(float64(i)*0.37) + 0.1*math.Cos(float64(i)*1.3))
	}
	kernel, err := layers.WhiteningKernel(images, 10, 8, 8, 3, 5e-4)
	if err != nil {
		t.Fatal(err)
	}
	m := Sequential("whitened", Input(8, 8, 3),
		Whitening(kernel, Activation("gelu")),
		Conv2D(4, 3, Padding("same")),
		GlobalAveragePooling2D(),
		Dense(10))
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	if got := m.Layers()[0].OutputShape; !slices.Equal(got, []int{7, 7, 24}) {
		t.Errorf("whitening output %v, want [7 7 24]", got)
	}
	x := tensors.FromFlatDataAndDimensions(images[:2*8*8*3], 2, 8, 8, 3)
	_, _, store := apply(t, m, x, true)
	k := store.GetVariable("/whitening/kernel")
	if k == nil || k.Trainable || !slices.Equal(tensors.MustCopyFlatData[float32](k.MustValue()), kernel) {
		t.Fatalf("whitening kernel %v: want a non-trainable variable holding the computed kernel", k)
	}
	if b := store.GetVariable("/whitening/bias"); b == nil || !b.Trainable {
		t.Errorf("whitening bias %v: want a trainable variable", b)
	}
	// whitening bias 24; conv 3·3·24·4+4 = 868; dense 4·10+10 = 50; kernel 288 frozen.
	if tr, ntr := m.NumParams(); tr != 24+868+50 || ntr != 288 {
		t.Errorf("NumParams = %d + %d, want 942 + 288", tr, ntr)
	}
	bad := Sequential("bad", Input(8, 8, 3), Whitening(kernel[:10]))
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "whitening kernel of 10 values") {
		t.Errorf("short kernel: %v", err)
	}
}
