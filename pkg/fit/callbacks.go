package fit

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/cnnlab/cnnlab/internal/jsonfloat"
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

// KerasVersion is the Keras release whose callback rules
// (keras/src/callbacks) ReduceLROnPlateau, EarlyStopping, ModelCheckpoint,
// LearningRateScheduler and CSVLogger follow.
const KerasVersion = "3.16"

// monitor is Keras 3's MonitorCallback: which way a monitored value should
// go, and whether a value improves on a reference.
type monitor struct {
	maximize bool
	minDelta float64 // |min_delta|
}

// newMonitor resolves mode for the monitored name as Keras 3's
// MonitorCallback does: "loss" and "val_loss" (and, beyond Keras, any name
// ending in "loss") go down; "accuracy"/"val_accuracy" (the accuracy
// metric's direction is "up") go up; other names need an explicit mode.
func newMonitor(cb, name string, mode Mode, minDelta float64) (monitor, error) {
	m := monitor{minDelta: math.Abs(minDelta)}
	switch mode {
	case Min:
	case Max:
		m.maximize = true
	case Auto, "":
		metric := strings.TrimPrefix(name, "val_")
		switch {
		case metric == "loss" || strings.HasSuffix(metric, "_loss"):
		case metric == "accuracy" || metric == "acc":
			m.maximize = true
		default:
			return m, fmt.Errorf("fit: %s cannot tell whether %q should be minimized or maximized: set Mode to \"min\" or \"max\"", cb, name)
		}
	default:
		return m, fmt.Errorf("fit: %s: unknown mode %q (want \"auto\", \"min\" or \"max\")", cb, mode)
	}
	return m, nil
}

// improves reports whether current improves on ref (always, when ref is
// unset: Keras's None): current − min_delta > ref to maximize, current +
// min_delta < ref to minimize, compared in float32 as Keras 3 does on its
// TensorFlow, JAX and PyTorch backends (ops.less and ops.greater convert
// their arguments to float32 tensors; Keras's numpy backend would compare in
// float64). A NaN never improves on a reference, nor is improved on.
func (m monitor) improves(current float64, ref *float64) bool {
	if ref == nil {
		return true
	}
	if m.maximize {
		return float32(current-m.minDelta) > float32(*ref)
	}
	return float32(current+m.minDelta) < float32(*ref)
}

// ReduceLROnPlateau multiplies the learning rate by Factor when Monitor
// has not improved for Patience epochs, with Keras 3.16's rules:
//
//   - improvement: current + MinDelta < best ("min") or current − MinDelta
//     > best ("max"), compared in float32; "auto" minimizes losses and
//     maximizes accuracies (see [EarlyStopping]); best starts unset at the
//     start of Fit, so the first monitored value always counts (even NaN or
//     ±Inf);
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

	best            *float64
	wait            int
	cooldownCounter int
	mon             monitor
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
	var err error
	if r.mon, err = newMonitor("ReduceLROnPlateau", r.Monitor, r.Mode, r.MinDelta); err != nil {
		return err
	}
	r.best, r.wait, r.cooldownCounter = nil, 0, 0
	return nil
}

// OnEpochBegin does nothing.
func (r *ReduceLROnPlateau) OnEpochBegin(*Trainer, int) error { return nil }

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
	if r.mon.improves(current, r.best) {
		r.best = &current
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

// Best returns the best monitored value seen, and false before any.
func (r *ReduceLROnPlateau) Best() (float64, bool) { return deref(r.best) }

type plateauState struct {
	Best     *jsonfloat.Float `json:"best"`
	Wait     int              `json:"wait"`
	Cooldown int              `json:"cooldown_counter"`
}

// State implements [Stateful].
func (r *ReduceLROnPlateau) State() (json.RawMessage, error) {
	return json.Marshal(plateauState{toJSON(r.best), r.wait, r.cooldownCounter})
}

// SetState implements [Stateful].
func (r *ReduceLROnPlateau) SetState(raw json.RawMessage) error {
	var s plateauState
	if err := json.Unmarshal(raw, &s); err != nil {
		return err
	}
	r.best, r.wait, r.cooldownCounter = fromJSON(s.Best), s.Wait, s.Cooldown
	return nil
}

// deref returns *p and whether p is set.
func deref(p *float64) (float64, bool) {
	if p == nil {
		return 0, false
	}
	return *p, true
}

// toJSON and fromJSON convert an optional value for checkpoints.
func toJSON(p *float64) *jsonfloat.Float {
	if p == nil {
		return nil
	}
	f := jsonfloat.Float(*p)
	return &f
}

func fromJSON(p *jsonfloat.Float) *float64 {
	if p == nil {
		return nil
	}
	f := float64(*p)
	return &f
}

// EarlyStopping stops training when Monitor has stopped improving, with
// Keras 3.16's rules:
//
//   - epochs before StartFromEpoch, and epochs without the monitored value,
//     are ignored;
//   - improvement: current - MinDelta > best ("max") or current + MinDelta
//     < best ("min"), MinDelta taken as its absolute value, compared in
//     float32 (Keras's TensorFlow, JAX and PyTorch backends); the first
//     monitored epoch always improves (best starts unset); "auto" minimizes
//     "loss", "val_loss" and (beyond Keras) any name ending in "loss", and
//     maximizes "accuracy"/"val_accuracy"; other names need a Mode;
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
	mon          monitor
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
	if e.mon, err = newMonitor("EarlyStopping", e.Monitor, e.Mode, e.MinDelta); err != nil {
		return err
	}
	e.wait, e.stoppedEpoch, e.best, e.bestWeights, e.bestEpoch = 0, 0, nil, nil, 0
	return nil
}

// OnEpochBegin does nothing.
func (e *EarlyStopping) OnEpochBegin(*Trainer, int) error { return nil }

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
	if e.mon.improves(current, e.best) {
		c := current
		e.best, e.bestEpoch = &c, epoch
		if e.RestoreBestWeights {
			w, err := t.GetWeights()
			if err != nil {
				return err
			}
			e.bestWeights = w
		}
		if e.Baseline == nil || e.mon.improves(current, e.Baseline) {
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
func (e *EarlyStopping) Best() (float64, bool) { return deref(e.best) }

type weightRecord struct {
	Path  string `json:"path"`
	DType string `json:"dtype"`
	Shape []int  `json:"shape"`
	Data  []byte `json:"data"`
}

type earlyState struct {
	Wait         int              `json:"wait"`
	StoppedEpoch int              `json:"stopped_epoch"`
	Best         *jsonfloat.Float `json:"best"`
	BestEpoch    int              `json:"best_epoch"`
	BestWeights  []weightRecord   `json:"best_weights,omitempty"`
}

// State implements [Stateful]; it includes the best weights when
// RestoreBestWeights is set.
func (e *EarlyStopping) State() (json.RawMessage, error) {
	s := earlyState{Wait: e.wait, StoppedEpoch: e.stoppedEpoch, BestEpoch: e.bestEpoch, Best: toJSON(e.best)}
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
	e.wait, e.stoppedEpoch, e.bestEpoch, e.best = s.Wait, s.StoppedEpoch, s.BestEpoch, fromJSON(s.Best)
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
//     the best value so far, compared in float32 as in EarlyStopping (best
//     starts at InitialValueThreshold, or unset so that the first value
//     always saves, even NaN or ±Inf, and is kept across Fit calls, as in
//     Keras); when the monitored value is missing it warns and saves;
//   - SaveWeightsOnly writes the weights only; otherwise a full checkpoint
//     with optimizer and training state that [Trainer.LoadCheckpoint] can
//     resume from.
//
// Differences from Keras: the files are cnnlab's own format (see the file
// format in the package doc), not HDF5 or .keras zip files, so names
// ending in ".h5", ".hdf5" or ".keras" are refused; no extension is required (we
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

	best  *float64
	mon   monitor
	ready bool
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
	for _, ext := range []string{".h5", ".hdf5", ".keras"} {
		if strings.HasSuffix(m.Filepath, ext) {
			return fmt.Errorf("fit: ModelCheckpoint filepath %q: cnnlab cannot write %s files; use its own format, e.g. a name ending in .ckpt (or .weights.ckpt for weights only)", m.Filepath, ext)
		}
	}
	if m.Monitor == "" {
		m.Monitor = "val_loss"
	}
	var err error
	if m.mon, err = newMonitor("ModelCheckpoint", m.Monitor, m.Mode, 0); err != nil {
		return err
	}
	if !m.ready {
		m.best = nil
		if m.InitialValueThreshold != nil {
			b := *m.InitialValueThreshold
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
			if !m.mon.improves(current, m.best) {
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

// Best returns the best monitored value so far, and false before any.
func (m *ModelCheckpoint) Best() (float64, bool) { return deref(m.best) }

type checkpointState struct {
	Best *jsonfloat.Float `json:"best"`
}

// State implements [Stateful].
func (m *ModelCheckpoint) State() (json.RawMessage, error) {
	return json.Marshal(checkpointState{Best: toJSON(m.best)})
}

// SetState implements [Stateful].
func (m *ModelCheckpoint) SetState(raw json.RawMessage) error {
	var s checkpointState
	if err := json.Unmarshal(raw, &s); err != nil {
		return err
	}
	m.best, m.ready = fromJSON(s.Best), true
	return nil
}

func logKeys(l Logs) string {
	keys := make([]string, 0, len(l))
	for k := range l {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return strings.Join(keys, ",")
}
