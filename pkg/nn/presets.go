package nn

import (
	"fmt"
	"math"
	"strings"
)

// NumClasses is the number of outputs of the preset models (CIFAR-10).
const NumClasses = 10

// presets holds the course's models, each built for a width factor.
var presets = []struct {
	name, description string
	build             func(w scaler) []Layer
}{
	{"baseline", "conv 32,32 pool, 64,64 pool, 128,128 pool (3x3 same relu); Flatten, Dropout .5, Dense 300 relu, Dropout .3, Dense 10 softmax",
		func(w scaler) []Layer { return baseline(w, 3, false, false, head300(w, Flatten())) }},
	{"bn", "baseline with BatchNormalization after each conv (conv without bias, BN, then relu)",
		func(w scaler) []Layer { return baseline(w, 3, true, false, head300(w, Flatten())) }},
	{"gap", "baseline convs; GlobalAveragePooling2D, Dropout .5, Dense 50 relu, Dropout .2, Dense 10 softmax",
		func(w scaler) []Layer {
			return baseline(w, 3, false, false, []Layer{GlobalAveragePooling2D(), Dropout(0.5),
				Dense(w(50), Activation("relu")), Dropout(0.2), Dense(NumClasses, Activation("softmax"))})
		}},
	{"baseline5x5", "baseline with 5x5 convolutions",
		func(w scaler) []Layer { return baseline(w, 5, false, false, head300(w, Flatten())) }},
	{"strided", "baseline with the second conv of each block at stride 2 instead of max pooling",
		func(w scaler) []Layer { return baseline(w, 3, false, true, head300(w, Flatten())) }},
	{"deep", "three convs per block (32x3 pool, 64x3 pool, 128x3 pool), baseline head",
		func(w scaler) []Layer {
			var ls []Layer
			for _, f := range []int{32, 64, 128} {
				for range 3 {
					ls = append(ls, Conv2D(w(f), 3, Padding("same"), Activation("relu")))
				}
				ls = append(ls, MaxPooling2D(2))
			}
			return append(ls, head300(w, Flatten())...)
		}},
}

// scaler scales a filter or unit count by the width factor.
type scaler func(n int) int

// head300 is the baseline's classifier head after the given reduction.
func head300(w scaler, reduce Layer) []Layer {
	return []Layer{reduce, Dropout(0.5), Dense(w(300), Activation("relu")), Dropout(0.3),
		Dense(NumClasses, Activation("softmax"))}
}

// baseline returns the three conv blocks (32, 64, 128 filters, two convs
// each) followed by head: with BatchNormalization (bn) or stride-2 second
// convs instead of pooling (strided).
func baseline(w scaler, k int, bn, strided bool, head []Layer) []Layer {
	var ls []Layer
	for _, f := range []int{32, 64, 128} {
		for j := range 2 {
			opts := []Option{Padding("same")}
			if strided && j == 1 {
				opts = append(opts, Strides(2))
			}
			if bn {
				ls = append(ls, Conv2D(w(f), k, append(opts, UseBias(false))...),
					BatchNormalization(), Activation("relu"))
			} else {
				ls = append(ls, Conv2D(w(f), k, append(opts, Activation("relu"))...))
			}
		}
		if !strided {
			ls = append(ls, MaxPooling2D(2))
		}
	}
	return append(ls, head...)
}

// Presets returns the names of the preset models, in a fixed order.
func Presets() []string {
	names := make([]string, len(presets))
	for i, p := range presets {
		names[i] = p.name
	}
	return names
}

// PresetDescription returns a one-line description of the named preset,
// or "" if there is none.
func PresetDescription(name string) string {
	for _, p := range presets {
		if p.name == name {
			return p.description
		}
	}
	return ""
}

// Preset returns the named course model ("baseline", "bn", "gap",
// "baseline5x5", "strided", "deep"; see [Presets]) for 32x32x3 inputs and
// 10 classes, with every convolution's filters and every hidden Dense's
// units multiplied by width and rounded (at least 1); the 10 outputs are
// never scaled. Width 1 is the course's model. The model is named after
// the preset, with "_w<width>" appended when width is not 1.
func Preset(name string, width float64) (*Model, error) {
	if !(width > 0) || math.IsInf(width, 0) {
		return nil, fmt.Errorf("width must be a positive number, got %g", width)
	}
	for _, p := range presets {
		if p.name != name {
			continue
		}
		w := func(n int) int { return max(1, int(math.Round(float64(n)*width))) }
		modelName := name
		if width != 1 {
			modelName = fmt.Sprintf("%s_w%g", name, width)
		}
		m := Sequential(modelName, append([]Layer{Input(32, 32, 3)}, p.build(w)...)...)
		if err := m.Validate(); err != nil {
			return nil, err
		}
		return m, nil
	}
	return nil, fmt.Errorf("unknown model %q (known: %s)", name, strings.Join(Presets(), ", "))
}
