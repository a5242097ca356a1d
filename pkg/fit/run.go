package fit

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/gomlx/compute"
)

// CallbackSpec declares the Keras callbacks of a training run; [CallbackSpec.Build]
// makes them. It is the one place that builds callbacks for `cnnlab train`,
// the lessons' runner and bench. Each callback prints its messages
// (Keras's verbose=1).
type CallbackSpec struct {
	// Monitor is the value the callbacks watch; "" keeps their default,
	// "val_loss".
	Monitor string
	// ReduceLR, when set, adds ReduceLROnPlateau(factor, patience).
	ReduceLR *ReduceLRSpec
	// EarlyStop, when set, adds EarlyStopping(patience,
	// restore_best_weights).
	EarlyStop *EarlyStopSpec
	// Checkpoints add a ModelCheckpoint each, in order.
	Checkpoints []CheckpointSpec
	// CSVLog, when not "", adds a CSVLogger writing to this path.
	CSVLog string
	// CSVAppend appends to an existing CSVLog (a resumed run).
	CSVAppend bool
}

// ReduceLRSpec configures ReduceLROnPlateau.
type ReduceLRSpec struct {
	Patience int
	Factor   float64
}

// EarlyStopSpec configures EarlyStopping.
type EarlyStopSpec struct {
	Patience    int
	RestoreBest bool
}

// CheckpointSpec configures a ModelCheckpoint.
type CheckpointSpec struct {
	Path        string // a FormatPath template
	BestOnly    bool   // save_best_only
	WeightsOnly bool   // save_weights_only
}

// Build returns the callbacks s declares.
func (s CallbackSpec) Build() []Callback {
	monitor := func(m *string) {
		if s.Monitor != "" {
			*m = s.Monitor
		}
	}
	var cbs []Callback
	if c := s.ReduceLR; c != nil {
		r := NewReduceLROnPlateau()
		r.Patience, r.Factor, r.Verbose = c.Patience, c.Factor, 1
		monitor(&r.Monitor)
		cbs = append(cbs, r)
	}
	if c := s.EarlyStop; c != nil {
		e := NewEarlyStopping()
		e.Patience, e.RestoreBestWeights, e.Verbose = c.Patience, c.RestoreBest, 1
		monitor(&e.Monitor)
		cbs = append(cbs, e)
	}
	for _, c := range s.Checkpoints {
		m := NewModelCheckpoint(c.Path)
		m.SaveBestOnly, m.SaveWeightsOnly = c.BestOnly, c.WeightsOnly
		monitor(&m.Monitor)
		cbs = append(cbs, m)
	}
	if s.CSVLog != "" {
		c := NewCSVLogger(s.CSVLog)
		c.Append = s.CSVAppend
		cbs = append(cbs, c)
	}
	return cbs
}

// Job is one training run, the sequence `cnnlab train`, the lessons'
// runner and bench's epoch share: compile → callbacks → fit (or resume)
// → record → save → evaluate. [Start] compiles, [Run.Resume] loads a
// checkpoint to continue from, [Run.Train] does the rest.
type Job struct {
	Backend compute.Backend
	Model   Model
	Options Options // Keras's compile, plus the seed
	// Callbacks are built by the run and put before Fit.Callbacks.
	Callbacks CallbackSpec
	// Fit configures Trainer.Fit; the run sets its Resume.
	Fit FitOptions
	// Output receives the callbacks' messages; nil discards them.
	Output io.Writer
	// Record, when set, is called after Fit with the History of the epochs
	// trained, also when Fit failed after at least one epoch.
	Record func(*History) error
	// WeightsPath, when set, receives the final weights
	// (Trainer.SaveWeights).
	WeightsPath string
	// TestBatch (0: 32) and TestOptions configure the evaluation of the
	// test data given to [Run.Train].
	TestBatch   int
	TestOptions []EvalOption
	// TestPredictions keeps the class probabilities of the test data
	// (RunResult.TestProbs), computed in the same pass as the test loss
	// and accuracy ([Trainer.EvaluatePredict]).
	TestPredictions bool
}

// Run is a started [Job]: its compiled trainer and, when it resumes, the
// state it resumes from.
type Run struct {
	Trainer *Trainer
	Resumed *TrainState // nil for a fresh run
	job     Job
}

// RunResult is what [Run.Train] produced.
type RunResult struct {
	History *History
	// TestLoss and TestAccuracy are Evaluate's on the test data (zero
	// without it).
	TestLoss, TestAccuracy float64
	// TestProbs are Predict's class probabilities of the test data,
	// [N, NumClasses] row-major, with Job.TestPredictions (nil without).
	TestProbs  []float32
	NumClasses int
}

// Start compiles the job's model.
func Start(job Job) (*Run, error) {
	tr, err := Compile(job.Backend, job.Model, job.Options)
	if err != nil {
		return nil, err
	}
	tr.SetOutput(job.Output)
	return &Run{Trainer: tr, job: job}, nil
}

// Resume loads the checkpoint at path (Trainer.SaveCheckpoint,
// ModelCheckpoint) for Train to continue from, and sets Resumed. With
// ifPresent a missing file is no error: the run starts afresh (a
// checkpoint that a killed run may have left).
func (r *Run) Resume(path string, ifPresent bool) error {
	if ifPresent {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil
		}
	}
	state, err := r.Trainer.LoadCheckpoint(path)
	if err != nil {
		return fmt.Errorf("fit: resuming from %s: %w", path, err)
	}
	r.Resumed = state
	return nil
}

// Train fits the model on train with the job's callbacks (resuming when
// Resume loaded a checkpoint), records the History, saves the final weights
// and evaluates test (unless nil; with Job.TestPredictions, predicting it
// in the same pass), stopping at the first error.
func (r *Run) Train(train, test Data) (*RunResult, error) {
	j, tr := r.job, r.Trainer
	opts := j.Fit
	opts.Callbacks = append(j.Callbacks.Build(), opts.Callbacks...)
	opts.Resume = r.Resumed
	hist, fitErr := tr.Fit(train, opts)
	if j.Record != nil && hist != nil && len(hist.Epochs) > 0 {
		if err := j.Record(hist); err != nil {
			return nil, err
		}
	}
	if fitErr != nil {
		return nil, fitErr
	}
	res := &RunResult{History: hist}
	if j.WeightsPath != "" {
		if err := tr.SaveWeights(j.WeightsPath); err != nil {
			return nil, err
		}
	}
	if test != nil {
		ev, err := tr.evaluate(test, j.TestBatch, j.TestOptions, j.TestPredictions)
		if err != nil {
			return nil, err
		}
		res.TestLoss, res.TestAccuracy, res.TestProbs, res.NumClasses = ev.Loss, ev.Accuracy, ev.Probs, ev.NumClasses
	}
	return res, nil
}
