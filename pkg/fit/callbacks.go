package fit

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"github.com/gomlx/compute/shapes"
)

// Callback is called by [Trainer.Fit] at Keras's hook points. Embed
// [BaseCallback] to implement only some of them. Epochs are 0-based, as in
// Keras; messages print them 1-based, as Keras does. An error stops Fit.
type Callback interface {
	OnTrainBegin(t *Trainer) error
	OnEpochBegin(t *Trainer, epoch int) error
	OnEpochEnd(t *Trainer, epoch int, logs Logs) error
	OnTrainEnd(t *Trainer, logs Logs) error
}

// callbackList calls the callbacks of one Fit at Keras's hook points, in
// order, stopping at the first error. Fit and the callback tests drive
// callbacks only through it.
type callbackList []Callback

// trainBegin calls OnTrainBegin.
func (cbs callbackList) trainBegin(t *Trainer) error {
	for _, cb := range cbs {
		if err := cb.OnTrainBegin(t); err != nil {
			return err
		}
	}
	return nil
}

// epochBegin calls OnEpochBegin.
func (cbs callbackList) epochBegin(t *Trainer, epoch int) error {
	for _, cb := range cbs {
		if err := cb.OnEpochBegin(t, epoch); err != nil {
			return err
		}
	}
	return nil
}

// epochEnd calls OnEpochEnd with a copy of logs for each callback, then
// writes the checkpoints they asked for (with hist, which already holds
// the epoch).
func (cbs callbackList) epochEnd(t *Trainer, epoch int, logs Logs, hist *History) error {
	for _, cb := range cbs {
		if err := cb.OnEpochEnd(t, epoch, logs.clone()); err != nil {
			return err
		}
	}
	return t.flushSaves(epoch, hist, cbs)
}

// trainEnd calls OnTrainEnd with a copy of the last epoch's logs.
func (cbs callbackList) trainEnd(t *Trainer, logs Logs) error {
	for _, cb := range cbs {
		if err := cb.OnTrainEnd(t, logs.clone()); err != nil {
			return err
		}
	}
	return nil
}

// BaseCallback implements every [Callback] method as a no-op.
type BaseCallback struct{}

// OnTrainBegin does nothing.
func (BaseCallback) OnTrainBegin(*Trainer) error { return nil }

// OnEpochBegin does nothing.
func (BaseCallback) OnEpochBegin(*Trainer, int) error { return nil }

// OnEpochEnd does nothing.
func (BaseCallback) OnEpochEnd(*Trainer, int, Logs) error { return nil }

// OnTrainEnd does nothing.
func (BaseCallback) OnTrainEnd(*Trainer, Logs) error { return nil }

// CallbackFunc is a Callback that calls a function at the end of every
// epoch (handy for notebooks and tests).
type CallbackFunc func(t *Trainer, epoch int, logs Logs) error

// OnTrainBegin does nothing.
func (CallbackFunc) OnTrainBegin(*Trainer) error { return nil }

// OnEpochBegin does nothing.
func (CallbackFunc) OnEpochBegin(*Trainer, int) error { return nil }

// OnEpochEnd calls f.
func (f CallbackFunc) OnEpochEnd(t *Trainer, epoch int, logs Logs) error { return f(t, epoch, logs) }

// OnTrainEnd does nothing.
func (CallbackFunc) OnTrainEnd(*Trainer, Logs) error { return nil }

// Mode says whether a monitored value should go down ("min") or up
// ("max"); "auto" (or "") infers it from the name.
type Mode string

// Modes of the monitoring callbacks.
const (
	Auto Mode = "auto"
	Min  Mode = "min"
	Max  Mode = "max"
)

// direction resolves mode for monitor as Keras 3's EarlyStopping and
// ModelCheckpoint do: "loss"/"val_loss" (and, beyond Keras, any name ending
// in "loss") go down, "accuracy"/"val_accuracy" (the accuracy metric's
// direction is "up") go up; other names need an explicit mode.
func direction(cb, monitor string, mode Mode) (maximize bool, err error) {
	switch mode {
	case Min:
		return false, nil
	case Max:
		return true, nil
	case Auto, "":
		name := strings.TrimPrefix(monitor, "val_")
		switch {
		case name == "loss" || strings.HasSuffix(name, "_loss"):
			return false, nil
		case name == "accuracy" || name == "acc":
			return true, nil
		}
		return false, fmt.Errorf("fit: %s cannot tell whether %q should be minimized or maximized: set Mode to \"min\" or \"max\"", cb, monitor)
	}
	return false, fmt.Errorf("fit: %s: unknown mode %q (want \"auto\", \"min\" or \"max\")", cb, mode)
}

// ReduceLROnPlateau multiplies the learning rate by Factor when Monitor
// has not improved for Patience epochs, with Keras 3's rules:
//
//   - improvement: current < best - MinDelta ("min"), current > best +
//     MinDelta ("max"); "auto" is "max" when the name contains "acc", else
//     "min"; best starts at ±Inf at the start of Fit;
//   - every epoch in cooldown decrements the cooldown counter and resets
//     wait; an improvement sets best and resets wait; otherwise, out of
//     cooldown, wait grows and when wait >= Patience the rate becomes
//     max(lr*Factor, MinLR) if float32(lr) > float32(MinLR), the cooldown
//     counter is set to Cooldown and wait to 0 (when the rate is already at
//     MinLR, wait is not reset);
//   - a missing monitor value prints a warning and changes nothing.
//
// Create it with [NewReduceLROnPlateau] for Keras's defaults.
type ReduceLROnPlateau struct {
	Monitor  string  // default "val_loss"
	Factor   float64 // new_lr = lr * Factor; must be < 1 (default 0.1)
	Patience int     // default 10
	Verbose  int     // 1 prints a message on every reduction
	Mode     Mode    // default "auto"
	MinDelta float64 // default 1e-4
	Cooldown int     // epochs to wait after a reduction (default 0)
	MinLR    float64 // lower bound on the learning rate (default 0)

	best            float64
	wait            int
	cooldownCounter int
	maximize        bool
}

// NewReduceLROnPlateau returns a ReduceLROnPlateau with Keras's defaults:
// monitor "val_loss", factor 0.1, patience 10, mode auto, min_delta 1e-4,
// cooldown 0, min_lr 0.
func NewReduceLROnPlateau() *ReduceLROnPlateau {
	return &ReduceLROnPlateau{Monitor: "val_loss", Factor: 0.1, Patience: 10, Mode: Auto, MinDelta: 1e-4}
}

// OnTrainBegin checks the settings and resets the state (Keras's _reset).
func (r *ReduceLROnPlateau) OnTrainBegin(*Trainer) error {
	if r.Monitor == "" {
		r.Monitor = "val_loss"
	}
	if r.Factor >= 1 {
		return fmt.Errorf("fit: ReduceLROnPlateau does not support a factor >= 1.0, got %v", r.Factor)
	}
	switch r.Mode {
	case Min:
		r.maximize = false
	case Max:
		r.maximize = true
	case Auto, "":
		r.maximize = strings.Contains(r.Monitor, "acc")
	default:
		return fmt.Errorf("fit: ReduceLROnPlateau: unknown mode %q (want \"auto\", \"min\" or \"max\")", r.Mode)
	}
	r.best = math.Inf(1)
	if r.maximize {
		r.best = math.Inf(-1)
	}
	r.wait, r.cooldownCounter = 0, 0
	return nil
}

// OnEpochBegin does nothing.
func (r *ReduceLROnPlateau) OnEpochBegin(*Trainer, int) error { return nil }

func (r *ReduceLROnPlateau) improved(current float64) bool {
	if r.maximize {
		return current > r.best+r.MinDelta
	}
	return current < r.best-r.MinDelta
}

// OnEpochEnd applies the rules above.
func (r *ReduceLROnPlateau) OnEpochEnd(t *Trainer, epoch int, logs Logs) error {
	current, ok := logs[r.Monitor]
	if !ok {
		t.Logf("WARNING: Learning rate reduction is conditioned on metric `%s` which is not available. Available metrics are: %s.", r.Monitor, logKeys(logs))
		return nil
	}
	if r.cooldownCounter > 0 {
		r.cooldownCounter--
		r.wait = 0
	}
	if r.improved(current) {
		r.best = current
		r.wait = 0
		return nil
	}
	if r.cooldownCounter > 0 {
		return nil
	}
	r.wait++
	if r.wait < r.Patience {
		return nil
	}
	oldLR := t.LearningRate()
	if !(oldLR > float64(float32(r.MinLR))) {
		return nil
	}
	newLR := max(oldLR*r.Factor, r.MinLR)
	if err := t.SetLearningRate(newLR); err != nil {
		return err
	}
	if r.Verbose > 0 {
		t.Logf("\nEpoch %d: ReduceLROnPlateau reducing learning rate to %s.", epoch+1, pyRepr(newLR))
	}
	r.cooldownCounter = r.Cooldown
	r.wait = 0
	return nil
}

// OnTrainEnd does nothing.
func (r *ReduceLROnPlateau) OnTrainEnd(*Trainer, Logs) error { return nil }

// Wait returns the number of epochs without improvement counted so far.
func (r *ReduceLROnPlateau) Wait() int { return r.wait }

// Best returns the best monitored value seen.
func (r *ReduceLROnPlateau) Best() float64 { return r.best }

type plateauState struct {
	Best     jsonFloat `json:"best"`
	Wait     int       `json:"wait"`
	Cooldown int       `json:"cooldown_counter"`
}

// State implements [Stateful].
func (r *ReduceLROnPlateau) State() (json.RawMessage, error) {
	return json.Marshal(plateauState{jsonFloat(r.best), r.wait, r.cooldownCounter})
}

// SetState implements [Stateful].
func (r *ReduceLROnPlateau) SetState(raw json.RawMessage) error {
	var s plateauState
	if err := json.Unmarshal(raw, &s); err != nil {
		return err
	}
	r.best, r.wait, r.cooldownCounter = float64(s.Best), s.Wait, s.Cooldown
	return nil
}

// EarlyStopping stops training when Monitor has stopped improving, with
// Keras 3's rules:
//
//   - epochs before StartFromEpoch, and epochs without the monitored value,
//     are ignored;
//   - improvement: current - MinDelta > best ("max") or current + MinDelta
//     < best ("min"), MinDelta taken as its absolute value; the first
//     monitored epoch always improves (best starts unset);
//   - every monitored epoch increments wait; an improvement sets best (and
//     the best weights) and resets wait only if it also improves on
//     Baseline (when set); otherwise, when wait >= Patience and epoch > 0,
//     training stops;
//   - RestoreBestWeights restores the best epoch's weights at the end of
//     training, whether or not it stopped early (Keras 3; tf.keras 2.x
//     restored them only when it stopped early).
//
// The zero value plus a Monitor is Keras's defaults except Monitor, which
// [NewEarlyStopping] sets to "val_loss".
type EarlyStopping struct {
	Monitor            string   // default "val_loss"
	MinDelta           float64  // minimum change that counts as an improvement (default 0)
	Patience           int      // epochs without improvement before stopping (default 0)
	Verbose            int      // 1 prints a message when stopping and restoring
	Mode               Mode     // default "auto"
	Baseline           *float64 // value to beat for wait to reset (default none)
	RestoreBestWeights bool     // restore the best epoch's weights at the end
	StartFromEpoch     int      // epochs of warm-up that are not monitored

	wait         int
	stoppedEpoch int
	best         *float64
	bestEpoch    int
	bestWeights  *Weights
	maximize     bool
}

// NewEarlyStopping returns an EarlyStopping with Keras's defaults: monitor
// "val_loss", min_delta 0, patience 0, mode auto, no baseline, no restore,
// start_from_epoch 0.
func NewEarlyStopping() *EarlyStopping { return &EarlyStopping{Monitor: "val_loss", Mode: Auto} }

// OnTrainBegin resolves the mode and resets the state.
func (e *EarlyStopping) OnTrainBegin(*Trainer) error {
	if e.Monitor == "" {
		e.Monitor = "val_loss"
	}
	var err error
	if e.maximize, err = direction("EarlyStopping", e.Monitor, e.Mode); err != nil {
		return err
	}
	e.wait, e.stoppedEpoch, e.best, e.bestWeights, e.bestEpoch = 0, 0, nil, nil, 0
	return nil
}

// OnEpochBegin does nothing.
func (e *EarlyStopping) OnEpochBegin(*Trainer, int) error { return nil }

func (e *EarlyStopping) isImprovement(current float64, ref *float64) bool {
	if ref == nil {
		return true
	}
	d := math.Abs(e.MinDelta)
	if e.maximize {
		return current-d > *ref
	}
	return current+d < *ref
}

// OnEpochEnd applies the rules above.
func (e *EarlyStopping) OnEpochEnd(t *Trainer, epoch int, logs Logs) error {
	current, ok := logs[e.Monitor]
	if !ok {
		t.Logf("WARNING: Early stopping conditioned on metric `%s` which is not available. Available metrics are: %s", e.Monitor, logKeys(logs))
		return nil
	}
	if epoch < e.StartFromEpoch {
		return nil
	}
	if e.RestoreBestWeights && e.bestWeights == nil {
		w, err := t.GetWeights()
		if err != nil {
			return err
		}
		e.bestWeights, e.bestEpoch = w, epoch
	}
	e.wait++
	if e.isImprovement(current, e.best) {
		c := current
		e.best, e.bestEpoch = &c, epoch
		if e.RestoreBestWeights {
			w, err := t.GetWeights()
			if err != nil {
				return err
			}
			e.bestWeights = w
		}
		if e.Baseline == nil || e.isImprovement(current, e.Baseline) {
			e.wait = 0
		}
		return nil
	}
	if e.wait >= e.Patience && epoch > 0 {
		e.stoppedEpoch = epoch
		t.StopTraining()
	}
	return nil
}

// OnTrainEnd reports the stop and restores the best weights.
func (e *EarlyStopping) OnTrainEnd(t *Trainer, _ Logs) error {
	if e.stoppedEpoch > 0 && e.Verbose > 0 {
		t.Logf("Epoch %d: early stopping", e.stoppedEpoch+1)
	}
	if e.RestoreBestWeights && e.bestWeights != nil {
		if e.Verbose > 0 {
			t.Logf("Restoring model weights from the end of the best epoch: %d.", e.bestEpoch+1)
		}
		return t.SetWeights(e.bestWeights)
	}
	return nil
}

// StoppedEpoch returns the 0-based epoch at which training was stopped, 0
// if it was not (Keras's stopped_epoch).
func (e *EarlyStopping) StoppedEpoch() int { return e.stoppedEpoch }

// BestEpoch returns the 0-based epoch with the best monitored value.
func (e *EarlyStopping) BestEpoch() int { return e.bestEpoch }

// Wait returns the current wait counter.
func (e *EarlyStopping) Wait() int { return e.wait }

// Best returns the best monitored value, and false before any.
func (e *EarlyStopping) Best() (float64, bool) {
	if e.best == nil {
		return 0, false
	}
	return *e.best, true
}

type weightRecord struct {
	Path  string `json:"path"`
	DType string `json:"dtype"`
	Shape []int  `json:"shape"`
	Data  []byte `json:"data"`
}

type earlyState struct {
	Wait         int            `json:"wait"`
	StoppedEpoch int            `json:"stopped_epoch"`
	Best         *jsonFloat     `json:"best"`
	BestEpoch    int            `json:"best_epoch"`
	BestWeights  []weightRecord `json:"best_weights,omitempty"`
}

// State implements [Stateful]; it includes the best weights when
// RestoreBestWeights is set.
func (e *EarlyStopping) State() (json.RawMessage, error) {
	s := earlyState{Wait: e.wait, StoppedEpoch: e.stoppedEpoch, BestEpoch: e.bestEpoch}
	if e.best != nil {
		b := jsonFloat(*e.best)
		s.Best = &b
	}
	if e.bestWeights != nil {
		for _, v := range e.bestWeights.vars {
			s.BestWeights = append(s.BestWeights, weightRecord{v.path, v.shape.DType.String(), v.shape.Dimensions, v.data})
		}
	}
	return json.Marshal(s)
}

// SetState implements [Stateful].
func (e *EarlyStopping) SetState(raw json.RawMessage) error {
	var s earlyState
	if err := json.Unmarshal(raw, &s); err != nil {
		return err
	}
	e.wait, e.stoppedEpoch, e.bestEpoch = s.Wait, s.StoppedEpoch, s.BestEpoch
	e.best = nil
	if s.Best != nil {
		b := float64(*s.Best)
		e.best = &b
	}
	e.bestWeights = nil
	if s.BestWeights != nil {
		w := &Weights{}
		for _, r := range s.BestWeights {
			dt, err := parseDType(r.DType)
			if err != nil {
				return err
			}
			w.vars = append(w.vars, savedVar{path: r.Path, shape: shapes.Make(dt, r.Shape...), data: r.Data})
		}
		e.bestWeights = w
	}
	return nil
}

// ModelCheckpoint saves the model after every epoch, with Keras 3's rules:
//
//   - the file name is Filepath formatted with Python's str.format
//     semantics (see [FormatPath]) from epoch (1-based, as Keras) and the
//     epoch's logs, e.g. "weights.{epoch:02d}-{val_loss:.2f}.ckpt";
//   - with SaveBestOnly, it saves only when Monitor improves strictly on
//     the best value so far (which starts at InitialValueThreshold, or ±Inf,
//     and is kept across Fit calls, as in Keras); when the monitored value
//     is missing it warns and saves;
//   - SaveWeightsOnly writes the weights only; otherwise a full checkpoint
//     with optimizer and training state that [Trainer.LoadCheckpoint] can
//     resume from.
//
// Differences from Keras: the files are cnnlab's own format (see the file
// format in the package doc), not HDF5 or .keras zip files, so names
// ending in ".h5" or ".keras" are refused; no extension is required (we
// suggest ".ckpt" and ".weights.ckpt"). Saving happens after all callbacks
// have finished the epoch, so the checkpoint holds their final state for
// that epoch. Files are written atomically.
type ModelCheckpoint struct {
	Filepath              string
	Monitor               string   // default "val_loss"
	Verbose               int      // 1 prints a message per decision
	SaveBestOnly          bool     // save only when Monitor improves
	SaveWeightsOnly       bool     // weights only (no optimizer or training state)
	Mode                  Mode     // default "auto"
	InitialValueThreshold *float64 // initial best value for SaveBestOnly

	best     *float64
	maximize bool
	ready    bool
}

// NewModelCheckpoint returns a ModelCheckpoint writing to filepath with
// Keras's defaults (monitor "val_loss", save every epoch, full model).
func NewModelCheckpoint(filepath string) *ModelCheckpoint {
	return &ModelCheckpoint{Filepath: filepath, Monitor: "val_loss", Mode: Auto}
}

// OnTrainBegin checks the settings.
func (m *ModelCheckpoint) OnTrainBegin(*Trainer) error {
	if m.Filepath == "" {
		return fmt.Errorf("fit: ModelCheckpoint needs a Filepath")
	}
	for _, ext := range []string{".h5", ".keras"} {
		if strings.HasSuffix(m.Filepath, ext) {
			return fmt.Errorf("fit: ModelCheckpoint filepath %q: cnnlab cannot write %s files; use its own format, e.g. a name ending in .ckpt (or .weights.ckpt for weights only)", m.Filepath, ext)
		}
	}
	if m.Monitor == "" {
		m.Monitor = "val_loss"
	}
	var err error
	if m.maximize, err = direction("ModelCheckpoint", m.Monitor, m.Mode); err != nil {
		return err
	}
	if !m.ready {
		if m.InitialValueThreshold != nil {
			b := *m.InitialValueThreshold
			m.best = &b
		} else {
			b := math.Inf(1)
			if m.maximize {
				b = math.Inf(-1)
			}
			m.best = &b
		}
		m.ready = true
	}
	return nil
}

// OnEpochBegin does nothing.
func (m *ModelCheckpoint) OnEpochBegin(*Trainer, int) error { return nil }

// Path returns the file name for the 0-based epoch and its logs.
func (m *ModelCheckpoint) Path(epoch int, logs Logs) (string, error) {
	values := make(map[string]any, len(logs)+1)
	for k, v := range logs {
		values[k] = v
	}
	values["epoch"] = epoch + 1
	return FormatPath(m.Filepath, values)
}

// OnEpochEnd decides whether to save and asks the trainer to write the
// file once the epoch's callbacks are done.
func (m *ModelCheckpoint) OnEpochEnd(t *Trainer, epoch int, logs Logs) error {
	path, err := m.Path(epoch, logs)
	if err != nil {
		return err
	}
	if m.SaveBestOnly {
		current, ok := logs[m.Monitor]
		if ok {
			bestStr := "None"
			if m.best != nil {
				bestStr, _ = formatValue(*m.best, ".5f")
			}
			improved := m.best == nil || (m.maximize && current > *m.best) || (!m.maximize && current < *m.best)
			if !improved {
				if m.Verbose > 0 {
					t.Logf("\nEpoch %d: %s did not improve from %s", epoch+1, m.Monitor, bestStr)
				}
				return nil
			}
			if m.Verbose > 0 {
				cur, _ := formatValue(current, ".5f")
				t.Logf("\nEpoch %d: %s improved from %s to %s, saving model to %s", epoch+1, m.Monitor, bestStr, cur, path)
			}
			c := current
			m.best = &c
		} else {
			t.Logf("WARNING: Can save best model only with %s available.", m.Monitor)
		}
	} else if m.Verbose > 0 {
		t.Logf("\nEpoch %d: saving model to %s", epoch+1, path)
	}
	t.SaveAfterEpoch(path, m.SaveWeightsOnly)
	return nil
}

// OnTrainEnd does nothing.
func (m *ModelCheckpoint) OnTrainEnd(*Trainer, Logs) error { return nil }

// Best returns the best monitored value so far (±Inf before any).
func (m *ModelCheckpoint) Best() float64 {
	if m.best == nil {
		return math.NaN()
	}
	return *m.best
}

type checkpointState struct {
	Best *jsonFloat `json:"best"`
}

// State implements [Stateful].
func (m *ModelCheckpoint) State() (json.RawMessage, error) {
	var s checkpointState
	if m.best != nil {
		b := jsonFloat(*m.best)
		s.Best = &b
	}
	return json.Marshal(s)
}

// SetState implements [Stateful].
func (m *ModelCheckpoint) SetState(raw json.RawMessage) error {
	var s checkpointState
	if err := json.Unmarshal(raw, &s); err != nil {
		return err
	}
	m.best = nil
	if s.Best != nil {
		b := float64(*s.Best)
		m.best = &b
	}
	m.ready = true
	return nil
}

func logKeys(l Logs) string {
	keys := make([]string, 0, len(l))
	for k := range l {
		keys = append(keys, k)
	}
	sortStrings(keys)
	return strings.Join(keys, ",")
}

// jsonFloat is a float64 that encodes ±Inf and NaN as strings.
type jsonFloat float64

func (f jsonFloat) MarshalJSON() ([]byte, error) {
	v := float64(f)
	switch {
	case math.IsInf(v, 1):
		return []byte(`"inf"`), nil
	case math.IsInf(v, -1):
		return []byte(`"-inf"`), nil
	case math.IsNaN(v):
		return []byte(`"nan"`), nil
	}
	return json.Marshal(v)
}

func (f *jsonFloat) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case `"inf"`:
		*f = jsonFloat(math.Inf(1))
	case `"-inf"`:
		*f = jsonFloat(math.Inf(-1))
	case `"nan"`:
		*f = jsonFloat(math.NaN())
	default:
		var v float64
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*f = jsonFloat(v)
	}
	return nil
}
