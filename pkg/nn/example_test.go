package nn_test

import (
	"fmt"
	"os"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/cnnlab/cnnlab/pkg/backend"
	"github.com/cnnlab/cnnlab/pkg/initializers"
	"github.com/cnnlab/cnnlab/pkg/nn"
	"github.com/cnnlab/cnnlab/pkg/regularizers"
)

// A small CNN declared as in Keras, and its summary.
func ExampleSequential() {
	m := nn.Sequential("small",
		nn.Input(32, 32, 3),
		nn.Conv2D(16, 3, nn.Padding("same"), nn.Activation("relu"),
			nn.KernelInitializer(initializers.HeNormal(42)),
			nn.KernelRegularizer(regularizers.L2(1e-4))),
		nn.MaxPooling2D(2),
		nn.Conv2D(32, 3, nn.Padding("same"), nn.UseBias(false)),
		nn.BatchNormalization(),
		nn.Activation("relu"),
		nn.GlobalAveragePooling2D(),
		nn.Dropout(0.2),
		nn.Dense(10, nn.Activation("softmax")),
	)
	if err := m.Validate(); err != nil {
		fmt.Println(err)
		return
	}
	m.Summary(os.Stdout)
	// Output:
	// Model: "small"
	// ┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
	// ┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
	// ┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
	// │ conv2d (Conv2D)                 │ (None, 32, 32, 16)     │           448 │
	// ├─────────────────────────────────┼────────────────────────┼───────────────┤
	// │ max_pooling2d (MaxPooling2D)    │ (None, 16, 16, 16)     │             0 │
	// ├─────────────────────────────────┼────────────────────────┼───────────────┤
	// │ conv2d_1 (Conv2D)               │ (None, 16, 16, 32)     │         4,608 │
	// ├─────────────────────────────────┼────────────────────────┼───────────────┤
	// │ batch_normalization             │ (None, 16, 16, 32)     │           128 │
	// │ (BatchNormalization)            │                        │               │
	// ├─────────────────────────────────┼────────────────────────┼───────────────┤
	// │ activation (Activation)         │ (None, 16, 16, 32)     │             0 │
	// ├─────────────────────────────────┼────────────────────────┼───────────────┤
	// │ global_average_pooling2d        │ (None, 32)             │             0 │
	// │ (GlobalAveragePooling2D)        │                        │               │
	// ├─────────────────────────────────┼────────────────────────┼───────────────┤
	// │ dropout (Dropout)               │ (None, 32)             │             0 │
	// ├─────────────────────────────────┼────────────────────────┼───────────────┤
	// │ dense (Dense)                   │ (None, 10)             │           330 │
	// └─────────────────────────────────┴────────────────────────┴───────────────┘
	//  Total params: 5,514 (21.54 KB)
	//  Trainable params: 5,450 (21.29 KB)
	//  Non-trainable params: 64 (256.00 B)
}

// The course's models are presets; width scales their filters and hidden
// units for quick runs.
func ExampleNamed() {
	for _, width := range []float64{1, 0.5} {
		m, err := nn.Named("baseline", width)
		if err != nil {
			fmt.Println(err)
			return
		}
		trainable, nonTrainable := m.NumParams()
		fmt.Println(m.Name(), trainable, nonTrainable, m.OutputShape(), m.OutputActivation())
	}
	// Output:
	// baseline 904718 0 [10] softmax
	// baseline_w0.5 227340 0 [10] softmax
}

// Declaration mistakes are errors, not panics.
func ExampleModel_Validate() {
	m := nn.Sequential("oops",
		nn.Input(32, 32, 3),
		nn.Conv2D(32, 4, nn.Padding("same")),
	)
	fmt.Println(m.Validate())
	// Output:
	// model "oops": layer 1 "conv2d" (Conv2D): kernel size must be 1, 3 or 5, got 4
}

// Apply builds the model's graph; here it runs on one image, to which
// SingleInput adds the batch axis. The logits leave out the final softmax.
func ExampleModel_Apply() {
	m, err := nn.Named("gap", 0.25)
	if err != nil {
		fmt.Println(err)
		return
	}
	img := make([]float32, 32*32*3) // one [32, 32, 3] image
	x, err := m.SingleInput(img)
	if err != nil {
		fmt.Println(err)
		return
	}
	store := model.NewStore()
	probs, err := model.ExecOnce(backend.MustNew(), store, m.Call, x)
	if err != nil {
		fmt.Println(err)
		return
	}
	var sum float32
	for _, p := range tensors.MustCopyFlatData[float32](probs) {
		sum += p
	}
	fmt.Printf("%s sums to %.3f\n", probs.Shape(), sum)
	// Output: (Float32)[1, 10] sums to 1.000
}

// AddBatchAxis turns one example into a batch of one.
func ExampleAddBatchAxis() {
	img := tensors.FromFlatDataAndDimensions(make([]float32, 32*32*3), 32, 32, 3)
	batch, err := nn.AddBatchAxis(img)
	fmt.Println(batch.Shape(), err)
	// Output: (Float32)[1, 32, 32, 3] <nil>
}
