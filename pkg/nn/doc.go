// Package nn declares CNNs the way the course writes them in Keras, and
// builds them as GoMLX graphs.
//
//	m := nn.Sequential("baseline",
//		nn.Input(32, 32, 3),
//		nn.Conv2D(32, 3, nn.Padding("same"), nn.Activation("relu")),
//		nn.Conv2D(32, 3, nn.Padding("same"), nn.Activation("relu")),
//		nn.MaxPooling2D(2),
//		...
//		nn.Flatten(),
//		nn.Dropout(0.5),
//		nn.Dense(300, nn.Activation("relu")),
//		nn.Dropout(0.3),
//		nn.Dense(10, nn.Activation("softmax")),
//	)
//	if err := m.Validate(); err != nil { ... }
//	m.Summary(os.Stdout)
//
// A model is a declaration: [Sequential] checks the layers, infers every
// output shape, names the layers as Keras does ("conv2d", "conv2d_1",
// "max_pooling2d", ...) and counts parameters, without building a graph.
// [Model.Apply] builds the graph under a GoMLX scope (the trainer in package
// fit calls it); the layers themselves are in package layers. [Named]
// returns the course's models ("baseline", "bn", "gap", ...), optionally
// narrower or wider.
//
// # Keras conventions kept
//
//   - Layer names, classes, defaults and the summary layout are Keras's:
//     Conv2D and MaxPooling2D default to "valid" padding, Conv2D and Dense
//     to a bias, a glorot_uniform kernel and zero bias, MaxPooling2D's
//     strides to its pool size, BatchNormalization to momentum 0.99,
//     epsilon 1e-3, center and scale.
//   - The activation of Conv2D and Dense is an option
//     (nn.Activation("relu")); the same nn.Activation("relu") on its own
//     among the layers is Keras's separate Activation layer.
//   - Regularizers add Keras's penalties (l2: factor·Σw²); weights live
//     under scope.In(layerName) with Keras's variable names ("kernel",
//     "bias", "gamma", "beta", "moving_mean", "moving_variance").
//   - Inputs are NHWC ([batch, height, width, channels]), as in Keras.
//
// # Differences from Keras
//
//   - Errors: declaration errors do not panic; [Model.Validate] returns
//     them (Keras raises when a layer is built). Apply panics, as GoMLX
//     graph functions do.
//   - Only square kernels, pools and strides; Conv2D kernels of size 1, 3
//     or 5 and strides 1 or 2 (what package layers implements).
//   - [Model.Apply] returns logits: a final softmax (the last layer's
//     activation, or a final Activation("softmax") layer) is left out, and
//     the trainer applies a softmax cross-entropy on logits, which is the
//     numerically stable form of Keras's softmax + categorical
//     cross-entropy. [Model.OutputActivation] tells which activation was
//     left out.
//   - A Dense layer on a 4-D input applies to the last axis, as in Keras;
//     nothing flattens implicitly.
//   - Dropout's rate must be below 1.
//   - Predicting one image: Keras's model.predict needs an explicit batch
//     axis; [Model.SingleInput] and [AddBatchAxis] add it.
package nn
