// Package initializers holds the Keras weight initializers, with Keras's
// names, defaults and formulas, as GoMLX variable initializers.
//
// Each constructor returns an [Initializer], a small value that describes
// the distribution; [Initializer.Func] turns it into a
// [model.VariableInitializer] (func(g, shape) *Node) for a layer's
// variable.
//
//	he := initializers.HeNormal(42)            // keras.initializers.HeNormal(seed=42)
//	same, err := initializers.Get("he_normal", 42)
//
// # Keras semantics
//
//   - Defaults: RandomNormal(mean 0, stddev 0.05), RandomUniform(-0.05, 0.05),
//     TruncatedNormal(mean 0, stddev 0.05, values beyond 2 stddev re-drawn),
//     Constant(0).
//   - Variance scaling (glorot_*, he_*, lecun_*, variance_scaling): n is
//     fan_in, fan_out or their average (see [Fans]); "uniform" draws from
//     [-limit, limit) with limit = sqrt(3·scale/n); "truncated_normal" draws
//     a normal truncated at 2σ with σ = sqrt(scale/n)/0.87962566103423978, so
//     that the standard deviation after truncation is sqrt(scale/n);
//     "untruncated_normal" uses σ = sqrt(scale/n).
//   - Fans follow Keras's compute_fans: a scalar has fan_in = fan_out = 1, a
//     vector [n] has n and n, a matrix [in, out] has in and out, and a
//     convolution kernel [kh, kw, cin, cout] has fan_in = kh·kw·cin and
//     fan_out = kh·kw·cout.
//   - Seeds: a seeded initializer is deterministic and, as in Keras when
//     seeded with an integer, returns the same values every time it is called
//     for the same shape (so sharing one seeded initializer between two layers
//     of the same shape gives them equal weights). With [NoSeed] the values
//     come from the GoMLX store's random stream (the scope given to
//     [Initializer.Func]), which a trainer seeds once for the whole model;
//     this is the Go counterpart of Keras's unseeded initializers.
//
// Differences from Keras: truncated normals are drawn by the inverse CDF
// (one uniform draw mapped through √2·erfinv, as JAX does), not by
// re-drawing out-of-range values as TensorFlow does; both give the same
// distribution.
//
// GoMLX's ml/model/initializer gives Keras's numbers for glorot_uniform,
// random_normal and random_uniform, but its XavierNormalFn and HeFn are
// untruncated normals whose values pass Keras's 2σ/0.8796 bound, it has no
// he_uniform, lecun_* or truncated_normal, and no seeded initializer
// (TestGoMLXInitializers); so this package keeps its own.
package initializers

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// NoSeed asks for an unseeded initializer: its values come from the model
// store's random stream instead of a fixed seed.
const NoSeed int64 = math.MinInt64

// truncatedNormalStd is the standard deviation of a unit normal truncated
// to [-2, 2], the constant Keras divides by in VarianceScaling.
const truncatedNormalStd = 0.87962566103423978

// truncation is where truncated normals are cut, in standard deviations.
const truncation = 2.0

// Mode is the fan a variance-scaling initializer divides by.
type Mode string

// Variance-scaling modes, with Keras's names.
const (
	FanIn  Mode = "fan_in"
	FanOut Mode = "fan_out"
	FanAvg Mode = "fan_avg"
)

// Distribution is the distribution a variance-scaling initializer draws
// from, with Keras's names.
type Distribution string

// Variance-scaling distributions, with Keras's names.
const (
	TruncatedNormalDist   Distribution = "truncated_normal"
	UntruncatedNormalDist Distribution = "untruncated_normal"
	UniformDist           Distribution = "uniform"
)

// kind is the family of an initializer.
type kind int

const (
	kindConstant kind = iota
	kindNormal
	kindTruncatedNormal
	kindUniform
	kindVarianceScaling
)

// Initializer describes a Keras initializer. The zero value is not valid;
// use one of the constructors or [Get]. Initializers are small values, safe
// to copy and to share between goroutines.
type Initializer struct {
	name         string // Keras name, e.g. "he_normal"
	kind         kind
	value        float64 // constant
	mean, stddev float64 // normal, truncated normal
	minval       float64 // uniform
	dirac        bool    // Dirac: the first filters are the identity
	maxval       float64
	scale        float64 // variance scaling
	mode         Mode
	distribution Distribution
	seed         int64
}

// Zeros returns the Keras "zeros" initializer.
func Zeros() Initializer { return Initializer{name: "zeros", kind: kindConstant, seed: NoSeed} }

// Ones returns the Keras "ones" initializer.
func Ones() Initializer { return Initializer{name: "ones", kind: kindConstant, value: 1, seed: NoSeed} }

// Constant returns the Keras "constant" initializer: every value is v.
func Constant(v float64) Initializer {
	return Initializer{name: "constant", kind: kindConstant, value: v, seed: NoSeed}
}

// RandomNormal returns the Keras "random_normal" initializer (Keras
// defaults: mean 0, stddev 0.05).
func RandomNormal(mean, stddev float64, seed int64) Initializer {
	return Initializer{name: "random_normal", kind: kindNormal, mean: mean, stddev: stddev, seed: seed}
}

// RandomUniform returns the Keras "random_uniform" initializer, drawing from
// [minval, maxval) (Keras defaults: -0.05, 0.05).
func RandomUniform(minval, maxval float64, seed int64) Initializer {
	return Initializer{name: "random_uniform", kind: kindUniform, minval: minval, maxval: maxval, seed: seed}
}

// TruncatedNormal returns the Keras "truncated_normal" initializer: a normal
// with the given mean and stddev whose values more than two standard
// deviations from the mean are re-drawn (Keras defaults: mean 0, stddev
// 0.05). The standard deviation of the result is about 0.88·stddev.
func TruncatedNormal(mean, stddev float64, seed int64) Initializer {
	return Initializer{name: "truncated_normal", kind: kindTruncatedNormal, mean: mean, stddev: stddev, seed: seed}
}

// VarianceScaling returns the Keras "variance_scaling" initializer (Keras
// defaults: scale 1, [FanIn], [TruncatedNormalDist]). See the package
// documentation for the formulas.
func VarianceScaling(scale float64, mode Mode, distribution Distribution, seed int64) Initializer {
	return Initializer{name: "variance_scaling", kind: kindVarianceScaling, scale: scale, mode: mode,
		distribution: distribution, seed: seed}
}

func varianceScaling(name string, scale float64, mode Mode, dist Distribution, seed int64) Initializer {
	i := VarianceScaling(scale, mode, dist, seed)
	i.name = name
	return i
}

// GlorotUniform returns the Keras "glorot_uniform" initializer, the Keras
// default for Conv2D and Dense kernels: uniform in [-limit, limit) with
// limit = sqrt(6 / (fan_in + fan_out)).
func GlorotUniform(seed int64) Initializer {
	return varianceScaling("glorot_uniform", 1, FanAvg, UniformDist, seed)
}

// GlorotNormal returns the Keras "glorot_normal" initializer: truncated
// normal with standard deviation sqrt(2 / (fan_in + fan_out)).
func GlorotNormal(seed int64) Initializer {
	return varianceScaling("glorot_normal", 1, FanAvg, TruncatedNormalDist, seed)
}

// HeNormal returns the Keras "he_normal" initializer: truncated normal with
// standard deviation sqrt(2 / fan_in).
func HeNormal(seed int64) Initializer {
	return varianceScaling("he_normal", 2, FanIn, TruncatedNormalDist, seed)
}

// HeUniform returns the Keras "he_uniform" initializer: uniform in
// [-limit, limit) with limit = sqrt(6 / fan_in).
func HeUniform(seed int64) Initializer {
	return varianceScaling("he_uniform", 2, FanIn, UniformDist, seed)
}

// LecunNormal returns the Keras "lecun_normal" initializer: truncated normal
// with standard deviation sqrt(1 / fan_in).
func LecunNormal(seed int64) Initializer {
	return varianceScaling("lecun_normal", 1, FanIn, TruncatedNormalDist, seed)
}

// LecunUniform returns the Keras "lecun_uniform" initializer: uniform in
// [-limit, limit) with limit = sqrt(3 / fan_in).
func LecunUniform(seed int64) Initializer {
	return varianceScaling("lecun_uniform", 1, FanIn, UniformDist, seed)
}

// Dirac returns rest with the first min(in, out) filters of a
// convolution kernel [kh, kw, in, out] set to the identity: PyTorch's
// torch.nn.init.dirac_ applied to them, as airbench initializes its
// convolutions ("an implicit residual"). Filter o < min(in, out) is 1 at
// the window's centre for input channel o and 0 elsewhere; the other
// filters are drawn by rest. A layer whose input and output widths are
// equal starts as the identity. Keras has no such initializer (its
// Identity is for matrices); it applies to rank-4 kernels with odd
// windows only.
func Dirac(rest Initializer) Initializer {
	rest.dirac = true
	return rest
}

// IsDirac reports whether i was made by [Dirac].
func (i Initializer) IsDirac() bool { return i.dirac }

// Names returns the Keras names [Get] accepts, in a fixed order.
func Names() []string {
	return []string{"zeros", "ones", "constant", "random_normal", "random_uniform", "truncated_normal",
		"variance_scaling", "glorot_uniform", "glorot_normal", "he_normal", "he_uniform", "lecun_normal",
		"lecun_uniform"}
}

// Get returns the initializer with the given Keras name ("he_normal"),
// class name ("HeNormal") or Keras alias ("normal", "uniform", "one",
// "zero"), with Keras's default arguments and the given seed ([NoSeed] for
// none; ignored by zeros, ones and constant). Unlike Keras, case and
// underscores are ignored.
func Get(name string, seed int64) (Initializer, error) {
	key := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(name), "_", ""))
	switch key {
	case "zeros", "zero":
		return Zeros(), nil
	case "ones", "one":
		return Ones(), nil
	case "constant":
		return Constant(0), nil
	case "randomnormal", "normal":
		return RandomNormal(0, 0.05, seed), nil
	case "randomuniform", "uniform":
		return RandomUniform(-0.05, 0.05, seed), nil
	case "truncatednormal":
		return TruncatedNormal(0, 0.05, seed), nil
	case "variancescaling":
		return VarianceScaling(1, FanIn, TruncatedNormalDist, seed), nil
	case "glorotuniform":
		return GlorotUniform(seed), nil
	case "glorotnormal":
		return GlorotNormal(seed), nil
	case "henormal":
		return HeNormal(seed), nil
	case "heuniform":
		return HeUniform(seed), nil
	case "lecunnormal":
		return LecunNormal(seed), nil
	case "lecununiform":
		return LecunUniform(seed), nil
	}
	return Initializer{}, fmt.Errorf("unknown initializer %q (known: %s)", name, strings.Join(Names(), ", "))
}

// Name returns the Keras name, e.g. "he_normal".
func (i Initializer) Name() string { return i.name }

// Seed returns the seed, or [NoSeed].
func (i Initializer) Seed() int64 { return i.seed }

// Seeded reports whether the initializer has a fixed seed.
func (i Initializer) Seeded() bool { return i.seed != NoSeed && i.kind != kindConstant }

// WithSeed returns a copy of i with the given seed.
func (i Initializer) WithSeed(seed int64) Initializer {
	i.seed = seed
	return i
}

// String returns the name and the arguments that differ from the named
// initializer's defaults, e.g. "he_normal(seed=42)" or
// "random_normal(mean=0, stddev=0.1)".
func (i Initializer) String() string {
	var args []string
	switch i.kind {
	case kindConstant:
		if i.name == "constant" {
			args = append(args, fmt.Sprintf("value=%g", i.value))
		}
	case kindNormal, kindTruncatedNormal:
		args = append(args, fmt.Sprintf("mean=%g", i.mean), fmt.Sprintf("stddev=%g", i.stddev))
	case kindUniform:
		args = append(args, fmt.Sprintf("minval=%g", i.minval), fmt.Sprintf("maxval=%g", i.maxval))
	case kindVarianceScaling:
		if i.name == "variance_scaling" {
			args = append(args, fmt.Sprintf("scale=%g", i.scale), fmt.Sprintf("mode=%s", i.mode),
				fmt.Sprintf("distribution=%s", i.distribution))
		}
	}
	if i.Seeded() {
		args = append(args, fmt.Sprintf("seed=%d", i.seed))
	}
	s := i.name
	if len(args) > 0 {
		s += "(" + strings.Join(args, ", ") + ")"
	}
	if i.dirac {
		s = "dirac(" + s + ")"
	}
	return s
}

// Validate reports bad arguments (the checks Keras makes when an
// initializer is created): a negative stddev, minval > maxval, a
// non-positive scale, an unknown mode or distribution, a non-finite value.
func (i Initializer) Validate() error {
	if i.name == "" {
		return fmt.Errorf("initializer not set: use one of the initializers constructors")
	}
	finite := func(vs ...float64) bool {
		for _, v := range vs {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return false
			}
		}
		return true
	}
	if !finite(i.value, i.mean, i.stddev, i.minval, i.maxval, i.scale) {
		return fmt.Errorf("initializer %s: arguments must be finite", i)
	}
	switch i.kind {
	case kindNormal, kindTruncatedNormal:
		if i.stddev < 0 {
			return fmt.Errorf("initializer %s: stddev must be >= 0, got %g", i.name, i.stddev)
		}
	case kindUniform:
		if i.minval > i.maxval {
			return fmt.Errorf("initializer %s: minval %g > maxval %g", i.name, i.minval, i.maxval)
		}
	case kindVarianceScaling:
		if i.scale <= 0 {
			return fmt.Errorf("initializer %s: scale must be positive, got %g", i.name, i.scale)
		}
		switch i.mode {
		case FanIn, FanOut, FanAvg:
		default:
			return fmt.Errorf("initializer %s: mode must be fan_in, fan_out or fan_avg, got %q", i.name, i.mode)
		}
		switch i.distribution {
		case TruncatedNormalDist, UntruncatedNormalDist, UniformDist:
		default:
			return fmt.Errorf("initializer %s: distribution must be truncated_normal, untruncated_normal or uniform, got %q",
				i.name, i.distribution)
		}
	}
	return nil
}

// Fans returns Keras's fan_in and fan_out of a weight of the given
// dimensions (see the package documentation).
func Fans(dims []int) (fanIn, fanOut int) {
	switch len(dims) {
	case 0:
		return 1, 1
	case 1:
		return dims[0], dims[0]
	case 2:
		return dims[0], dims[1]
	}
	receptive := 1
	for _, d := range dims[:len(dims)-2] {
		receptive *= d
	}
	return dims[len(dims)-2] * receptive, dims[len(dims)-1] * receptive
}

// Params describes the draw an initializer makes for one shape: the
// distribution ("constant", "normal", "truncated_normal" or "uniform") and
// its parameters. For a truncated normal, Mean and Stddev are those of the
// normal before truncation at Mean ± 2·Stddev.
type Params struct {
	Dist         string
	Value        float64 // constant
	Mean, Stddev float64 // normal and truncated normal
	Min, Max     float64 // uniform, [Min, Max)
}

// ParamsFor returns the distribution i draws from for a weight of the given
// dimensions (for variance scaling it depends on the fans).
func (i Initializer) ParamsFor(dims []int) Params {
	switch i.kind {
	case kindConstant:
		return Params{Dist: "constant", Value: i.value}
	case kindNormal:
		return Params{Dist: "normal", Mean: i.mean, Stddev: i.stddev}
	case kindTruncatedNormal:
		return Params{Dist: "truncated_normal", Mean: i.mean, Stddev: i.stddev}
	case kindUniform:
		return Params{Dist: "uniform", Min: i.minval, Max: i.maxval}
	}
	fanIn, fanOut := Fans(dims)
	scale := i.scale
	switch i.mode {
	case FanIn:
		scale /= math.Max(1, float64(fanIn))
	case FanOut:
		scale /= math.Max(1, float64(fanOut))
	default:
		scale /= math.Max(1, float64(fanIn+fanOut)/2)
	}
	switch i.distribution {
	case TruncatedNormalDist:
		return Params{Dist: "truncated_normal", Stddev: math.Sqrt(scale) / truncatedNormalStd}
	case UntruncatedNormalDist:
		return Params{Dist: "normal", Stddev: math.Sqrt(scale)}
	}
	limit := math.Sqrt(3 * scale)
	return Params{Dist: "uniform", Min: -limit, Max: limit}
}

// Func returns the GoMLX variable initializer that draws i's values. A
// seeded initializer ignores scope (it may be nil); an unseeded one draws
// from scope's store random stream, or, when scope is nil, from a stream
// seeded by the operating system.
//
// The returned function builds graph nodes and panics, as GoMLX graph
// functions do, on an invalid initializer or a random draw for a non-float
// dtype.
func (i Initializer) Func(scope *model.Scope) model.VariableInitializer {
	if err := i.Validate(); err != nil {
		panic(err)
	}
	return func(g *graph.Graph, shape shapes.Shape) *graph.Node {
		return i.draw(g, shape, scope)
	}
}

// dirac sets the first min(in, out) filters of the kernel v [kh, kw, in,
// out] to the identity (see [Dirac]).
func dirac(v *graph.Node) *graph.Node {
	dims := v.Shape().Dimensions
	if len(dims) != 4 || dims[0]%2 == 0 || dims[1]%2 == 0 {
		panic(fmt.Errorf("initializer dirac: want a convolution kernel [kh, kw, in, out] with odd kh and kw, got %v", dims))
	}
	g := v.Graph()
	index := shapes.Make(dtypes.Int32, dims...)
	at := func(axis int) *graph.Node { return graph.Iota(g, index, axis) }
	is := func(axis, value int) *graph.Node { return graph.Equal(at(axis), graph.Scalar(g, dtypes.Int32, value)) }
	identity := graph.LogicalAnd(graph.LogicalAnd(is(0, dims[0]/2), is(1, dims[1]/2)), graph.Equal(at(2), at(3)))
	filters := graph.LessThan(at(3), graph.Scalar(g, dtypes.Int32, min(dims[2], dims[3])))
	return graph.Where(filters, graph.ConvertDType(identity, v.DType()), v)
}

// Draw returns the values i gives a float32 weight of the given dimensions
// (row-major), computed on backend b: a seeded initializer always draws the
// same values, an unseeded one a new draw each time.
func (i Initializer) Draw(b compute.Backend, dims ...int) ([]float32, error) {
	if err := i.Validate(); err != nil {
		return nil, err
	}
	store := model.NewStore()
	if !i.Seeded() {
		if err := store.SetRNGStateFromSeed(time.Now().UnixNano()); err != nil {
			return nil, err
		}
	}
	out, err := model.ExecOnce(b, store, func(scope *model.Scope, g *graph.Graph) *graph.Node {
		return i.draw(g, shapes.Make(dtypes.Float32, dims...), scope)
	})
	if err != nil {
		return nil, fmt.Errorf("initializers: drawing %s %v: %w", i.name, dims, err)
	}
	return tensors.CopyFlatData[float32](out)
}

// draw builds the initial value of a variable of the given shape.
func (i Initializer) draw(g *graph.Graph, shape shapes.Shape, scope *model.Scope) *graph.Node {
	v := i.drawDist(g, shape, scope)
	if i.dirac {
		v = dirac(v)
	}
	return v
}

// drawDist draws the values of i's distribution for the given shape.
func (i Initializer) drawDist(g *graph.Graph, shape shapes.Shape, scope *model.Scope) *graph.Node {
	p := i.ParamsFor(shape.Dimensions)
	if p.Dist == "constant" {
		return graph.BroadcastToShape(graph.Scalar(g, shape.DType, p.Value), shape)
	}
	if !shape.DType.IsFloat() {
		panic(fmt.Errorf("initializer %s: random values need a float variable, got %s", i, shape))
	}
	// Draw in float32 or float64; convert at the end for half precision.
	work := shape.Clone()
	if shape.DType != dtypes.Float64 {
		work.DType = dtypes.Float32
	}
	var rng *graph.Node
	useStore := !i.Seeded() && scope != nil
	switch {
	case i.Seeded():
		rng = graph.RNGStateFromSeedForGraph(g, i.seed)
	case !useStore:
		rng = graph.RNGStateForGraph(g)
	}
	uniform := func() *graph.Node {
		if useStore {
			return scope.RandomUniform(g, work)
		}
		var v *graph.Node
		rng, v = graph.RandomUniform(rng, work)
		return v
	}
	normal := func() *graph.Node {
		if useStore {
			return scope.RandomNormal(g, work)
		}
		var v *graph.Node
		rng, v = graph.RandomNormal(rng, work)
		return v
	}
	var v *graph.Node
	switch p.Dist {
	case "uniform":
		v = graph.AddScalar(graph.MulScalar(uniform(), p.Max-p.Min), p.Min)
	case "normal":
		v = graph.AddScalar(graph.MulScalar(normal(), p.Stddev), p.Mean)
	case "truncated_normal":
		// Inverse CDF: u uniform in [Φ(-2), Φ(2)), z = √2·erfinv(2u-1).
		lo, hi := stdNormalCDF(-truncation), stdNormalCDF(truncation)
		u := graph.AddScalar(graph.MulScalar(uniform(), hi-lo), lo)
		z := graph.MulScalar(erfinv(graph.AddScalar(graph.MulScalar(u, 2), -1)), math.Sqrt2)
		z = graph.ClipScalar(z, -truncation, truncation) // guards rounding at the ends
		v = graph.AddScalar(graph.MulScalar(z, p.Stddev), p.Mean)
	}
	v = graph.StopGradient(v)
	if v.DType() != shape.DType {
		v = graph.ConvertDType(v, shape.DType)
	}
	return v
}

// stdNormalCDF returns Φ(x), the standard normal CDF.
func stdNormalCDF(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }

// erfinv returns the inverse error function of x for |x| ≤ erf(√2) ≈ 0.9545,
// the range a normal truncated at 2σ needs. It is the central branch
// (w = -log(1-x²) < 5; here w ≤ 2.42) of M. Giles' single-precision
// approximation ("Approximating the erfinv function", GPU Computing Gems,
// 2011).
func erfinv(x *graph.Node) *graph.Node {
	w := graph.Neg(graph.Log(graph.Mul(graph.OneMinus(x), graph.OnePlus(x))))
	w = graph.AddScalar(w, -2.5)
	coeffs := []float64{2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087,
		-0.00125372503, -0.00417768164, 0.246640727, 1.50140941}
	p := graph.Scalar(x.Graph(), x.DType(), coeffs[0])
	for _, c := range coeffs[1:] {
		p = graph.AddScalar(graph.Mul(p, w), c)
	}
	return graph.Mul(p, x)
}
