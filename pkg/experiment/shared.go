package experiment

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/cnnlab/cnnlab/cifar"
	"github.com/cnnlab/cnnlab/internal/atomicfile"
	"github.com/cnnlab/cnnlab/pkg/nn"
)

// Runs shared between lessons: the baseline at a preset and seed is the
// control of most lessons, and several lessons train other identical runs.
// Each run has an identity computed from everything that decides what it
// trains ([RunID]); with Options.Shared, a run trained once is kept in
// SHARED/ID/ (run.json, weights.ckpt, identity.json) and every later
// lesson planning a run of the same identity copies it instead of
// training it again: its record, and its weights where they are there
// (committed results keep none; Env.Trained trains the run again when a
// fact needs them). The one exception is a run whose time per epoch the
// lesson compares, recorded on another machine than the one the lesson
// times that comparison on: it is trained again, and that training stays
// the lesson's own (the shared run stays the first training, so that the
// lessons reusing it all show the same numbers).

// SharedFolder is the folder of shared runs beside the lessons' folders
// of one preset: ROOT/PRESET/_runs.
const SharedFolder = "_runs"

// LessonDir returns the folder of a lesson's results at preset p under
// root, ROOT/PRESET/NAME: where `cnnlab lesson run NAME --out ROOT` writes
// them, and results/PRESET/NAME in the checkout for the committed ones.
func LessonDir(root string, p Preset, name string) string {
	return filepath.Join(root, string(p), name)
}

// SharedDir returns the shared folder of the lessons beside lessonDir:
// ROOT/PRESET/_runs for ROOT/PRESET/NAME.
func SharedDir(lessonDir string) string {
	return filepath.Join(filepath.Dir(filepath.Clean(lessonDir)), SharedFolder)
}

// identityVersion changes when what a run trains changes for the same
// settings (new fields in the identity, a fix in training), so that old
// shared runs are not reused.
const identityVersion = 1

// runIdentity is what decides a run's numbers: its model, its training
// settings, its seed, the preset's sizes and the images.
type runIdentity struct {
	Version int `json:"version"`
	// Model is the model's declaration (every layer's settings) without
	// its name, and Arch its description, which names the initializer
	// too.
	Model          json.RawMessage `json:"model"`
	Arch           string          `json:"arch"`
	Scaling        string          `json:"scaling"`
	Order          string          `json:"order"`
	BatchSize      int             `json:"batch_size"`
	Epochs         int             `json:"epochs"`
	LearningRate   float64         `json:"learning_rate"`
	Schedule       string          `json:"schedule"`
	ReduceLR       *ReduceLR       `json:"reduce_lr"`
	EarlyStop      *EarlyStop      `json:"early_stop"`
	CheckpointBest bool            `json:"checkpoint_best"`
	// Recipe is the run's recipe, when it has one (absent otherwise, so
	// that the identities of the other runs are unchanged).
	Recipe *nn.Recipe `json:"recipe,omitempty"`
	Seed   int64      `json:"seed"`
	// Sizes are the preset's settings, less the number of seeds (which
	// decides how many runs there are, not what one trains).
	Sizes Settings `json:"sizes"`
	// Data is a SHA-256 of the training and test images and labels of the
	// preset's subsets.
	Data string `json:"data"`
}

// identity returns the identity of a prepared run.
func (e *Env) identity(q *prepared) (runIdentity, error) {
	d := q.model.Declare()
	d.Name = ""
	model, err := json.Marshal(d)
	if err != nil {
		return runIdentity{}, fmt.Errorf("encoding the model's declaration: %w", err)
	}
	sizes := e.Settings
	sizes.Seeds = 0
	return runIdentity{Version: identityVersion, Model: model, Arch: e.Settings.Sized(q.Run.Arch).String(),
		Scaling: q.Run.Scaling, Order: q.Run.Order, BatchSize: q.batch, Epochs: q.epochs, LearningRate: q.lr,
		Schedule: q.Run.ScheduleName, ReduceLR: q.Run.ReduceLR, EarlyStop: q.Run.EarlyStop,
		CheckpointBest: q.Run.CheckpointBest, Recipe: q.Run.Recipe, Seed: q.Seed, Sizes: sizes, Data: e.dataID()}, nil
}

// RunID returns the identity of a lesson's planned run at settings s
// with data (a hexadecimal hash): runs of equal identity train the same
// model with the same settings, seed and images, whatever their lesson
// and label. It needs the data to draw the preset's subsets.
func RunID(l *Lesson, s Settings, data *cifar.Data, p Planned) (string, error) {
	e := &Env{Lesson: l, Settings: s, Data: data}
	e.Train = data.Train.Sample(s.Train, s.DataSeed)
	e.Test = data.Test.Sample(s.Test, s.DataSeed)
	q, err := e.prepare(p)
	if err != nil {
		return "", err
	}
	return e.runID(q)
}

// runID returns the hash of a prepared run's identity.
func (e *Env) runID(q *prepared) (string, error) {
	id, err := e.identity(q)
	if err != nil {
		return "", err
	}
	raw, err := json.Marshal(id)
	if err != nil {
		return "", fmt.Errorf("encoding a run's identity: %w", err)
	}
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:16]), nil
}

// dataID returns (once per Env) a SHA-256 of the preset's training and
// test subsets, images and labels.
func (e *Env) dataID() string {
	if e.dataHash != "" {
		return e.dataHash
	}
	h := sha256.New()
	for _, d := range []*cifar.Dataset{e.Train, e.Test} {
		var n [8]byte
		binary.LittleEndian.PutUint64(n[:], uint64(d.Len()))
		h.Write(n[:])
		h.Write(d.Images)
		h.Write(d.Labels)
	}
	e.dataHash = hex.EncodeToString(h.Sum(nil))
	return e.dataHash
}

// The files of a shared run in SHARED/ID/.
const (
	sharedRecord   = "run.json"
	sharedWeights  = "weights.ckpt"
	sharedIdentity = "identity.json"
)

// reuse copies the shared run of q's identity, if shared holds one, into
// the lesson's folder as q's run (its record, and its final weights when
// the shared folder has them), and reports whether it did.
func (e *Env) reuse(q *prepared, shared string) (bool, error) {
	if shared == "" {
		return false, nil
	}
	id, err := e.runID(q)
	if err != nil {
		return false, err
	}
	dir := filepath.Join(shared, id)
	raw, err := os.ReadFile(filepath.Join(dir, sharedRecord))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	var res RunResult
	if err := json.Unmarshal(raw, &res); err != nil {
		return false, fmt.Errorf("reading the shared run %s: %w (delete it to train the run again)", dir, err)
	}
	if res.History == nil || len(res.History.Epochs) == 0 || res.SharedRun != id {
		return false, fmt.Errorf("the shared run %s is not a finished run of this identity (delete it to train the run again)", dir)
	}
	// A time compared in this lesson is compared on one machine: a
	// record timed elsewhere is trained again here when the lesson's
	// other runs of the claim are timed here (for this lesson only:
	// publish keeps the shared run as it is).
	if want, ok, err := e.timedOn(q); err != nil {
		return false, err
	} else if ok && want == e.machine() && MachineOf(&res) != want {
		return false, nil
	}
	// Committed results keep no weights: the record alone is enough for
	// the lesson's verdicts, and Env.Trained trains the run again when a
	// fact needs its weights.
	weights := true
	if _, err := os.Stat(filepath.Join(dir, sharedWeights)); errors.Is(err, fs.ErrNotExist) {
		weights = false
	}
	from := res.Lesson + "/" + res.Key
	if res.ReusedFrom != "" {
		from = res.ReusedFrom
	}
	// The record as this lesson declares the run; the model keeps the
	// name its weights were saved with (Env.Trained reads it).
	model := res.Run.Model
	res.Run = q.Run
	res.Run.Model = model
	res.Lesson, res.Index, res.Key, res.Seed, res.ReusedFrom = e.Lesson.Name, q.Index, q.Key(), q.Seed, from
	base := filepath.Join(e.Dir, RunsFolder, q.Key())
	// A training of this run killed before, here, is not resumed.
	if err := os.Remove(base + ".resume.ckpt"); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, err
	}
	if weights {
		if err := copyFile(filepath.Join(dir, sharedWeights), base+".weights.ckpt"); err != nil {
			return false, err
		}
	}
	if err := writeJSON(base+".json", &res); err != nil {
		return false, err
	}
	return true, nil
}

// timedOn returns the machine ([MachineOf]) that the run q must be timed
// on, and whether it must: when one of the lesson's claims compares a time
// (Metric.Timed) of q's label, the machine of the lesson's finished runs
// of that claim and seed, or this machine when there are none.
func (e *Env) timedOn(q *prepared) (string, bool, error) {
	labels := e.timedWith(q.Run.Label)
	if labels == nil {
		return "", false, nil
	}
	runs, err := ReadRuns(e.Dir)
	if err != nil {
		return "", false, err
	}
	for i := range runs {
		r := &runs[i]
		if r.Seed == q.Seed && r.Key != q.Key() && slices.Contains(labels, r.Run.Label) {
			return MachineOf(r), true, nil
		}
	}
	return e.machine(), true, nil
}

// timedWith returns the labels of the runs that the lesson's claims on a
// time (Metric.Timed) compare with the runs labelled label, label's
// included; nil when no such claim reads label.
func (e *Env) timedWith(label string) []string {
	var labels []string
	for _, c := range e.Lesson.Claims {
		if c.Metric.Timed && (slices.Contains(c.A, label) || slices.Contains(c.B, label)) {
			labels = append(append(labels, c.A...), c.B...)
		}
	}
	return labels
}

// machine returns this process's machine as [MachineOf] names it.
func (e *Env) machine() string {
	return MachineOf(&RunResult{CPU: e.Info.CPU.String(), Backend: e.Info.String()})
}

// MachineOf names the machine a run was timed on: its CPU (model and SIMD
// flags) and its backend, less where the backend's choice came from
// ("from default", "from $GOMLX_BACKEND"), which changes no time. Times
// compare only between runs of one machine.
func MachineOf(r *RunResult) string {
	backend := r.Backend
	if i := strings.Index(backend, ", from "); i >= 0 {
		if j := strings.IndexByte(backend[i:], ';'); j >= 0 {
			backend = backend[:i] + backend[i+j:]
		}
	}
	return r.CPU + " | " + backend
}

// publish puts a run just trained into the shared folder, under its
// identity: it writes the folder's files into a temporary folder and
// renames it into place, so that readers see a whole shared run or none.
// When another process published the same identity first, that one stays.
func (e *Env) publish(q *prepared, res *RunResult, shared string) error {
	dir := filepath.Join(shared, res.SharedRun)
	if _, err := os.Stat(dir); err == nil {
		// Published before, and trained again here to be timed on this
		// machine (reuse). The shared run stays the first training, so
		// that every lesson reusing it shows the same numbers; the new
		// record and weights stay in this lesson's folder.
		return nil
	}
	if err := os.MkdirAll(shared, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(shared, ".tmp-"+res.SharedRun+"-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp) // gone after the rename; left over otherwise
	if err := copyFile(filepath.Join(e.Dir, RunsFolder, res.Key+".weights.ckpt"), filepath.Join(tmp, sharedWeights)); err != nil {
		return err
	}
	if err := writeJSON(filepath.Join(tmp, sharedRecord), res); err != nil {
		return err
	}
	id, err := e.identity(q)
	if err != nil {
		return err
	}
	if err := writeJSON(filepath.Join(tmp, sharedIdentity), id); err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		if _, statErr := os.Stat(dir); statErr == nil {
			return nil // another process published it first
		}
		return err
	}
	return nil
}

// copyFile copies src to dst atomically: a hard link when both are on one
// file system (shared runs are never rewritten in place), else a copy.
func copyFile(src, dst string) error {
	tmp := dst + ".link"
	_ = os.Remove(tmp)
	if err := os.Link(src, tmp); err == nil {
		return os.Rename(tmp, dst)
	}
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return atomicfile.WriteBytes(dst, data)
}
