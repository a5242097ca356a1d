package nn

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Declaration describes a model as weights files record it (see
// fit.Declared): its name, where it came from, and every choice that
// changes what the model computes from its weights, layer by layer. Two
// models with equal declarations take each other's weights; the
// initializers are left out, since loaded weights replace what they drew.
type Declaration struct {
	Name   string   `json:"name"`             // the model's name, e.g. "baseline_w0.25"
	Preset string   `json:"preset,omitempty"` // the name given to [Named], "" for other models
	Width  float64  `json:"width,omitempty"`  // the width given to [Named] or set in the Arch
	Input  []int    `json:"input"`            // shape of one example
	Layers []string `json:"layers"`           // one line per layer: name, class and options
}

// Declaration returns the model's declaration as JSON (an object with a
// "name"), the form fit.Declared asks for; [ParseDeclaration] reads it
// back. It is nil for an invalid model.
func (m *Model) Declaration() json.RawMessage {
	if m.err != nil {
		return nil
	}
	raw, err := json.Marshal(m.Declare())
	if err != nil { // a Declaration holds strings, ints and a float: it always marshals
		panic(fmt.Sprintf("nn: encoding the declaration of %q: %v", m.name, err))
	}
	return raw
}

// Declare returns the model's declaration (zero for an invalid model).
func (m *Model) Declare() Declaration {
	if m.err != nil {
		return Declaration{}
	}
	d := Declaration{Name: m.name, Preset: m.preset, Width: m.width, Input: slices.Clone(m.input)}
	for _, s := range m.layers {
		d.Layers = append(d.Layers, s.declare())
	}
	return d
}

// ParseDeclaration reads a declaration written by [Model.Declaration].
func ParseDeclaration(raw json.RawMessage) (Declaration, error) {
	var d Declaration
	if err := json.Unmarshal(raw, &d); err != nil {
		return Declaration{}, fmt.Errorf("nn: reading a model declaration: %w", err)
	}
	if d.Name == "" || len(d.Input) == 0 || len(d.Layers) == 0 {
		return Declaration{}, fmt.Errorf("nn: a model declaration needs a name, an input shape and layers")
	}
	return d, nil
}

// String names the model, with its preset and width when it has them:
// "baseline_w0.25 (preset baseline, width 0.25)".
func (d Declaration) String() string {
	if d.Preset == "" {
		return fmt.Sprintf("%q", d.Name)
	}
	return fmt.Sprintf("%q (preset %s, width %g)", d.Name, d.Preset, d.Width)
}

// declare describes the layer in one line, e.g. "conv2d_1: Conv2D(filters=32,
// kernel_size=3, strides=1, padding=same, activation=relu, use_bias=true,
// kernel_regularizer=none, bias_regularizer=none)".
func (s *spec) declare() string {
	var args []string
	arg := func(k string, v any) { args = append(args, fmt.Sprintf("%s=%v", k, v)) }
	switch s.kind {
	case kindConv2D:
		arg("filters", s.filters)
		arg("kernel_size", s.kernelSize[0])
		arg("strides", s.stride())
		arg("padding", s.padding)
		arg("activation", s.activation)
		arg("use_bias", s.useBias)
		arg("kernel_regularizer", s.kernelReg)
		arg("bias_regularizer", s.biasReg)
	case kindDense:
		arg("units", s.units)
		arg("activation", s.activation)
		arg("use_bias", s.useBias)
		arg("kernel_regularizer", s.kernelReg)
		arg("bias_regularizer", s.biasReg)
	case kindMaxPooling2D:
		arg("pool_size", s.poolSize[0])
		arg("strides", s.stride())
		arg("padding", s.padding)
	case kindBatchNormalization:
		arg("momentum", s.momentum)
		arg("epsilon", s.epsilon)
		arg("center", s.center)
		arg("scale", s.scale)
	case kindActivation:
		arg("activation", s.activation)
	case kindDropout:
		arg("rate", s.rate)
	case kindRescaling:
		arg("scale", s.rescale[0])
		arg("offset", s.rescale[1])
	case kindRandomFlip:
		arg("mode", s.flipMode)
	case kindRandomTranslation:
		arg("height_factor", s.factors[0])
		arg("width_factor", s.factors[1])
		arg("fill_mode", s.fillMode)
		arg("fill_value", s.fillValue)
	case kindWhitening:
		arg("kernel_size", 2)
		arg("kernel_values", s.whitenValues(s.channels))
		if s.whitenData > 0 {
			arg("from_images", s.whitenData)
			arg("eps", s.whitenEps)
		}
		arg("activation", s.activation)
		arg("use_bias", s.useBias)
	case kindRandomCrop:
		arg("height", s.cropSize[0])
		arg("width", s.cropSize[1])
		arg("padding", s.cropPad)
	}
	return fmt.Sprintf("%s: %s(%s)", s.name, kindInfo[s.kind].class, strings.Join(args, ", "))
}

// Config describes every layer of the model in one line, as
// [Model.Declaration] does, and adds what a declaration leaves out: the
// initializers of the layers that have weights, e.g. "conv2d:
// Conv2D(filters=32, …, kernel_initializer=he_normal(), bias_initializer=zeros())".
// It is Keras's model.get_config() in short: two models with equal
// configs are the same model before training too. It is nil for an
// invalid model.
func (m *Model) Config() []string {
	if m.err != nil {
		return nil
	}
	lines := make([]string, len(m.layers))
	for i, s := range m.layers {
		line := s.declare()
		if s.kind == kindConv2D || s.kind == kindDense {
			line = strings.TrimSuffix(line, ")") + fmt.Sprintf(", kernel_initializer=%s, bias_initializer=%s)", s.kernelInit, s.biasInit)
		}
		lines[i] = line
	}
	return lines
}
