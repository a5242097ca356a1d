// Package bench measures training and inference speed of the course's CNN
// models built with package layers, on random CIFAR-shaped data. It backs
// the "cnnlab bench" command; bench/pytorch_bench.py in the repository
// builds the identical models in PyTorch for comparison.
package bench

import (
	"fmt"
	"sort"

	"github.com/cnnlab/cnnlab/pkg/layers"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/layers/activation"
	"github.com/gomlx/gomlx/ml/model"
)

// ModelFn builds a model's logits [batch, 10] from images [batch, 32, 32, 3].
type ModelFn = func(scope *model.Scope, x *graph.Node) *graph.Node

// Spec describes one benchmark model.
type Spec struct {
	Name        string  // "baseline", "bn" or "gap"
	Description string  // one line
	Fn          ModelFn // graph builder
	// Params is the number of trainable parameters (Keras's "Trainable params").
	Params int
	// FLOPs is the number of floating-point operations of one forward pass
	// of one image (multiply-adds count as 2; convolutions and dense layers
	// only).
	FLOPs int64
}

// Models returns the names of the benchmark models, sorted.
func Models() []string {
	names := make([]string, 0, len(specs))
	for n := range specs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Model returns the benchmark model called name.
func Model(name string) (Spec, error) {
	s, ok := specs[name]
	if !ok {
		return Spec{}, fmt.Errorf("unknown benchmark model %q (want one of %v)", name, Models())
	}
	return s, nil
}

var specs = map[string]Spec{
	"baseline": {
		Name:        "baseline",
		Description: "3 blocks of 2 conv3x3 (32, 64, 128; same, relu) + max-pool 2, flatten, dropout .5, dense 300 relu, dropout .3, dense 10",
		Fn:          func(s *model.Scope, x *graph.Node) *graph.Node { return build(s, x, false, false) },
		Params:      904718,
		FLOPs:       convFLOPs() + 2*(2048*300+300*10),
	},
	"bn": {
		Name:        "bn",
		Description: "baseline with BatchNorm after each conv (conv without bias), before the relu",
		Fn:          func(s *model.Scope, x *graph.Node) *graph.Node { return build(s, x, true, false) },
		Params:      905166,
		FLOPs:       convFLOPs() + 2*(2048*300+300*10),
	},
	"gap": {
		Name:        "gap",
		Description: "baseline convs, global average pooling, dropout .5, dense 50 relu, dropout .2, dense 10",
		Fn:          func(s *model.Scope, x *graph.Node) *graph.Node { return build(s, x, false, true) },
		Params:      293968,
		FLOPs:       convFLOPs() + 2*(128*50+50*10),
	},
}

// convFLOPs is the forward FLOPs of the six convolutions of one 32x32 image.
func convFLOPs() int64 {
	var f int64
	size, in := 32, 3
	for _, filters := range []int{32, 64, 128} {
		for range 2 {
			f += 2 * int64(size*size*9*in*filters)
			in = filters
		}
		size /= 2
	}
	return f
}

// build is the graph of the three course models, with Keras's layer names
// as scopes (conv2d, conv2d_1, ..., batch_normalization, dense, dense_1).
func build(scope *model.Scope, x *graph.Node, bn, gap bool) *graph.Node {
	conv := 0
	for _, filters := range []int{32, 64, 128} {
		for range 2 {
			c := layers.Conv2D(scope.In("%s", kerasName("conv2d", conv)), x, filters).
				KernelSize(3).Padding(layers.Same)
			if bn {
				x = c.UseBias(false).Done()
				x = layers.BatchNorm(scope.In("%s", kerasName("batch_normalization", conv)), x).Done()
				x = activation.Relu(x)
			} else {
				x = c.Activation("relu").Done()
			}
			conv++
		}
		x = layers.MaxPool2D(x, 2, 0, layers.Valid)
	}
	hidden, rate1, rate2 := 300, 0.5, 0.3
	if gap {
		x = layers.GlobalAveragePooling2D(x)
		hidden, rate2 = 50, 0.2
	} else {
		x = layers.Flatten(x)
	}
	x = layers.Dropout(scope.In("dropout"), x, rate1)
	x = layers.Dense(scope.In("dense"), x, hidden).Activation("relu").Done()
	x = layers.Dropout(scope.In("dropout_1"), x, rate2)
	return layers.Dense(scope.In("dense_1"), x, 10).Done()
}

// kerasName returns Keras's automatic layer name: base, base_1, base_2, ...
func kerasName(base string, i int) string {
	if i == 0 {
		return base
	}
	return fmt.Sprintf("%s_%d", base, i)
}
