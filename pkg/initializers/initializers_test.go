package initializers

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/cnnlab/cnnlab/pkg/backend"
)

// draw executes init for a float32 variable of the given dimensions.
func draw(t *testing.T, init Initializer, scope *model.Scope, dims ...int) []float32 {
	t.Helper()
	b := backend.MustNew()
	fn := init.Func(scope)
	var out *tensors.Tensor
	if scope == nil {
		out = graph.MustExecOnce(b, func(g *graph.Graph) *graph.Node {
			return fn(g, shapes.Make(dtypes.Float32, dims...))
		})
	} else {
		out = model.MustExecOnce(b, scope.Store(), func(_ *model.Scope, g *graph.Graph) *graph.Node {
			return fn(g, shapes.Make(dtypes.Float32, dims...))
		})
	}
	if got := out.Shape().Dimensions; !slices.Equal(got, dims) {
		t.Fatalf("%s: shape %v, want %v", init, got, dims)
	}
	return tensors.MustCopyFlatData[float32](out)
}

func stats(v []float32) (mean, std, lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, x := range v {
		mean += float64(x)
		lo = math.Min(lo, float64(x))
		hi = math.Max(hi, float64(x))
	}
	mean /= float64(len(v))
	for _, x := range v {
		d := float64(x) - mean
		std += d * d
	}
	std = math.Sqrt(std / float64(len(v)))
	return
}

func TestFans(t *testing.T) {
	tests := []struct {
		dims          []int
		fanIn, fanOut int
	}{
		{nil, 1, 1},
		{[]int{7}, 7, 7},
		{[]int{2048, 300}, 2048, 300},
		{[]int{3, 3, 32, 64}, 3 * 3 * 32, 3 * 3 * 64}, // 288, 576
		{[]int{5, 5, 3, 32}, 75, 800},
	}
	for _, tc := range tests {
		in, out := Fans(tc.dims)
		if in != tc.fanIn || out != tc.fanOut {
			t.Errorf("Fans(%v) = %d, %d; want %d, %d", tc.dims, in, out, tc.fanIn, tc.fanOut)
		}
	}
}

// TestStatistics draws 120,000 values per initializer and checks the sample
// mean, standard deviation and bounds against Keras's formulas.
func TestStatistics(t *testing.T) {
	// A 5x5 conv kernel from 40 to 120 channels.
	dims := []int{5, 5, 40, 120} // fan_in = 1000, fan_out = 3000, n = 120,000
	const fanIn, fanOut = 1000.0, 3000.0
	const truncStd = 0.87962566103423978 // std of a unit normal cut at ±2
	tests := []struct {
		init     Initializer
		mean     float64
		std      float64
		lo, hi   float64 // all values lie in [lo, hi]
		edgeFrac float64 // the extreme values reach within edgeFrac·(hi-lo) of the bounds
	}{
		{RandomNormal(0, 0.05, 1), 0, 0.05, -0.05 * 6, 0.05 * 6, -1},
		{RandomNormal(1, 2, 1), 1, 2, 1 - 12, 1 + 12, -1},
		{RandomUniform(-0.05, 0.05, 2), 0, 0.1 / math.Sqrt(12), -0.05, 0.05, 0.001},
		{TruncatedNormal(0, 0.05, 3), 0, 0.05 * truncStd, -0.1, 0.1, 0.01},
		{GlorotUniform(4), 0, math.Sqrt(2 / (fanIn + fanOut)), -math.Sqrt(6 / (fanIn + fanOut)), math.Sqrt(6 / (fanIn + fanOut)), 0.001},
		{GlorotNormal(5), 0, math.Sqrt(2 / (fanIn + fanOut)), -2 * math.Sqrt(2/(fanIn+fanOut)) / truncStd, 2 * math.Sqrt(2/(fanIn+fanOut)) / truncStd, 0.01},
		{HeNormal(6), 0, math.Sqrt(2 / fanIn), -2 * math.Sqrt(2/fanIn) / truncStd, 2 * math.Sqrt(2/fanIn) / truncStd, 0.01},
		{HeUniform(7), 0, math.Sqrt(2 / fanIn), -math.Sqrt(6 / fanIn), math.Sqrt(6 / fanIn), 0.001},
		{LecunNormal(8), 0, math.Sqrt(1 / fanIn), -2 * math.Sqrt(1/fanIn) / truncStd, 2 * math.Sqrt(1/fanIn) / truncStd, 0.01},
		{LecunUniform(9), 0, math.Sqrt(1 / fanIn), -math.Sqrt(3 / fanIn), math.Sqrt(3 / fanIn), 0.001},
		{VarianceScaling(3, FanOut, UntruncatedNormalDist, 10), 0, math.Sqrt(3 / fanOut), -6 * math.Sqrt(3/fanOut), 6 * math.Sqrt(3/fanOut), -1},
	}
	for _, tc := range tests {
		t.Run(tc.init.String(), func(t *testing.T) {
			v := draw(t, tc.init, nil, dims...)
			for _, miss := range (kerasStats{tc.mean, tc.std, tc.lo, tc.hi, tc.edgeFrac}).misses(v) {
				t.Error(miss)
			}
		})
	}
}

// kerasStats are the statistics Keras's formula gives an initializer.
type kerasStats struct {
	mean     float64
	std      float64
	lo, hi   float64 // all values lie in [lo, hi]
	edgeFrac float64 // the extreme values reach within edgeFrac·(hi-lo) of the bounds; <= 0: unchecked
}

// misses returns how the sample v misses k: its mean beyond 5 standard
// errors, its standard deviation off by more than 1.5%, values outside
// [lo, hi] or extremes that do not reach them.
func (k kerasStats) misses(v []float32) []string {
	var out []string
	n := float64(len(v))
	mean, std, lo, hi := stats(v)
	// Standard error of the mean is std/sqrt(n); of the std about std/sqrt(2n).
	if d := math.Abs(mean - k.mean); d > 5*k.std/math.Sqrt(n) {
		out = append(out, fmt.Sprintf("mean %.6g, want %.6g (±%.3g)", mean, k.mean, 5*k.std/math.Sqrt(n)))
	}
	if r := std / k.std; math.Abs(r-1) > 0.015 {
		out = append(out, fmt.Sprintf("std %.6g, want %.6g (ratio %.4f)", std, k.std, r))
	}
	eps := 1e-6 * (k.hi - k.lo)
	if lo < k.lo-eps || hi > k.hi+eps {
		out = append(out, fmt.Sprintf("values in [%.6g, %.6g], want within [%.6g, %.6g]", lo, hi, k.lo, k.hi))
	}
	if k.edgeFrac > 0 {
		w := k.edgeFrac * (k.hi - k.lo)
		if lo > k.lo+w || hi < k.hi-w {
			out = append(out, fmt.Sprintf("values in [%.6g, %.6g] do not reach the bounds [%.6g, %.6g]", lo, hi, k.lo, k.hi))
		}
	}
	return out
}

func TestConstants(t *testing.T) {
	tests := []struct {
		init Initializer
		want float32
	}{
		{Zeros(), 0}, {Ones(), 1}, {Constant(0.25), 0.25},
	}
	for _, tc := range tests {
		v := draw(t, tc.init, nil, 2, 3)
		for _, x := range v {
			if x != tc.want {
				t.Fatalf("%s: got %v, want all %v", tc.init, v, tc.want)
			}
		}
	}
}

func TestSeedDeterminism(t *testing.T) {
	a := draw(t, HeNormal(42), nil, 3, 3, 2, 4)
	b := draw(t, HeNormal(42), nil, 3, 3, 2, 4)
	c := draw(t, HeNormal(43), nil, 3, 3, 2, 4)
	if !slices.Equal(a, b) {
		t.Errorf("same seed gave different values:\n%v\n%v", a, b)
	}
	if slices.Equal(a, c) {
		t.Errorf("seeds 42 and 43 gave the same values")
	}

	// Unseeded: the store's stream decides; a seeded store repeats.
	fromStore := func(seed int64) []float32 {
		store := model.NewStore()
		if err := store.SetRNGStateFromSeed(seed); err != nil {
			t.Fatal(err)
		}
		return draw(t, GlorotUniform(NoSeed), store.RootScope(), 4, 5)
	}
	s1, s2, s3 := fromStore(7), fromStore(7), fromStore(8)
	if !slices.Equal(s1, s2) || slices.Equal(s1, s3) {
		t.Errorf("store seeding: seed 7 twice equal=%v, seeds 7/8 equal=%v", slices.Equal(s1, s2), slices.Equal(s1, s3))
	}
}

func TestGet(t *testing.T) {
	for _, name := range Names() {
		init, err := Get(name, 3)
		if err != nil {
			t.Fatalf("Get(%q): %v", name, err)
		}
		if init.Name() != name {
			t.Errorf("Get(%q).Name() = %q", name, init.Name())
		}
		if err := init.Validate(); err != nil {
			t.Errorf("Get(%q) invalid: %v", name, err)
		}
	}
	tests := []struct {
		name string
		want Initializer
	}{
		{"HeNormal", HeNormal(3)},
		{"random_normal", RandomNormal(0, 0.05, 3)},
		{"RandomUniform", RandomUniform(-0.05, 0.05, 3)},
		{"truncated_normal", TruncatedNormal(0, 0.05, 3)},
		{"variance_scaling", VarianceScaling(1, FanIn, TruncatedNormalDist, 3)},
		{"glorot_uniform", GlorotUniform(3)},
		{"normal", RandomNormal(0, 0.05, 3)},
		{"uniform", RandomUniform(-0.05, 0.05, 3)},
		{"one", Ones()},
		{"zero", Zeros()},
	}
	for _, tc := range tests {
		got, err := Get(tc.name, 3)
		if err != nil || got != tc.want {
			t.Errorf("Get(%q) = %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
	if _, err := Get("kaiming", 0); err == nil || !strings.Contains(err.Error(), `"kaiming"`) {
		t.Errorf("Get(kaiming) error = %v, want one naming it", err)
	}
}

func TestParamsFor(t *testing.T) {
	dims := []int{3, 3, 32, 64} // fan_in 288, fan_out 576
	tests := []struct {
		init Initializer
		want Params
	}{
		{HeNormal(0), Params{Dist: "truncated_normal", Stddev: math.Sqrt(2.0/288) / 0.87962566103423978}},
		{GlorotUniform(0), Params{Dist: "uniform", Min: -math.Sqrt(6.0 / 864), Max: math.Sqrt(6.0 / 864)}},
		{VarianceScaling(2, FanOut, UntruncatedNormalDist, 0), Params{Dist: "normal", Stddev: math.Sqrt(2.0 / 576)}},
	}
	for _, tc := range tests {
		got := tc.init.ParamsFor(dims)
		if got.Dist != tc.want.Dist || math.Abs(got.Stddev-tc.want.Stddev) > 1e-12 ||
			math.Abs(got.Min-tc.want.Min) > 1e-12 || math.Abs(got.Max-tc.want.Max) > 1e-12 {
			t.Errorf("%s.ParamsFor(%v) = %+v, want %+v", tc.init, dims, got, tc.want)
		}
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		init Initializer
		want string // substring of the error; "" for valid
	}{
		{HeNormal(NoSeed), ""},
		{RandomNormal(0, -1, 0), "stddev"},
		{RandomUniform(1, 0, 0), "minval"},
		{VarianceScaling(0, FanIn, UniformDist, 0), "scale"},
		{VarianceScaling(1, "fan_both", UniformDist, 0), "mode"},
		{VarianceScaling(1, FanIn, "normal", 0), "distribution"},
		{Constant(math.NaN()), "finite"},
		{Initializer{}, "not set"},
	}
	for _, tc := range tests {
		err := tc.init.Validate()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: unexpected error %v", tc.init, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: error %v, want one mentioning %q", tc.init, err, tc.want)
		}
	}
}

func TestString(t *testing.T) {
	tests := []struct {
		init Initializer
		want string
	}{
		{HeNormal(42), "he_normal(seed=42)"},
		{GlorotUniform(NoSeed), "glorot_uniform"},
		{Zeros(), "zeros"},
		{Constant(0.5), "constant(value=0.5)"},
		{RandomNormal(0, 0.1, NoSeed), "random_normal(mean=0, stddev=0.1)"},
		{Dirac(GlorotUniform(7)), "dirac(glorot_uniform(seed=7))"},
	}
	for _, tc := range tests {
		if got := tc.init.String(); got != tc.want {
			t.Errorf("String() = %q, want %q", got, tc.want)
		}
	}
}

// TestDirac checks PyTorch's dirac_ on the first min(in, out) filters
// (airbench's Conv.reset_parameters) by hand: a 3x3 kernel from 2 to 3
// channels has filters 0 and 1 equal to the identity (1 at the centre of
// their own channel) and filter 2 drawn from the rest initializer; from 3
// to 2 channels both filters are the identity.
func TestDirac(t *testing.T) {
	rest := Constant(0.5)
	at := func(dims []int, y, x, i, o int) int { return ((y*dims[1]+x)*dims[2]+i)*dims[3] + o }
	for _, dims := range [][]int{{3, 3, 2, 3}, {3, 3, 3, 2}, {1, 1, 2, 2}} {
		got := draw(t, Dirac(rest), nil, dims...)
		n := min(dims[2], dims[3])
		for y := range dims[0] {
			for x := range dims[1] {
				for i := range dims[2] {
					for o := range dims[3] {
						want := float32(0.5)
						if o < n {
							want = 0
							if y == dims[0]/2 && x == dims[1]/2 && i == o {
								want = 1
							}
						}
						if v := got[at(dims, y, x, i, o)]; v != want {
							t.Errorf("%v: kernel[%d, %d, %d, %d] = %g, want %g", dims, y, x, i, o, v, want)
						}
					}
				}
			}
		}
	}
	// The random filters keep their distribution and seed.
	seeded := draw(t, Dirac(GlorotUniform(3)), nil, 3, 3, 2, 4)
	plain := draw(t, GlorotUniform(3), nil, 3, 3, 2, 4)
	for k := range seeded {
		if o := k % 4; o >= 2 && seeded[k] != plain[k] {
			t.Fatalf("value %d (filter %d) = %g, want glorot_uniform's %g", k, o, seeded[k], plain[k])
		}
	}
}

func TestErfinv(t *testing.T) {
	var xs []float64
	for x := -0.9545; x <= 0.9545; x += 0.0005 {
		xs = append(xs, x)
	}
	out := graph.MustExecOnce(backend.MustNew(), func(x *graph.Node) *graph.Node { return erfinv(x) }, xs)
	got := tensors.MustCopyFlatData[float64](out)
	for i, x := range xs {
		want := math.Erfinv(x)
		if math.Abs(got[i]-want) > 1e-6*math.Max(1e-3, math.Abs(want)) {
			t.Errorf("erfinv(%g) = %.9g, want %.9g", x, got[i], want)
		}
	}
}

// TestTruncatedShape checks the shape of the truncated normal beyond its
// moments: P(|z| < 1σ | |z| < 2σ) = 0.6827/0.9545 = 0.7152 and
// P(|z| < 0.5σ | |z| < 2σ) = 0.3829/0.9545 = 0.4012.
func TestTruncatedShape(t *testing.T) {
	const stddev = 0.5
	v := draw(t, TruncatedNormal(0, stddev, 11), nil, 100000)
	var in1, inHalf int
	for _, x := range v {
		a := math.Abs(float64(x))
		if a < stddev {
			in1++
		}
		if a < stddev/2 {
			inHalf++
		}
	}
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"P(|z|<1σ)", float64(in1) / 1e5, math.Erf(1/math.Sqrt2) / math.Erf(2/math.Sqrt2)},
		{"P(|z|<0.5σ)", float64(inHalf) / 1e5, math.Erf(0.5/math.Sqrt2) / math.Erf(2/math.Sqrt2)},
	} {
		if math.Abs(c.got-c.want) > 0.006 { // about 4 standard errors
			t.Errorf("%s = %.4f, want %.4f", c.name, c.got, c.want)
		}
	}
}

// TestDraw draws the course's 100x100 standard normal: mean about 0, std
// about 1; a seeded initializer draws the same values twice.
func TestDraw(t *testing.T) {
	b := backend.MustNew()
	x, err := RandomNormal(0, 1, 7).Draw(b, 100, 100)
	if err != nil {
		t.Fatal(err)
	}
	var sum, sq float64
	for _, v := range x {
		sum += float64(v)
		sq += float64(v) * float64(v)
	}
	mean := sum / 1e4
	std := math.Sqrt(sq/1e4 - mean*mean)
	if len(x) != 10000 || math.Abs(mean) > 0.05 || math.Abs(std-1) > 0.05 {
		t.Errorf("%d values, mean %g, std %g; want 10000, about 0 and 1", len(x), mean, std)
	}
	y, _ := RandomNormal(0, 1, 7).Draw(b, 100, 100)
	if !slices.Equal(x, y) {
		t.Error("a seeded initializer drew different values")
	}
	z, _ := RandomNormal(0, 1, NoSeed).Draw(b, 100, 100)
	if slices.Equal(x, z) {
		t.Error("an unseeded initializer drew the seeded values")
	}
}
