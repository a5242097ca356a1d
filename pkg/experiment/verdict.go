package experiment

import (
	"fmt"
	"math"
	"slices"
	"strconv"
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
	// Learned says that the metric measures what training learned
	// (accuracies, gaps): a comparison of runs that are all at chance
	// ([AtChance]) says nothing about it.
	Learned bool
	// Timed says that the metric is a time, which depends on the machine:
	// a seed's runs are compared only when they ran on one machine (the
	// same CPU and backend), since a lesson's runs may have been trained
	// on several.
	Timed bool
	// Images, when set, returns the number of images the metric of a run
	// is counted on: an accuracy on N images moves in steps of 1/N, and
	// verdicts compare it at that resolution ([Judge]).
	Images func(r *RunResult) int
	Of     func(r *RunResult) float64
}

// The metrics the lessons' claims compare.
var (
	TestAccuracy = Metric{Name: "test accuracy", Higher: true, MinEffect: 0.01, Learned: true, Images: testImages,
		Of: func(r *RunResult) float64 { return float64(r.TestAccuracy) }}
	ValAccuracy = Metric{Name: "final validation accuracy", Higher: true, MinEffect: 0.01, Learned: true,
		Images: func(r *RunResult) int { return r.Split.Val },
		Of:     func(r *RunResult) float64 { return r.Final("val_accuracy") }}
	EpochTime = Metric{Name: "time per epoch", Relative: true, MinEffect: 0.05, Timed: true,
		Of: func(r *RunResult) float64 { return r.EpochSeconds }}
	// ValSpread is the standard deviation of the epoch-to-epoch changes of
	// val_accuracy after the first epoch: how unsteady validation is.
	ValSpread = Metric{Name: "epoch-to-epoch spread of validation accuracy", MinEffect: 0.005, Learned: true,
		Of: func(r *RunResult) float64 { return epochSpread(r.History.Get("val_accuracy")) }}
	// OverfitGap is training minus validation accuracy at the last epoch.
	OverfitGap = Metric{Name: "overfitting gap (training − validation accuracy)", MinEffect: 0.01, Learned: true,
		Of: func(r *RunResult) float64 { return r.Final("accuracy") - r.Final("val_accuracy") }}
	Params = Metric{Name: "parameters", Relative: true, MinEffect: 0.05,
		Of: func(r *RunResult) float64 { return float64(r.Params) }}
	// BestMinusLast is the test accuracy of the best epoch's checkpoint
	// (RunSpec.CheckpointBest) minus that of the last epoch's weights.
	BestMinusLast = Metric{Name: "test accuracy of the best checkpoint minus that of the last weights", Higher: true,
		MinEffect: 0.005, Learned: true, Images: testImages,
		Of: func(r *RunResult) float64 { return float64(r.BestTestAccuracy - r.TestAccuracy) }}
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
	_, sd := MeanStd(d)
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
	// and how close they must be. With Values[1] empty, Values[0] is
	// compared with the constant Want.
	Values    [2]string
	Want      float64
	Tolerance float64
}

// The outcomes of a verdict.
const (
	Agrees      = "agrees with the course"
	Unclear     = "no clear difference at this size"
	Contrary    = "contrary to the course"
	NotMeasured = "not measured"
	// TooSmall is the outcome of a comparison of runs below the size that
	// can carry a verdict: the smoke preset, one seed, runs that are all
	// at chance, or times of fewer than two seeds measured on one machine.
	// Verdict.Why says which.
	TooSmall = "too small to judge"
)

// Verdict is a claim checked against a lesson's numbers.
type Verdict struct {
	Claim string `json:"claim"`
	// Metric names what was measured, in words: the metric (e.g. "test
	// accuracy"), or for fact values their labels.
	Metric string `json:"metric"`
	// A and B are the compared groups' run labels, or for fact values the
	// values' labels (then Facts is set). Results written before fact
	// labels existed hold A empty and B "x and y" for fact values.
	A     string `json:"a"`
	B     string `json:"b"`
	Facts bool   `json:"facts,omitempty"`
	MeanA Float  `json:"mean_a"` // mean over seeds of the group's mean
	MeanB Float  `json:"mean_b"`
	// Diff is the mean over seeds of A − B (relative for times), signed so
	// that positive means A is better; Spread is its standard deviation
	// over seeds (0 with one seed), and Threshold the size a difference
	// must pass to count: max(2·Spread/√Seeds, MinEffect), or 2·MinEffect
	// with one seed. For a metric counted on images (accuracies), Diff is
	// rounded to the resolution of the measurement, Resolution (1/N for an
	// accuracy on N images, divided by the seeds and group sizes averaged).
	Diff       Float  `json:"diff"`
	Spread     Float  `json:"spread"`
	Threshold  Float  `json:"threshold"`
	Resolution Float  `json:"resolution,omitempty"`
	Seeds      int    `json:"seeds"`
	Outcome    string `json:"outcome"`
	// Why says why a verdict is TooSmall, e.g. "one seed", or which
	// seeds a time comparison left out.
	Why string `json:"why,omitempty"`
}

// String returns a one-line summary, e.g. "BN improves test accuracy: BN
// 0.712 vs baseline 0.684 (+0.028 ± 0.006 over 2 seeds): agrees with the
// course".
func (v Verdict) String() string {
	return v.Claim + ": " + v.Measured() + ": " + v.Result()
}

// Result returns the outcome, with its reason when there is one, e.g.
// "too small to judge (one seed)".
func (v Verdict) Result() string {
	if v.Why != "" {
		return v.Outcome + " (" + v.Why + ")"
	}
	return v.Outcome
}

// Measured describes in words what the verdict measured, e.g. "test
// accuracy: BN 0.712 vs /255 0.684 (+0.028 ± 0.006 over 2 seeds)".
func (v Verdict) Measured() string {
	switch {
	case v.Outcome == NotMeasured:
		return "—"
	case v.Facts:
		return fmt.Sprintf("%s against %s (difference %.3g, tolerance %.3g)", factSide(v.A, float64(v.MeanA)),
			factSide(v.B, float64(v.MeanB)), float64(v.Diff), float64(v.Threshold))
	case v.A == "": // fact values, as results.json held them before labels
		return fmt.Sprintf("%s: %s (difference %.3g)", v.Metric, v.B, float64(v.Diff))
	}
	unit := ""
	if strings.Contains(v.Metric, "time") || v.Metric == "parameters" {
		unit = " relative"
	}
	seeds := "seeds"
	if v.Seeds == 1 {
		seeds = "seed"
	}
	return fmt.Sprintf("%s: %s %.4g vs %s %.4g (%+.3g%s ± %.2g over %d %s; counts above %.2g)", v.Metric, v.A, float64(v.MeanA),
		v.B, float64(v.MeanB), float64(v.Diff), unit, float64(v.Spread), v.Seeds, seeds, float64(v.Threshold))
}

// factSide shows a fact value with its label, "min-max of 30 = 0.5", or
// the label alone when it is a number (a constant such as "1").
func factSide(label string, x float64) string {
	if _, err := strconv.ParseFloat(label, 64); err == nil {
		return label
	}
	return fmt.Sprintf("%s = %.6g", label, x)
}

// chanceSigmas is how many binomial standard errors above 1/10 a test
// accuracy must be not to be at chance.
const chanceSigmas = 2

// AtChance reports whether correct right answers on n test images are at
// chance for ten classes: not above n/10 by more than two binomial
// standard errors, correct ≤ n/10 + 2·√(n·0.1·0.9). It decides in integers
// ((10·correct − n)² ≤ 36·n), so that no rounding moves the boundary. With
// n = 100 that is 16 right answers or fewer; with 10,000, 1,060.
func AtChance(correct, n int) bool {
	if n <= 0 {
		return false // unknown size: nothing to say
	}
	excess := 10*correct - n // 10·(correct − n/10)
	if excess <= 0 {
		return true
	}
	// 10·2·√(0.09·n) = 6·√n.
	return excess*excess <= 9*chanceSigmas*chanceSigmas*n
}

// Correct returns the number of test images the run classified right:
// its test accuracy times its test images, rounded.
func (r *RunResult) Correct() int { return int(math.Round(float64(r.TestAccuracy) * float64(r.Test))) }

// testImages returns the run's number of test images.
func testImages(r *RunResult) int { return r.Test }

// Judge checks claim against results. Fact values (Equal) are compared
// whatever the size; comparisons of runs are TooSmall in the smoke
// preset, with one seed, or when every run they read is at chance (for
// metrics that measure what training learned). Times (Metric.Timed) are
// compared only over the seeds whose runs all ran on one machine.
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
	var mixed map[int64]bool
	if c.Metric.Timed {
		mixed = mixedMachines(r, append(slices.Clip(c.A), c.B...))
	}
	var diffs, as, bs []float64
	for seed, av := range a {
		bv, ok := b[seed]
		if !ok || math.IsNaN(av) || math.IsNaN(bv) || mixed[seed] {
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
	if len(diffs) == 0 && len(mixed) > 0 {
		v.Outcome, v.Why = TooSmall, "no seed's runs timed on one machine"
		return v
	}
	if len(mixed) > 0 {
		v.Why = leftOut(mixed)
	}
	if len(diffs) == 0 {
		v.Outcome = NotMeasured
		return v
	}
	mean, sd := MeanStd(diffs)
	ma, _ := MeanStd(as)
	mb, _ := MeanStd(bs)
	n := len(diffs)
	threshold := 2 * c.Metric.MinEffect
	if n > 1 {
		threshold = max(2*sd/math.Sqrt(float64(n)), c.Metric.MinEffect)
	}
	step := resolution(r, c, n)
	if step > 0 {
		mean = math.Round(mean/step) * step
	}
	v.MeanA, v.MeanB, v.Diff, v.Spread, v.Threshold, v.Resolution, v.Seeds = Float(ma), Float(mb), Float(mean), Float(sd),
		Float(threshold), Float(step), n
	if why := tooSmall(r, c, n); why != "" {
		if why == "one seed" && len(mixed) > 0 {
			why = "one seed's runs timed on one machine; " + v.Why
		}
		v.Outcome, v.Why = TooSmall, why
		return v
	}
	clear := exceeds(math.Abs(mean), threshold, step)
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

// tooSmall returns why a comparison of runs over n seeds is too small to
// judge, or "".
func tooSmall(r *Results, c Claim, n int) string {
	switch {
	case r.Settings.Preset == Smoke:
		return "smoke preset"
	case n < 2:
		return "one seed"
	case c.Metric.Learned && allAtChance(r, append(slices.Clip(c.A), c.B...)):
		return "every run at chance"
	}
	return ""
}

// mixedMachines returns the seeds whose runs with one of the labels ran
// on more than one machine ([MachineOf]).
func mixedMachines(r *Results, labels []string) map[int64]bool {
	first, mixed := map[int64]string{}, map[int64]bool{}
	for i := range r.Runs {
		run := &r.Runs[i]
		if !slices.Contains(labels, run.Run.Label) {
			continue
		}
		m := MachineOf(run)
		if f, ok := first[run.Seed]; !ok {
			first[run.Seed] = m
		} else if f != m {
			mixed[run.Seed] = true
		}
	}
	return mixed
}

// leftOut says which seeds a time comparison left out, e.g. "seed 43
// left out: its runs ran on several machines".
func leftOut(mixed map[int64]bool) string {
	var seeds []int64
	for s := range mixed {
		seeds = append(seeds, s)
	}
	slices.Sort(seeds)
	words := make([]string, len(seeds))
	for i, s := range seeds {
		words[i] = strconv.FormatInt(s, 10)
	}
	if len(seeds) == 1 {
		return "seed " + words[0] + " left out: its runs ran on several machines"
	}
	return "seeds " + strings.Join(words, ", ") + " left out: their runs ran on several machines"
}

// allAtChance reports whether every run with one of the labels is at
// chance (and there is one).
func allAtChance(r *Results, labels []string) bool {
	seen := false
	for i := range r.Runs {
		run := &r.Runs[i]
		if !slices.Contains(labels, run.Run.Label) {
			continue
		}
		if !AtChance(run.Correct(), run.Test) {
			return false
		}
		seen = true
	}
	return seen
}

// resolution returns the step in which the mean over n seeds of a claim's
// difference moves, for a metric counted on images (0 otherwise): an
// accuracy on N images moves by 1/N, a group mean of k runs by 1/(k·N),
// a difference of two group means by 1/(lcm(kA, kB)·N), and its mean
// over n seeds by 1/(n·lcm(kA, kB)·N). It is 0 when the runs were counted
// on different numbers of images.
func resolution(r *Results, c Claim, n int) float64 {
	if c.Metric.Images == nil || c.Metric.Relative {
		return 0
	}
	images := 0
	for i := range r.Runs {
		run := &r.Runs[i]
		if !slices.Contains(c.A, run.Run.Label) && !slices.Contains(c.B, run.Run.Label) {
			continue
		}
		k := c.Metric.Images(run)
		if k <= 0 || images != 0 && k != images {
			return 0
		}
		images = k
	}
	if images == 0 {
		return 0
	}
	return 1 / (float64(n) * float64(lcm(max(len(c.A), 1), max(len(c.B), 1))) * float64(images))
}

func lcm(a, b int) int {
	x, y := a, b
	for y != 0 {
		x, y = y, x%y
	}
	return a / x * b
}

// exceeds reports whether the difference x passes threshold. With a
// resolution step > 0 it compares whole steps: x is a whole number of
// steps (round(x/step)), and a threshold within a millionth of a step of
// a whole number of steps is that number, so 0.08 − 0.06 on 100 images
// (2 steps, in floating point 0.020000000000000004) does not pass a
// threshold of 0.02. Without one it allows a relative 1e-9 for rounding.
func exceeds(x, threshold, step float64) bool {
	if step > 0 {
		steps, t := math.Round(x/step), threshold/step
		if whole := math.Round(t); math.Abs(t-whole) < 1e-6 {
			t = whole
		}
		return steps > t
	}
	return x-threshold > 1e-9*max(math.Abs(threshold), 1e-12)
}

// judgeEqual checks that two fact values, or a fact value and the claim's
// constant, are equal to the tolerance.
func judgeEqual(c Claim, r *Results) Verdict {
	v := Verdict{Claim: c.Text, Facts: true, Outcome: NotMeasured, A: r.ValueLabel(c.Values[0])}
	x, okx := r.FactValue(c.Values[0])
	y, oky := c.Want, true
	if c.Values[1] == "" {
		v.B = strconv.FormatFloat(c.Want, 'g', -1, 64)
	} else {
		v.B = r.ValueLabel(c.Values[1])
		y, oky = r.FactValue(c.Values[1])
	}
	v.Metric = v.A + " and " + v.B
	if !okx || !oky {
		return v
	}
	d := math.Abs(x - y)
	v.MeanA, v.MeanB, v.Diff, v.Threshold, v.Seeds = Float(x), Float(y), Float(d), Float(c.Tolerance), 1
	if !exceeds(d, c.Tolerance, 0) {
		v.Outcome = Agrees
	} else {
		v.Outcome = Contrary
	}
	return v
}

// ValueLabel returns the words for a fact value "fact.value": the label
// its fact gives it ([FactSpec].Labels), else the name itself.
func (r *Results) ValueLabel(name string) string {
	fact, value, ok := strings.Cut(name, ".")
	if !ok {
		return name
	}
	for _, f := range r.Facts {
		if f.Name == fact {
			if l := f.Labels[value]; l != "" {
				return l
			}
		}
	}
	return name
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

// MeanStd returns the mean and the sample standard deviation of v (0 for
// one value; NaN for none).
func MeanStd(v []float64) (mean, sd float64) {
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
