package layers

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/cnnlab/cnnlab/pkg/backend"
	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// Tolerances. Tests run in float64, so the fast and native formulations
// agree to rounding (1e-9), and central finite differences with step 1e-5
// agree with the analytic gradients to about 1e-7 (the layers are piecewise
// linear or smooth; random inputs keep max-pool windows away from ties).
const (
	tolImpl = 1e-9
	tolFD   = 1e-6
	fdStep  = 1e-5
)

// storeWith returns a new store whose layers use options o.
func storeWith(o Options) *model.Store {
	store := model.NewStore()
	SetOptions(store, o)
	return store
}

// withImpl returns o with Impl set to impl.
func (o Options) withImpl(impl Impl) Options {
	o.Impl = impl
	return o
}

func randData(rng *rand.Rand, n int) []float64 {
	d := make([]float64, n)
	for i := range d {
		d[i] = rng.Float64()*2 - 1
	}
	return d
}

func prod(dims []int) int {
	n := 1
	for _, d := range dims {
		n *= d
	}
	return n
}

// layerFn applies one layer to x in scope.
type layerFn func(scope *model.Scope, x *graph.Node) *graph.Node

// gradResult holds a layer's output and the gradients of
// loss = sum(output * r) with respect to the input and each trainable
// variable (in the store's order).
type gradResult struct {
	loss     float64
	out      []float64
	outDims  []int
	gradX    []float64
	varPaths []string
	gradVars [][]float64
}

// layerHarness builds and runs "loss = sum(layer(x) * r)" and its gradients
// for one store (whose options choose the implementation) and training mode.
type layerHarness struct {
	t        *testing.T
	store    *model.Store
	exec     *model.Exec
	varPaths []string
}

func newHarness(t *testing.T, store *model.Store, training bool, layer layerFn) *layerHarness {
	t.Helper()
	h := &layerHarness{t: t, store: store}
	h.exec = model.MustNewExec(backend.MustNew(), store, func(scope *model.Scope, inputs []*graph.Node) []*graph.Node {
		x, r := inputs[0], inputs[1]
		g := x.Graph()
		scope.SetTraining(g, training)
		out := layer(scope.In("layer"), x)
		loss := graph.ReduceAllSum(graph.Mul(out, r))
		wrt := []*graph.Node{x}
		h.varPaths = nil
		for v := range store.IterVariables() {
			if v.Trainable && v.InUseByGraph(g) {
				wrt = append(wrt, v.NodeValue(g))
				h.varPaths = append(h.varPaths, v.Path())
			}
		}
		grads := graph.Gradient(loss, wrt...)
		return append([]*graph.Node{loss, out}, grads...)
	})
	return h
}

func (h *layerHarness) run(x *tensors.Tensor, r *tensors.Tensor) gradResult {
	h.t.Helper()
	outs, err := h.exec.Exec(x, r)
	if err != nil {
		h.t.Fatalf("exec: %v", err)
	}
	res := gradResult{
		loss:     tensors.MustCopyFlatData[float64](outs[0])[0],
		out:      tensors.MustCopyFlatData[float64](outs[1]),
		outDims:  outs[1].Shape().Dimensions,
		gradX:    tensors.MustCopyFlatData[float64](outs[2]),
		varPaths: h.varPaths,
	}
	for _, o := range outs[3:] {
		res.gradVars = append(res.gradVars, toFloat64s(h.t, o))
	}
	return res
}

func maxAbsDiff(a, b []float64) float64 {
	if len(a) != len(b) {
		return math.Inf(1)
	}
	m := 0.0
	for i := range a {
		m = max(m, math.Abs(a[i]-b[i]))
	}
	return m
}

// checkLayer compares the fast and native formulations of layer on input
// dims xDims (float64), expecting output dims wantDims, and checks both
// against central finite differences on sampled coordinates of the input
// and of every trainable variable. The fast formulation is cnnlab's own:
// NoBackendConv is set (the backend's convolution kernel is float32-only
// and checked by TestConv2DBackendConvFloat32).
func checkLayer(t *testing.T, xDims, wantDims []int, training bool, layer layerFn) {
	t.Helper()
	checkLayerWith(t, Options{}, xDims, wantDims, training, layer)
}

// checkLayerWith is checkLayer with the layers options base (its Impl
// replaced by each implementation's, NoBackendConv set).
func checkLayerWith(t *testing.T, base Options, xDims, wantDims []int, training bool, layer layerFn) {
	t.Helper()
	base.NoBackendConv = true
	rng := rand.New(rand.NewPCG(1, 2))
	xData := randData(rng, prod(xDims))
	rData := randData(rng, prod(wantDims))
	mk := func(d []float64, dims []int) *tensors.Tensor { return tensors.FromFlatDataAndDimensions(d, dims...) }

	// Each implementation gets its own store, seeded alike, so both start
	// from the same variable values. (Two model.Exec sharing one store do
	// not all see values set with Variable.SetValue, which the finite
	// differences below rely on.)
	results := map[Impl]gradResult{}
	for _, impl := range []Impl{Native, Fast} {
		store := storeWith(base.withImpl(impl))
		if err := store.SetRNGStateFromSeed(42); err != nil {
			t.Fatal(err)
		}
		h := newHarness(t, store, training, layer)
		res := h.run(mk(xData, xDims), mk(rData, wantDims))
		if fmt.Sprint(res.outDims) != fmt.Sprint(wantDims) {
			t.Fatalf("%s: output dims %v, want %v", impl, res.outDims, wantDims)
		}
		results[impl] = res

		// Finite differences.
		lossAt := func(x []float64) float64 {
			return h.run(mk(x, xDims), mk(rData, wantDims)).loss
		}
		for _, i := range sampleIndices(rng, len(xData), 6) {
			xp := append([]float64(nil), xData...)
			xp[i] += fdStep
			lp := lossAt(xp)
			xp[i] -= 2 * fdStep
			lm := lossAt(xp)
			fd := (lp - lm) / (2 * fdStep)
			if math.Abs(fd-res.gradX[i]) > tolFD*max(1, math.Abs(fd)) {
				t.Errorf("%s: d/dx[%d] = %g, finite differences %g", impl, i, res.gradX[i], fd)
			}
		}
		for vi, path := range res.varPaths {
			v := store.GetVariable(path)
			orig := v.MustValue()
			vData := tensors.MustCopyFlatData[float64](orig)
			vDims := orig.Shape().Dimensions
			for _, i := range sampleIndices(rng, len(vData), 4) {
				at := func(delta float64) float64 {
					d := append([]float64(nil), vData...)
					d[i] += delta
					v.MustSetValue(mk(d, vDims))
					return lossAt(xData)
				}
				fd := (at(fdStep) - at(-fdStep)) / (2 * fdStep)
				v.MustSetValue(mk(vData, vDims))
				if got := res.gradVars[vi][i]; math.Abs(fd-got) > tolFD*max(1, math.Abs(fd)) {
					t.Errorf("%s: d/d%s[%d] = %g, finite differences %g", impl, path, i, got, fd)
				}
			}
		}
	}

	nat, fast := results[Native], results[Fast]
	if d := maxAbsDiff(nat.out, fast.out); d > tolImpl {
		t.Errorf("output: fast and native differ by %g > %g", d, tolImpl)
	}
	if d := maxAbsDiff(nat.gradX, fast.gradX); d > tolImpl {
		t.Errorf("d/dx: fast and native differ by %g > %g", d, tolImpl)
	}
	if fmt.Sprint(nat.varPaths) != fmt.Sprint(fast.varPaths) {
		t.Fatalf("variables differ: native %v, fast %v", nat.varPaths, fast.varPaths)
	}
	for i, p := range nat.varPaths {
		if d := maxAbsDiff(nat.gradVars[i], fast.gradVars[i]); d > tolImpl {
			t.Errorf("d/d%s: fast and native differ by %g > %g", p, d, tolImpl)
		}
	}
}

// sampleIndices returns up to n distinct indices in [0, size), always
// including the first and the last.
func sampleIndices(rng *rand.Rand, size, n int) []int {
	if size <= n {
		idx := make([]int, size)
		for i := range idx {
			idx[i] = i
		}
		return idx
	}
	seen := map[int]bool{0: true, size - 1: true}
	idx := []int{0, size - 1}
	for len(idx) < n {
		i := rng.IntN(size)
		if !seen[i] {
			seen[i] = true
			idx = append(idx, i)
		}
	}
	return idx
}

func TestConv2DGradients(t *testing.T) {
	// Input 2x6x8x3: with stride 2 and Same padding, Keras puts the odd
	// padding row/column after the input, which both axes exercise.
	tests := []struct {
		k, s       int
		p          Padding
		useBias    bool
		outH, outW int
	}{
		{1, 1, Valid, true, 6, 8}, {1, 1, Same, false, 6, 8},
		{1, 2, Valid, true, 3, 4}, {1, 2, Same, true, 3, 4},
		{3, 1, Valid, true, 4, 6}, {3, 1, Same, true, 6, 8},
		{3, 2, Valid, true, 2, 3}, {3, 2, Same, false, 3, 4},
		{5, 1, Valid, true, 2, 4}, {5, 1, Same, true, 6, 8},
		{5, 2, Valid, true, 1, 2}, {5, 2, Same, true, 3, 4},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("k%d_s%d_%s_bias%v", tc.k, tc.s, tc.p, tc.useBias), func(t *testing.T) {
			checkLayer(t, []int{2, 6, 8, 3}, []int{2, tc.outH, tc.outW, 4}, true,
				func(scope *model.Scope, x *graph.Node) *graph.Node {
					// Random bias so its gradient path is exercised with non-zero values.
					return Conv2D(scope, x, 4).KernelSize(tc.k).Strides(tc.s).Padding(tc.p).
						UseBias(tc.useBias).
						BiasInitializer(func(g *graph.Graph, shape shapes.Shape) *graph.Node {
							return graph.IotaFull(g, shape)
						}).Done()
				})
		})
	}
}

// TestConv2DSplitGradients checks the fast path that splits the patch rows
// into parts gathered and multiplied separately.
func TestConv2DSplitGradients(t *testing.T) {
	o := Options{SplitParts: 3, minPartFloats: 1}
	if n := o.splitParts(5, 100, true); n != 3 {
		t.Fatalf("splitParts(5, 100, true) = %d, want 3", n)
	}
	checkLayerWith(t, o, []int{5, 6, 8, 3}, []int{5, 3, 4, 4}, true, func(scope *model.Scope, x *graph.Node) *graph.Node {
		return Conv2D(scope, x, 4).KernelSize(3).Strides(2).Padding(Same).Done()
	})
}

func TestSplitPartsDefaults(t *testing.T) {
	var o Options
	big := 1 << 30 // far above defaultMinPartFloats
	if n := o.splitParts(64, big, false); n != 4 {
		t.Errorf("inference: splitParts = %d, want 4", n)
	}
	wantTrain := min(runtime.NumCPU(), 4)
	wantTrain += wantTrain % 2
	if n := o.splitParts(64, big, true); n != wantTrain {
		t.Errorf("training: splitParts = %d, want %d (CPUs rounded up to even, at most 4)", n, wantTrain)
	}
	// Small patch matrices are not split below defaultMinPartFloats values
	// per part.
	if n := o.splitParts(1, defaultMinPartFloats*3/2, false); n != 1 {
		t.Errorf("small batch: splitParts = %d, want 1", n)
	}
}

func TestSplitRows(t *testing.T) {
	tests := []struct {
		rows, parts int
		want        string
	}{
		{65536, 2, "[0 32769 65536]"}, // 32769 + 32767: both odd
		{65536, 4, "[0 16385 32768 49153 65536]"},
		{7, 2, "[0 3 7]"},
		{10, 1, "[0 10]"},
		{3, 5, "[0 1 2 3]"}, // at most one row per part
	}
	for _, tc := range tests {
		if got := fmt.Sprint(splitRows(tc.rows, tc.parts)); got != tc.want {
			t.Errorf("splitRows(%d, %d) = %s, want %s", tc.rows, tc.parts, got, tc.want)
		}
	}
}

func TestMaxPool2DGradients(t *testing.T) {
	tests := []struct {
		pool, stride int
		p            Padding
		outH, outW   int
	}{
		{2, 0, Valid, 3, 3}, {2, 2, Same, 4, 3}, {3, 3, Valid, 2, 2}, {3, 0, Same, 3, 2},
		{3, 2, Valid, 3, 2}, {2, 1, Same, 7, 6}, {1, 1, Valid, 7, 6},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("pool%d_s%d_%s", tc.pool, tc.stride, tc.p), func(t *testing.T) {
			checkLayer(t, []int{2, 7, 6, 3}, []int{2, tc.outH, tc.outW, 3}, true,
				func(scope *model.Scope, x *graph.Node) *graph.Node {
					return MaxPool2D(x, tc.pool, tc.stride, tc.p)
				})
		})
	}
}

// TestMaxPool2DTiesGradient pins the gradient at ties, which real images
// make frequent (flat regions give equal convolution outputs): each output's
// gradient goes to one position, the first maximum of its window in
// row-major order, as TensorFlow/Keras's MaxPoolGrad and PyTorch do, on
// both formulations. (Sending it to every tied position multiplied the
// gradient of flat regions and left BatchNorm's moving averages stale:
// issue 14.) One 4x4 image, 2x2 pools, output gradient 1, 2, 3, 4:
//
//	5 5 | 1 9      window 1: four 5s: the top-left one gets 1
//	5 5 | 9 9      window 2: 9s at (0,3), (1,2), (1,3): (0,3) gets 2
//	-----+----
//	0 7 | 2 2      window 3: one 7: it gets 3
//	7 0 | 2 2      window 4: four 2s: the top-left one gets 4
//	               (the 7 at (3,0) ties with (2,1), which comes first)
func TestMaxPool2DTiesGradient(t *testing.T) {
	x := []float32{5, 5, 1, 9, 5, 5, 9, 9, 0, 7, 2, 2, 7, 0, 2, 2}
	want := []float32{1, 0, 0, 2, 0, 0, 0, 0, 0, 3, 4, 0, 0, 0, 0, 0}
	for _, impl := range []Impl{Fast, Native} {
		out := model.MustExecOnce(backend.MustNew(), storeWith(Options{Impl: impl}), func(_ *model.Scope, x *graph.Node) *graph.Node {
			p := MaxPool2D(x, 2, 0, Valid)
			w := graph.Const(x.Graph(), [][][][]float32{{{{1}, {2}}, {{3}, {4}}}})
			return graph.Gradient(graph.ReduceAllSum(graph.Mul(p, w)), x)[0]
		}, tensors.FromFlatDataAndDimensions(x, 1, 4, 4, 1))
		if got := tensors.MustCopyFlatData[float32](out); !slices.Equal(got, want) {
			t.Errorf("%s: gradient %v, want %v", impl, got, want)
		}
	}
}

// TestMaxPool2DTiesGradient3 pins the first-maximum rule for 3x3 pools,
// where a later tie must yield to an earlier one at every step. One 3x6
// image, two windows, output gradient 1 and 2:
//
//	4 1 4 | 1 3 3     window 1: 4s at (0,0), (0,2), (1,1), (2,0): (0,0) gets 1
//	0 4 2 | 3 2 3     window 2: 3s at (0,4), (0,5), (1,3), (1,5): (0,4) gets 2
//	4 3 1 | 0 0 0
func TestMaxPool2DTiesGradient3(t *testing.T) {
	x := []float32{4, 1, 4, 1, 3, 3, 0, 4, 2, 3, 2, 3, 4, 3, 1, 0, 0, 0}
	want := []float32{1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	for _, impl := range []Impl{Fast, Native} {
		out := model.MustExecOnce(backend.MustNew(), storeWith(Options{Impl: impl}), func(_ *model.Scope, x *graph.Node) *graph.Node {
			p := MaxPool2D(x, 3, 0, Valid)
			w := graph.Const(x.Graph(), [][][][]float32{{{{1}, {2}}}})
			return graph.Gradient(graph.ReduceAllSum(graph.Mul(p, w)), x)[0]
		}, tensors.FromFlatDataAndDimensions(x, 1, 3, 6, 1))
		if got := tensors.MustCopyFlatData[float32](out); !slices.Equal(got, want) {
			t.Errorf("%s: gradient %v, want %v", impl, got, want)
		}
	}
}

func TestDenseGradients(t *testing.T) {
	for _, useBias := range []bool{true, false} {
		for _, act := range []string{"", "relu", "tanh"} {
			training := act != "tanh" // tanh: the inference (fused) formulation
			t.Run(fmt.Sprintf("bias%v_%s", useBias, act), func(t *testing.T) {
				checkLayer(t, []int{5, 7}, []int{5, 3}, training, func(scope *model.Scope, x *graph.Node) *graph.Node {
					return Dense(scope, x, 3).UseBias(useBias).Activation(act).Done()
				})
			})
		}
	}
}

// TestConv2DActivation checks the activation fused into the fast path's
// matmul against the native convolution followed by the activation.
func TestConv2DActivation(t *testing.T) {
	// Inference graphs fuse the activation into the matmul; training graphs
	// apply it separately.
	for _, training := range []bool{true, false} {
		// Every activation the table fuses, and one it does not.
		for _, act := range []string{"relu", "sigmoid", "tanh", "gelu", "silu", "linear", "elu"} {
			t.Run(fmt.Sprintf("%s_training%v", act, training), func(t *testing.T) {
				checkLayer(t, []int{2, 5, 5, 3}, []int{2, 5, 5, 4}, training, func(scope *model.Scope, x *graph.Node) *graph.Node {
					return Conv2D(scope, x, 4).Padding(Same).Activation(act).Done()
				})
			})
		}
	}
}

func TestBadActivationPanics(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "unknown activation") {
			t.Errorf("recovered %v, want an unknown activation panic", r)
		}
	}()
	lookupActivation("test", "relux")
}

func TestBatchNormGradients(t *testing.T) {
	for _, training := range []bool{true, false} {
		// Keras's BatchNormalization(scale=False), as airbench's BatchNorm
		// (no weight, momentum 0.6 in Keras's sense: PyTorch's 0.4), and
		// without both.
		for _, tc := range []struct{ center, scale bool }{{true, true}, {true, false}, {false, false}} {
			t.Run(fmt.Sprintf("training%v_center%v_scale%v", training, tc.center, tc.scale), func(t *testing.T) {
				checkLayer(t, []int{3, 4, 2, 5}, []int{3, 4, 2, 5}, training, func(scope *model.Scope, x *graph.Node) *graph.Node {
					return BatchNorm(scope, x).Center(tc.center).Scale(tc.scale).Momentum(0.6).Done()
				})
			})
		}
	}
}

// TestBatchNormWithoutScale pins Keras's BatchNormalization(scale=False,
// momentum=0.6): no "gamma" variable, output (x−mean)/sqrt(var+ε) + beta,
// and the moving averages updated with momentum 0.6 (moving·0.6 +
// batch·0.4; PyTorch's BatchNorm2d(momentum=0.4) is the same update, as
// PyTorch's momentum weighs the batch, except that PyTorch keeps the
// unbiased variance in running_var).
func TestBatchNormWithoutScale(t *testing.T) {
	// x: [4, 1]: 1, 2, 3, 4: mean 2.5, biased variance 1.25; beta 0 at the start.
	store := model.NewStore()
	exec := model.MustNewExec(backend.MustNew(), store, func(scope *model.Scope, x *graph.Node) *graph.Node {
		scope.SetTraining(x.Graph(), true)
		return BatchNorm(scope.In("bn"), x).Scale(false).Momentum(0.6).Epsilon(1e-5).Done()
	})
	out := tensors.MustCopyFlatData[float64](exec.MustExec(tensors.FromFlatDataAndDimensions([]float64{1, 2, 3, 4}, 4, 1))[0])
	s := math.Sqrt(1.25 + 1e-5)
	if want := []float64{-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s}; maxAbsDiff(out, want) > 1e-12 {
		t.Errorf("training output %v, want %v", out, want)
	}
	if v := store.GetVariable("/bn/gamma"); v != nil {
		t.Errorf("Scale(false) created %s", v.Path())
	}
	if store.GetVariable("/bn/beta") == nil {
		t.Error("Center(true) created no beta")
	}
	mm := tensors.MustCopyFlatData[float64](store.GetVariable("/bn/moving_mean").MustValue())
	mv := tensors.MustCopyFlatData[float64](store.GetVariable("/bn/moving_variance").MustValue())
	if mm[0] != 0.4*2.5 || math.Abs(mv[0]-(0.6+0.4*1.25)) > 1e-15 {
		t.Errorf("moving mean, variance = %v, %v, want 1 and 1.1", mm[0], mv[0])
	}
}

func TestPoolingGradients(t *testing.T) {
	checkLayer(t, []int{2, 3, 4, 5}, []int{2, 5}, true, func(scope *model.Scope, x *graph.Node) *graph.Node {
		return GlobalAveragePooling2D(x)
	})
	checkLayer(t, []int{2, 3, 4, 5}, []int{2, 60}, true, func(scope *model.Scope, x *graph.Node) *graph.Node {
		return Flatten(x)
	})
}

// execOnce runs fn on the Go backend with a new store and returns its
// float64 outputs.
func execOnce(t *testing.T, training bool, fn func(scope *model.Scope, x *graph.Node) *graph.Node, x *tensors.Tensor) []float64 {
	t.Helper()
	return execOnceWith(t, Options{}, training, fn, x)
}

// execOnceWith is execOnce with the layers options o.
func execOnceWith(t *testing.T, o Options, training bool, fn func(scope *model.Scope, x *graph.Node) *graph.Node, x *tensors.Tensor) []float64 {
	t.Helper()
	store := storeWith(o)
	out, err := model.ExecOnce(backend.MustNew(), store, func(scope *model.Scope, x *graph.Node) *graph.Node {
		scope.SetTraining(x.Graph(), training)
		return fn(scope, x)
	}, x)
	if err != nil {
		t.Fatal(err)
	}
	return tensors.MustCopyFlatData[float64](out)
}

func TestConv2DHandValues(t *testing.T) {
	// x: 1x4x4x1 holding 1..16; kernel: all ones 3x3; bias 0.5.
	x := make([]float64, 16)
	for i := range x {
		x[i] = float64(i + 1)
	}
	tests := []struct {
		s    int
		p    Padding
		want []float64
	}{
		// Same, stride 2: Keras pads 0 before and 1 after.
		{2, Same, []float64{54.5, 45.5, 72.5, 54.5}},
		// Valid, stride 1: the four full windows.
		{1, Valid, []float64{54.5, 63.5, 90.5, 99.5}},
	}
	for _, impl := range []Impl{Native, Fast} {
		for _, tc := range tests {
			got := execOnceWith(t, Options{Impl: impl}, false, func(scope *model.Scope, x *graph.Node) *graph.Node {
				return Conv2D(scope.In("c"), x, 1).Strides(tc.s).Padding(tc.p).
					KernelInitializer(func(g *graph.Graph, s shapes.Shape) *graph.Node { return graph.Ones(g, s) }).
					BiasInitializer(func(g *graph.Graph, s shapes.Shape) *graph.Node {
						return graph.MulScalar(graph.Ones(g, s), 0.5)
					}).Done()
			}, tensors.FromFlatDataAndDimensions(x, 1, 4, 4, 1))
			if maxAbsDiff(got, tc.want) > 1e-12 {
				t.Errorf("%s stride %d %s: got %v, want %v", impl, tc.s, tc.p, got, tc.want)
			}
		}
	}
}

func TestMaxPool2DHandValues(t *testing.T) {
	// x: 1x3x3x1 holding 1..9.
	x := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9}
	tests := []struct {
		p    Padding
		want []float64
	}{
		{Valid, []float64{5}},
		{Same, []float64{5, 6, 8, 9}}, // padded after with -inf
	}
	for _, impl := range []Impl{Native, Fast} {
		for _, tc := range tests {
			got := execOnceWith(t, Options{Impl: impl}, false, func(scope *model.Scope, x *graph.Node) *graph.Node {
				return MaxPool2D(x, 2, 0, tc.p)
			}, tensors.FromFlatDataAndDimensions(x, 1, 3, 3, 1))
			if maxAbsDiff(got, tc.want) > 0 {
				t.Errorf("%s %s: got %v, want %v", impl, tc.p, got, tc.want)
			}
		}
	}
}

func TestGlobalAveragePoolingAndFlattenHandValues(t *testing.T) {
	// x: 1x2x2x2, channel 0 = 1,2,3,4 and channel 1 = 10,20,30,40.
	x := tensors.FromFlatDataAndDimensions([]float64{1, 10, 2, 20, 3, 30, 4, 40}, 1, 2, 2, 2)
	got := execOnce(t, false, func(_ *model.Scope, x *graph.Node) *graph.Node { return GlobalAveragePooling2D(x) }, x)
	if want := []float64{2.5, 25}; maxAbsDiff(got, want) > 1e-12 {
		t.Errorf("GlobalAveragePooling2D = %v, want %v", got, want)
	}
	x = tensors.FromFlatDataAndDimensions([]float64{1, 10, 2, 20, 3, 30, 4, 40}, 1, 2, 2, 2)
	got = execOnce(t, false, func(_ *model.Scope, x *graph.Node) *graph.Node { return Flatten(x) }, x)
	if want := []float64{1, 10, 2, 20, 3, 30, 4, 40}; maxAbsDiff(got, want) > 0 {
		t.Errorf("Flatten = %v, want %v", got, want)
	}
}

func TestDenseHandValues(t *testing.T) {
	// kernel = iota [[0,1],[2,3],[4,5]], bias = 1: [1,1,1] @ kernel + 1 = [7, 10].
	got := execOnce(t, false, func(scope *model.Scope, x *graph.Node) *graph.Node {
		return Dense(scope.In("d"), x, 2).
			KernelInitializer(func(g *graph.Graph, s shapes.Shape) *graph.Node { return graph.IotaFull(g, s) }).
			BiasInitializer(func(g *graph.Graph, s shapes.Shape) *graph.Node { return graph.Ones(g, s) }).Done()
	}, tensors.FromFlatDataAndDimensions([]float64{1, 1, 1}, 1, 3))
	if want := []float64{7, 10}; maxAbsDiff(got, want) > 1e-12 {
		t.Errorf("Dense = %v, want %v", got, want)
	}
}

func TestVariablesAndInitializers(t *testing.T) {
	store := model.NewStore()
	_, err := model.ExecOnce(backend.MustNew(), store, func(scope *model.Scope, x *graph.Node) *graph.Node {
		y := Conv2D(scope.In("conv"), x, 8).Padding(Same).Done()
		y = BatchNorm(scope.In("bn"), y).Done()
		return Dense(scope.In("dense"), Flatten(y), 5).Done()
	}, tensors.FromShape(shapes.Make(dtypes.Float32, 2, 4, 4, 3)))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		dims      string
		trainable bool
	}{
		"/conv/kernel":        {"[3 3 3 8]", true},
		"/conv/bias":          {"[8]", true},
		"/bn/gamma":           {"[8]", true},
		"/bn/beta":            {"[8]", true},
		"/bn/moving_mean":     {"[8]", false},
		"/bn/moving_variance": {"[8]", false},
		"/dense/kernel":       {"[128 5]", true},
		"/dense/bias":         {"[5]", true},
	}
	seen := 0
	for v := range store.IterVariables() {
		w, ok := want[v.Path()]
		if !ok {
			continue
		}
		seen++
		if got := fmt.Sprint(v.Shape().Dimensions); got != w.dims || v.Trainable != w.trainable {
			t.Errorf("%s: dims %s trainable %v, want %s %v", v.Path(), got, v.Trainable, w.dims, w.trainable)
		}
	}
	if seen != len(want) {
		t.Errorf("found %d of the %d expected variables", seen, len(want))
	}
	// Glorot uniform: |w| <= sqrt(6/(fanIn+fanOut)), fanIn=3*3*3, fanOut=3*3*8,
	// and the spread uses most of that range.
	k := tensors.MustCopyFlatData[float32](store.GetVariable("/conv/kernel").MustValue())
	limit := math.Sqrt(6.0 / (27 + 72))
	maxAbs := 0.0
	for _, v := range k {
		maxAbs = max(maxAbs, math.Abs(float64(v)))
	}
	if maxAbs > limit || maxAbs < 0.8*limit {
		t.Errorf("conv kernel max |w| = %g, want in [0.8, 1] x Glorot limit %g", maxAbs, limit)
	}
	for _, name := range []string{"/conv/bias", "/bn/beta", "/bn/moving_mean"} {
		for _, v := range tensors.MustCopyFlatData[float32](store.GetVariable(name).MustValue()) {
			if v != 0 {
				t.Fatalf("%s not initialized to zeros", name)
			}
		}
	}
	for _, name := range []string{"/bn/gamma", "/bn/moving_variance"} {
		for _, v := range tensors.MustCopyFlatData[float32](store.GetVariable(name).MustValue()) {
			if v != 1 {
				t.Fatalf("%s not initialized to ones", name)
			}
		}
	}
}

func TestBatchNormTrainingAndMovingAverages(t *testing.T) {
	// x: [4, 2]: feature 0 = 1,2,3,4 (mean 2.5, biased var 1.25),
	// feature 1 = 10,10,10,10 (mean 10, var 0).
	xData := []float64{1, 10, 2, 10, 3, 10, 4, 10}
	store := model.NewStore()
	exec := model.MustNewExec(backend.MustNew(), store, func(scope *model.Scope, x *graph.Node) *graph.Node {
		scope.SetTraining(x.Graph(), true)
		return BatchNorm(scope.In("bn"), x).Momentum(0.9).Done()
	})
	out := tensors.MustCopyFlatData[float64](exec.MustExec(tensors.FromFlatDataAndDimensions(xData, 4, 2))[0])
	s := math.Sqrt(1.25 + 1e-3)
	want := []float64{-1.5 / s, 0, -0.5 / s, 0, 0.5 / s, 0, 1.5 / s, 0}
	if maxAbsDiff(out, want) > 1e-12 {
		t.Errorf("training output %v, want %v", out, want)
	}
	mm := tensors.MustCopyFlatData[float64](store.GetVariable("/bn/moving_mean").MustValue())
	mv := tensors.MustCopyFlatData[float64](store.GetVariable("/bn/moving_variance").MustValue())
	// moving = moving*0.9 + batch*0.1, from zeros and ones.
	if w := []float64{0.25, 1}; maxAbsDiff(mm, w) > 1e-12 {
		t.Errorf("moving_mean %v, want %v", mm, w)
	}
	if w := []float64{0.9 + 0.125, 0.9}; maxAbsDiff(mv, w) > 1e-12 {
		t.Errorf("moving_variance %v, want %v", mv, w)
	}

	// Inference uses the moving averages.
	infer := model.MustNewExec(backend.MustNew(), store, func(scope *model.Scope, x *graph.Node) *graph.Node {
		return BatchNorm(scope.In("bn"), x).Momentum(0.9).Done()
	})
	out = tensors.MustCopyFlatData[float64](infer.MustExec(tensors.FromFlatDataAndDimensions([]float64{1, 10}, 1, 2))[0])
	want = []float64{(1 - 0.25) / math.Sqrt(1.025+1e-3), (10 - 1) / math.Sqrt(0.9+1e-3)}
	if maxAbsDiff(out, want) > 1e-12 {
		t.Errorf("inference output %v, want %v", out, want)
	}
}

func TestDropout(t *testing.T) {
	const n, rate = 20000, 0.3
	ones := make([]float32, n)
	for i := range ones {
		ones[i] = 1
	}
	for _, training := range []bool{true, false} {
		store := model.NewStore()
		out, err := model.ExecOnce(backend.MustNew(), store, func(scope *model.Scope, x *graph.Node) *graph.Node {
			scope.SetTraining(x.Graph(), training)
			return Dropout(scope, x, rate)
		}, tensors.FromFlatDataAndDimensions(ones, n))
		if err != nil {
			t.Fatal(err)
		}
		zeros, kept := 0, 0
		for _, v := range tensors.MustCopyFlatData[float32](out) {
			switch {
			case v == 0:
				zeros++
			case math.Abs(float64(v)-1/(1-rate)) < 1e-6:
				kept++
			case v == 1 && !training:
				kept++
			default:
				t.Fatalf("training=%v: unexpected value %g", training, v)
			}
		}
		if !training {
			if zeros != 0 {
				t.Errorf("inference: %d values dropped, want none", zeros)
			}
			continue
		}
		// Binomial(20000, 0.3): std ~65, so ±400 is >6 sigma.
		if zeros < n*rate-400 || zeros > n*rate+400 {
			t.Errorf("training: %d of %d dropped, want about %g", zeros, n, n*rate)
		}
	}
}

func TestFastPathActive(t *testing.T) {
	g := graph.NewGraph(backend.MustNew(), "test")
	defer g.Finalize()
	_, info, _ := backend.New()
	isGo := strings.HasPrefix(info.Config, "go")
	for _, tc := range []struct {
		impl Impl
		want bool
	}{{Auto, isGo}, {Native, false}, {Fast, true}} {
		model.SetStore(g, storeWith(Options{Impl: tc.impl}))
		if got := FastPathActive(g); got != tc.want {
			t.Errorf("%s: FastPathActive = %v, want %v", tc.impl, got, tc.want)
		}
	}
	// A graph without a store, or whose store has no options, uses Auto.
	for name, g := range map[string]*graph.Graph{"no store": graph.NewGraph(backend.MustNew(), "bare"), "no options": g} {
		if name == "no options" {
			model.SetStore(g, model.NewStore())
		}
		if got := FastPathActive(g); got != isGo {
			t.Errorf("%s: FastPathActive = %v, want %v (Auto)", name, got, isGo)
		}
	}
	if _, err := ParseImpl("turbo"); err == nil {
		t.Error("ParseImpl(turbo): no error")
	}
}

// TestConv2DWinogradGradients checks the Winograd convolution of the fast
// path (3x3, stride 1, "same", even sizes, at least 16 channels) against
// the native convolution and finite differences, in training and inference
// graphs, with the images in one part and in three.
func TestConv2DWinogradGradients(t *testing.T) {
	var defaults Options
	if !defaults.winogradOK(3, 1, Same, 4, 6, 16, 512, true) || !defaults.winogradOK(3, 1, Same, 4, 6, 16, 5, false) {
		t.Fatal("winogradOK(3, 1, same, 4x6x16) = false for 512 filters in training or 5 in inference")
	}
	for _, tc := range []struct {
		k, s       int
		p          Padding
		h, w, c, f int
		training   bool
	}{
		{3, 2, Same, 4, 6, 16, 512, false}, {3, 1, Valid, 4, 6, 16, 512, false}, {3, 1, Same, 5, 6, 16, 512, false},
		{3, 1, Same, 4, 6, 8, 512, false}, {5, 1, Same, 4, 6, 16, 512, false},
		{3, 1, Same, 32, 32, 32, 32, true}, {3, 1, Same, 16, 16, 64, 64, true},
	} {
		if defaults.winogradOK(tc.k, tc.s, tc.p, tc.h, tc.w, tc.c, tc.f, tc.training) {
			t.Errorf("winogradOK(%+v) = true, want false", tc)
		}
	}
	// 4x6 images have 6 tiles of 2x2 outputs, 6x2 images 3 (a tile row
	// of one tile, and odd tile counts per part).
	for _, hw := range [][2]int{{4, 6}, {6, 2}} {
		for _, parts := range []int{1, 3} {
			for _, training := range []bool{true, false} {
				t.Run(fmt.Sprintf("%dx%d_parts%d_training%v", hw[0], hw[1], parts, training), func(t *testing.T) {
					// 5 filters, small enough for finite differences: Winograd in
					// training graphs too with the threshold lowered.
					o := Options{SplitParts: parts, minPartFloats: 1, winogradMinTraining: 1}
					if !o.winogradOK(3, 1, Same, hw[0], hw[1], 16, 5, training) {
						t.Fatal("winogradOK = false: the case would not test the Winograd path")
					}
					checkLayerWith(t, o, []int{3, hw[0], hw[1], 16}, []int{3, hw[0], hw[1], 5}, training, func(scope *model.Scope, x *graph.Node) *graph.Node {
						return Conv2D(scope, x, 5).Padding(Same).Activation("relu").
							BiasInitializer(func(g *graph.Graph, shape shapes.Shape) *graph.Node {
								return graph.IotaFull(g, shape)
							}).Done()
					})
				})
			}
		}
	}
}

// TestConv2DWinogradFloat32 bounds the rounding error of the Winograd
// convolution in float32, the dtype models train in, at the course's
// 8x8x64 → 128 shape: its outputs and gradients differ from the native
// convolution's, both in float32, by less than 1e-5 of their largest
// magnitude (F(2x2, 3x3)'s transforms add a few roundings per value).
func TestConv2DWinogradFloat32(t *testing.T) {
	if !(Options{}).winogradOK(3, 1, Same, 8, 8, 64, 128, true) {
		t.Fatal("winogradOK(8x8x64 → 128, training) = false: the test would not test the Winograd path")
	}
	x := []int{4, 8, 8, 64}
	want := conv2DFloat32(t, Options{Impl: Native}, x, 128, 3, 1)
	got := conv2DFloat32(t, Options{Impl: Fast, NoBackendConv: true}, x, 128, 3, 1)
	compareFloat32(t, "float32 Winograd", want, got, 1e-5)
}

// TestConv2DBackendConvFloat32 checks Conv2D on the backend's convolution
// kernel (where the patched backend has one) against the fast
// path's im2col (5x5, stride 2) and Winograd (3x3) formulations, in float32:
// outputs and gradients agree to 1e-5 of their scale, and the kernel ran.
func TestConv2DBackendConvFloat32(t *testing.T) {
	if backend.ConvKernel() == "" {
		t.Skip("no convolution kernel in this build (released GoMLX, or none for this CPU)")
	}
	for _, tc := range []struct {
		x             []int
		filters, k, s int
	}{
		{[]int{3, 9, 7, 5}, 6, 5, 2},
		{[]int{4, 8, 8, 64}, 128, 3, 1},
	} {
		t.Run(fmt.Sprintf("%v_k%d_s%d", tc.x, tc.k, tc.s), func(t *testing.T) {
			want := conv2DFloat32(t, Options{Impl: Fast, NoBackendConv: true}, tc.x, tc.filters, tc.k, tc.s)
			calls := backend.ConvKernelCalls()
			got := conv2DFloat32(t, Options{Impl: Fast}, tc.x, tc.filters, tc.k, tc.s)
			// The forward pass and the two gradients: three convolutions.
			if n := backend.ConvKernelCalls() - calls; n < 3 {
				t.Errorf("the kernel ran %d convolutions, want at least 3", n)
			}
			compareFloat32(t, "the kernel", want, got, 1e-5)
		})
	}
}

// conv2DFloat32 returns the output of a float32 Conv2D (filters k×k,
// stride s, "same", no bias) of a random input of dims x with options o, and the
// gradients of a random projection of it with respect to the input and the
// kernel, as float64.
func conv2DFloat32(t *testing.T, o Options, x []int, filters, k, s int) [][]float64 {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, 8))
	mk := func(dims []int) *tensors.Tensor {
		d := make([]float32, prod(dims))
		for i := range d {
			d[i] = float32(rng.Float64()*2 - 1)
		}
		return tensors.FromFlatDataAndDimensions(d, dims...)
	}
	outH, outW := (x[1]+s-1)/s, (x[2]+s-1)/s
	xt, r := mk(x), mk([]int{x[0], outH, outW, filters})
	store := storeWith(o)
	if err := store.SetRNGStateFromSeed(3); err != nil {
		t.Fatal(err)
	}
	var results [][]float64
	exec := model.MustNewExec(backend.MustNew(), store, func(scope *model.Scope, x, r *graph.Node) []*graph.Node {
		scope.SetTraining(x.Graph(), true)
		y := Conv2D(scope.In("c"), x, filters).KernelSize(k).Strides(s).Padding(Same).UseBias(false).Done()
		loss := graph.ReduceAllSum(graph.Mul(y, r))
		var kernel *graph.Node
		for v := range store.IterVariables() {
			kernel = v.NodeValue(x.Graph())
		}
		outs := append([]*graph.Node{y}, graph.Gradient(loss, x, kernel)...)
		for i := range outs {
			outs[i] = graph.ConvertDType(outs[i], dtypes.Float64)
		}
		return outs
	})
	for _, out := range exec.MustExec(xt, r) {
		results = append(results, tensors.MustCopyFlatData[float64](out))
	}
	return results
}

// compareFloat32 checks that got's output, input gradient and kernel
// gradient differ from want's by less than tol of their largest magnitude.
func compareFloat32(t *testing.T, what string, want, got [][]float64, tol float64) {
	t.Helper()
	for i, name := range []string{"output", "d/dx", "d/dkernel"} {
		scale := 0.0
		for _, w := range want[i] {
			scale = max(scale, math.Abs(w))
		}
		if d := maxAbsDiff(want[i], got[i]) / scale; d > tol {
			t.Errorf("%s: %s differs from the reference by %.3g of its scale", name, what, d)
		} else {
			t.Logf("%s: %s: relative difference %.3g", name, what, d)
		}
	}
}

// TestBackendConv checks that the default options put Conv2D on the backend's
// convolution on the fast path (a ConvGeneral node, no im2col Gather) while
// max-pooling keeps its fast formulation (no ReduceWindow), and that the
// fast path has no ConvGeneral with NoBackendConv.
func TestBackendConv(t *testing.T) {
	count := func(backendConv bool) map[graph.NodeType]int {
		n := map[graph.NodeType]int{}
		g := graph.NewGraph(backend.MustNew(), "test")
		defer g.Finalize()
		store := storeWith(Options{Impl: Fast, NoBackendConv: !backendConv})
		model.SetStore(g, store)
		x := graph.Parameter(g, "x", shapes.Make(dtypes.Float32, 2, 8, 8, 3))
		y := Conv2D(store.RootScope().In("conv"), x, 4).Padding(Same).Done()
		MaxPool2D(y, 2, 2, Valid)
		for _, node := range g.Nodes() {
			n[node.Type()]++
		}
		return n
	}
	on, off := count(true), count(false)
	if backend.ConvKernel() == "" {
		// Released GoMLX (or no kernel for this CPU): NoBackendConv has no
		// effect, the fast path stays.
		if on[graph.NodeTypeConvGeneral] != 0 || on[graph.NodeTypeGather] == 0 {
			t.Errorf("backend convolution without a kernel: %d ConvGeneral, %d Gather nodes, want 0 and some",
				on[graph.NodeTypeConvGeneral], on[graph.NodeTypeGather])
		}
	} else if on[graph.NodeTypeConvGeneral] != 1 || on[graph.NodeTypeGather] != 0 || on[graph.NodeTypeReduceWindow] != 0 {
		t.Errorf("backend convolution with kernel %s: %d ConvGeneral, %d Gather, %d ReduceWindow nodes, want 1, 0, 0", backend.ConvKernel(),
			on[graph.NodeTypeConvGeneral], on[graph.NodeTypeGather], on[graph.NodeTypeReduceWindow])
	}
	if off[graph.NodeTypeConvGeneral] != 0 || off[graph.NodeTypeGather] == 0 {
		t.Errorf("fast path: %d ConvGeneral, %d Gather nodes, want 0 and some",
			off[graph.NodeTypeConvGeneral], off[graph.NodeTypeGather])
	}
}

// TestBatchNormFused: in training, the backend's fused BatchNorm op
// (BatchNormForTraining, its gradient BatchNormGradient) gives the
// outputs, the gradients of x, gamma and beta, and the moving averages of
// the composed graph (whose float64 gradients TestBatchNormGradients checks
// by finite differences), in float32, with and without gamma and beta.
// cnnlab's patched build must have the op; released GoMLX's Go backend has
// not, and the test then checks nothing. (Float64 models keep the composed
// graph: the op's epsilon is a float32.)
func TestBatchNormFused(t *testing.T) {
	if !backend.MustNew().Capabilities().Operations[compute.OpTypeBatchNormForTraining] {
		if backend.Patched() {
			t.Fatal("the patched build's Go backend has no BatchNormForTraining (bench/upstream/compute-batchnorm.patch)")
		}
		t.Skip("released GoMLX: the Go backend has no fused BatchNorm")
	}
	dims := []int{8, 5, 5, 16} // 200 values per feature
	rng := rand.New(rand.NewPCG(3, 4))
	xData, rData := randData(rng, prod(dims)), randData(rng, prod(dims))
	for i := range xData {
		xData[i] = 3*xData[i] + 0.5 // mean and variance far from 0 and 1
	}
	const dtype = dtypes.Float32
	for _, tc := range []struct{ center, scale bool }{{true, true}, {true, false}, {false, false}} {
		name := fmt.Sprintf("%s_center%v_scale%v", dtype, tc.center, tc.scale)
		t.Run(name, func(t *testing.T) {
			type result struct {
				res    gradResult
				moving [][]float64
			}
			run := func(fused bool) result {
				store := storeWith(Options{NoFusedBatchNorm: !fused})
				if err := store.SetRNGStateFromSeed(42); err != nil {
					t.Fatal(err)
				}
				h := newHarness(t, store, true, func(scope *model.Scope, x *graph.Node) *graph.Node {
					x = graph.ConvertDType(x, dtype)
					y := BatchNorm(scope, x).Center(tc.center).Scale(tc.scale).Momentum(0.6).Done()
					ops := 0
					for _, n := range x.Graph().Nodes() {
						if n.Type() == graph.NodeTypeBatchNormForTraining {
							ops++
						}
					}
					if want := btoi(fused); ops != want {
						t.Errorf("fused %v: %d BatchNormForTraining ops in the graph, want %d", fused, ops, want)
					}
					return graph.ConvertDType(y, dtypes.Float64)
				})
				mk := func(d []float64) *tensors.Tensor { return tensors.FromFlatDataAndDimensions(d, dims...) }
				r := result{res: h.run(mk(xData), mk(rData))}
				for _, v := range []string{"/layer/moving_mean", "/layer/moving_variance"} {
					r.moving = append(r.moving, toFloat64s(t, store.GetVariable(v).MustValue()))
				}
				return r
			}
			fused, composed := run(true), run(false)
			const tol = 2e-5
			near := func(what string, got, want []float64) {
				t.Helper()
				if len(got) != len(want) {
					t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
				}
				for i := range got {
					if math.Abs(got[i]-want[i]) > tol*max(1, math.Abs(want[i])) {
						t.Fatalf("%s[%d] = %g fused, %g composed", what, i, got[i], want[i])
					}
				}
			}
			near("output", fused.res.out, composed.res.out)
			near("dx", fused.res.gradX, composed.res.gradX)
			if len(fused.res.gradVars) != len(composed.res.gradVars) || len(fused.res.gradVars) != btoi(tc.center)+btoi(tc.scale) {
				t.Fatalf("gradients of %v fused, %v composed", fused.res.varPaths, composed.res.varPaths)
			}
			for i := range fused.res.gradVars {
				near("d"+fused.res.varPaths[i], fused.res.gradVars[i], composed.res.gradVars[i])
			}
			near("moving_mean", fused.moving[0], composed.moving[0])
			near("moving_variance", fused.moving[1], composed.moving[1])
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// toFloat64s returns a float32 or float64 tensor's values as float64.
func toFloat64s(t *testing.T, v *tensors.Tensor) []float64 {
	t.Helper()
	if v.DType() == dtypes.Float32 {
		var out []float64
		for _, f := range tensors.MustCopyFlatData[float32](v) {
			out = append(out, float64(f))
		}
		return out
	}
	return tensors.MustCopyFlatData[float64](v)
}
