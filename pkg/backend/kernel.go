package backend

// BuildTag is the build tag of cnnlab's patched build: `make build` (and the
// tests, notebooks and image) compile against a copy of GoMLX's compute
// module with the patches of bench/upstream applied (scripts/patch-gomlx),
// and set this tag so that cnnlab uses what they add.
const BuildTag = "cnnlabkernels"

// Set by kernel_patched.go in the patched build.
var (
	patched         = false
	convKernel      = func() string { return "" }
	convKernelCalls = func() int64 { return 0 }
)

// Patched reports whether this binary was built against cnnlab's patched
// GoMLX backend (bench/upstream; tag [BuildTag]).
func Patched() bool { return patched }

// ConvKernel names the convolution kernel of the patched Go backend that
// runs float32 convolutions on this CPU: "avx512" or "avx2", followed by
// " packed" when GOMLX_GO_CONV_DIRECT=false makes it pack the patch rows
// instead of reading them in place (an A/B switch). It is "" when
// the binary was built against released GoMLX, without GOEXPERIMENT=simd,
// on a CPU with neither instruction set, or with GOMLX_GO_CONV_GEMM=false;
// the Go backend's own convolution is then a scalar loop, and cnnlab's
// layers use their im2col and Winograd formulations instead.
func ConvKernel() string { return convKernel() }

// ConvKernelCalls returns the number of convolutions the kernel has run in
// this process: the difference over a run says whether the kernel ran.
func ConvKernelCalls() int64 { return convKernelCalls() }
