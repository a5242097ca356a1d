// Package layers holds cnnlab's CNN layers as GoMLX graph builders with Keras
// names, defaults and semantics: [Conv2D], [MaxPool2D],
// [GlobalAveragePooling2D], [Flatten], [Dense], [BatchNorm] and [Dropout].
//
// # Two implementations behind one API
//
// Every layer has two graph formulations that compute the same values and
// gradients and create the same variables (names, shapes, initial values):
//
//   - Native: GoMLX's own ops (graph.Convolve, graph.MaxPool). XLA compiles
//     these into fast kernels.
//   - Fast: a formulation tuned for GoMLX's pure Go backend, whose
//     convolution and pooling ops are scalar loops. A convolution becomes
//     im2col built by GatherSlices of the padded input followed by a fused
//     Dense (matmul) in the "outputs, inputs" weight layout; the patch rows
//     are split in a few parts of odd length that the backend runs in
//     parallel (see [Options.SplitParts]); an activation set with Activation is
//     fused into the matmul in inference graphs. The 3x3, stride-1, "same"
//     convolutions of even-sized inputs use Winograd's F(2x2, 3x3) instead
//     (2.25x fewer multiplies; see [Options.NoWinograd] for where it pays), built
//     from row gathers and matmuls with their own gradients; in float32 it
//     differs from im2col by about 1e-6 of the output's scale. Non-overlapping
//     max-pooling becomes reshapes plus two contiguous ReduceMax; batch
//     normalization trains on the backend's fused BatchNormForTraining op
//     where it has one (XLA; the Go backend in cnnlab's patched build, see
//     [Options.NoFusedBatchNorm]) and is written with plain reductions
//     otherwise (released GoMLX's Go backend has no such op). Where GoMLX's automatic gradient of these ops is
//     slow on the Go backend (the fused Dense gradient's scalar transpose,
//     value-by-value Slice for the gradients of Pad and Concatenate,
//     iterator broadcasts in the ReduceMax gradient), the fast path
//     supplies its own gradient built from ops the backend runs fast: the
//     matmul gradients read the patch matrix in place and transpose only
//     the small output gradient.
//
// For inference, [SplitBatch] runs a large batch as independent
// sub-batches (as many as [InferenceSplit] says), which the Go backend runs in
// parallel; package fit uses it for Evaluate and Predict.
//
// The choice is automatic from the graph's backend (Fast on "go", Native
// elsewhere). [Options], a parameter of the model's model.Store set with
// [SetOptions], override it per model, e.g. for tests and benchmarks that
// compare the two; nothing is set process-wide. Where the Go backend has a
// fast convolution (the implicit-GEMM kernel of cnnlab's patched build,
// [backend.ConvKernel]), the fast path hands Conv2D to it (on by default;
// [Options.NoBackendConv]). Because
// the variables are identical, a checkpoint trained on one backend loads on
// the other.
//
// The Go backend is fastest when the binary is built with GOEXPERIMENT=simd
// (AVX2/AVX-512 matmul) and run with GOMLX_BACKEND=go:parallelism=-1 (all
// cores); `make build` and package backend do both. [FastPathActive] says
// whether a graph uses the fast formulation. docs/PERFORMANCE.md has the
// measurements against PyTorch and the profile of where time goes.
//
// # Differences from Keras
//
//   - Variables live directly in the scope given to the layer (Keras names:
//     "kernel", "bias", "gamma", "beta", "moving_mean", "moving_variance");
//     callers choose one sub-scope per layer, e.g. scope.In("conv2d_1").
//   - Only square kernels, pools and strides are offered; Conv2D supports odd
//     kernel sizes 1 to 5 and strides 1 and 2.
//   - Max pooling sends each window's gradient to one input, its first
//     maximum in row-major order, like TensorFlow's MaxPoolGrad (both
//     formulations). Ties are common, not rare: flat image regions give
//     equal convolution outputs. (GoMLX's ReduceMax gradient, which reaches
//     every tied input, skewed training until issue 14 found it.)
//   - BatchNorm's moving averages use Keras's rule
//     moving = moving*momentum + batch*(1-momentum) from the first step (no
//     debiasing, unlike GoMLX's norm.BatchNorm), and the training-mode
//     gradient flows through the batch mean and variance, as in Keras.
package layers
