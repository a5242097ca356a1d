package fit

import (
	"math"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestSchedules pins every schedule against Keras 3's formulas worked by
// hand at the interesting steps: step 0, the warm-up's end, decay_steps and
// past it, the restarts.
func TestSchedules(t *testing.T) {
	b := testBackend(t)
	warm := CosineDecay(0, 100)
	warm.WarmupTarget, warm.WarmupSteps = 0.1, 10
	alpha := CosineDecay(0.1, 100)
	alpha.Alpha = 0.1
	poly := PolynomialDecay(0.1, 100)
	poly.Power = 2
	cyc := PolynomialDecay(0.1, 100)
	cyc.Cycle = true
	restartsT1 := CosineDecayRestarts(0.1, 10)
	restartsT1.TMul, restartsT1.MMul = 1, 0.5
	tests := []struct {
		s    Schedule
		step float64
		want float64
	}{
		// ExponentialDecay: 0.1·0.5^(step/10).
		{ExponentialDecay(0.1, 10, 0.5, false), 0, 0.1},
		{ExponentialDecay(0.1, 10, 0.5, false), 5, 0.1 * math.Sqrt(0.5)},
		{ExponentialDecay(0.1, 10, 0.5, false), 20, 0.025},
		{ExponentialDecay(0.1, 10, 0.5, true), 19, 0.05}, // floor(1.9) = 1
		// PiecewiseConstantDecay: 1 while step <= 10, 0.5 while <= 20, then 0.1.
		{PiecewiseConstantDecay([]float64{10, 20}, []float64{1, 0.5, 0.1}), 10, 1},
		{PiecewiseConstantDecay([]float64{10, 20}, []float64{1, 0.5, 0.1}), 11, 0.5},
		{PiecewiseConstantDecay([]float64{10, 20}, []float64{1, 0.5, 0.1}), 20, 0.5},
		{PiecewiseConstantDecay([]float64{10, 20}, []float64{1, 0.5, 0.1}), 21, 0.1},
		// PolynomialDecay: (0.1−1e-4)·(1−step/100)^power + 1e-4, held at 1e-4 after.
		{PolynomialDecay(0.1, 100), 50, (0.1-1e-4)*0.5 + 1e-4},
		{PolynomialDecay(0.1, 100), 100, 1e-4},
		{PolynomialDecay(0.1, 100), 150, 1e-4},
		{poly, 50, (0.1-1e-4)*0.25 + 1e-4},
		// Cycle: at 150, decay_steps becomes 200.
		{cyc, 0, 0.1},
		{cyc, 150, (0.1-1e-4)*0.25 + 1e-4},
		// InverseTimeDecay: 0.1/(1 + 0.5·step/10).
		{InverseTimeDecay(0.1, 10, 0.5, false), 10, 0.1 / 1.5},
		{InverseTimeDecay(0.1, 10, 0.5, true), 15, 0.1 / 1.5}, // floor(1.5) = 1
		// CosineDecay: 0.1·½(1+cos(π·step/100)), then 0; with alpha 0.1 it
		// ends at 0.01.
		{CosineDecay(0.1, 100), 0, 0.1},
		{CosineDecay(0.1, 100), 50, 0.05},
		{CosineDecay(0.1, 100), 100, 0},
		{CosineDecay(0.1, 100), 200, 0},
		{alpha, 100, 0.01},
		{alpha, 50, 0.1 * (0.9*0.5 + 0.1)},
		// Warm-up from 0 to 0.1 over 10 steps, then the cosine from 0.1.
		{warm, 0, 0},
		{warm, 5, 0.05},
		{warm, 10, 0.1},
		{warm, 60, 0.05},
		{warm, 110, 0},
		{warm, 500, 0},
		// CosineDecayRestarts with t_mul 2: periods of 10, 20, 40 steps.
		{CosineDecayRestarts(0.1, 10), 0, 0.1},
		{CosineDecayRestarts(0.1, 10), 5, 0.05},
		{CosineDecayRestarts(0.1, 10), 10, 0.1}, // the first restart
		{CosineDecayRestarts(0.1, 10), 20, 0.05},
		{CosineDecayRestarts(0.1, 10), 30, 0.1}, // the second restart
		// t_mul 1 and m_mul 0.5: every 10 steps, restarting at half the last peak.
		{restartsT1, 10, 0.05},
		{restartsT1, 25, 0.025 * 0.5},
	}
	for _, tc := range tests {
		got, err := scheduleAt(b, tc.s, tc.step)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got-tc.want) > 1e-6 {
			t.Errorf("%s %+v at step %v = %.8g, want %.8g", tc.s.Name(), tc.s, tc.step, got, tc.want)
		}
	}
	for _, bad := range []Schedule{ExponentialDecay(0.1, 0, 0.5, false), PiecewiseConstantDecay([]float64{1}, []float64{1}),
		PiecewiseConstantDecay([]float64{2, 1}, []float64{1, 2, 3}), CosineDecayRestarts(0.1, -1)} {
		if bad.Validate() == nil {
			t.Errorf("%s %+v: no error", bad.Name(), bad)
		}
	}
}

// TestScheduleThroughFit: with a schedule, every step uses the rate of its
// step counter (History's learning_rate is that of each epoch's last step),
// the rate cannot be set (ReduceLROnPlateau fails, as in Keras 3), and a
// resumed run continues the schedule where it stopped.
func TestScheduleThroughFit(t *testing.T) {
	data := synthetic(64, 3)
	s := ExponentialDecay(0.01, 4, 0.5, false) // halves every 4 steps
	run := func(dir string, epochs int, resume string) (*Trainer, *History) {
		tr, err := Compile(testBackend(t), tinyModel(0), Options{Seed: 1, InputShape: testShape, Schedule: s})
		if err != nil {
			t.Fatal(err)
		}
		return tr, fitResumable(t, tr, data, FitOptions{Epochs: epochs, BatchSize: 16}, dir, resume)
	}
	dir := t.TempDir()
	tr, h := run(filepath.Join(dir, "full"), 3, "")
	// 4 steps an epoch: the last steps of epochs 1, 2, 3 are steps 3, 7, 11.
	for e, step := range []float64{3, 7, 11} {
		want := 0.01 * math.Pow(0.5, step/4)
		if got := h.Epochs[e]["learning_rate"]; math.Abs(got-want) > 1e-8 {
			t.Errorf("epoch %d learning_rate %.8g, want %.8g (step %v)", e+1, got, want, step)
		}
	}
	if err := tr.SetLearningRate(0.1); err == nil || !strings.Contains(err.Error(), "not settable") {
		t.Errorf("SetLearningRate with a schedule: %v", err)
	}
	// Waiting for the falling loss to go up: it reduces after epoch 2.
	r := NewReduceLROnPlateau()
	r.Monitor, r.Mode, r.Patience = "loss", Max, 1
	if _, err := tr.Fit(data, FitOptions{Epochs: 3, BatchSize: 16, Callbacks: []Callback{r}}); err == nil || !strings.Contains(err.Error(), "not settable") {
		t.Errorf("ReduceLROnPlateau with a schedule: %v, want the not-settable error", err)
	}
	run(filepath.Join(dir, "killed"), 1, "")
	_, got := run(filepath.Join(dir, "resumed"), 3, filepath.Join(dir, "killed", "e1.ckpt"))
	if !reflect.DeepEqual(stripTime(got), stripTime(h)) {
		t.Errorf("resumed history differs:\n got %v\nwant %v", stripTime(got), stripTime(h))
	}
}

// TestPiecewiseLinearSchedules pins PiecewiseLinear to numpy.interp,
// Triangular to airbench's np.interp(step, [0, 20, 100], [0.2, 1, 0])
// (times the base rate), and OneCycle to PyTorch 1.13's
// OneCycleLR(max_lr=0.1, total_steps=10, anneal_strategy="linear") at
// every step (its optimizer's rate before each scheduler.step()).
func TestPiecewiseLinearSchedules(t *testing.T) {
	b := testBackend(t)
	check := func(s Schedule, steps, want []float64) {
		t.Helper()
		if err := s.Validate(); err != nil {
			t.Fatal(err)
		}
		for i, step := range steps {
			got, err := scheduleAt(b, s, step)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(got-want[i]) > 1e-6*math.Max(1, want[i]) {
				t.Errorf("%s at step %v = %.8g, want %.8g", s.Name(), step, got, want[i])
			}
		}
	}
	check(PiecewiseLinear([]float64{0, 20, 100}, []float64{0.2, 1, 0}), []float64{0, 5, 20, 60, 100, 150},
		[]float64{0.2, 0.4, 1.0, 0.5, 0.0, 0.0}) // numpy.interp's values
	check(Triangular(0.2*0.5, 0.5, 0, 20, 100), []float64{0, 5, 20, 60, 100, 150},
		[]float64{0.1, 0.2, 0.5, 0.25, 0, 0})
	check(PiecewiseLinear([]float64{10, 20}, []float64{1, 3}), []float64{0, 10, 15, 20, 30}, []float64{1, 1, 2, 3, 3})
	check(PiecewiseLinear([]float64{5}, []float64{0.3}), []float64{0, 5, 9}, []float64{0.3, 0.3, 0.3})
	oc := OneCycle(0.1, 10, 0.3, 25, 1e4)
	if oc.Name() != "OneCycleLR" {
		t.Errorf("OneCycle name %q", oc.Name())
	}
	check(oc, []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 20},
		[]float64{0.004, 0.052000000000000005, 0.1, 0.08571434285714286, 0.07142868571428572, 0.05714302857142858,
			0.042857371428571434, 0.028571714285714284, 0.014286057142857148, 3.999999999976245e-07, 4e-7})
	for _, bad := range []Schedule{PiecewiseLinear(nil, nil), PiecewiseLinear([]float64{1, 2}, []float64{1}),
		PiecewiseLinear([]float64{2, 2}, []float64{1, 0}), PiecewiseLinear([]float64{0}, []float64{-1}), OneCycle(0.1, 2, 0.3, 25, 1e4)} {
		if bad.Validate() == nil {
			t.Errorf("%s %+v: no error", bad.Name(), bad)
		}
	}
}

func TestParseSchedule(t *testing.T) {
	s, err := ParseSchedule("one_cycle:total_steps=500,pct_start=0.2,div_factor=5,final_div_factor=inf", 0.01)
	if p, ok := s.(*PiecewiseLinearSchedule); err != nil || !ok || !reflect.DeepEqual(p.Boundaries, []float64{0, 99, 499}) ||
		!reflect.DeepEqual(p.Values, []float64{0.002, 0.01, 0}) {
		t.Errorf("one_cycle: %+v, %v", s, err)
	}
	s, err = ParseSchedule("piecewise_linear:boundaries=0/100/500,values=0.002/0.01/0", 0.01)
	if p, ok := s.(*PiecewiseLinearSchedule); err != nil || !ok || p.Name() != "PiecewiseLinear" || len(p.Values) != 3 {
		t.Errorf("piecewise_linear: %+v, %v", s, err)
	}
	s, err = ParseSchedule("cosine:decay_steps=100,warmup_steps=10,warmup_target=0.1", 0)
	if err != nil {
		t.Fatal(err)
	}
	if c, ok := s.(*CosineDecaySchedule); !ok || c.DecaySteps != 100 || c.WarmupSteps != 10 || c.WarmupTarget != 0.1 || c.Initial != 0 {
		t.Errorf("parsed %+v", s)
	}
	s, err = ParseSchedule("piecewise:boundaries=10/20,values=1/0.5/0.1", 1e-3)
	if p, ok := s.(*PiecewiseConstantDecaySchedule); err != nil || !ok || len(p.Values) != 3 {
		t.Errorf("piecewise: %+v, %v", s, err)
	}
	if s, err := ParseSchedule("exponential:decay_steps=10,decay_rate=0.5,staircase=true", 1e-3); err != nil || !s.(*ExponentialDecaySchedule).Staircase {
		t.Errorf("exponential: %+v, %v", s, err)
	}
	for spec, want := range map[string]string{
		"warmup:x=1":                                          "known: cosine, cosine_restarts, exponential",
		"cosine:decay_steps=10,decay_rate=2":                  `takes no "decay_rate"`,
		"cosine:decay_steps=ten":                              "is not a number",
		"cosine":                                              "decay_steps is required (Keras's required arguments of CosineDecay: decay_steps)",
		"cosine:decay_steps=0":                                "decay_steps must be > 0",
		"exponential:decay_rate=0.5":                          "decay_steps is required",
		"inverse_time":                                        "decay_steps and decay_rate are required",
		"piecewise:values=1/2":                                "boundaries is required",
		"polynomial:power=2":                                  "decay_steps is required",
		"cosine_restarts:alpha=0.1":                           "first_decay_steps is required",
		"exponential:decay_steps=10,decay_rate=0.5,x":         "is not key=value",
		"one_cycle:max_lr=0.1":                                "total_steps is required (the required arguments of OneCycleLR",
		"one_cycle:total_steps=100,initial_learning_rate=0.1": `takes no "initial_learning_rate"`,
		"piecewise_linear:boundaries=0/10,values=1":           "needs as many values as boundaries",
	} {
		if _, err := ParseSchedule(spec, 1e-3); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want an error with %q", spec, err, want)
		}
	}
}
