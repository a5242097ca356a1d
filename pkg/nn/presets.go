package nn

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/cnnlab/cnnlab/pkg/initializers"
	"github.com/cnnlab/cnnlab/pkg/regularizers"
)

// NumClasses is the number of outputs of the course's models (CIFAR-10).
const NumClasses = 10

// Arch describes a network of the course's family: VGG-style blocks of
// 3x3 (or 5x5) "same" convolutions with ReLU, each block followed by 2x2
// max pooling, then a classifier head. The zero value is the course's
// baseline:
//
//	conv 32, 32, pool; conv 64, 64, pool; conv 128, 128, pool;
//	Flatten, Dropout .5, Dense 300 relu, Dropout .3, Dense 10 softmax
//
// (904,718 parameters). Every field's zero value means the baseline's
// choice; the lessons vary one field at a time.
type Arch struct {
	Filters       []int // filters of each block; nil means {32, 64, 128}
	ConvsPerBlock int   // convolutions per block; 0 means 2
	KernelSize    int   // 3 or 5; 0 means 3
	// BatchNorm puts BatchNormalization after every convolution, before
	// its ReLU (the convolution then has no bias), as the course does.
	BatchNorm bool
	// BNMomentum is the BatchNormalization layers' moving-average momentum;
	// 0 means Keras's 0.99.
	BNMomentum float64
	// Downsample is "pool" (the default: MaxPooling2D(2) after each block)
	// or "stride" (the block's last convolution at stride 2, no pooling).
	Downsample string
	// Head is "flatten" (the default: Flatten, Dropout .5, Dense 300 relu,
	// Dropout .3) or "gap" (GlobalAveragePooling2D, Dropout .5, Dense 50
	// relu, Dropout .2), followed by Dense 10 softmax.
	Head string
	// Width multiplies every block's filters and the hidden Dense units
	// (rounded, at least 1); 0 means 1. The 10 outputs are never scaled.
	Width float64
	// KernelInitializer initializes every kernel; the zero value means
	// Keras's default, glorot_uniform.
	KernelInitializer initializers.Initializer
	// ConvRegularizer and DenseRegularizer penalize the kernels of the
	// convolutions and of the Dense layers (the output layer included).
	ConvRegularizer, DenseRegularizer regularizers.Regularizer
	// Augment adds data augmentation layers right after the input (active
	// while training only).
	Augment Augment
}

// Augment is the data augmentation of an [Arch], in this order: a random
// left-right flip, a random translation, a random padded crop.
type Augment struct {
	Flip        bool    // RandomFlip("horizontal")
	Translate   float64 // RandomTranslation(Translate, Translate), reflect fill; 0: none
	CropPadding int     // RandomCrop(32, 32, CropPadding(p)); 0: none
}

// layers returns the augmentation layers.
func (a Augment) layers() []Layer {
	var ls []Layer
	if a.Flip {
		ls = append(ls, RandomFlip("horizontal"))
	}
	if a.Translate > 0 {
		ls = append(ls, RandomTranslation(a.Translate, a.Translate))
	}
	if a.CropPadding > 0 {
		ls = append(ls, RandomCrop(32, 32, CropPadding(a.CropPadding)))
	}
	return ls
}

// String describes the augmentation, e.g. "flip + translate 0.1", or "" for
// none.
func (a Augment) String() string {
	var parts []string
	if a.Flip {
		parts = append(parts, "flip")
	}
	if a.Translate > 0 {
		parts = append(parts, fmt.Sprintf("translate %g", a.Translate))
	}
	if a.CropPadding > 0 {
		parts = append(parts, fmt.Sprintf("pad %d + crop", a.CropPadding))
	}
	return strings.Join(parts, " + ")
}

// withDefaults returns a with its zero fields set to the baseline's.
func (a Arch) withDefaults() Arch {
	if a.Filters == nil {
		a.Filters = []int{32, 64, 128}
	}
	if a.ConvsPerBlock == 0 {
		a.ConvsPerBlock = 2
	}
	if a.KernelSize == 0 {
		a.KernelSize = 3
	}
	if a.Downsample == "" {
		a.Downsample = "pool"
	}
	if a.Head == "" {
		a.Head = "flatten"
	}
	if a.Width == 0 {
		a.Width = 1
	}
	return a
}

// String describes the architecture in one line, e.g. "conv [32 64 128]
// x2 3x3 + BN, pool, flatten head, width 0.5, kernels he_normal, conv
// l2(1e-05)"; fields at their zero value are the baseline's and shown as
// such.
func (a Arch) String() string {
	a = a.withDefaults()
	s := fmt.Sprintf("conv %v x%d %dx%d", a.Filters, a.ConvsPerBlock, a.KernelSize, a.KernelSize)
	if a.BatchNorm {
		s += " + BN"
		if a.BNMomentum != 0 {
			s += fmt.Sprintf(" (momentum %g)", a.BNMomentum)
		}
	}
	s += ", " + a.Downsample + ", " + a.Head + " head"
	if a.Width != 1 {
		s += fmt.Sprintf(", width %g", a.Width)
	}
	if a.KernelInitializer.Name() != "" {
		s += ", kernels " + a.KernelInitializer.String()
	}
	if !a.ConvRegularizer.IsZero() {
		s += ", conv " + a.ConvRegularizer.String()
	}
	if !a.DenseRegularizer.IsZero() {
		s += ", dense " + a.DenseRegularizer.String()
	}
	if aug := a.Augment.String(); aug != "" {
		s += ", augment " + aug
	}
	return s
}

// Model declares the network, named name, for 32x32x3 inputs and 10
// classes. It fails on a bad field, naming it.
func (a Arch) Model(name string) (*Model, error) {
	a = a.withDefaults()
	switch {
	case !(a.Width > 0) || math.IsInf(a.Width, 0):
		return nil, fmt.Errorf("width must be a positive number, got %g", a.Width)
	case a.Downsample != "pool" && a.Downsample != "stride":
		return nil, fmt.Errorf("downsample %q: want \"pool\" or \"stride\"", a.Downsample)
	case a.Head != "flatten" && a.Head != "gap":
		return nil, fmt.Errorf("head %q: want \"flatten\" or \"gap\"", a.Head)
	case len(a.Filters) == 0 || a.ConvsPerBlock < 0:
		return nil, fmt.Errorf("%d blocks of %d convolutions: want at least one of each", len(a.Filters), a.ConvsPerBlock)
	}
	w := func(n int) int { return max(1, int(math.Round(float64(n)*a.Width))) }
	var kernel []Option
	if a.KernelInitializer.Name() != "" {
		kernel = append(kernel, KernelInitializer(a.KernelInitializer))
	}
	ls := append([]Layer{Input(32, 32, 3)}, a.Augment.layers()...)
	for _, f := range a.Filters {
		for j := range a.ConvsPerBlock {
			opts := append([]Option{Padding("same"), KernelRegularizer(a.ConvRegularizer)}, kernel...)
			if a.Downsample == "stride" && j == a.ConvsPerBlock-1 {
				opts = append(opts, Strides(2))
			}
			if a.BatchNorm {
				var bn []Option
				if a.BNMomentum != 0 {
					bn = append(bn, Momentum(a.BNMomentum))
				}
				ls = append(ls, Conv2D(w(f), a.KernelSize, append(opts, UseBias(false))...),
					BatchNormalization(bn...), Activation("relu"))
			} else {
				ls = append(ls, Conv2D(w(f), a.KernelSize, append(opts, Activation("relu"))...))
			}
		}
		if a.Downsample == "pool" {
			ls = append(ls, MaxPooling2D(2))
		}
	}
	dense := append([]Option{KernelRegularizer(a.DenseRegularizer)}, kernel...)
	if a.Head == "gap" {
		ls = append(ls, GlobalAveragePooling2D(), Dropout(0.5),
			Dense(w(50), append(dense, Activation("relu"))...), Dropout(0.2))
	} else {
		ls = append(ls, Flatten(), Dropout(0.5),
			Dense(w(300), append(dense, Activation("relu"))...), Dropout(0.3))
	}
	ls = append(ls, Dense(NumClasses, append(dense, Activation("softmax"))...))
	m := Sequential(name, ls...)
	if err := m.Validate(); err != nil {
		return nil, err
	}
	m.width = a.Width
	return m, nil
}

// named holds the course's models by name, each one Arch (or, for a
// model that comes with its training, one Recipe): the single definition
// that the CLI, the benchmark, the examples, the notebooks and the lessons
// use.
var named = []struct {
	name, description string
	arch              Arch
	recipe            func() Recipe // nil for the Arch models
}{
	{"baseline", "conv 32,32 pool, 64,64 pool, 128,128 pool (3x3 same relu); Flatten, Dropout .5, Dense 300 relu, Dropout .3, Dense 10 softmax", Arch{}, nil},
	{"bn", "baseline with BatchNormalization after each conv (conv without bias, BN, then relu)", Arch{BatchNorm: true}, nil},
	{"gap", "baseline convs; GlobalAveragePooling2D, Dropout .5, Dense 50 relu, Dropout .2, Dense 10 softmax", Arch{Head: "gap"}, nil},
	{"baseline5x5", "baseline with 5x5 convolutions", Arch{KernelSize: 5}, nil},
	{"strided", "baseline with the second conv of each block at stride 2 instead of max pooling", Arch{Downsample: "stride"}, nil},
	{"deep", "three convs per block (32x3 pool, 64x3 pool, 128x3 pool), baseline head", Arch{ConvsPerBlock: 3}, nil},
	{"best", "bn with augmentation (horizontal flip, 32x32 crops of the image padded by 4): train it with a cosine schedule (docs/RESULTS.md)",
		Arch{BatchNorm: true, Augment: Augment{Flip: true, CropPadding: 4}}, nil},
	{"fast", "airbench-style (lesson 14): whitening 2x2 conv from 5,000 training images; conv-pool-BN-GELU-conv-BN-GELU blocks 64, 128, 128; " +
		"pool, Dense 10; trained with its recipe (Nesterov SGD, weight decay, label smoothing, triangular rate, EMA, alternating flip, TTA)",
		Arch{}, FastRecipe},
}

// Names returns the names of the course's models, in a fixed order.
func Names() []string {
	names := make([]string, len(named))
	for i, p := range named {
		names[i] = p.name
	}
	return names
}

// Describe returns a one-line description of the named model, or "" if
// there is none.
func Describe(name string) string {
	for _, p := range named {
		if p.name == name {
			return p.description
		}
	}
	return ""
}

// ArchOf returns the Arch of the named model ("baseline", "bn", "gap",
// "baseline5x5", "strided", "deep", "best"; see [Names]); it fails for a
// model declared by a [Recipe] ("fast": see [RecipeOf]).
func ArchOf(name string) (Arch, error) {
	for _, p := range named {
		if p.name == name {
			if p.recipe != nil {
				return Arch{}, fmt.Errorf("model %q is declared by a recipe, not an Arch (nn.RecipeOf)", name)
			}
			a := p.arch
			a.Filters = slices.Clone(a.Filters)
			return a, nil
		}
	}
	return Arch{}, fmt.Errorf("unknown model %q (known: %s)", name, strings.Join(Names(), ", "))
}

// RecipeOf returns the recipe of the named model when a [Recipe] declares
// it ("fast"), and false for the Arch models, which have none.
func RecipeOf(name string) (Recipe, bool) {
	for _, p := range named {
		if p.name == name && p.recipe != nil {
			return p.recipe().Clone(), true
		}
	}
	return Recipe{}, false
}

// Named returns the named course model (see [Names]) with every
// convolution's filters and every hidden Dense's units multiplied by width
// (see [Arch] and [Recipe.Model]); width 1 is the course's model. The
// model is named after the preset, with "_w<width>" appended when width
// is not 1.
func Named(name string, width float64) (*Model, error) {
	if !(width > 0) || math.IsInf(width, 0) {
		return nil, fmt.Errorf("width must be a positive number, got %g", width)
	}
	modelName := name
	if width != 1 {
		modelName = fmt.Sprintf("%s_w%g", name, width)
	}
	var m *Model
	if r, ok := RecipeOf(name); ok {
		var err error
		if m, err = r.Model(modelName, width); err != nil {
			return nil, err
		}
	} else {
		a, err := ArchOf(name)
		if err != nil {
			return nil, err
		}
		a.Width = width
		if m, err = a.Model(modelName); err != nil {
			return nil, err
		}
	}
	m.preset = name
	return m, nil
}
