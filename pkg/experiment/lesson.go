package experiment

import (
	"fmt"
	"strings"

	"github.com/cnnlab/cnnlab/pkg/fit"
	"github.com/cnnlab/cnnlab/pkg/nn"
)

// Lesson is one lesson of a course: its runs, facts and claims, which
// [Run] trains, computes and judges.
type Lesson struct {
	Number int    // course order, from 1
	Name   string // CLI name, e.g. "batchnorm"
	Title  string // English title
	Korean string // the course's own section title
	// About says in a few sentences what the course does and what the
	// lesson measures (Markdown).
	About string
	// Runs declares the training runs for a preset's settings; nil for a
	// lesson without training.
	Runs func(s Settings) []RunSpec
	// Facts are the values, tables and figures the lesson shows besides
	// its runs, computed once every run has finished.
	Facts []FactSpec
	// Claims are the course's claims that the verdicts check.
	Claims []Claim
	// Measured holds the lesson's measured wall times in minutes by
	// preset (see [Lesson.Minutes]); a preset missing has not been
	// measured.
	Measured map[Preset]float64
}

// Minutes returns the measured wall time of the lesson in preset p, in
// minutes, and whether it was measured.
func (l *Lesson) Minutes(p Preset) (float64, bool) {
	m, ok := l.Measured[p]
	return m, ok
}

// FactSpec declares one fact of a lesson: its name (which claims and
// notebooks use), its title, and the function that computes the rest.
type FactSpec struct {
	Name, Title string
	Compute     func(e *Env) (Fact, error)
	// Labels names in words the values that claims read, e.g.
	// "params_inline": "parameters with the activation inline"; verdicts
	// show these instead of the keys.
	Labels map[string]string
}

// RunSpec declares one training run. Zero fields take the preset's settings
// (the course's batch size, learning rate, epochs; /255 scaling; shuffled
// epochs; no callbacks).
type RunSpec struct {
	Label        string  `json:"label"`                   // names the run in tables, legends and claims
	Arch         nn.Arch `json:"-"`                       // the model; its Width is the preset's
	Model        string  `json:"model"`                   // describes Arch, for results.json (set by the runner)
	Scaling      string  `json:"scaling,omitempty"`       // "" (/255), "minmax" or "zscore", computed on the training images
	BatchSize    int     `json:"batch_size,omitempty"`    // 0: the preset's (the course's 64)
	Epochs       int     `json:"epochs,omitempty"`        // 0: the preset's
	LearningRate float64 `json:"learning_rate,omitempty"` // 0: the preset's (Adam 1e-3)
	// Order is "" (reshuffled every epoch, Keras's default), "fixed" (the
	// same order every epoch: the source's, or one seeded order when the
	// source is sorted by class) or "sorted" (sorted by class every epoch).
	Order string `json:"order,omitempty"`
	// Schedule, when set, returns the learning-rate schedule for a run of
	// the given number of optimizer steps (epochs × steps per epoch), from
	// the run's learning rate.
	Schedule func(steps int, lr float64) fit.Schedule `json:"-"`
	// ScheduleName describes the schedule, for results.json (set by the
	// runner).
	ScheduleName string `json:"schedule,omitempty"`
	// ReduceLR, EarlyStop and CheckpointBest add Keras's callbacks
	// (monitoring val_loss); CheckpointBest keeps the best epoch's weights
	// and evaluates them on the test set too.
	ReduceLR       *ReduceLR  `json:"reduce_lr,omitempty"`
	EarlyStop      *EarlyStop `json:"early_stop,omitempty"`
	CheckpointBest bool       `json:"checkpoint_best,omitempty"`
	// Once runs only with the first seed.
	Once bool `json:"once,omitempty"`
	// Recipe, when set, declares the whole run instead of Arch and the
	// preset's training: the model (at the preset's width), the batch
	// size, epochs, optimizer, loss, schedule, flip and test-time
	// augmentation are the recipe's (see [RecipeTraining]); the images,
	// the hold-out and the seeds stay the preset's. Schedule,
	// LearningRate, BatchSize and Epochs must then be unset.
	Recipe *nn.Recipe `json:"recipe,omitempty"`
}

// ReduceLR configures ReduceLROnPlateau.
type ReduceLR struct {
	Factor   float64 `json:"factor"`
	Patience int     `json:"patience"`
}

// EarlyStop configures EarlyStopping.
type EarlyStop struct {
	Patience    int  `json:"patience"`
	RestoreBest bool `json:"restore_best_weights"`
}

// Heading returns "Lesson 5 — Feature scaling and BatchNorm (배치 정규화)".
func (l *Lesson) Heading() string {
	return fmt.Sprintf("Lesson %d — %s (%s)", l.Number, l.Title, l.Korean)
}

// Plan returns the runs of the lesson for settings, one per seed (Once
// runs: one), in order; seeds are settings.DataSeed, +1, +2, ….
func (l *Lesson) Plan(s Settings) []Planned {
	if l.Runs == nil {
		return nil
	}
	var plan []Planned
	for _, r := range l.Runs(s) {
		n := s.Seeds
		if r.Once {
			n = 1
		}
		for k := range n {
			plan = append(plan, Planned{Index: len(plan), Run: r, Seed: s.DataSeed + int64(k)})
		}
	}
	return plan
}

// Planned is one run of a lesson with its seed and its position in the
// lesson's plan.
type Planned struct {
	Index int
	Run   RunSpec
	Seed  int64
}

// Key names the run's files: "03-bn-seed43".
func (p Planned) Key() string {
	return fmt.Sprintf("%02d-%s-seed%d", p.Index, slug(p.Run.Label), p.Seed)
}

// slug turns a label into a file-name part: letters and digits, with '-'
// for anything else.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}
