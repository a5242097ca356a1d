package lessons

import (
	"github.com/cnnlab/cnnlab/pkg/experiment"
	"github.com/cnnlab/cnnlab/pkg/nn"
)

// Lesson 2: the first CNN.
var _ = register(&experiment.Lesson{
	Number: 2, Name: "first-cnn", Title: "A first CNN", Korean: "CNN 모델 구현",
	About: "The course's baseline: three blocks of two 3x3 \"same\" convolutions with ReLU (32, 64, 128 filters), " +
		"each block followed by 2x2 max pooling, then Flatten, Dropout(0.5), Dense(300, relu), Dropout(0.3) and " +
		"Dense(10, softmax): 904,718 parameters. An activation can be a Conv2D argument or its own layer; max pooling " +
		"can be written three ways; the model takes 4-D input [N, 32, 32, 3], so one image gets a batch axis. " +
		"`predict` gives ten probabilities per image, and argmax the class.",
	Runs: func(s experiment.Settings) []experiment.RunSpec {
		return []experiment.RunSpec{{Label: "baseline", Arch: nn.Arch{}}}
	},
	Facts: []experiment.FactSpec{
		{Name: "summary", Title: "model.summary() of the course's baseline", Compute: firstSummary},
		{Name: "activation", Title: "Activation inline or as its own layer", Compute: firstActivation,
			Labels: map[string]string{"params_inline": "the parameters with the activation inline",
				"params_layer": "the parameters with it as its own layer", "max_diff": "the largest difference of their outputs"}},
		{Name: "pooling", Title: "Three spellings of max pooling", Compute: firstPooling,
			Labels: map[string]string{"max_diff": "the largest difference of their output shapes and outputs"}},
		{Name: "predict", Title: "predict, argmax, and one image", Compute: firstPredict,
			Labels: map[string]string{"row_sum": "the sum of a row of probabilities"}},
		{Name: "misclassified", Title: "Misclassified test images (true->predicted)", Compute: firstMisclassified},
	},
	Claims: []experiment.Claim{
		{Text: "activation inline or as its own layer: the same parameters", Expect: experiment.Equal,
			Values: [2]string{"activation.params_inline", "activation.params_layer"}},
		{Text: "activation inline or as its own layer: the same outputs for the same weights", Expect: experiment.Equal,
			Values: [2]string{"activation.max_diff"}, Want: 0, Tolerance: 1e-6},
		{Text: "the three max-pooling spellings are the same model", Expect: experiment.Equal,
			Values: [2]string{"pooling.max_diff"}, Want: 0, Tolerance: 0},
		{Text: "predict on 32 images gives [32, 10] probabilities, each row summing to 1", Expect: experiment.Equal,
			Values: [2]string{"predict.row_sum"}, Want: 1, Tolerance: 1e-5},
	},
})
