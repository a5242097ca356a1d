package layers_test

import (
	"fmt"

	"github.com/cnnlab/cnnlab/pkg/backend"
	"github.com/cnnlab/cnnlab/pkg/layers"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/layers/activation"
	"github.com/gomlx/gomlx/ml/model"
)

// A small Keras-style CNN: each layer gets its own sub-scope, whose
// variables carry Keras's names.
func Example() {
	store := model.NewStore()
	logits, err := model.ExecOnce(backend.MustNew(), store, func(scope *model.Scope, x *graph.Node) *graph.Node {
		x = layers.Conv2D(scope.In("conv2d"), x, 8).Padding(layers.Same).Done()
		x = activation.Relu(x)
		x = layers.MaxPool2D(x, 2, 0, layers.Valid)
		x = layers.Flatten(x)
		x = layers.Dropout(scope.In("dropout"), x, 0.5)
		return layers.Dense(scope.In("dense"), x, 10).Done()
	}, tensors.FromShape(shapes.Make(dtypes.Float32, 4, 32, 32, 3)))
	if err != nil {
		panic(err)
	}
	fmt.Println("logits:", logits.Shape())
	for v := range store.IterVariables() {
		if v.Trainable {
			fmt.Println(v.Path(), v.Shape())
		}
	}
	// Output:
	// logits: (Float32)[4, 10]
	// /conv2d/kernel (Float32)[3, 3, 3, 8]
	// /conv2d/bias (Float32)[8]
	// /dense/kernel (Float32)[2048, 10]
	// /dense/bias (Float32)[10]
}
