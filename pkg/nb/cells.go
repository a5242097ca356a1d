package nb

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/cnnlab/cnnlab/pkg/experiment"
	"github.com/cnnlab/cnnlab/pkg/fit"
	"github.com/cnnlab/cnnlab/pkg/report"
)

// What the lesson notebooks' teaching cells use besides the public API of
// cifar, nn and fit: the notebook's size, files that carry weights and
// histories from one cell to the next (each GoNB cell runs as a new
// program), and curves of several runs in one figure.

// Settings returns the sizes of the notebook's training cells: those of
// the lesson preset named by $CNNLAB_PRESET (smoke, quick, standard or
// full; quick by default on a CPU, full on a GPU backend), whose Train and
// Test images (0: all) are drawn with DataSeed and whose Epochs the cells
// train. The course's settings (batch 64, hold-out 0.15, Adam 1e-3, seed
// 42) come with them.
func Settings() (experiment.Settings, error) {
	p, err := Preset()
	if err != nil {
		return experiment.Settings{}, err
	}
	s, err := experiment.SettingsFor(string(p))
	if err != nil {
		return experiment.Settings{}, fmt.Errorf("nb: %w", err)
	}
	return s, nil
}

// BNMomentum returns the BatchNormalization momentum of the notebook's
// preset, which the notebooks' BN models are declared with
// (nn.BatchNormalization(nn.Momentum(nb.BNMomentum()))): Keras's 0.99 in
// the full preset, 0.9 in the smaller ones, whose few training steps leave
// 0.99's moving averages near their initial values (see lesson 5). It
// panics on a bad $CNNLAB_PRESET, as [Must] does.
func BNMomentum() float64 { return Must(Settings()).BatchNormMomentum() }

// Path returns the path of a file that a notebook cell writes for a later
// cell (weights, a history): NAME in the folder
// $CNNLAB_OUT/PRESET/notebooks (default: the cache folder's
// lessons/PRESET/notebooks), which it creates. It panics when the folder
// cannot be made, as [Must] does.
func Path(name string) string {
	p := Must(Preset())
	dir := Must(LessonDir("notebooks", p))
	Check(os.MkdirAll(dir, 0o755))
	return filepath.Join(dir, name)
}

// ReadRun reads the history that a cell wrote to Path(name +
// ".history.json") (hist.WriteFile), as a run for [ShowCurves] named name.
func ReadRun(name string) (report.Run, error) {
	h, err := fit.ReadHistory(Path(name + ".history.json"))
	if err != nil {
		return report.Run{}, fmt.Errorf("nb: run %q: %w (run its training cell first)", name, err)
	}
	return report.Run{Name: name, History: h}, nil
}

// ShowRunCurves shows the learning curves of the named runs (see
// [ReadRun]) in one figure.
func ShowRunCurves(names ...string) error {
	runs := make([]report.Run, len(names))
	for i, n := range names {
		r, err := ReadRun(n)
		if err != nil {
			return err
		}
		runs[i] = r
	}
	return ShowCurves(runs...)
}

// SizeNote describes the notebook's size in one line, e.g. "preset quick:
// 4000 training images (15% held out for validation), 2000 test images, 4
// epochs".
func SizeNote(s experiment.Settings) string {
	n := func(v int, all string) string {
		if v == 0 {
			return all
		}
		return fmt.Sprint(v)
	}
	return strings.Join([]string{fmt.Sprintf("preset %s: %s training images (%g%% held out for validation)", s.Preset, n(s.Train, "all 50000"), 100*s.HoldOut),
		fmt.Sprintf("%s test images", n(s.Test, "all 10000")), plural(s.Epochs, "epoch")}, ", ")
}

// plural returns "1 epoch", "4 epochs".
func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
