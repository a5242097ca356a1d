package nn

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/cnnlab/cnnlab/pkg/initializers"
	"github.com/cnnlab/cnnlab/pkg/layers"
	"github.com/cnnlab/cnnlab/pkg/regularizers"
)

// kind is the type of a layer.
type kind int

const (
	kindInput kind = iota
	kindConv2D
	kindMaxPooling2D
	kindBatchNormalization
	kindActivation
	kindFlatten
	kindGlobalAveragePooling2D
	kindDropout
	kindDense
	kindRandomFlip
	kindRandomTranslation
	kindRandomCrop
	kindWhitening
	kindRescaling
)

// kindInfo holds a layer type's Keras class name, its base name for
// automatic layer names, and the options it accepts.
var kindInfo = map[kind]struct {
	class, base string
	options     []string
}{
	kindInput: {"InputLayer", "input_layer", nil},
	kindConv2D: {"Conv2D", "conv2d", []string{"Name", "Strides", "Padding", "Activation", "UseBias",
		"KernelInitializer", "BiasInitializer", "KernelRegularizer", "BiasRegularizer"}},
	kindMaxPooling2D:           {"MaxPooling2D", "max_pooling2d", []string{"Name", "Strides", "Padding"}},
	kindBatchNormalization:     {"BatchNormalization", "batch_normalization", []string{"Name", "Momentum", "Epsilon", "Center", "Scale"}},
	kindActivation:             {"Activation", "activation", []string{"Name"}},
	kindFlatten:                {"Flatten", "flatten", []string{"Name"}},
	kindGlobalAveragePooling2D: {"GlobalAveragePooling2D", "global_average_pooling2d", []string{"Name"}},
	kindDropout:                {"Dropout", "dropout", []string{"Name"}},
	kindDense: {"Dense", "dense", []string{"Name", "Activation", "UseBias",
		"KernelInitializer", "BiasInitializer", "KernelRegularizer", "BiasRegularizer"}},
	kindRandomFlip:        {"RandomFlip", "random_flip", []string{"Name"}},
	kindRandomTranslation: {"RandomTranslation", "random_translation", []string{"Name", "FillMode", "FillValue"}},
	kindRandomCrop:        {"RandomCrop", "random_crop", []string{"Name", "CropPadding"}},
	kindWhitening:         {"Whitening", "whitening", []string{"Name", "Activation", "UseBias"}},
	kindRescaling:         {"Rescaling", "rescaling", []string{"Name"}},
}

// spec is the declaration of one layer: its type and configuration, with
// Keras's defaults filled in.
type spec struct {
	kind kind
	name string // set by Name, else assigned by Sequential

	dims       []int  // Input
	filters    int    // Conv2D
	units      int    // Dense
	kernelSize [2]int // Conv2D
	poolSize   [2]int // MaxPooling2D
	strides    [2]int // Conv2D, MaxPooling2D, when the Strides option is given
	padding    string
	activation string // Keras name; "linear" for none
	useBias    bool
	kernelInit initializers.Initializer
	biasInit   initializers.Initializer
	kernelReg  regularizers.Regularizer
	biasReg    regularizers.Regularizer
	rate       float64 // Dropout
	momentum   float64 // BatchNormalization
	epsilon    float64
	center     bool
	scale      bool
	flipMode   string     // RandomFlip
	factors    [2]float64 // RandomTranslation: height, width
	fillMode   string
	fillValue  float64
	cropSize   [2]int // RandomCrop
	cropPad    int
	whitening  []float32  // Whitening's kernel [2, 2, C, filters]; nil until computed for WhiteningFromData
	whitenData int        // WhiteningFromData: the training images its kernel is computed from
	whitenEps  float64    // WhiteningFromData: the eigenvalue floor
	channels   int        // Whitening: the input channels (set by infer)
	rescale    [2]float64 // Rescaling: scale, offset

	given []string // names of the options given, to reject inapplicable ones
	errs  []error  // bad option values, reported by Validate
}

// Layer is one layer of a [Sequential] model, made by [Input], [Conv2D],
// [MaxPooling2D], [BatchNormalization], [Activation], [Flatten],
// [GlobalAveragePooling2D], [Dropout], [Dense], [Rescaling], the
// augmentation layers or [Whitening].
type Layer interface {
	layerSpec() *spec
}

func (s *spec) layerSpec() *spec { return s }

// Option configures a layer, as a Keras keyword argument does:
// [Name], [Strides], [Padding], [Activation], [UseBias],
// [KernelInitializer], [BiasInitializer], [KernelRegularizer],
// [BiasRegularizer], [Momentum], [Epsilon], [Center], [Scale]. An option
// that a layer does not take is reported by [Model.Validate].
type Option interface {
	applyTo(s *spec)
}

// option is an Option made from a function.
type option struct {
	name string
	fn   func(s *spec)
}

func (o option) applyTo(s *spec) {
	s.given = append(s.given, o.name)
	o.fn(s)
}

// Size is a square window size or stride: an int n (Keras's n) or a pair
// [2]int{h, w} (Keras's (h, w)); only square sizes (h == w) are supported.
type Size interface {
	int | [2]int
}

// pair converts a Size to [h, w].
func pair[S Size](s S) [2]int {
	switch v := any(s).(type) {
	case int:
		return [2]int{v, v}
	case [2]int:
		return v
	}
	return [2]int{}
}

// newSpec returns a layer of kind k with Keras's defaults and opts applied.
func newSpec(k kind, opts []Option) *spec {
	s := &spec{
		kind:       k,
		activation: "linear",
		padding:    "valid",
		useBias:    true,
		kernelInit: initializers.GlorotUniform(initializers.NoSeed),
		biasInit:   initializers.Zeros(),
		momentum:   0.99,
		epsilon:    1e-3,
		center:     true,
		scale:      true,
		fillMode:   "reflect",
	}
	for _, o := range opts {
		if o == nil {
			s.errs = append(s.errs, fmt.Errorf("nil option"))
			continue
		}
		o.applyTo(s)
	}
	return s
}

// Input declares the shape of one example, without the batch axis, as
// keras.Input(shape=...) does: Input(32, 32, 3) for CIFAR-10 images
// (NHWC). It must be the first layer of a [Sequential] model.
func Input(dims ...int) Layer {
	s := newSpec(kindInput, nil)
	s.dims = append([]int(nil), dims...)
	return s
}

// Conv2D declares Keras's Conv2D(filters, kernel_size, ...): a 2D
// convolution with the given number of filters and a square kernel (3 or
// [2]int{3, 3}; sizes 1, 3 and 5 are supported). Keras defaults: strides 1,
// padding "valid", no activation, bias on, kernel glorot_uniform, bias
// zeros, no regularizer. The variables are "kernel" [k, k, in, filters] and
// "bias" [filters].
func Conv2D[S Size](filters int, kernelSize S, opts ...Option) Layer {
	s := newSpec(kindConv2D, opts)
	s.filters = filters
	s.kernelSize = pair(kernelSize)
	return s
}

// MaxPooling2D declares Keras's MaxPooling2D(pool_size, ...). The pool size
// is written as in Keras, all meaning the same: MaxPooling2D(2),
// MaxPooling2D([2]int{2, 2}) (Keras's (2, 2)), and Keras's positional
// MaxPooling2D(2, 2) is MaxPooling2D(2, Strides(2)). Keras defaults:
// strides equal to the pool size, padding "valid".
func MaxPooling2D[S Size](poolSize S, opts ...Option) Layer {
	s := newSpec(kindMaxPooling2D, opts)
	s.poolSize = pair(poolSize)
	return s
}

// BatchNormalization declares Keras's BatchNormalization over the last
// axis (the channels). Keras defaults: Momentum(0.99), Epsilon(1e-3),
// Center(true), Scale(true). The trainable variables "gamma" and "beta"
// count as trainable parameters, the moving averages "moving_mean" and
// "moving_variance" as non-trainable ones. In training it normalizes with
// the batch statistics and updates the moving averages; at inference it
// uses the moving averages.
func BatchNormalization(opts ...Option) Layer {
	return newSpec(kindBatchNormalization, opts)
}

// ActivationLayer is what [Activation] returns: used among the layers of
// [Sequential] it is Keras's Activation layer; given to [Conv2D] or
// [Dense] it is the activation argument.
type ActivationLayer struct {
	name string // as given; checked by Validate
}

// Activation is Keras's activation: nn.Conv2D(32, 3, nn.Activation("relu"))
// applies relu inside the layer, and nn.Activation("relu") on its own is a
// separate Activation layer. Names: see layers.Activations (Keras's names
// and constants); "" and "linear" mean none.
func Activation(name string) ActivationLayer { return ActivationLayer{name: name} }

func (a ActivationLayer) layerSpec() *spec {
	s := newSpec(kindActivation, nil)
	s.setActivation(a.name)
	return s
}

func (a ActivationLayer) applyTo(s *spec) {
	s.given = append(s.given, "Activation")
	s.setActivation(a.name)
}

func (s *spec) setActivation(name string) {
	key, err := layers.CanonicalActivation(name)
	if err != nil {
		s.errs = append(s.errs, err)
		return
	}
	s.activation = key
}

// Flatten declares Keras's Flatten: [H, W, C] becomes [H·W·C].
func Flatten(opts ...Option) Layer { return newSpec(kindFlatten, opts) }

// GlobalAveragePooling2D declares Keras's GlobalAveragePooling2D: the mean
// over height and width, [H, W, C] becomes [C].
func GlobalAveragePooling2D(opts ...Option) Layer {
	return newSpec(kindGlobalAveragePooling2D, opts)
}

// Dropout declares Keras's Dropout(rate): while training, each value is
// zeroed with probability rate and the others are scaled by 1/(1-rate); at
// inference it does nothing. rate must be in [0, 1) (Keras also accepts 1,
// which zeroes everything).
func Dropout(rate float64, opts ...Option) Layer {
	s := newSpec(kindDropout, opts)
	s.rate = rate
	return s
}

// Rescaling declares Keras's Rescaling(scale, offset): x·scale + offset,
// in training and at inference. Rescaling(1.0/255, 0) is the course's /255
// as a layer; airbench multiplies its logits by 1/9 with one.
func Rescaling(scale, offset float64, opts ...Option) Layer {
	s := newSpec(kindRescaling, opts)
	s.rescale = [2]float64{scale, offset}
	return s
}

// Dense declares Keras's Dense(units, ...): x·kernel + bias over the last
// axis. Keras defaults: no activation, bias on, kernel glorot_uniform, bias
// zeros. As in Keras, a Dense on a 4-D input [H, W, C] applies to the last
// axis and gives [H, W, units]; put Flatten or GlobalAveragePooling2D before
// it for a classifier.
func Dense(units int, opts ...Option) Layer {
	s := newSpec(kindDense, opts)
	s.units = units
	return s
}

// RandomFlip declares Keras's RandomFlip(mode): while training, each image
// is flipped with probability 1/2 left-right ("horizontal", Keras's
// default "horizontal_and_vertical" is also accepted, and "vertical");
// identity at inference. See layers.RandomFlip.
func RandomFlip(mode string, opts ...Option) Layer {
	s := newSpec(kindRandomFlip, opts)
	s.flipMode = mode
	return s
}

// RandomTranslation declares Keras's RandomTranslation(height_factor,
// width_factor): while training, each image is shifted by whole pixels,
// up to round(factor·size) in each direction, the pixels shifted in filled
// as FillMode says (Keras's default "reflect"); identity at inference. See
// layers.RandomTranslation (Keras also takes real-valued shifts, which it
// interpolates).
func RandomTranslation(heightFactor, widthFactor float64, opts ...Option) Layer {
	s := newSpec(kindRandomTranslation, opts)
	s.factors = [2]float64{heightFactor, widthFactor}
	return s
}

// RandomCrop declares a random height×width crop while training, of the
// images padded with CropPadding zero pixels on each side first (the CIFAR
// recipe: RandomCrop(32, 32, CropPadding(4))): Keras's ZeroPadding2D then
// RandomCrop, as one layer. At inference it keeps the centre window (the
// image itself when it has the crop's size; Keras resizes there).
func RandomCrop(height, width int, opts ...Option) Layer {
	s := newSpec(kindRandomCrop, opts)
	s.cropSize = [2]int{height, width}
	return s
}

// Whitening declares airbench's frozen whitening convolution: a 2x2
// convolution, padding "valid", with the given kernel ([2, 2, C, filters]
// row-major, computed from training images by layers.WhiteningKernel: 24
// filters for RGB images) held in a non-trainable "kernel" variable. In
// Keras: Conv2D(filters, 2, trainable=False,
// kernel_initializer=Constant(kernel)). Options: Name, Activation and
// UseBias (default true, as Conv2D: a trainable "bias", zeros; airbench
// trains it for the first epochs only). [H, W, C] becomes
// [H−1, W−1, filters]; the kernel counts as non-trainable parameters.
func Whitening(kernel []float32, opts ...Option) Layer {
	s := newSpec(kindWhitening, opts)
	s.whitening = slices.Clone(kernel)
	return s
}

// WhiteningFromData declares a [Whitening] layer whose kernel comes from
// the training data: layers.WhiteningKernel of the first images training
// images (as the model sees them, before augmentation) with the
// eigenvalue floor eps, computed once when training starts
// ([Model.InitFromData], which fit.Fit calls) and stored with the
// weights, so that evaluating, predicting or resuming needs no data. It
// has 8·C filters (24 for RGB images). It must come before any layer
// that changes the images at inference (only augmentation layers may
// precede it). Options as for Whitening.
func WhiteningFromData(images int, eps float64, opts ...Option) Layer {
	s := newSpec(kindWhitening, opts)
	s.whitenData, s.whitenEps = images, eps
	return s
}

// FillMode sets how RandomTranslation fills the pixels shifted in:
// "reflect" (the default), "constant", "nearest" or "wrap" (Keras's names).
func FillMode(mode string) Option {
	return option{"FillMode", func(s *spec) { s.fillMode = mode }}
}

// FillValue sets the value of RandomTranslation's "constant" fill (default 0).
func FillValue(v float64) Option {
	return option{"FillValue", func(s *spec) { s.fillValue = v }}
}

// CropPadding sets the zero padding RandomCrop adds around the images
// before cropping (default 0).
func CropPadding(p int) Option {
	return option{"CropPadding", func(s *spec) { s.cropPad = p }}
}

// Name sets the layer's name, which is also the variable scope of its
// weights. The default is Keras's: the snake-case type name, numbered from
// the second layer of that type on ("conv2d", "conv2d_1", ...).
func Name(name string) Option {
	return option{"Name", func(s *spec) { s.name = name }}
}

// Strides sets the stride of Conv2D (1 or 2; default 1) or MaxPooling2D
// (default: the pool size), as an int or a square [2]int.
func Strides[S Size](strides S) Option {
	return option{"Strides", func(s *spec) { s.strides = pair(strides) }}
}

// Padding sets the padding of Conv2D or MaxPooling2D: "valid" (the Keras
// default: no padding) or "same" (output size ceil(input/stride));
// case-insensitive, as in Keras.
func Padding(padding string) Option {
	return option{"Padding", func(s *spec) { s.padding = strings.ToLower(padding) }}
}

// UseBias sets whether Conv2D or Dense adds a bias (default true).
func UseBias(useBias bool) Option {
	return option{"UseBias", func(s *spec) { s.useBias = useBias }}
}

// KernelInitializer sets the kernel initializer of Conv2D or Dense
// (default initializers.GlorotUniform(initializers.NoSeed), as in Keras).
// Unseeded initializers draw from the GoMLX store's random stream, so a
// trainer that seeds the store makes the whole model reproducible. As in
// Keras, one seeded initializer given to several layers draws the same
// stream for each; prefer unseeded initializers, or a different seed per
// layer.
func KernelInitializer(init initializers.Initializer) Option {
	return option{"KernelInitializer", func(s *spec) { s.kernelInit = init }}
}

// BiasInitializer sets the bias initializer of Conv2D or Dense (default
// zeros).
func BiasInitializer(init initializers.Initializer) Option {
	return option{"BiasInitializer", func(s *spec) { s.biasInit = init }}
}

// KernelRegularizer sets the kernel regularizer of Conv2D or Dense, e.g.
// KernelRegularizer(regularizers.L2(1e-4)); its penalty is part of the
// penalty [Model.Apply] returns.
func KernelRegularizer(reg regularizers.Regularizer) Option {
	return option{"KernelRegularizer", func(s *spec) { s.kernelReg = reg }}
}

// BiasRegularizer sets the bias regularizer of Conv2D or Dense.
func BiasRegularizer(reg regularizers.Regularizer) Option {
	return option{"BiasRegularizer", func(s *spec) { s.biasReg = reg }}
}

// Momentum sets BatchNormalization's moving-average momentum (default
// 0.99), in [0, 1].
func Momentum(m float64) Option {
	return option{"Momentum", func(s *spec) { s.momentum = m }}
}

// Epsilon sets BatchNormalization's epsilon (default 1e-3), > 0.
func Epsilon(e float64) Option {
	return option{"Epsilon", func(s *spec) { s.epsilon = e }}
}

// Center sets whether BatchNormalization adds the offset beta (default
// true).
func Center(center bool) Option {
	return option{"Center", func(s *spec) { s.center = center }}
}

// Scale sets whether BatchNormalization multiplies by gamma (default true).
func Scale(scale bool) Option {
	return option{"Scale", func(s *spec) { s.scale = scale }}
}

// check validates s's own configuration (not its input shape).
func (s *spec) check() error {
	info := kindInfo[s.kind]
	if len(s.errs) > 0 {
		return s.errs[0]
	}
	for _, g := range s.given {
		if !slices.Contains(info.options, g) {
			return fmt.Errorf("option %s does not apply to %s", g, info.class)
		}
	}
	switch s.kind {
	case kindConv2D:
		if s.filters <= 0 {
			return fmt.Errorf("filters must be positive, got %d", s.filters)
		}
		if err := checkSquare("kernel size", s.kernelSize); err != nil {
			return err
		}
		if k := s.kernelSize[0]; k != 1 && k != 3 && k != 5 {
			return fmt.Errorf("kernel size must be 1, 3 or 5, got %d", k)
		}
		if s.has("Strides") {
			if err := checkSquare("strides", s.strides); err != nil {
				return err
			}
			if st := s.strides[0]; st != 1 && st != 2 {
				return fmt.Errorf("strides must be 1 or 2, got %d", st)
			}
		}
	case kindMaxPooling2D:
		if err := checkSquare("pool size", s.poolSize); err != nil {
			return err
		}
		if s.poolSize[0] < 1 {
			return fmt.Errorf("pool size must be positive, got %d", s.poolSize[0])
		}
		if s.has("Strides") {
			if err := checkSquare("strides", s.strides); err != nil {
				return err
			}
			if s.strides[0] < 1 {
				return fmt.Errorf("strides must be positive, got %d", s.strides[0])
			}
		}
	case kindBatchNormalization:
		if !(s.momentum >= 0 && s.momentum <= 1) {
			return fmt.Errorf("momentum must be in [0, 1], got %g", s.momentum)
		}
		if !(s.epsilon > 0) {
			return fmt.Errorf("epsilon must be positive, got %g", s.epsilon)
		}
	case kindRescaling:
		if math.IsNaN(s.rescale[0]+s.rescale[1]) || math.IsInf(s.rescale[0]+s.rescale[1], 0) {
			return fmt.Errorf("scale %g and offset %g must be finite", s.rescale[0], s.rescale[1])
		}
	case kindDropout:
		if !(s.rate >= 0 && s.rate < 1) {
			return fmt.Errorf("rate must be in [0, 1), got %g", s.rate)
		}
	case kindDense:
		if s.units <= 0 {
			return fmt.Errorf("units must be positive, got %d", s.units)
		}
	case kindRandomFlip:
		if s.flipMode != "horizontal" && s.flipMode != "vertical" && s.flipMode != "horizontal_and_vertical" {
			return fmt.Errorf("mode %q: want \"horizontal\", \"vertical\" or \"horizontal_and_vertical\"", s.flipMode)
		}
	case kindRandomTranslation:
		for _, f := range s.factors {
			if !(f >= 0 && f <= 1) {
				return fmt.Errorf("factors must be in [0, 1], got %v", s.factors)
			}
		}
		if !slices.Contains(layers.FillModes, s.fillMode) {
			return fmt.Errorf("fill mode %q: want one of %v", s.fillMode, layers.FillModes)
		}
	case kindWhitening:
		if s.whitening == nil && (s.whitenData <= 0 || !(s.whitenEps > 0)) {
			return fmt.Errorf("a whitening kernel from %d images with eps %g: want positive numbers", s.whitenData, s.whitenEps)
		}
	case kindRandomCrop:
		if s.cropSize[0] < 1 || s.cropSize[1] < 1 || s.cropPad < 0 {
			return fmt.Errorf("crop %dx%d with padding %d: want positive sizes and padding >= 0", s.cropSize[0], s.cropSize[1], s.cropPad)
		}
	}
	if s.kind == kindConv2D || s.kind == kindMaxPooling2D {
		if s.padding != "same" && s.padding != "valid" {
			return fmt.Errorf("padding must be \"same\" or \"valid\", got %q", s.padding)
		}
	}
	if s.kind == kindConv2D || s.kind == kindDense {
		for _, init := range []initializers.Initializer{s.kernelInit, s.biasInit} {
			if err := init.Validate(); err != nil {
				return err
			}
		}
		if s.biasInit.IsDirac() || (s.kind == kindDense && s.kernelInit.IsDirac()) {
			return fmt.Errorf("a Dirac initializer applies to Conv2D kernels only")
		}
		for _, reg := range []regularizers.Regularizer{s.kernelReg, s.biasReg} {
			if err := reg.Validate(); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkSquare(what string, p [2]int) error {
	if p[0] != p[1] {
		return fmt.Errorf("%s %dx%d: only square sizes are supported", what, p[0], p[1])
	}
	return nil
}

// has reports whether the option with the given name was given.
func (s *spec) has(option string) bool {
	for _, g := range s.given {
		if g == option {
			return true
		}
	}
	return false
}

// stride returns the effective stride.
func (s *spec) stride() int {
	switch {
	case s.has("Strides"):
		return s.strides[0]
	case s.kind == kindMaxPooling2D:
		return s.poolSize[0]
	}
	return 1
}

// outputSize returns the output size of one spatial axis (Keras/TensorFlow
// rules), or 0 when the window does not fit.
func outputSize(size, k, stride int, padding string) int {
	if padding == "same" {
		return (size + stride - 1) / stride
	}
	if size < k {
		return 0
	}
	return (size-k)/stride + 1
}

// infer returns the output shape (no batch axis) and the trainable and
// non-trainable parameter counts of s for the input shape in.
func (s *spec) infer(in []int) (out []int, trainable, nonTrainable int, err error) {
	need := func(rank int, what string) error {
		if len(in) != rank {
			return fmt.Errorf("needs a %s input, got shape %s", what, shapeString(in))
		}
		return nil
	}
	switch s.kind {
	case kindConv2D, kindMaxPooling2D:
		if err := need(3, "[height, width, channels]"); err != nil {
			return nil, 0, 0, err
		}
		k, filters := s.kernelSize[0], s.filters
		if s.kind == kindMaxPooling2D {
			k, filters = s.poolSize[0], in[2]
		}
		h := outputSize(in[0], k, s.stride(), s.padding)
		w := outputSize(in[1], k, s.stride(), s.padding)
		if h <= 0 || w <= 0 {
			return nil, 0, 0, fmt.Errorf("input %dx%d is smaller than the %dx%d window with %q padding",
				in[0], in[1], k, k, s.padding)
		}
		if s.kind == kindConv2D {
			trainable = k * k * in[2] * filters
			if s.useBias {
				trainable += filters
			}
		}
		return []int{h, w, filters}, trainable, 0, nil
	case kindGlobalAveragePooling2D:
		if err := need(3, "[height, width, channels]"); err != nil {
			return nil, 0, 0, err
		}
		return []int{in[2]}, 0, 0, nil
	case kindRandomFlip, kindRandomTranslation:
		if err := need(3, "[height, width, channels]"); err != nil {
			return nil, 0, 0, err
		}
		if s.kind == kindRandomTranslation {
			for i, f := range s.factors {
				if int(float64(in[i])*f+0.5) > in[i] {
					return nil, 0, 0, fmt.Errorf("a shift of %g of %d pixels does not fit", f, in[i])
				}
			}
		}
	case kindWhitening:
		if err := need(3, "[height, width, channels]"); err != nil {
			return nil, 0, 0, err
		}
		s.channels = in[2]
		values := s.whitenValues(in[2])
		if in[0] < 2 || in[1] < 2 || values == 0 || values%(4*in[2]) != 0 {
			return nil, 0, 0, fmt.Errorf("a whitening kernel of %d values does not fit 2x2 windows of %s inputs (want a multiple of %d)",
				values, shapeString(in), 4*in[2])
		}
		filters := values / (4 * in[2])
		if s.useBias {
			trainable = filters
		}
		return []int{in[0] - 1, in[1] - 1, filters}, trainable, values, nil
	case kindRandomCrop:
		if err := need(3, "[height, width, channels]"); err != nil {
			return nil, 0, 0, err
		}
		if s.cropSize[0] > in[0]+2*s.cropPad || s.cropSize[1] > in[1]+2*s.cropPad {
			return nil, 0, 0, fmt.Errorf("a %dx%d crop does not fit %dx%d images padded by %d", s.cropSize[0], s.cropSize[1], in[0], in[1], s.cropPad)
		}
		return []int{s.cropSize[0], s.cropSize[1], in[2]}, 0, 0, nil
	case kindFlatten:
		n := 1
		for _, d := range in {
			n *= d
		}
		return []int{n}, 0, 0, nil
	case kindDense:
		if len(in) == 0 {
			return nil, 0, 0, fmt.Errorf("needs an input with at least one axis")
		}
		out = append(append([]int(nil), in[:len(in)-1]...), s.units)
		trainable = in[len(in)-1] * s.units
		if s.useBias {
			trainable += s.units
		}
		return out, trainable, 0, nil
	case kindBatchNormalization:
		if len(in) == 0 {
			return nil, 0, 0, fmt.Errorf("needs an input with at least one axis")
		}
		c := in[len(in)-1]
		if s.center {
			trainable += c
		}
		if s.scale {
			trainable += c
		}
		return append([]int(nil), in...), trainable, 2 * c, nil
	}
	// Activation, Dropout: shape unchanged.
	return append([]int(nil), in...), 0, 0, nil
}

// whitenValues returns the number of values of a Whitening kernel for c
// input channels: the given kernel's, or 2·(4c)² for WhiteningFromData
// (whose kernel may not be computed yet).
func (s *spec) whitenValues(c int) int {
	if s.whitenData > 0 {
		return 2 * 4 * c * 4 * c
	}
	return len(s.whitening)
}
