package experiment

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// RunTiming is the measured cost of one of a lesson's runs, trained for a
// few epochs, and what it projects for the run's whole length.
type RunTiming struct {
	Label string `json:"label"`
	// Runs is the number of the lesson's planned runs with these
	// settings (one per seed); Epochs the epochs each trains.
	Runs   int `json:"runs"`
	Epochs int `json:"epochs"`
	// TimedEpochs were trained, EpochSeconds is their mean wall time
	// (training and validation), and FixedSeconds the rest of the timed
	// run: building the model, starting the fit, writing the weights and
	// the test evaluation, paid once per run.
	TimedEpochs  int     `json:"timed_epochs"`
	EpochSeconds float64 `json:"epoch_seconds"`
	FixedSeconds float64 `json:"fixed_seconds"`
	// Reused is true when a run with the same identity ([RunID]) was
	// timed earlier by the same [Timer] (the baseline most lessons share).
	Reused bool `json:"reused,omitempty"`
}

// Seconds returns the projected wall time of one whole run: the fixed
// part once and the epoch time for each of its epochs.
func (t RunTiming) Seconds() float64 { return t.FixedSeconds + float64(t.Epochs)*t.EpochSeconds }

// Timing is the projected wall time of a lesson at a preset on the machine
// that measured it.
type Timing struct {
	Lesson  string      `json:"lesson"`
	Preset  Preset      `json:"preset"`
	Machine Machine     `json:"machine"`
	Runs    []RunTiming `json:"runs"` // one per distinct run, in plan order
}

// Seconds returns the projected wall time of the whole lesson, every
// planned run counted as trained (none reused from other lessons). A run
// that stops early (EarlyStopping) takes less: the projection is then an
// upper bound.
func (t *Timing) Seconds() float64 {
	var s float64
	for _, r := range t.Runs {
		s += float64(r.Runs) * r.Seconds()
	}
	return s
}

// Timer projects the wall time of lessons without running them whole: it
// trains the first seed of each of a lesson's distinct runs for Epochs
// epochs (the preset's images, model and batch size; test evaluation
// included) and scales the epoch time to the run's epochs. Lessons timed
// by one Timer time each run identity once.
type Timer struct {
	// Epochs is the number of epochs each distinct run trains (0: 1).
	// The first epoch also compiles the model's graphs, so one epoch errs
	// a little on the long side.
	Epochs int
	timed  map[string]RunTiming // by RunID
}

// Time times lesson l under o: o.Preset, o.Seeds and o.Data as for [Run]
// (o.Shard, o.Shared and o.AfterRun are ignored). The timed runs are
// written to a temporary folder under o.Out, removed afterwards; nothing
// else is written.
func (tm *Timer) Time(l *Lesson, o Options) (*Timing, error) {
	if o.Out == "" {
		return nil, errors.New("experiment: no output folder")
	}
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return nil, fmt.Errorf("experiment: %w", err)
	}
	scratch, err := os.MkdirTemp(o.Out, "timing-"+l.Name+"-")
	if err != nil {
		return nil, fmt.Errorf("experiment: %w", err)
	}
	defer os.RemoveAll(scratch)
	o.Out, o.Shared, o.Shard, o.AfterRun = scratch, "", Shard{}, nil
	e, err := newEnv(l, o)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(e.Dir, RunsFolder), 0o755); err != nil {
		return nil, fmt.Errorf("experiment: %w", err)
	}
	t := &Timing{Lesson: l.Name, Preset: e.Settings.Preset, Machine: Machine{Backend: e.Info.String(), CPU: e.Info.CPU.String()}}
	plan := l.Plan(e.Settings)
	if len(plan) > 0 && e.Data == nil {
		return nil, errors.New("experiment: no dataset to train on")
	}
	if tm.timed == nil {
		tm.timed = map[string]RunTiming{}
	}
	epochs := max(tm.Epochs, 1)
	distinct := map[string]bool{}
	for _, p := range plan {
		distinct[p.Run.Label] = true
	}
	index := map[string]int{} // label → position in t.Runs
	for _, p := range plan {
		if j, ok := index[p.Run.Label]; ok {
			t.Runs[j].Runs++
			continue
		}
		q, err := e.prepare(p)
		if err != nil {
			return nil, fmt.Errorf("experiment: %s run %s: %w", l.Name, p.Key(), err)
		}
		id, err := e.runID(q)
		if err != nil {
			return nil, err
		}
		rt, ok := tm.timed[id]
		if ok {
			rt.Reused = true
		} else {
			if o.Progress != nil {
				o.Progress(RunProgress{Lesson: l.Name, Run: p, Number: len(t.Runs) + 1, Total: len(distinct)})
			}
			if rt, err = e.time(q, o, epochs); err != nil {
				return nil, fmt.Errorf("experiment: %s run %s: %w", l.Name, p.Key(), err)
			}
			tm.timed[id] = rt
		}
		rt.Label, rt.Runs = p.Run.Label, 1
		index[p.Run.Label] = len(t.Runs)
		t.Runs = append(t.Runs, rt)
	}
	return t, nil
}

// time trains run q for at most epochs epochs and measures it from the
// run's result: its mean epoch time and its whole wall time.
func (e *Env) time(q *prepared, o Options, epochs int) (RunTiming, error) {
	rt := RunTiming{Epochs: q.epochs}
	q.epochs = min(epochs, q.epochs)
	res, err := e.train(q, o)
	if err != nil {
		return rt, err
	}
	rt.TimedEpochs = len(res.History.Epochs)
	if rt.TimedEpochs == 0 {
		return rt, errors.New("no epoch trained")
	}
	rt.EpochSeconds = res.EpochSeconds
	rt.FixedSeconds = max(res.Seconds-float64(rt.TimedEpochs)*res.EpochSeconds, 0)
	return rt, nil
}
