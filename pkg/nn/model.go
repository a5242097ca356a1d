package nn

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/cnnlab/cnnlab/pkg/layers"
	"github.com/cnnlab/cnnlab/pkg/regularizers"
)

// Model is a Keras-style Sequential model: an input shape and a list of
// layers. Declare it with [Sequential] or [Named]; it holds no weights
// (they live in the GoMLX store whose scope is given to [Model.Apply]).
type Model struct {
	name   string
	input  []int
	layers []*spec
	infos  []LayerInfo
	err    error

	preset string  // the name given to Named ("" otherwise), for Declaration
	width  float64 // the width given to Named or set in the Arch
}

// LayerInfo describes one layer of a model, as a row of [Model.Summary].
type LayerInfo struct {
	Name         string `json:"name"`                 // Keras-style name, e.g. "conv2d_1"; also its variable scope
	Class        string `json:"class"`                // Keras class, e.g. "Conv2D"
	OutputShape  []int  `json:"output_shape"`         // without the batch axis
	Trainable    int    `json:"trainable_params"`     // trainable parameters
	NonTrainable int    `json:"non_trainable_params"` // non-trainable parameters (BatchNormalization's moving averages)
	Activation   string `json:"activation"`           // Keras activation name; "linear" for none
}

// Params returns the total number of parameters of the layer.
func (l LayerInfo) Params() int { return l.Trainable + l.NonTrainable }

// Sequential declares a model named name from its layers, in order; the
// first must be [Input]. Declaration errors (a bad option value, a shape
// that does not fit, a duplicate name) do not panic: they are returned by
// [Model.Validate], and the graph-building [Model.Apply] panics with them.
func Sequential(name string, layers ...Layer) *Model {
	m := &Model{name: name}
	m.err = m.declare(layers)
	return m
}

// declare checks the layers, names them and infers their shapes.
func (m *Model) declare(ls []Layer) error {
	if strings.TrimSpace(m.name) == "" {
		return errors.New("model name is empty")
	}
	if len(ls) == 0 || ls[0] == nil || ls[0].layerSpec().kind != kindInput {
		return fmt.Errorf("model %q: the first layer must be nn.Input(height, width, channels)", m.name)
	}
	in := ls[0].layerSpec()
	if len(in.dims) == 0 {
		return fmt.Errorf("model %q: nn.Input needs the shape of one example, e.g. nn.Input(32, 32, 3)", m.name)
	}
	for _, d := range in.dims {
		if d <= 0 {
			return fmt.Errorf("model %q: nn.Input%s: dimensions must be positive", m.name, shapeString(in.dims))
		}
	}
	m.input = slices.Clone(in.dims)
	if len(ls) == 1 {
		return fmt.Errorf("model %q has no layers after nn.Input", m.name)
	}
	// Copy the specs: a Layer value may be shared between models.
	used := map[string]bool{}
	for i, l := range ls[1:] {
		if l == nil {
			return fmt.Errorf("model %q: layer %d is nil", m.name, i+1)
		}
		s := *l.layerSpec()
		if s.kind == kindInput {
			return fmt.Errorf("model %q: nn.Input may only be the first layer (found at position %d)", m.name, i+1)
		}
		if s.name != "" {
			if err := checkLayerName(s.name); err != nil {
				return fmt.Errorf("model %q: layer %d: %w", m.name, i+1, err)
			}
			if used[s.name] {
				return fmt.Errorf("model %q: two layers are named %q; layer names must be unique", m.name, s.name)
			}
			used[s.name] = true
		}
		m.layers = append(m.layers, &s)
	}
	// Keras-style automatic names, skipping names given by the user.
	counts := map[string]int{}
	for _, s := range m.layers {
		if s.name != "" {
			continue
		}
		base := kindInfo[s.kind].base
		for {
			n := counts[base]
			counts[base]++
			name := base
			if n > 0 {
				name = base + "_" + strconv.Itoa(n)
			}
			if !used[name] {
				s.name, used[name] = name, true
				break
			}
		}
	}
	shape := m.input
	for i, s := range m.layers {
		what := fmt.Sprintf("model %q: layer %d %q (%s)", m.name, i+1, s.name, kindInfo[s.kind].class)
		if err := s.check(); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		out, tr, ntr, err := s.infer(shape)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		m.infos = append(m.infos, LayerInfo{Name: s.name, Class: kindInfo[s.kind].class, OutputShape: out,
			Trainable: tr, NonTrainable: ntr, Activation: s.activation})
		shape = out
	}
	return nil
}

// checkLayerName rejects names that cannot be a variable scope.
func checkLayerName(name string) error {
	if strings.TrimSpace(name) != name || name == "" || strings.ContainsAny(name, "/%\n\t") {
		return fmt.Errorf("bad layer name %q: use letters, digits, '_' or '-'", name)
	}
	return nil
}

// Validate returns the first declaration error of the model, or nil.
func (m *Model) Validate() error { return m.err }

// Name returns the model's name.
func (m *Model) Name() string { return m.name }

// InputShape returns the shape of one input example, e.g. [32, 32, 3].
func (m *Model) InputShape() []int { return slices.Clone(m.input) }

// OutputShape returns the shape of the model's output for one example
// (without the batch axis), e.g. [10]; nil for an invalid model.
func (m *Model) OutputShape() []int {
	if m.err != nil || len(m.infos) == 0 {
		return nil
	}
	return slices.Clone(m.infos[len(m.infos)-1].OutputShape)
}

// Layers describes the layers, in order (nil for an invalid model).
func (m *Model) Layers() []LayerInfo {
	if m.err != nil {
		return nil
	}
	out := slices.Clone(m.infos)
	for i := range out {
		out[i].OutputShape = slices.Clone(out[i].OutputShape)
	}
	return out
}

// NumParams returns the number of trainable and non-trainable parameters,
// as Keras's summary counts them.
func (m *Model) NumParams() (trainable, nonTrainable int) {
	for _, l := range m.infos {
		trainable += l.Trainable
		nonTrainable += l.NonTrainable
	}
	return
}

// FLOPs returns the floating-point operations of one forward pass of one
// example through the convolutions and Dense layers (a multiply-add counts
// as 2; biases, activations, pooling and normalization are not counted).
// Training costs about 3 times as much (forward, and backward for the
// inputs and the weights).
func (m *Model) FLOPs() int64 {
	var f int64
	in := m.input
	for i, s := range m.layers {
		out := m.infos[i].OutputShape
		switch s.kind {
		case kindConv2D:
			k := int64(s.kernelSize[0])
			f += 2 * int64(out[0]*out[1]*out[2]) * k * k * int64(in[2])
		case kindWhitening:
			f += 2 * int64(out[0]*out[1]*out[2]) * 4 * int64(in[2])
		case kindDense:
			positions := int64(1)
			for _, d := range out[:len(out)-1] {
				positions *= int64(d)
			}
			f += 2 * positions * int64(in[len(in)-1]) * int64(s.units)
		}
		in = out
	}
	return f
}

// HasPenalty reports whether some layer has a weight regularizer, i.e.
// whether the penalty returned by [Model.Apply] can be non-zero (it is a
// zero scalar otherwise).
func (m *Model) HasPenalty() bool {
	for _, s := range m.layers {
		if !s.kernelReg.IsZero() || (s.useBias && !s.biasReg.IsZero()) {
			return true
		}
	}
	return false
}

// OutputActivation returns the last layer's activation name ("softmax" for
// the course models; "linear" when it has none).
func (m *Model) OutputActivation() string {
	if len(m.layers) == 0 {
		return "linear"
	}
	return m.layers[len(m.layers)-1].activation
}

// Apply builds the model's graph for x [B,H,W,C] under scope and returns
// the logits (the last layer's output before its softmax, when its
// activation is softmax; otherwise its output) and the sum of the
// weight-regularization penalties (a scalar; zero when none).
//
// Each layer's variables live under scope.In(layerName) with Keras's
// variable names ("conv2d/kernel", "batch_normalization/moving_mean", ...).
// Calling Apply twice with the same scope reuses the same weights, as
// calling a Keras model twice does.
// Dropout and BatchNormalization read the training mode from
// scope.IsTraining(g). In inference every layer treats the examples of a
// batch independently (Dropout is off, BatchNormalization uses its moving
// averages), so a large batch is built as independent sub-batches
// (layers.SplitBatch), which GoMLX's Go backend runs in parallel. Like
// GoMLX graph functions, Apply panics on an invalid model or an input whose
// shape after the batch axis differs from [Model.InputShape].
func (m *Model) Apply(scope *model.Scope, x *graph.Node) (logits, penalty *graph.Node) {
	m.checkInput(x)
	if scope.IsTraining(x.Graph()) {
		logits = m.layersGraph(scope, x, nil)
	} else {
		logits = layers.SplitBatch(x, layers.InferenceSplit(x), func(x *graph.Node) *graph.Node {
			return m.layersGraph(scope.ResetVisited(), x, nil)
		})
	}
	return logits, m.penalty(scope, x.Graph(), x.DType())
}

// Outputs builds the model on x as [Model.Apply] does, in one batch, and
// returns the output of every layer in order (the last is the logits), for
// looking inside a model: e.g. the spread of each layer's activations at
// initialization. It panics as Apply does.
func (m *Model) Outputs(scope *model.Scope, x *graph.Node) []*graph.Node {
	m.checkInput(x)
	var outs []*graph.Node
	m.layersGraph(scope, x, func(y *graph.Node) { outs = append(outs, y) })
	return outs
}

// checkInput panics on an invalid model or an input it does not take.
func (m *Model) checkInput(x *graph.Node) {
	if m.err != nil {
		panic(m.err)
	}
	dims := x.Shape().Dimensions
	if len(dims) != len(m.input)+1 || !slices.Equal(dims[1:], m.input) {
		panic(fmt.Errorf("model %q: input shape %s, want [batch, %s", m.name, x.Shape(),
			strings.TrimPrefix(shapeString(m.input), "[")))
	}
	if !x.DType().IsFloat() {
		panic(fmt.Errorf("model %q: input must be float, got %s", m.name, x.DType()))
	}
}

// layersGraph builds the layers on x and returns the logits; each layer's
// output is passed to record when it is not nil.
func (m *Model) layersGraph(scope *model.Scope, x *graph.Node, record func(*graph.Node)) *graph.Node {
	for i, s := range m.layers {
		act := s.activation
		if i == len(m.layers)-1 && act == "softmax" {
			act = "linear" // logits: the loss applies the softmax
		}
		ls := scope.At("%s", s.name)
		switch s.kind {
		case kindConv2D:
			x = layers.Conv2D(ls, x, s.filters).
				KernelSize(s.kernelSize[0]).
				Strides(s.stride()).
				Padding(layers.Padding(s.padding)).
				UseBias(s.useBias).
				Activation(act).
				KernelInitializer(s.kernelInit.Func(ls)).
				BiasInitializer(s.biasInit.Func(ls)).
				Done()
		case kindDense:
			x = layers.Dense(ls, x, s.units).
				UseBias(s.useBias).
				Activation(act).
				KernelInitializer(s.kernelInit.Func(ls)).
				BiasInitializer(s.biasInit.Func(ls)).
				Done()
		case kindMaxPooling2D:
			x = layers.MaxPool2D(x, s.poolSize[0], s.stride(), layers.Padding(s.padding))
		case kindBatchNormalization:
			x = layers.BatchNorm(ls, x).Momentum(s.momentum).Epsilon(s.epsilon).
				Center(s.center).Scale(s.scale).Done()
		case kindFlatten:
			x = layers.Flatten(x)
		case kindGlobalAveragePooling2D:
			x = layers.GlobalAveragePooling2D(x)
		case kindDropout:
			x = layers.Dropout(ls, x, s.rate)
		case kindRescaling:
			x = graph.MulScalar(x, s.rescale[0])
			if s.rescale[1] != 0 {
				x = graph.AddScalar(x, s.rescale[1])
			}
		case kindActivation:
			x = layers.ApplyActivation(act, x)
		case kindRandomFlip:
			x = layers.RandomFlip(ls, x, s.flipMode)
		case kindRandomTranslation:
			x = layers.RandomTranslation(ls, x, s.factors[0], s.factors[1], s.fillMode, s.fillValue)
		case kindRandomCrop:
			x = layers.RandomCrop(ls, x, s.cropSize[0], s.cropSize[1], s.cropPad)
		case kindWhitening:
			c := x.Shape().Dim(-1)
			x = layers.ApplyActivation(act, layers.Whitening(ls, x, s.whitening, s.whitenValues(c)/(4*c), s.useBias))
		}
		if record != nil {
			record(x)
		}
	}
	return x
}

// penalty returns the sum of the layers' weight penalties (a zero scalar
// when none), from the variables that the layers created.
func (m *Model) penalty(scope *model.Scope, g *graph.Graph, dtype dtypes.DType) *graph.Node {
	penalty := graph.ScalarZero(g, dtype)
	for _, s := range m.layers {
		if s.kind != kindConv2D && s.kind != kindDense {
			continue
		}
		ls := scope.At("%s", s.name)
		for _, r := range []struct {
			variable string
			reg      regularizers.Regularizer
		}{{"kernel", s.kernelReg}, {"bias", s.biasReg}} {
			if r.reg.IsZero() || (r.variable == "bias" && !s.useBias) {
				continue
			}
			v := ls.GetVariable(r.variable)
			if v == nil {
				panic(fmt.Errorf("model %q: layer %q has no variable %q to regularize", m.name, ls.Scope(), r.variable))
			}
			penalty = graph.Add(penalty, r.reg.Penalty(v.NodeValue(g)))
		}
	}
	return penalty
}

// Call builds the model's output as calling a Keras model does
// (model(x)): the logits of [Model.Apply] with the output activation
// applied (the softmax of the course's models, giving class
// probabilities).
func (m *Model) Call(scope *model.Scope, x *graph.Node) *graph.Node {
	logits, _ := m.Apply(scope, x)
	return layers.ApplyActivation(m.OutputActivation(), logits)
}

// shapeString formats dims as "[32, 32, 3]".
func shapeString(dims []int) string {
	parts := make([]string, len(dims))
	for i, d := range dims {
		parts[i] = strconv.Itoa(d)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// DataSamples returns how many training samples the model's
// data-dependent layers still need ([WhiteningFromData] layers whose
// kernel is not computed yet): 0 when there are none, or they are done.
func (m *Model) DataSamples() int {
	n := 0
	for _, s := range m.layers {
		if s.kind == kindWhitening && s.whitenData > 0 && s.whitening == nil {
			n = max(n, s.whitenData)
		}
	}
	return n
}

// InitFromData computes the weights of the model's [WhiteningFromData]
// layers from x, n samples of the model's input shape (row-major, scaled
// as the model sees them): each layer's kernel from the first images it
// asks for (all n when fewer). fit.Fit calls it before the first training
// step of a model with no weights yet; the kernels then live in the
// weights (a non-trainable variable), which is what evaluating, predicting
// and resuming read. It fails on an invalid model, a bad x, or a
// WhiteningFromData layer after a layer that changes the images at
// inference.
func (m *Model) InitFromData(x []float32, n int) error {
	if m.err != nil {
		return m.err
	}
	size := 1
	for _, d := range m.input {
		size *= d
	}
	if n <= 0 || len(x) != n*size {
		return fmt.Errorf("model %q: %d values for %d samples of shape %s", m.name, len(x), n, shapeString(m.input))
	}
	for i, s := range m.layers {
		if s.kind != kindWhitening || s.whitenData == 0 {
			continue
		}
		for _, p := range m.layers[:i] {
			if p.kind != kindRandomFlip && p.kind != kindRandomTranslation && p.kind != kindRandomCrop {
				return fmt.Errorf("model %q: layer %q computes its kernel from the images, but %q (%s) comes before it",
					m.name, s.name, p.name, kindInfo[p.kind].class)
			}
		}
		if len(m.input) != 3 {
			return fmt.Errorf("model %q: layer %q needs images [height, width, channels], not %s", m.name, s.name, shapeString(m.input))
		}
		k := min(n, s.whitenData)
		kernel, err := layers.WhiteningKernel(x[:k*size], k, m.input[0], m.input[1], m.input[2], s.whitenEps)
		if err != nil {
			return fmt.Errorf("model %q: layer %q: %w", m.name, s.name, err)
		}
		s.whitening = kernel
	}
	return nil
}
