package nn

import (
	"fmt"
	"strings"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/layers/activation"
)

// activationFns maps Keras activation names to their graph functions.
var activationFns = map[string]func(x *graph.Node) *graph.Node{
	"linear":  func(x *graph.Node) *graph.Node { return x },
	"relu":    activation.Relu,
	"softmax": func(x *graph.Node) *graph.Node { return graph.Softmax(x, -1) },
	"sigmoid": graph.Sigmoid,
	"tanh":    graph.Tanh,
	"elu": func(x *graph.Node) *graph.Node {
		return graph.Where(graph.GreaterThan(x, graph.ZerosLike(x)), x, graph.MinusOne(graph.Exp(x)))
	},
	"selu": func(x *graph.Node) *graph.Node {
		neg := graph.MulScalar(graph.MinusOne(graph.Exp(x)), seluAlpha)
		return graph.MulScalar(graph.Where(graph.GreaterThan(x, graph.ZerosLike(x)), x, neg), seluScale)
	},
	"gelu":       activation.Gelu,
	"leaky_relu": func(x *graph.Node) *graph.Node { return activation.LeakyReluWith(x, leakyReluSlope) },
	"softplus":   graph.Softplus,
	"silu":       func(x *graph.Node) *graph.Node { return graph.Mul(x, graph.Sigmoid(x)) },
}

// Keras's constants for selu and leaky_relu.
const (
	seluAlpha      = 1.67326324
	seluScale      = 1.05070098
	leakyReluSlope = 0.2 // keras.activations.leaky_relu's default negative_slope
)

// activationAliases maps other accepted spellings to Keras names.
var activationAliases = map[string]string{"": "linear", "none": "linear", "swish": "silu"}

// Activations returns the activation names accepted by [Activation] and
// [ApplyActivation], sorted: Keras's names.
func Activations() []string {
	return []string{"elu", "gelu", "leaky_relu", "linear", "relu", "selu", "sigmoid", "silu", "softmax", "softplus", "tanh"}
}

// canonicalActivation returns the Keras name of an activation name or
// alias ("" and "none" are "linear", "swish" is "silu"), or an error naming
// the unknown name.
func canonicalActivation(name string) (string, error) {
	key := strings.ToLower(strings.TrimSpace(name))
	if a, ok := activationAliases[key]; ok {
		key = a
	}
	if _, ok := activationFns[key]; !ok {
		return "", fmt.Errorf("unknown activation %q (known: %s)", name, strings.Join(Activations(), ", "))
	}
	return key, nil
}

// ApplyActivation applies the named Keras activation to x: "relu",
// "softmax" (over the last axis), "sigmoid", "tanh", "linear" (or "": the
// identity), "elu" (alpha 1), "selu", "gelu" (exact, Keras's default),
// "leaky_relu" (negative slope 0.2, the default of
// keras.activations.leaky_relu; the LeakyReLU layer's default is 0.3),
// "softplus", "silu" (or "swish"). Like GoMLX graph functions, it panics on
// an unknown name.
func ApplyActivation(name string, x *graph.Node) *graph.Node {
	key, err := canonicalActivation(name)
	if err != nil {
		panic(err)
	}
	return activationFns[key](x)
}
