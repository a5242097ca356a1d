package experiment

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/cnnlab/cnnlab/internal/atomicfile"
	"github.com/cnnlab/cnnlab/pkg/fit"
)

// Results is what a lesson measured: results.json.
type Results struct {
	Lesson   string   `json:"lesson"`
	Number   int      `json:"number"`
	Title    string   `json:"title"`
	Korean   string   `json:"korean"`
	About    string   `json:"about"`
	Settings Settings `json:"settings"`
	// Planned is the number of runs of the lesson; Runs holds those
	// finished, in plan order.
	Planned  int         `json:"planned_runs"`
	Runs     []RunResult `json:"runs"`
	Facts    []Fact      `json:"facts"`
	Verdicts []Verdict   `json:"verdicts"`
	Machine  Machine     `json:"machine"`
	Version  string      `json:"cnnlab_version"`
}

// Complete reports whether every planned run has finished.
func (r *Results) Complete() bool { return len(r.Runs) == r.Planned }

// Machine says where the runs ran (of the process that wrote the file;
// each run records its own too).
type Machine struct {
	Backend string `json:"backend"` // e.g. "go (go:parallelism=-1, from default; simd on; conv kernel avx512; 2 CPUs)"
	CPU     string `json:"cpu"`     // model and SIMD flags
}

// RunResult is one finished run: runs/KEY.json.
type RunResult struct {
	Lesson string  `json:"lesson"`
	Index  int     `json:"index"` // position in the lesson's plan
	Key    string  `json:"key"`
	Run    RunSpec `json:"run"` // the run's declaration, with the model described
	Seed   int64   `json:"seed"`
	// Preset names the settings the run used; a folder holds the runs of
	// one preset.
	Preset  Preset       `json:"preset"`
	History *fit.History `json:"history"` // Keras's history, one entry per epoch
	Split   fit.Split    `json:"split"`   // the training and validation images used
	Test    int          `json:"test_images"`
	Order   string       `json:"order"` // how the training images were ordered in each epoch

	TestLoss     Float `json:"test_loss"`
	TestAccuracy Float `json:"test_accuracy"`
	// BestEpoch (1-based) and BestTestAccuracy are those of the best
	// epoch's checkpoint (lowest val_loss), with Run.CheckpointBest.
	BestEpoch        int   `json:"best_epoch,omitempty"`
	BestTestAccuracy Float `json:"best_test_accuracy,omitempty"`
	// Confusion[true][predicted] counts the test images.
	Confusion [10][10]int `json:"confusion"`

	Params       int     `json:"params"` // trainable
	NonTrainable int     `json:"non_trainable_params"`
	FLOPs        int64   `json:"flops"`         // forward FLOPs of one image
	EpochSeconds float64 `json:"epoch_seconds"` // mean wall time of an epoch, validation included
	Seconds      float64 `json:"seconds"`       // the whole run, test included (with the epochs of processes stopped before)
	Backend      string  `json:"backend"`
	CPU          string  `json:"cpu"`
	Version      string  `json:"cnnlab_version"`
	// SharedRun is the run's identity ([RunID]) when it was trained or
	// reused with a shared folder of runs; ReusedFrom names the lesson
	// and run ("first-cnn/00-baseline-seed42") that trained it when this
	// lesson copied it instead of training it.
	SharedRun  string `json:"shared_run,omitempty"`
	ReusedFrom string `json:"reused_from,omitempty"`
	// ConvKernelCalls counts the convolutions that the patched Go
	// backend's kernel (backend.ConvKernel) ran during the run: 0 when it
	// did not run (released GoMLX, another backend, or --backend-conv=false).
	ConvKernelCalls int64 `json:"conv_kernel_calls"`
}

// Final returns the value of key at the last epoch (NaN if missing).
func (r *RunResult) Final(key string) float64 {
	v := r.History.Get(key)
	if len(v) == 0 {
		return nan
	}
	return v[len(v)-1]
}

// Fact is a value, table or figure that a lesson computes besides its
// runs.
type Fact struct {
	Name  string `json:"name"`
	Title string `json:"title"`
	Text  string `json:"text,omitempty"` // Markdown
	// Values holds named numbers (e.g. "sparse_loss"), which claims and
	// checks read; Labels names some of them in words (from
	// [FactSpec].Labels), for verdicts.
	Values map[string]float64 `json:"values,omitempty"`
	Labels map[string]string  `json:"labels,omitempty"`
	Table  *Table             `json:"table,omitempty"`
	// Series are lines to plot (x, y), e.g. activation spread by depth.
	Series []Series `json:"series,omitempty"`
	XLabel string   `json:"x_label,omitempty"`
	YLabel string   `json:"y_label,omitempty"`
	// PNG is an image (e.g. a grid of test images), shown as is.
	PNG []byte `json:"png,omitempty"`
}

// Table is a small table of text cells.
type Table struct {
	Header []string   `json:"header"`
	Rows   [][]string `json:"rows"`
}

// Series is one line of a figure.
type Series struct {
	Name string    `json:"name"`
	X    []float64 `json:"x"`
	Y    []float64 `json:"y"`
}

// RunsFolder is the folder of the per-run files inside a lesson's folder.
const RunsFolder = "runs"

// writeJSON writes v as indented JSON to path, atomically.
func writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("experiment: encoding %s: %w", filepath.Base(path), err)
	}
	return atomicfile.WriteBytes(path, append(data, '\n'))
}

// readRuns reads the finished runs in dir/runs, in plan order.
func ReadRuns(dir string) ([]RunResult, error) {
	files, err := filepath.Glob(filepath.Join(dir, RunsFolder, "*.json"))
	if err != nil {
		return nil, err
	}
	var runs []RunResult
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("experiment: %w", err)
		}
		var r RunResult
		if err := json.Unmarshal(raw, &r); err != nil {
			return nil, fmt.Errorf("experiment: reading %s: %w (delete it to run it again)", f, err)
		}
		if err := r.check(f); err != nil {
			return nil, fmt.Errorf("experiment: %s is not a finished run: %w (delete it to run it again)", f, err)
		}
		runs = append(runs, r)
	}
	slices.SortFunc(runs, func(a, b RunResult) int { return a.Index - b.Index })
	return runs, nil
}

// check rejects what is not a finished run as the runner writes them to
// file: its key must be the file's name, and it must name its lesson and
// preset and hold at least one epoch.
func (r *RunResult) check(file string) error {
	want := strings.TrimSuffix(filepath.Base(file), ".json")
	switch {
	case r.Key != want:
		return fmt.Errorf("its key is %q, not the file's name %q", r.Key, want)
	case r.Lesson == "":
		return errors.New("it names no lesson")
	case r.Index < 0:
		return fmt.Errorf("its index %d is negative", r.Index)
	case r.History == nil || len(r.History.Epochs) == 0:
		return errors.New("it holds no epoch")
	}
	if _, err := SettingsFor(string(r.Preset)); err != nil {
		return err
	}
	return nil
}

// ReadResults reads dir/results.json. When there is none, the error
// matches fs.ErrNotExist (errors.Is).
func ReadResults(dir string) (*Results, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "results.json"))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, noResultsError(dir)
		}
		return nil, fmt.Errorf("experiment: %w", err)
	}
	var r Results
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, fmt.Errorf("experiment: reading %s: %w", filepath.Join(dir, "results.json"), err)
	}
	return &r, nil
}

// noResultsError is ReadResults's error for a folder without
// results.json: it names the folder and unwraps to fs.ErrNotExist.
type noResultsError string

func (dir noResultsError) Error() string {
	return fmt.Sprintf("experiment: %s holds no results.json: run the lesson first", string(dir))
}

func (noResultsError) Unwrap() error { return fs.ErrNotExist }

// FolderLesson returns the lesson and preset of the runs in a lesson's
// folder (from results.json, or else from its run files).
func FolderLesson(dir string) (lesson string, preset Preset, err error) {
	if r, err := ReadResults(dir); err == nil {
		return r.Lesson, r.Settings.Preset, nil
	}
	runs, err := ReadRuns(dir)
	if err != nil {
		return "", "", err
	}
	if len(runs) == 0 {
		return "", "", fmt.Errorf("experiment: %s holds no lesson results", dir)
	}
	return runs[0].Lesson, runs[0].Preset, nil
}
