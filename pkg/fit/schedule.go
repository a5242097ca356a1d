package fit

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

// Schedule is a Keras learning-rate schedule
// (keras.optimizers.schedules.LearningRateSchedule): the learning rate of
// every optimizer step, computed from the step counter inside the training
// graph. Set it in [Options].Schedule, as Keras passes a schedule as the
// optimizer's learning_rate. The formulas are Keras 3's
// (keras/src/optimizers/schedules/learning_rate_schedule.py), in float32.
type Schedule interface {
	// Name returns the Keras class name, e.g. "CosineDecay".
	Name() string
	// Rate builds the learning rate for step, the float32 number of
	// optimizer steps taken before this one (Keras's
	// optimizer.iterations: 0 for the first update).
	Rate(step *graph.Node) *graph.Node
	// Validate reports bad arguments, as Keras's constructor does.
	Validate() error
}

// ExponentialDecaySchedule is Keras's ExponentialDecay:
// initial·rate^(step/decay_steps), with an integer division when
// Staircase is set. Create it with [ExponentialDecay].
type ExponentialDecaySchedule struct {
	Initial    float64
	DecaySteps float64
	DecayRate  float64
	Staircase  bool
}

// ExponentialDecay returns Keras's ExponentialDecay(initial_learning_rate,
// decay_steps, decay_rate, staircase).
func ExponentialDecay(initial, decaySteps, decayRate float64, staircase bool) *ExponentialDecaySchedule {
	return &ExponentialDecaySchedule{initial, decaySteps, decayRate, staircase}
}

// Name returns "ExponentialDecay".
func (s *ExponentialDecaySchedule) Name() string { return "ExponentialDecay" }

// Validate implements [Schedule].
func (s *ExponentialDecaySchedule) Validate() error {
	return positiveSteps("decay_steps", s.DecaySteps)
}

// Rate implements [Schedule].
func (s *ExponentialDecaySchedule) Rate(step *graph.Node) *graph.Node {
	p := graph.DivScalar(step, s.DecaySteps)
	if s.Staircase {
		p = graph.Floor(p)
	}
	return graph.MulScalar(graph.Pow(constant(step, s.DecayRate), p), s.Initial)
}

// PiecewiseConstantDecaySchedule is Keras's PiecewiseConstantDecay:
// Values[0] while step <= Boundaries[0], Values[i] while Boundaries[i-1] <
// step <= Boundaries[i], and the last value after the last boundary.
// Create it with [PiecewiseConstantDecay].
type PiecewiseConstantDecaySchedule struct {
	Boundaries []float64
	Values     []float64
}

// PiecewiseConstantDecay returns Keras's PiecewiseConstantDecay(boundaries,
// values); values has one more element than boundaries.
func PiecewiseConstantDecay(boundaries, values []float64) *PiecewiseConstantDecaySchedule {
	return &PiecewiseConstantDecaySchedule{boundaries, values}
}

// Name returns "PiecewiseConstantDecay".
func (s *PiecewiseConstantDecaySchedule) Name() string { return "PiecewiseConstantDecay" }

// Validate implements [Schedule].
func (s *PiecewiseConstantDecaySchedule) Validate() error {
	if len(s.Boundaries) != len(s.Values)-1 {
		return fmt.Errorf("fit: PiecewiseConstantDecay: %d boundaries need %d values, got %d", len(s.Boundaries), len(s.Boundaries)+1, len(s.Values))
	}
	for i := 1; i < len(s.Boundaries); i++ {
		if !(s.Boundaries[i] > s.Boundaries[i-1]) {
			return fmt.Errorf("fit: PiecewiseConstantDecay: boundaries must increase strictly, got %v", s.Boundaries)
		}
	}
	return nil
}

// Rate implements [Schedule].
func (s *PiecewiseConstantDecaySchedule) Rate(step *graph.Node) *graph.Node {
	rate := constant(step, s.Values[len(s.Values)-1])
	for i := len(s.Boundaries) - 1; i >= 0; i-- {
		rate = graph.Where(graph.LessOrEqual(step, constant(step, s.Boundaries[i])), constant(step, s.Values[i]), rate)
	}
	return rate
}

// PolynomialDecaySchedule is Keras's PolynomialDecay: from Initial to End
// over DecaySteps as (initial−end)·(1−step/decay_steps)^power + end, then
// End (or, with Cycle, decay_steps grows to the first multiple above
// step). Create it with [PolynomialDecay].
type PolynomialDecaySchedule struct {
	Initial    float64
	DecaySteps float64
	End        float64 // Keras's default 1e-4
	Power      float64 // Keras's default 1
	Cycle      bool
}

// PolynomialDecay returns Keras's PolynomialDecay(initial_learning_rate,
// decay_steps) with its defaults: end_learning_rate 1e-4, power 1, no cycle.
func PolynomialDecay(initial, decaySteps float64) *PolynomialDecaySchedule {
	return &PolynomialDecaySchedule{Initial: initial, DecaySteps: decaySteps, End: 1e-4, Power: 1}
}

// Name returns "PolynomialDecay".
func (s *PolynomialDecaySchedule) Name() string { return "PolynomialDecay" }

// Validate implements [Schedule].
func (s *PolynomialDecaySchedule) Validate() error { return positiveSteps("decay_steps", s.DecaySteps) }

// Rate implements [Schedule].
func (s *PolynomialDecaySchedule) Rate(step *graph.Node) *graph.Node {
	decaySteps := constant(step, s.DecaySteps)
	if s.Cycle {
		// The first multiple of decay_steps above step (1 at step 0).
		zero := graph.Equal(step, graph.ZerosLike(step))
		mult := graph.Where(zero, graph.OnesLike(step), graph.Ceil(graph.DivScalar(step, s.DecaySteps)))
		decaySteps = graph.Mul(decaySteps, mult)
	} else {
		step = graph.Min(step, decaySteps)
	}
	p := graph.Div(step, decaySteps)
	decay := graph.Pow(graph.OneMinus(p), constant(step, s.Power))
	return graph.AddScalar(graph.MulScalar(decay, s.Initial-s.End), s.End)
}

// InverseTimeDecaySchedule is Keras's InverseTimeDecay:
// initial / (1 + rate·step/decay_steps), with an integer division when
// Staircase is set. Create it with [InverseTimeDecay].
type InverseTimeDecaySchedule struct {
	Initial    float64
	DecaySteps float64
	DecayRate  float64
	Staircase  bool
}

// InverseTimeDecay returns Keras's InverseTimeDecay(initial_learning_rate,
// decay_steps, decay_rate, staircase).
func InverseTimeDecay(initial, decaySteps, decayRate float64, staircase bool) *InverseTimeDecaySchedule {
	return &InverseTimeDecaySchedule{initial, decaySteps, decayRate, staircase}
}

// Name returns "InverseTimeDecay".
func (s *InverseTimeDecaySchedule) Name() string { return "InverseTimeDecay" }

// Validate implements [Schedule].
func (s *InverseTimeDecaySchedule) Validate() error {
	return positiveSteps("decay_steps", s.DecaySteps)
}

// Rate implements [Schedule].
func (s *InverseTimeDecaySchedule) Rate(step *graph.Node) *graph.Node {
	p := graph.DivScalar(step, s.DecaySteps)
	if s.Staircase {
		p = graph.Floor(p)
	}
	return graph.Div(constant(step, s.Initial), graph.OnePlus(graph.MulScalar(p, s.DecayRate)))
}

// CosineDecaySchedule is Keras's CosineDecay with its optional linear
// warm-up: from Initial to WarmupTarget over WarmupSteps, then a cosine
// from WarmupTarget (Initial without warm-up) to alpha times it over
// DecaySteps, then constant. Create it with [CosineDecay].
type CosineDecaySchedule struct {
	Initial    float64
	DecaySteps float64
	Alpha      float64 // the final rate as a fraction of the decay's start (Keras's default 0)
	// WarmupTarget is Keras's warmup_target; NaN (the default) means None:
	// no warm-up.
	WarmupTarget float64
	WarmupSteps  float64
}

// CosineDecay returns Keras's CosineDecay(initial_learning_rate,
// decay_steps) with its defaults: alpha 0, no warm-up. Set WarmupTarget
// and WarmupSteps for the warm-up.
func CosineDecay(initial, decaySteps float64) *CosineDecaySchedule {
	return &CosineDecaySchedule{Initial: initial, DecaySteps: decaySteps, WarmupTarget: math.NaN()}
}

// Name returns "CosineDecay".
func (s *CosineDecaySchedule) Name() string { return "CosineDecay" }

// Validate implements [Schedule].
func (s *CosineDecaySchedule) Validate() error {
	if err := positiveSteps("decay_steps", s.DecaySteps); err != nil {
		return err
	}
	if s.WarmupSteps < 0 || (!math.IsNaN(s.WarmupTarget) && s.WarmupSteps == 0) {
		return fmt.Errorf("fit: CosineDecay: a warm-up needs warmup_steps > 0, got %v", s.WarmupSteps)
	}
	return nil
}

// cosine is Keras's _decay_function: from to alpha·from over decaySteps.
func cosine(step *graph.Node, decaySteps, from, alpha float64) *graph.Node {
	frac := graph.DivScalar(step, decaySteps)
	c := graph.MulScalar(graph.OnePlus(graph.Cos(graph.MulScalar(frac, math.Pi))), 0.5)
	return graph.MulScalar(graph.AddScalar(graph.MulScalar(c, 1-alpha), alpha), from)
}

// Rate implements [Schedule].
func (s *CosineDecaySchedule) Rate(step *graph.Node) *graph.Node {
	if math.IsNaN(s.WarmupTarget) {
		return cosine(graph.Min(step, constant(step, s.DecaySteps)), s.DecaySteps, s.Initial, s.Alpha)
	}
	step = graph.Min(step, constant(step, s.DecaySteps+s.WarmupSteps))
	warm := graph.AddScalar(graph.MulScalar(graph.DivScalar(step, s.WarmupSteps), s.WarmupTarget-s.Initial), s.Initial)
	decay := cosine(graph.AddScalar(step, -s.WarmupSteps), s.DecaySteps, s.WarmupTarget, s.Alpha)
	return graph.Where(graph.LessThan(step, constant(step, s.WarmupSteps)), warm, decay)
}

// CosineDecayRestartsSchedule is Keras's CosineDecayRestarts (SGDR): a
// cosine from Initial to alpha·Initial over FirstDecaySteps, then warm
// restarts, each TMul times longer and MMul times higher. Create it with
// [CosineDecayRestarts].
type CosineDecayRestartsSchedule struct {
	Initial         float64
	FirstDecaySteps float64
	TMul            float64 // Keras's default 2
	MMul            float64 // Keras's default 1
	Alpha           float64 // Keras's default 0
}

// CosineDecayRestarts returns Keras's CosineDecayRestarts(
// initial_learning_rate, first_decay_steps) with its defaults: t_mul 2,
// m_mul 1, alpha 0.
func CosineDecayRestarts(initial, firstDecaySteps float64) *CosineDecayRestartsSchedule {
	return &CosineDecayRestartsSchedule{Initial: initial, FirstDecaySteps: firstDecaySteps, TMul: 2, MMul: 1}
}

// Name returns "CosineDecayRestarts".
func (s *CosineDecayRestartsSchedule) Name() string { return "CosineDecayRestarts" }

// Validate implements [Schedule].
func (s *CosineDecayRestartsSchedule) Validate() error {
	if err := positiveSteps("first_decay_steps", s.FirstDecaySteps); err != nil {
		return err
	}
	if !(s.TMul > 0) {
		return fmt.Errorf("fit: CosineDecayRestarts: t_mul must be positive, got %v", s.TMul)
	}
	return nil
}

// Rate implements [Schedule].
func (s *CosineDecayRestartsSchedule) Rate(step *graph.Node) *graph.Node {
	frac := graph.DivScalar(step, s.FirstDecaySteps)
	var restart *graph.Node
	if s.TMul == 1 {
		restart = graph.Floor(frac)
		frac = graph.Sub(frac, restart)
	} else {
		// i = floor(log(1 − frac·(1 − t_mul)) / log(t_mul)); the periods
		// before it sum to (1 − t_mul^i)/(1 − t_mul) first periods.
		restart = graph.Floor(graph.DivScalar(graph.Log(graph.OneMinus(graph.MulScalar(frac, 1-s.TMul))), math.Log(s.TMul)))
		tPow := graph.Pow(constant(step, s.TMul), restart)
		sum := graph.DivScalar(graph.OneMinus(tPow), 1-s.TMul)
		frac = graph.Div(graph.Sub(frac, sum), tPow)
	}
	m := graph.Pow(constant(step, s.MMul), restart)
	c := graph.Mul(graph.MulScalar(m, 0.5), graph.OnePlus(graph.Cos(graph.MulScalar(frac, math.Pi))))
	return graph.MulScalar(graph.AddScalar(graph.MulScalar(c, 1-s.Alpha), s.Alpha), s.Initial)
}

// PiecewiseLinearSchedule interpolates the rate linearly between the
// points (Boundaries[i], Values[i]), with Values[0] before the first
// boundary and the last value after the last one: numpy.interp(step,
// boundaries, values). Keras has no such class (its PiecewiseConstantDecay
// is the stepwise one). It is airbench's learning-rate schedule,
// np.interp(step, [0, warmup, total], [0.2, 1, 0])·lr, and the linear
// one-cycle policy: see [Triangular] and [OneCycle]. Create it with
// [PiecewiseLinear].
type PiecewiseLinearSchedule struct {
	Boundaries []float64 // steps, strictly increasing
	Values     []float64 // the rate at each boundary
	name       string    // "OneCycleLR" when made by OneCycle
}

// PiecewiseLinear returns the schedule through the points (boundaries[i],
// values[i]) (same lengths, at least one point).
func PiecewiseLinear(boundaries, values []float64) *PiecewiseLinearSchedule {
	return &PiecewiseLinearSchedule{Boundaries: boundaries, Values: values}
}

// Triangular returns the triangular (one-cycle) schedule of airbench and
// fast CIFAR-10 recipes: linearly from start at step 0 up to peak at
// peakStep, then linearly down to end at totalSteps, then end. Airbench's
// lr_schedule is Triangular(0.2·lr, lr, 0, 0.2·total, total) (its 94%
// variant warms up over 23% of the steps).
func Triangular(start, peak, end, peakStep, totalSteps float64) *PiecewiseLinearSchedule {
	return PiecewiseLinear([]float64{0, peakStep, totalSteps}, []float64{start, peak, end})
}

// OneCycle returns PyTorch's OneCycleLR(max_lr, total_steps, pct_start,
// anneal_strategy="linear", div_factor, final_div_factor,
// three_phase=False): from max_lr/div_factor at step 0 up to max_lr at
// step pct_start·total_steps−1, then down to
// max_lr/(div_factor·final_div_factor) at step total_steps−1 (PyTorch's
// defaults: pct_start 0.3, div_factor 25, final_div_factor 1e4). PyTorch
// fails past total_steps; this schedule holds the last rate. With
// final_div_factor +Inf it ends at 0, as airbench's schedule does.
func OneCycle(maxLR, totalSteps, pctStart, divFactor, finalDivFactor float64) *PiecewiseLinearSchedule {
	initial := maxLR / divFactor
	return &PiecewiseLinearSchedule{
		Boundaries: []float64{0, pctStart*totalSteps - 1, totalSteps - 1},
		Values:     []float64{initial, maxLR, initial / finalDivFactor},
		name:       "OneCycleLR",
	}
}

// Name returns "PiecewiseLinear", or "OneCycleLR" for a schedule made by
// [OneCycle].
func (s *PiecewiseLinearSchedule) Name() string {
	if s.name != "" {
		return s.name
	}
	return "PiecewiseLinear"
}

// Validate implements [Schedule].
func (s *PiecewiseLinearSchedule) Validate() error {
	if len(s.Boundaries) == 0 || len(s.Boundaries) != len(s.Values) {
		return fmt.Errorf("fit: %s: needs as many values as boundaries, at least one; got %d and %d", s.Name(), len(s.Boundaries), len(s.Values))
	}
	for i := 1; i < len(s.Boundaries); i++ {
		if !(s.Boundaries[i] > s.Boundaries[i-1]) {
			return fmt.Errorf("fit: %s: boundaries must increase strictly, got %v", s.Name(), s.Boundaries)
		}
	}
	for _, v := range s.Values {
		if !(v >= 0) || math.IsInf(v, 0) {
			return fmt.Errorf("fit: %s: rates must be finite and >= 0, got %v", s.Name(), s.Values)
		}
	}
	return nil
}

// Rate implements [Schedule].
func (s *PiecewiseLinearSchedule) Rate(step *graph.Node) *graph.Node {
	n := len(s.Values)
	rate := constant(step, s.Values[n-1])
	for i := n - 2; i >= 0; i-- {
		x0, x1, y0, y1 := s.Boundaries[i], s.Boundaries[i+1], s.Values[i], s.Values[i+1]
		seg := graph.AddScalar(graph.MulScalar(graph.AddScalar(step, -x0), (y1-y0)/(x1-x0)), y0)
		rate = graph.Where(graph.LessThan(step, constant(step, x1)), seg, rate)
	}
	return graph.Where(graph.LessOrEqual(step, constant(step, s.Boundaries[0])), constant(step, s.Values[0]), rate)
}

// scheduleAt returns the schedule's rate at step, computed on backend b.
func scheduleAt(b compute.Backend, s Schedule, step float64) (rate float64, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("fit: %s: %v", s.Name(), r)
		}
	}()
	out := graph.MustExecOnce(b, func(x *graph.Node) *graph.Node { return graph.ConvertDType(s.Rate(x), dtypes.Float32) }, float32(step))
	return float64(tensors.ToScalar[float32](out)), nil
}

// constant returns v as a float32 scalar of step's graph.
func constant(step *graph.Node, v float64) *graph.Node {
	return graph.Scalar(step.Graph(), dtypes.Float32, v)
}

func positiveSteps(what string, v float64) error {
	if !(v > 0) {
		return fmt.Errorf("fit: argument %s must be > 0, got %v", what, v)
	}
	return nil
}

// errScheduled is SetLearningRate's error when a schedule sets the rate,
// with Keras's words.
var errScheduled = errors.New("fit: this trainer was compiled with a learning-rate schedule, hence its learning rate is not settable " +
	"(Keras: \"If you need the learning rate to be settable, you should instantiate the optimizer with a float learning_rate\")")

// scheduleRequired lists, by ParseSchedule name, the arguments Keras
// requires (initial_learning_rate aside: it defaults to the optimizer's).
var scheduleRequired = map[string][]string{
	"exponential": {"decay_steps", "decay_rate"}, "inverse_time": {"decay_steps", "decay_rate"},
	"piecewise": {"boundaries", "values"}, "polynomial": {"decay_steps"}, "cosine": {"decay_steps"},
	"cosine_restarts": {"first_decay_steps"}, "piecewise_linear": {"boundaries", "values"}, "one_cycle": {"total_steps"},
}

// scheduleKinds maps the names ParseSchedule takes to their Keras classes.
var scheduleKinds = map[string]string{
	"exponential": "ExponentialDecay", "piecewise": "PiecewiseConstantDecay", "polynomial": "PolynomialDecay",
	"inverse_time": "InverseTimeDecay", "cosine": "CosineDecay", "cosine_restarts": "CosineDecayRestarts",
	"piecewise_linear": "PiecewiseLinear (numpy.interp)", "one_cycle": "OneCycleLR (PyTorch's, linear)",
}

// ParseSchedule parses a schedule written as NAME:key=value,…, with
// Keras's argument names, e.g.
//
//	cosine:decay_steps=20000,warmup_steps=500,warmup_target=0.002
//	exponential:decay_steps=1000,decay_rate=0.9,staircase=true
//	piecewise:boundaries=1000/2000,values=1e-3/5e-4/1e-4
//	piecewise_linear:boundaries=0/100/500,values=0.002/0.01/0
//	one_cycle:total_steps=500,pct_start=0.2,div_factor=5,final_div_factor=inf
//
// NAME is exponential, piecewise, polynomial, inverse_time, cosine or
// cosine_restarts (Keras's classes, with Keras's argument names),
// piecewise_linear ([PiecewiseLinear]: boundaries and values) or one_cycle
// ([OneCycle], with PyTorch OneCycleLR's argument names: total_steps,
// max_lr, pct_start, div_factor, final_div_factor; max_lr defaults to
// initial); initial_learning_rate defaults to initial. Unknown names
// and keys are errors that list the valid ones; a missing required argument
// (Keras's: decay_steps, decay_rate, boundaries, values, first_decay_steps)
// is an error naming it.
func ParseSchedule(spec string, initial float64) (Schedule, error) {
	name, args, _ := strings.Cut(spec, ":")
	kv := map[string]string{}
	if args != "" {
		for _, part := range strings.Split(args, ",") {
			k, v, ok := strings.Cut(part, "=")
			if !ok {
				return nil, fmt.Errorf("fit: schedule %q: %q is not key=value", spec, part)
			}
			kv[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	p := &specParser{spec: spec, kv: kv}
	var init float64
	if name == "piecewise_linear" || name == "one_cycle" {
		p.used = map[string]bool{} // no initial_learning_rate: their values say it all
	} else {
		init = p.float("initial_learning_rate", initial)
	}
	var s Schedule
	switch name {
	case "exponential":
		s = ExponentialDecay(init, p.float("decay_steps", math.NaN()), p.float("decay_rate", math.NaN()), p.bool("staircase"))
	case "inverse_time":
		s = InverseTimeDecay(init, p.float("decay_steps", math.NaN()), p.float("decay_rate", math.NaN()), p.bool("staircase"))
	case "piecewise":
		s = PiecewiseConstantDecay(p.floats("boundaries"), p.floats("values"))
	case "polynomial":
		d := PolynomialDecay(init, p.float("decay_steps", math.NaN()))
		d.End, d.Power, d.Cycle = p.float("end_learning_rate", d.End), p.float("power", d.Power), p.bool("cycle")
		s = d
	case "cosine":
		d := CosineDecay(init, p.float("decay_steps", math.NaN()))
		d.Alpha, d.WarmupTarget, d.WarmupSteps = p.float("alpha", 0), p.float("warmup_target", math.NaN()), p.float("warmup_steps", 0)
		s = d
	case "piecewise_linear":
		s = PiecewiseLinear(p.floats("boundaries"), p.floats("values"))
	case "one_cycle":
		s = OneCycle(p.float("max_lr", initial), p.float("total_steps", math.NaN()), p.float("pct_start", 0.3),
			p.float("div_factor", 25), p.float("final_div_factor", 1e4))
	case "cosine_restarts":
		d := CosineDecayRestarts(init, p.float("first_decay_steps", math.NaN()))
		d.TMul, d.MMul, d.Alpha = p.float("t_mul", d.TMul), p.float("m_mul", d.MMul), p.float("alpha", 0)
		s = d
	default:
		names := make([]string, 0, len(scheduleKinds))
		for n := range scheduleKinds {
			names = append(names, n)
		}
		slices.Sort(names)
		return nil, fmt.Errorf("fit: unknown schedule %q (known: %s)", name, strings.Join(names, ", "))
	}
	if p.err != nil {
		return nil, p.err
	}
	var missing []string
	for _, k := range scheduleRequired[name] {
		if _, ok := kv[k]; !ok {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		verb := " is"
		if len(missing) > 1 {
			verb = " are"
		}
		whose := "Keras's"
		if name == "piecewise_linear" || name == "one_cycle" {
			whose = "the"
		}
		return nil, fmt.Errorf("fit: schedule %q: %s%s required (%s required arguments of %s: %s)",
			spec, strings.Join(missing, " and "), verb, whose, scheduleKinds[name], strings.Join(scheduleRequired[name], ", "))
	}
	for k := range kv {
		if !p.used[k] {
			return nil, fmt.Errorf("fit: schedule %q: %s takes no %q", spec, scheduleKinds[name], k)
		}
	}
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("fit: schedule %q: %w", spec, err)
	}
	return s, nil
}

// specParser reads the values of a schedule spec, remembering the first
// error and the keys used.
type specParser struct {
	spec string
	kv   map[string]string
	used map[string]bool
	err  error
}

func (p *specParser) get(key string) (string, bool) {
	if p.used == nil {
		p.used = map[string]bool{}
	}
	p.used[key] = true
	v, ok := p.kv[key]
	return v, ok
}

func (p *specParser) float(key string, def float64) float64 {
	v, ok := p.get(key)
	if !ok {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil && p.err == nil {
		p.err = fmt.Errorf("fit: schedule %q: %s=%q is not a number", p.spec, key, v)
	}
	return f
}

func (p *specParser) floats(key string) []float64 {
	v, ok := p.get(key)
	if !ok {
		return nil
	}
	var out []float64
	for _, part := range strings.Split(v, "/") {
		f, err := strconv.ParseFloat(part, 64)
		if err != nil && p.err == nil {
			p.err = fmt.Errorf("fit: schedule %q: %s=%q: want numbers separated by /", p.spec, key, v)
		}
		out = append(out, f)
	}
	return out
}

func (p *specParser) bool(key string) bool {
	v, ok := p.get(key)
	if !ok {
		return false
	}
	b, err := strconv.ParseBool(v)
	if err != nil && p.err == nil {
		p.err = fmt.Errorf("fit: schedule %q: %s=%q is not true or false", p.spec, key, v)
	}
	return b
}
