package experiment

import (
	"math"
	"strings"
	"testing"

	"github.com/cnnlab/cnnlab/pkg/fit"
)

// handMade returns quick-preset results whose runs labelled "A" and "B"
// have the given test accuracies on 10,000 test images, one run per seed
// (seed 0, 1, …).
func handMade(a, b []float64) *Results { return handMadeOn(10000, a, b) }

// handMadeOn is handMade with test accuracies counted on n images.
func handMadeOn(n int, a, b []float64) *Results {
	r := &Results{Settings: Settings{Preset: Quick}}
	for label, accs := range map[string][]float64{"A": a, "B": b} {
		for seed, acc := range accs {
			r.Runs = append(r.Runs, RunResult{Run: RunSpec{Label: label}, Seed: int64(seed), TestAccuracy: Float(acc), Test: n,
				History: &fit.History{Epochs: []fit.Logs{{"accuracy": acc}}}})
		}
	}
	return r
}

// TestJudge pins the verdict rules on hand-made results: the difference
// must pass max(2·sd/√n, MinEffect) (2·MinEffect with one seed) to count,
// paired seed by seed; its sign decides.
func TestJudge(t *testing.T) {
	better := Claim{Text: "A beats B", Metric: TestAccuracy, Expect: Better, A: []string{"A"}, B: []string{"B"}}
	similar := better
	similar.Expect = Similar
	atLeast := better
	atLeast.Expect = AtLeast
	lowerIsBetter := Claim{Text: "A is faster", Metric: EpochTime, Expect: Better, A: []string{"A"}, B: []string{"B"}}
	tests := []struct {
		name  string
		claim Claim
		a, b  []float64
		want  string
	}{
		// +0.05 and +0.07: mean 0.06, sd 0.014, threshold max(0.02, 0.01).
		{"clear and as claimed", better, []float64{0.75, 0.77}, []float64{0.70, 0.70}, Agrees},
		{"clear and against", better, []float64{0.60, 0.62}, []float64{0.70, 0.70}, Contrary},
		// +0.04 and -0.02: mean 0.01, sd 0.042, threshold 0.06.
		{"noisy", better, []float64{0.74, 0.68}, []float64{0.70, 0.70}, Unclear},
		// Below MinEffect (0.01) even without spread.
		{"tiny", better, []float64{0.705, 0.705}, []float64{0.70, 0.70}, Unclear},
		// One seed: too small to judge, however large the difference.
		{"one seed, small", better, []float64{0.715}, []float64{0.70}, TooSmall},
		{"one seed, large", better, []float64{0.75}, []float64{0.70}, TooSmall},
		// Every run at chance (≤ 1,060 of 10,000 right): too small.
		{"all at chance", better, []float64{0.106, 0.105}, []float64{0.09, 0.08}, TooSmall},
		// One group at chance is a measurement (a class-sorted order).
		{"one group at chance", better, []float64{0.75, 0.77}, []float64{0.10, 0.10}, Agrees},
		{"similar and similar", similar, []float64{0.705, 0.695}, []float64{0.70, 0.70}, Agrees},
		{"similar but not", similar, []float64{0.80, 0.81}, []float64{0.70, 0.70}, Contrary},
		// At least as well: only a clear loss contradicts it.
		{"at least: clearly better", atLeast, []float64{0.75, 0.77}, []float64{0.70, 0.70}, Agrees},
		{"at least: noisy", atLeast, []float64{0.74, 0.68}, []float64{0.70, 0.70}, Agrees},
		{"at least: clearly worse", atLeast, []float64{0.60, 0.62}, []float64{0.70, 0.70}, Contrary},
		{"missing group", better, []float64{0.7}, nil, NotMeasured},
	}
	for _, tc := range tests {
		v := Judge(tc.claim, handMade(tc.a, tc.b))
		if v.Outcome != tc.want {
			t.Errorf("%s: %s", tc.name, v)
		}
	}
	// Times: lower is better, compared relatively. A takes 9 s, B 10 s:
	// 10% faster, above the 5% minimum.
	r := handMade(nil, nil)
	for label, s := range map[string]float64{"A": 9, "B": 10} {
		for seed := range 2 {
			r.Runs = append(r.Runs, RunResult{Run: RunSpec{Label: label}, Seed: int64(seed), EpochSeconds: s + 0.01*float64(seed)})
		}
	}
	if v := Judge(lowerIsBetter, r); v.Outcome != Agrees || math.Abs(float64(v.Diff)-0.1) > 0.002 {
		t.Errorf("faster: %s (diff %v)", v, v.Diff)
	}
	// Facts: equal within the tolerance, or not.
	facts := &Results{Facts: []Fact{{Name: "losses", Values: map[string]float64{"sparse": 2.3025851, "one_hot": 2.3025853, "other": 2.4}}}}
	eq := Claim{Text: "same loss", Expect: Equal, Values: [2]string{"losses.sparse", "losses.one_hot"}, Tolerance: 1e-6}
	if v := Judge(eq, facts); v.Outcome != Agrees {
		t.Errorf("equal facts: %s", v)
	}
	eq.Values[1] = "losses.other"
	if v := Judge(eq, facts); v.Outcome != Contrary {
		t.Errorf("different facts: %s", v)
	}
	eq.Values[1] = "losses.missing"
	if v := Judge(eq, facts); v.Outcome != NotMeasured {
		t.Errorf("missing fact: %s", v)
	}
	// A against zero (B empty).
	gain := Claim{Text: "best beats last", Metric: BestMinusLast, Expect: Better, A: []string{"A"}}
	r = &Results{Settings: Settings{Preset: Quick}, Runs: []RunResult{
		{Run: RunSpec{Label: "A"}, Seed: 0, TestAccuracy: 0.70, BestTestAccuracy: 0.72},
		{Run: RunSpec{Label: "A"}, Seed: 1, TestAccuracy: 0.70, BestTestAccuracy: 0.73}}}
	if v := Judge(gain, r); v.Outcome != Agrees {
		t.Errorf("against zero: %s", v)
	}
	// The smoke preset judges no comparison of runs, but fact values.
	r = handMade([]float64{0.75, 0.77}, []float64{0.70, 0.70})
	r.Settings.Preset = Smoke
	if v := Judge(better, r); v.Outcome != TooSmall || v.Why != "smoke preset" {
		t.Errorf("smoke: %s", v)
	}
	facts.Settings.Preset = Smoke
	eq.Values[1] = "losses.one_hot"
	if v := Judge(eq, facts); v.Outcome != Agrees {
		t.Errorf("smoke, equal facts: %s", v)
	}
}

// TestJudgeTimesOnOneMachine: a lesson's runs may be trained on several
// machines (a preset split over sittings), and a time measured on one CPU
// says nothing against a time on another. Times are compared seed by seed
// only where the seed's runs ran on one machine ([MachineOf]: the CPU and
// the backend, not where the backend's choice came from).
func TestJudgeTimesOnOneMachine(t *testing.T) {
	faster := Claim{Text: "A is faster", Metric: EpochTime, Expect: Better, A: []string{"A"}, B: []string{"B"}}
	type machine struct{ cpu, backend string }
	const goBackend = "Go Backend (go:parallelism=-1, from default; simd on; conv kernel avx2; 2 CPUs)"
	fast := machine{"AMD EPYC (avx2 fma avx512f)", "Go Backend (go:parallelism=-1, from default; simd on; conv kernel avx512; 2 CPUs)"}
	slow := machine{"AMD EPYC (avx2 fma)", goBackend}
	slowByEnv := machine{"AMD EPYC (avx2 fma)", strings.Replace(goBackend, "from default", "from $GOMLX_BACKEND", 1)}
	noKernel := machine{"AMD EPYC (avx2 fma)", strings.Replace(goBackend, "conv kernel avx2", "conv kernel none", 1)}
	tests := []struct {
		name string
		// machines[seed] = {A's, B's}; A takes 9 s an epoch, B 10 s, on
		// any machine but fast 2.3 times as long.
		machines [][2]machine
		want     string
		why      string
		seeds    int
	}{
		{"all on one machine", [][2]machine{{fast, fast}, {fast, fast}, {fast, fast}}, Agrees, "", 3},
		{"two machines, each seed on one", [][2]machine{{fast, fast}, {slow, slow}, {slow, slow}}, Agrees, "", 3},
		// The backend chosen by $GOMLX_BACKEND rather than by default is
		// the same machine.
		{"backend's source differs", [][2]machine{{slow, slowByEnv}, {slowByEnv, slow}}, Agrees, "", 2},
		// Without the rule, 9·2.3 s against 10 s would read as A slower.
		{"one seed mixed", [][2]machine{{fast, fast}, {slow, fast}, {fast, fast}}, Agrees,
			"seed 1 left out: its runs ran on several machines", 2},
		{"the backend's kernel differs", [][2]machine{{fast, fast}, {noKernel, slow}, {fast, fast}}, Agrees,
			"seed 1 left out: its runs ran on several machines", 2},
		{"two seeds mixed", [][2]machine{{fast, fast}, {slow, fast}, {slow, fast}}, TooSmall,
			"one seed's runs timed on one machine; seeds 1, 2 left out: their runs ran on several machines", 1},
		{"every seed mixed", [][2]machine{{slow, fast}, {slow, fast}, {slow, fast}}, TooSmall, "no seed's runs timed on one machine", 0},
	}
	for _, tc := range tests {
		r := &Results{Settings: Settings{Preset: Standard}}
		for seed, ms := range tc.machines {
			for i, label := range []string{"A", "B"} {
				s := 9.0 + float64(i)
				if ms[i] != fast {
					s *= 2.3
				}
				r.Runs = append(r.Runs, RunResult{Run: RunSpec{Label: label}, Seed: int64(seed), CPU: ms[i].cpu, Backend: ms[i].backend, EpochSeconds: s})
			}
		}
		v := Judge(faster, r)
		if v.Outcome != tc.want || v.Why != tc.why || v.Seeds != tc.seeds {
			t.Errorf("%s: %s (why %q, %d seeds), want %s (why %q, %d seeds)", tc.name, v, v.Why, v.Seeds, tc.want, tc.why, tc.seeds)
		}
	}
	// Accuracies do not depend on the machine: mixed seeds count.
	r := handMade([]float64{0.75, 0.77}, []float64{0.70, 0.70})
	r.Runs[0].CPU = slow.cpu
	better := Claim{Text: "A beats B", Metric: TestAccuracy, Expect: Better, A: []string{"A"}, B: []string{"B"}}
	if v := Judge(better, r); v.Outcome != Agrees || v.Seeds != 2 || v.Why != "" {
		t.Errorf("accuracies on two machines: %s", v)
	}
}

// TestAtChance pins the boundary: at most n/10 + 2·√(n·0.09) right.
func TestAtChance(t *testing.T) {
	tests := []struct {
		correct, n int
		want       bool
	}{
		{0, 100, true},
		{10, 100, true},
		{16, 100, true}, // 10 + 2·3: exactly on the boundary
		{17, 100, false},
		{1060, 10000, true},
		{1061, 10000, false},
		{33, 240, true}, // 24 + 2·√21.6 = 33.3
		{34, 240, false},
		{5, 0, false}, // unknown size
	}
	for _, tc := range tests {
		if got := AtChance(tc.correct, tc.n); got != tc.want {
			t.Errorf("AtChance(%d, %d) = %v, want %v", tc.correct, tc.n, got, tc.want)
		}
	}
	if r := (RunResult{TestAccuracy: 0.16, Test: 100}); r.Correct() != 16 || !AtChance(r.Correct(), r.Test) {
		t.Errorf("0.16 of 100: %d right", r.Correct())
	}
}

// TestResolution: thresholds are compared in whole images. The reported
// case: a smoke run of batchnorm had 0.08 − 0.06 = 0.020000000000000004
// pass a threshold of 0.02 on 100 test images.
func TestResolution(t *testing.T) {
	tests := []struct {
		x, threshold, step float64
		want               bool
	}{
		{0.08 - 0.06, 0.02, 1.0 / 100, false}, // 2 images is not more than 2
		{0.38 - 0.36, 0.02, 1.0 / 100, false},
		{0.09 - 0.06, 0.02, 1.0 / 100, true},
		{0.58 - 0.56, 0.01, 1.0 / 100, true}, // 0.019999999999999907: 2 images > 1
		{0.0102, 0.01, 1.0 / 10000, true},
		{0.01, 0.01, 1.0 / 10000, false},
		{0.08 - 0.06, 0.02, 0, false}, // no resolution: a relative 1e-9 for rounding
		{0.021, 0.02, 0, true},
	}
	for _, tc := range tests {
		if got := exceeds(tc.x, tc.threshold, tc.step); got != tc.want {
			t.Errorf("exceeds(%v, %v, %v) = %v, want %v", tc.x, tc.threshold, tc.step, got, tc.want)
		}
	}
	// Through Judge: 2 seeds on 100 images, a metric whose minimum effect
	// is 0.02, the same difference of 2 images on both seeds.
	m := TestAccuracy
	m.MinEffect = 0.02
	c := Claim{Text: "A beats B", Metric: m, Expect: Better, A: []string{"A"}, B: []string{"B"}}
	v := Judge(c, handMadeOn(100, []float64{0.38, 0.38}, []float64{0.36, 0.36}))
	if v.Outcome != Unclear || float64(v.Diff) != 0.02 || float64(v.Resolution) != 1.0/200 {
		t.Errorf("2 images of 100 against a threshold of 0.02: %s (diff %v, resolution %v)", v, float64(v.Diff), float64(v.Resolution))
	}
	if v := Judge(c, handMadeOn(100, []float64{0.39, 0.39}, []float64{0.36, 0.36})); v.Outcome != Agrees {
		t.Errorf("3 images of 100: %s", v)
	}
	// Group sizes and seeds refine the step: 2 seeds, groups of 2 and 1.
	c.A = []string{"A", "C"}
	if got := resolution(handMadeOn(100, []float64{0.5}, []float64{0.4}), c, 2); got != 1.0/400 {
		t.Errorf("resolution = %v, want 1/400", got)
	}
}

// TestVerdictTexts pins the rendered verdicts: the measured quantity in
// words, never a fact's key.
func TestVerdictTexts(t *testing.T) {
	facts := &Results{Settings: Settings{Preset: Quick}, Facts: []Fact{{Name: "activation",
		Values: map[string]float64{"params_inline": 1234, "params_layer": 1234, "zero": 0},
		Labels: map[string]string{"params_inline": "the parameters with the activation inline", "params_layer": "as its own layer", "zero": "0"}}}}
	better := Claim{Text: "BN improves test accuracy", Metric: TestAccuracy, Expect: Better, A: []string{"A"}, B: []string{"B"}}
	tests := []struct {
		name string
		v    Verdict
		want string
	}{
		{"fact values", Judge(Claim{Text: "the same parameters", Expect: Equal,
			Values: [2]string{"activation.params_inline", "activation.params_layer"}}, facts),
			"the same parameters: the parameters with the activation inline = 1234 against as its own layer = 1234 (difference 0, tolerance 0): agrees with the course"},
		{"fact against a constant", Judge(Claim{Text: "none", Expect: Equal, Values: [2]string{"activation.params_inline", "activation.zero"}, Tolerance: 1}, facts),
			"none: the parameters with the activation inline = 1234 against 0 (difference 1.23e+03, tolerance 1): contrary to the course"},
		{"fact against Want", Judge(Claim{Text: "none", Expect: Equal, Values: [2]string{"activation.params_inline"}, Want: 0, Tolerance: 1}, facts),
			"none: the parameters with the activation inline = 1234 against 0 (difference 1.23e+03, tolerance 1): contrary to the course"},
		{"fact equal to Want", Judge(Claim{Text: "√1.5", Expect: Equal, Values: [2]string{"activation.params_inline"}, Want: 1234.5, Tolerance: 0.5}, facts),
			"√1.5: the parameters with the activation inline = 1234 against 1234.5 (difference 0.5, tolerance 0.5): agrees with the course"},
		{"fact without a label", Judge(Claim{Text: "x", Expect: Equal, Values: [2]string{"activation.params_inline", "activation.other"}}, facts),
			"x: —: not measured"},
		{"runs", Judge(better, handMade([]float64{0.75, 0.77}, []float64{0.70, 0.70})),
			"BN improves test accuracy: test accuracy: A 0.76 vs B 0.7 (+0.06 ± 0.014 over 2 seeds; counts above 0.02): agrees with the course"},
		{"one seed", Judge(better, handMade([]float64{0.75}, []float64{0.70})),
			"BN improves test accuracy: test accuracy: A 0.75 vs B 0.7 (+0.05 ± 0 over 1 seed; counts above 0.02): too small to judge (one seed)"},
		{"old fact verdict", Verdict{Claim: "same", Metric: "a.x = a.y", B: "1 and 1", Outcome: Agrees},
			"same: a.x = a.y: 1 and 1 (difference 0): agrees with the course"},
	}
	for _, tc := range tests {
		if got := tc.v.String(); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, got, tc.want)
		}
		if strings.Contains(tc.v.Measured(), "params_") {
			t.Errorf("%s: a key in the text: %s", tc.name, tc.v.Measured())
		}
	}
}

func TestEpochSpread(t *testing.T) {
	// Changes after the first epoch: +0.1, -0.1, +0.1: sd 0.1155.
	if got := epochSpread([]float64{0.1, 0.5, 0.6, 0.5, 0.6}); math.Abs(got-0.11547) > 1e-4 {
		t.Errorf("epochSpread = %v", got)
	}
	if !math.IsNaN(epochSpread([]float64{0.1, 0.2})) {
		t.Error("epochSpread of two values is not NaN")
	}
}
