package layers

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/layers/activation"
)

// activationDef is one Keras activation: its graph function and, where
// GoMLX's fused matmul-plus-activation computes exactly the same function,
// the GoMLX type to fuse (activation.TypeNone otherwise).
type activationDef struct {
	fn    func(x *graph.Node) *graph.Node
	fused activation.Type
}

// activations is cnnlab's one activation table: Keras's names and
// constants (keras.activations).
var activations = map[string]activationDef{
	"linear":  {func(x *graph.Node) *graph.Node { return x }, activation.TypeNone},
	"relu":    {activation.Relu, activation.TypeRelu},
	"softmax": {func(x *graph.Node) *graph.Node { return graph.Softmax(x, -1) }, activation.TypeNone},
	"sigmoid": {graph.Sigmoid, activation.TypeSigmoid},
	"tanh":    {graph.Tanh, activation.TypeTanh},
	"elu": {func(x *graph.Node) *graph.Node {
		return graph.Where(graph.GreaterThan(x, graph.ZerosLike(x)), x, graph.MinusOne(graph.Exp(x)))
	}, activation.TypeNone},
	"selu": {func(x *graph.Node) *graph.Node {
		neg := graph.MulScalar(graph.MinusOne(graph.Exp(x)), seluAlpha)
		return graph.MulScalar(graph.Where(graph.GreaterThan(x, graph.ZerosLike(x)), x, neg), seluScale)
	}, activation.TypeNone},
	"gelu":       {activation.Gelu, activation.TypeGelu}, // exact (Keras's approximate=False)
	"leaky_relu": {func(x *graph.Node) *graph.Node { return activation.LeakyReluWith(x, leakyReluSlope) }, activation.TypeNone},
	"softplus":   {graph.Softplus, activation.TypeNone},
	"silu":       {func(x *graph.Node) *graph.Node { return graph.Mul(x, graph.Sigmoid(x)) }, activation.TypeSilu},
}

// Keras's constants for selu and leaky_relu.
const (
	seluAlpha      = 1.67326324
	seluScale      = 1.05070098
	leakyReluSlope = 0.2 // keras.activations.leaky_relu's default negative_slope (GoMLX's LeakyRelu uses 0.3)
)

// activationAliases maps other accepted spellings to Keras names.
var activationAliases = map[string]string{"": "linear", "none": "linear", "swish": "silu"}

// Activations returns the activation names that [ApplyActivation] and the
// layers' Activation options accept, sorted: Keras's names ("" and "none"
// also mean "linear", "swish" means "silu").
func Activations() []string {
	names := make([]string, 0, len(activations))
	for n := range activations {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// CanonicalActivation returns the Keras name of an activation name or alias
// (case-insensitive), or an error naming the unknown name and the known
// ones.
func CanonicalActivation(name string) (string, error) {
	key := strings.ToLower(strings.TrimSpace(name))
	if a, ok := activationAliases[key]; ok {
		key = a
	}
	if _, ok := activations[key]; !ok {
		return "", fmt.Errorf("unknown activation %q (known: %s)", name, strings.Join(Activations(), ", "))
	}
	return key, nil
}

// ApplyActivation applies the named Keras activation to x: "relu",
// "softmax" (over the last axis), "sigmoid", "tanh", "linear" (the
// identity), "elu" (alpha 1), "selu", "gelu" (exact, Keras's default),
// "leaky_relu" (negative slope 0.2, the default of
// keras.activations.leaky_relu; Keras's LeakyReLU layer defaults to 0.3),
// "softplus", "silu" (or "swish"). Like GoMLX graph functions, it panics on
// an unknown name.
func ApplyActivation(name string, x *graph.Node) *graph.Node {
	return lookupActivation("layers.ApplyActivation", name).fn(x)
}

// lookupActivation returns the table entry of name; it panics, naming the
// layer, on an unknown name.
func lookupActivation(layer, name string) activationDef {
	key, err := CanonicalActivation(name)
	if err != nil {
		panic(fmt.Errorf("%s: %w", layer, err))
	}
	return activations[key]
}
