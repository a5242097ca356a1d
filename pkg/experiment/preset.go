package experiment

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/cnnlab/cnnlab/pkg/course"
)

// Preset names a lesson size.
type Preset string

// The presets.
const (
	// Smoke runs in seconds, for tests and CI: a few hundred images, a
	// tiny model, one epoch, one seed.
	Smoke Preset = "smoke"
	// Quick shows the lesson's effect on a laptop CPU in minutes: a subset
	// of the images, the models at half width, a few epochs, two seeds.
	Quick Preset = "quick"
	// Standard is between quick and full, sized by measurement so that the
	// course's phenomena show on a 2-core CPU: 15,000 training images,
	// every test image, the full models, 15 epochs, three seeds and
	// Keras's BatchNorm momentum.
	Standard Preset = "standard"
	// Full is the course's setting: all the data, the full models and the
	// course's epochs and batch sizes, three seeds; meant for a GPU or a
	// long CPU run.
	Full Preset = "full"
)

// Settings are a preset's sizes, which every lesson's runs start from.
type Settings struct {
	Preset Preset  `json:"preset"`
	Train  int     `json:"train_images"` // training images drawn from the 50,000 (0: all)
	Test   int     `json:"test_images"`  // test images drawn from the 10,000 (0: all)
	Width  float64 `json:"width"`        // width factor of every model
	Epochs int     `json:"epochs"`       // epochs of a run, unless the lesson sets its own
	Seeds  int     `json:"seeds"`        // seeds of noisy comparisons
	// BNMomentum is the BatchNormalization momentum of every BN model: 0
	// (Keras's 0.99) in the full preset, 0.9 in the small ones. A moving
	// average keeps momentum^steps of its initial values (mean 0, variance
	// 1): after the quick preset's 4 epochs of 54 steps, 0.99^216 = 11%,
	// enough to put a BN model's test accuracy at chance (measured, and the
	// same with PyTorch's twin: docs/RESULTS.md), while in the course's
	// setting (665 steps an epoch) one epoch leaves 0.1%. 0.9 gives the
	// small presets about the course's averaging window in epochs.
	BNMomentum float64 `json:"bn_momentum,omitempty"`
	// BatchSize, HoldOut, LearningRate and DataSeed are the course's
	// (course.Defaults) in every preset.
	BatchSize    int     `json:"batch_size"`
	HoldOut      float64 `json:"validation_holdout"`
	LearningRate float64 `json:"learning_rate"`
	DataSeed     int64   `json:"data_seed"` // draws the image subsets, the same for every run
}

// presets is the one table of lesson sizes.
var presets = map[Preset]Settings{
	Smoke: {Preset: Smoke, Train: 240, Test: 100, Width: 0.125, Epochs: 1, Seeds: 1, BNMomentum: 0.9},
	Quick: {Preset: Quick, Train: 4000, Test: 2000, Width: 0.5, Epochs: 4, Seeds: 2, BNMomentum: 0.9},
	// Standard was chosen with bench/presets.sh (docs/RESULTS.md, "Choosing
	// the standard preset"): the baseline tests at about 65% and overfits
	// (training minus validation accuracy) by 10 points or more. Test 0:
	// all 10,000; BNMomentum 0: Keras's 0.99 (200 steps an epoch leave
	// 0.99^3000 of the initial averages after 15 epochs).
	Standard: {Preset: Standard, Train: 15000, Test: 0, Width: 1, Epochs: 15, Seeds: 3},
	Full:     {Preset: Full, Train: 0, Test: 0, Width: 1, Epochs: course.Defaults.Epochs, Seeds: 3},
}

// Presets returns the preset names, smallest first.
func Presets() []string {
	return []string{string(Smoke), string(Quick), string(Standard), string(Full)}
}

// SettingsFor returns the settings of a preset by name.
func SettingsFor(name string) (Settings, error) {
	s, ok := presets[Preset(name)]
	if !ok {
		return Settings{}, fmt.Errorf("unknown preset %q (known: %s)", name, strings.Join(Presets(), ", "))
	}
	s.BatchSize = course.Defaults.BatchSize
	s.HoldOut = course.Defaults.ValidationHoldOut
	s.LearningRate = course.Defaults.LearningRate
	s.DataSeed = course.Defaults.Seed
	return s, nil
}

// DefaultPreset returns the preset to run when none is named: full when a
// GPU backend runs (XLA with CUDA), quick otherwise.
func DefaultPreset(backendConfig string) Preset {
	if strings.Contains(backendConfig, "cuda") {
		return Full
	}
	return Quick
}

// BatchNormMomentum returns the momentum of the preset's BN models:
// BNMomentum, or Keras's 0.99 when it is 0.
func (s Settings) BatchNormMomentum() float64 { return cmp.Or(s.BNMomentum, 0.99) }

// Full reports whether s is the full preset, for lessons whose course
// settings (epochs, patiences) differ from the smaller presets' ones.
func (s Settings) Full() bool { return s.Preset == Full }

// Pick returns full in the full preset and small otherwise (smoke, quick
// and standard): a lesson's course value and the one it uses at a smaller
// size.
func Pick[T any](s Settings, full, small T) T {
	if s.Full() {
		return full
	}
	return small
}

// IsPreset reports whether name is a preset.
func IsPreset(name string) bool { return slices.Contains(Presets(), name) }

// shortEpochs is the number of epochs below which lessons whose effects
// need a longer run (schedules, augmentation, callbacks) train for a
// multiple of the preset's epochs.
const shortEpochs = 10

// LongerEpochs returns the epochs of a lesson whose effect needs a longer
// run: times the preset's epochs in presets of fewer than 10 epochs
// (smoke, quick), the preset's epochs otherwise (standard, full).
func (s Settings) LongerEpochs(times int) int {
	if s.Epochs < shortEpochs {
		return times * s.Epochs
	}
	return s.Epochs
}
