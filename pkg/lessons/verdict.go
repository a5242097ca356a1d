package lessons

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Metric is a number measured on every run, which claims compare.
type Metric struct {
	Name string // e.g. "test accuracy"
	// Higher says whether larger values are better.
	Higher bool
	// Relative compares the groups by the relative difference (a−b)/b,
	// for times; otherwise by the difference a−b.
	Relative bool
	// MinEffect is the smallest difference that counts, whatever the
	// spread: e.g. 0.01 (one point) of accuracy, or 5% of a time.
	MinEffect float64
	Of        func(r *RunResult) float64
}

// The metrics the lessons' claims compare.
var (
	TestAccuracy = Metric{Name: "test accuracy", Higher: true, MinEffect: 0.01,
		Of: func(r *RunResult) float64 { return float64(r.TestAccuracy) }}
	ValAccuracy = Metric{Name: "final val_accuracy", Higher: true, MinEffect: 0.01,
		Of: func(r *RunResult) float64 { return r.Final("val_accuracy") }}
	EpochTime = Metric{Name: "time per epoch", Relative: true, MinEffect: 0.05,
		Of: func(r *RunResult) float64 { return r.EpochSeconds }}
	// ValSpread is the standard deviation of the epoch-to-epoch changes of
	// val_accuracy after the first epoch: how unsteady validation is.
	ValSpread = Metric{Name: "epoch-to-epoch spread of val_accuracy", MinEffect: 0.005,
		Of: func(r *RunResult) float64 { return epochSpread(r.History.Get("val_accuracy")) }}
	// OverfitGap is training minus validation accuracy at the last epoch.
	OverfitGap = Metric{Name: "overfitting gap (accuracy − val_accuracy)", MinEffect: 0.01,
		Of: func(r *RunResult) float64 { return r.Final("accuracy") - r.Final("val_accuracy") }}
	Params = Metric{Name: "parameters", Relative: true, MinEffect: 0.05,
		Of: func(r *RunResult) float64 { return float64(r.Params) }}
)

// epochSpread returns the sample standard deviation of the differences of
// successive values after the first (NaN with fewer than three values).
func epochSpread(v []float64) float64 {
	if len(v) < 3 {
		return nan
	}
	var d []float64
	for i := 2; i < len(v); i++ {
		d = append(d, v[i]-v[i-1])
	}
	_, sd := meanStd(d)
	if len(d) == 1 {
		return math.Abs(d[0])
	}
	return sd
}

// Expect is what the course claims of two groups.
type Expect int

const (
	// Better: group A does better than group B on the metric.
	Better Expect = iota
	// Similar: the groups do about the same.
	Similar
	// Equal: two fact values are equal (to Tolerance).
	Equal
	// AtLeast: group A does at least as well as group B, i.e. not clearly
	// worse ("shuffling trains at least as well as a fixed order").
	AtLeast
)

// Claim is one claim of the course, checked by a [Verdict].
type Claim struct {
	Text   string // the course's words, e.g. "BatchNorm improves test accuracy"
	Metric Metric
	Expect Expect
	// A and B are run labels: the claim compares the mean of Metric over
	// A's runs with B's, seed by seed (with B empty: with zero).
	A, B []string
	// For Equal: the fact values (Fact.Name + "." + value name) compared,
	// and how close they must be.
	Values    [2]string
	Tolerance float64
}

// The outcomes of a verdict.
const (
	Agrees      = "agrees with the course"
	Unclear     = "no clear difference at this size"
	Contrary    = "contrary to the course"
	NotMeasured = "not measured"
)

// Verdict is a claim checked against a lesson's numbers.
type Verdict struct {
	Claim  string `json:"claim"`
	Metric string `json:"metric"`
	A      string `json:"a"`
	B      string `json:"b"`
	MeanA  Float  `json:"mean_a"` // mean over seeds of the group's mean
	MeanB  Float  `json:"mean_b"`
	// Diff is the mean over seeds of A − B (relative for times), signed so
	// that positive means A is better; Spread is its standard deviation
	// over seeds (0 with one seed), and Threshold the size a difference
	// must pass to count: max(2·Spread/√Seeds, MinEffect), or 2·MinEffect
	// with one seed.
	Diff      Float  `json:"diff"`
	Spread    Float  `json:"spread"`
	Threshold Float  `json:"threshold"`
	Seeds     int    `json:"seeds"`
	Outcome   string `json:"outcome"`
}

// String returns a one-line summary, e.g. "BN improves test accuracy: BN
// 0.712 vs baseline 0.684 (+0.028 ± 0.006 over 2 seeds): agrees with the
// course".
func (v Verdict) String() string {
	if v.Outcome == NotMeasured {
		return v.Claim + ": " + v.Outcome
	}
	if v.A == "" { // fact values
		return fmt.Sprintf("%s: %s (difference %.3g): %s", v.Claim, v.B, float64(v.Diff), v.Outcome)
	}
	return fmt.Sprintf("%s: %s %.4g vs %s %.4g (%+.3g ± %.2g over %d seeds): %s", v.Claim, v.A, float64(v.MeanA),
		v.B, float64(v.MeanB), float64(v.Diff), float64(v.Spread), v.Seeds, v.Outcome)
}

// Judge checks claim against results.
func Judge(c Claim, r *Results) Verdict {
	if c.Expect == Equal {
		return judgeEqual(c, r)
	}
	v := Verdict{Claim: c.Text, Metric: c.Metric.Name, A: strings.Join(c.A, ", "), B: strings.Join(c.B, ", ")}
	a, b := seedMeans(r, c.A, c.Metric), seedMeans(r, c.B, c.Metric)
	if len(c.B) == 0 { // A's metric against zero
		v.B = "zero"
		for seed := range a {
			b[seed] = 0
		}
	}
	var diffs, as, bs []float64
	for seed, av := range a {
		bv, ok := b[seed]
		if !ok || math.IsNaN(av) || math.IsNaN(bv) {
			continue
		}
		d := av - bv
		if c.Metric.Relative {
			d /= bv
		}
		if !c.Metric.Higher {
			d = -d
		}
		diffs, as, bs = append(diffs, d), append(as, av), append(bs, bv)
	}
	if len(diffs) == 0 {
		v.Outcome = NotMeasured
		return v
	}
	mean, sd := meanStd(diffs)
	ma, _ := meanStd(as)
	mb, _ := meanStd(bs)
	n := len(diffs)
	threshold := 2 * c.Metric.MinEffect
	if n > 1 {
		threshold = max(2*sd/math.Sqrt(float64(n)), c.Metric.MinEffect)
	}
	v.MeanA, v.MeanB, v.Diff, v.Spread, v.Threshold, v.Seeds = Float(ma), Float(mb), Float(mean), Float(sd), Float(threshold), n
	clear := math.Abs(mean) > threshold
	switch {
	case c.Expect == Similar && !clear:
		v.Outcome = Agrees
	case c.Expect == Similar:
		v.Outcome = Contrary
	case c.Expect == AtLeast && (!clear || mean > 0):
		v.Outcome = Agrees
	case !clear:
		v.Outcome = Unclear
	case mean > 0:
		v.Outcome = Agrees
	default:
		v.Outcome = Contrary
	}
	return v
}

// judgeEqual checks that two fact values are equal to the tolerance.
func judgeEqual(c Claim, r *Results) Verdict {
	v := Verdict{Claim: c.Text, Metric: c.Values[0] + " = " + c.Values[1], B: "", Outcome: NotMeasured}
	x, okx := r.FactValue(c.Values[0])
	y, oky := r.FactValue(c.Values[1])
	if !okx || !oky {
		return v
	}
	d := math.Abs(x - y)
	v.MeanA, v.MeanB, v.Diff, v.Threshold, v.Seeds = Float(x), Float(y), Float(d), Float(c.Tolerance), 1
	v.B = fmt.Sprintf("%.6g and %.6g", x, y)
	if d <= c.Tolerance {
		v.Outcome = Agrees
	} else {
		v.Outcome = Contrary
	}
	return v
}

// FactValue returns the value "fact.value" of the results' facts.
func (r *Results) FactValue(name string) (float64, bool) {
	fact, value, ok := strings.Cut(name, ".")
	if !ok {
		return 0, false
	}
	for _, f := range r.Facts {
		if f.Name == fact {
			x, ok := f.Values[value]
			return x, ok
		}
	}
	return 0, false
}

// seedMeans returns, for each seed, the mean of the metric over the runs
// with one of the labels.
func seedMeans(r *Results, labels []string, m Metric) map[int64]float64 {
	sums, counts := map[int64]float64{}, map[int64]int{}
	for i := range r.Runs {
		run := &r.Runs[i]
		if !slices.Contains(labels, run.Run.Label) {
			continue
		}
		sums[run.Seed] += m.Of(run)
		counts[run.Seed]++
	}
	out := map[int64]float64{}
	for seed, s := range sums {
		if counts[seed] == len(labels) { // every label of the group ran with this seed
			out[seed] = s / float64(counts[seed])
		}
	}
	return out
}

// meanStd returns the mean and the sample standard deviation (0 for one
// value).
func meanStd(v []float64) (mean, sd float64) {
	if len(v) == 0 {
		return nan, nan
	}
	for _, x := range v {
		mean += x
	}
	mean /= float64(len(v))
	if len(v) == 1 {
		return mean, 0
	}
	for _, x := range v {
		sd += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(sd / float64(len(v)-1))
}
