package lessons

import (
	"math"
	"testing"

	"github.com/cnnlab/cnnlab/pkg/fit"
)

// handMade returns results whose runs labelled "A" and "B" have the given
// test accuracies, one run per seed (seed 0, 1, …).
func handMade(a, b []float64) *Results {
	r := &Results{}
	for label, accs := range map[string][]float64{"A": a, "B": b} {
		for seed, acc := range accs {
			r.Runs = append(r.Runs, RunResult{Run: RunSpec{Label: label}, Seed: int64(seed), TestAccuracy: Float(acc),
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
		// One seed: the threshold is 2·MinEffect = 0.02.
		{"one seed, small", better, []float64{0.715}, []float64{0.70}, Unclear},
		{"one seed, large", better, []float64{0.75}, []float64{0.70}, Agrees},
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
	r = &Results{Runs: []RunResult{
		{Run: RunSpec{Label: "A"}, Seed: 0, TestAccuracy: 0.70, BestTestAccuracy: 0.72},
		{Run: RunSpec{Label: "A"}, Seed: 1, TestAccuracy: 0.70, BestTestAccuracy: 0.73}}}
	if v := Judge(gain, r); v.Outcome != Agrees {
		t.Errorf("against zero: %s", v)
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
