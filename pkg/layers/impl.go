package layers

import (
	"fmt"
	"runtime"
	"strings"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/cnnlab/cnnlab/pkg/backend"
)

// Impl selects the graph formulation of the layers; see the package doc.
type Impl int32

const (
	// Auto uses Fast on GoMLX's pure Go backend ("go") and Native elsewhere.
	Auto Impl = iota
	// Native always uses GoMLX's own ops (graph.Convolve, graph.MaxPool).
	Native
	// Fast always uses the formulation tuned for the pure Go backend. It is
	// correct on every backend, only slower than Native on XLA.
	Fast
)

// String returns "auto", "native" or "fast".
func (i Impl) String() string {
	switch i {
	case Auto:
		return "auto"
	case Native:
		return "native"
	case Fast:
		return "fast"
	}
	return fmt.Sprintf("Impl(%d)", int32(i))
}

// ParseImpl parses "auto", "native" or "fast".
func ParseImpl(s string) (Impl, error) {
	switch s {
	case "auto", "":
		return Auto, nil
	case "native":
		return Native, nil
	case "fast":
		return Fast, nil
	}
	return Auto, fmt.Errorf("unknown layers implementation %q (want auto, native or fast)", s)
}

// Options selects how the layers of one model are formulated. The zero
// value is the default: the formulation chosen from the backend, the
// backend's convolution kernel where the build has one, Winograd where it
// pays. Options are a parameter of the model's model.Store (GoMLX's
// per-model hyperparameters, under [OptionsParam]): set them with
// [SetOptions] (or fit.Options.Params) before the store's graphs are
// built; every graph built from the store uses them, and graphs built
// without a store use the defaults.
type Options struct {
	// Impl chooses the formulation; Auto (the default) picks Fast on the
	// pure Go backend and Native elsewhere.
	Impl Impl
	// NoBackendConv keeps the fast path's Conv2D off the backend's own
	// convolution (the implicit-GEMM kernel of cnnlab's patched build,
	// [backend.ConvKernel]), which it uses by default where the build has
	// it: 1.3-1.6x faster in training than im2col and Winograd, with half
	// the memory. Without the kernel (a binary built against released
	// GoMLX, whose convolution is a scalar loop some 50x slower) it has no
	// effect. `cnnlab bench --backend-conv=false` measures the im2col and
	// Winograd formulations with it.
	NoBackendConv bool
	// NoWinograd turns off the fast path's Winograd F(2x2, 3x3)
	// convolution, which by default runs the 3x3, stride-1, "same"
	// convolutions of even-sized inputs with at least 16 channels in
	// inference graphs, and in training graphs those with channels·filters
	// ≥ 8192 (the course's 8x8 layers), where it was measured faster than
	// im2col (docs/PERFORMANCE.md); im2col then runs every convolution.
	// `cnnlab bench --winograd=false` measures with it.
	NoWinograd bool
	// NoFusedBatchNorm keeps BatchNorm's training graph off the backend's
	// fused BatchNormForTraining op (and its gradient, BatchNormGradient),
	// which it uses where the backend has them: XLA, and GoMLX's Go
	// backend in cnnlab's patched build (bench/upstream/compute-batchnorm.patch),
	// where they read x twice for the statistics and the normalization
	// instead of a dozen elementwise passes. BatchNorm is then built from
	// reductions and elementwise ops; same function, same Keras semantics.
	// `cnnlab bench --fused-bn=false` measures with it.
	NoFusedBatchNorm bool
	// SplitParts caps the number of parts a fast-path convolution splits
	// its patch rows into (see Conv2DConfig.Done). 0, the default, means 4
	// in inference graphs and, in training graphs, the number of CPUs
	// rounded up to an even number, at most 4 (on 2 cores, 4 parts made
	// inference ~6% faster and training ~3% slower than 2).
	SplitParts int

	// minPartFloats, when positive, replaces defaultMinPartFloats (tests).
	minPartFloats int
	// winogradMinTraining, when positive, replaces
	// defaultWinogradMinTraining (tests, benchmarks).
	winogradMinTraining int
}

// OptionsParam is the path of the model.Store parameter that holds a
// model's [Options].
const OptionsParam = "/layers_options"

// SetOptions sets the layers options of the graphs built from store from
// now on. It panics (GoMLX style) on an invalid Impl.
func SetOptions(store *model.Store, o Options) {
	if o.Impl < Auto || o.Impl > Fast {
		panic(fmt.Sprintf("layers.SetOptions: invalid %v", o.Impl))
	}
	store.SetParam(OptionsParam, o)
}

// Params returns o as store parameters, for model.Store.SetParams or
// fit.Options.Params.
func (o Options) Params() map[string]any { return map[string]any{OptionsParam: o} }

// GraphOptions returns the options of the layers built in g: those set on
// the model.Store that builds g (model.GetStore; model.Exec attaches it),
// or the defaults.
func GraphOptions(g *graph.Graph) Options {
	store := model.GetStore(g)
	if store == nil {
		return Options{}
	}
	v, _ := store.GetParam(OptionsParam)
	o, _ := v.(Options)
	return o
}

// FastPath reports whether layers built with o on backend b use the fast
// formulation: Impl is Fast, or it is Auto and b is the pure Go backend.
func (o Options) FastPath(b compute.Backend) bool {
	switch o.Impl {
	case Fast:
		return true
	case Native:
		return false
	}
	return isGoBackend(b)
}

// UsesBackendConv reports whether the fast path's Conv2D runs on the
// backend's convolution: NoBackendConv is off and the backend has its
// kernel.
func (o Options) UsesBackendConv() bool { return !o.NoBackendConv && backend.ConvKernel() != "" }

// UsesFusedBatchNorm reports whether BatchNorm's training graph on backend
// b uses b's fused op: NoFusedBatchNorm is off and b has
// BatchNormForTraining.
func (o Options) UsesFusedBatchNorm(b compute.Backend) bool {
	return !o.NoFusedBatchNorm && b.Capabilities().Operations[compute.OpTypeBatchNormForTraining]
}

// UsesWinograd reports whether the fast path's Conv2D uses Winograd where
// it pays: NoWinograd is off and the backend's convolution is not used.
func (o Options) UsesWinograd() bool { return !o.NoWinograd && !o.UsesBackendConv() }

// FastPathActive reports whether layers built in g use the fast formulation
// ([Options.FastPath] of [GraphOptions]).
func FastPathActive(g *graph.Graph) bool { return GraphOptions(g).FastPath(g.Backend()) }

// defaultMinPartFloats is the smallest patch matrix (in values) worth a
// part.
const defaultMinPartFloats = 1 << 18

// splitParts returns the number of parts for a batch whose patch matrix has
// perExample values per example, in a training or an inference graph.
func (o Options) splitParts(batch, perExample int, training bool) int {
	n := o.SplitParts
	if n <= 0 {
		n = 4
		if training {
			n = min(runtime.NumCPU(), 4)
			n += n % 2 // even: an even row count splits into odd parts
		}
	}
	minPart := o.minPartFloats
	if minPart <= 0 {
		minPart = defaultMinPartFloats
	}
	return max(1, min(n, batch*perExample/minPart))
}

// isGoBackend reports whether b is GoMLX's pure Go backend (registered as
// "go"; its Name is "Go Backend").
func isGoBackend(b compute.Backend) bool {
	if b == nil {
		return false
	}
	name := strings.ToLower(b.Name())
	return name == "go" || strings.HasPrefix(name, "go backend")
}
