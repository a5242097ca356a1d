package nb

import (
	"fmt"
	"html"
	"os"
	"path/filepath"
	"strings"

	"github.com/janpfeifer/gonb/gonbui"

	"github.com/cnnlab/cnnlab/cifar"
	"github.com/cnnlab/cnnlab/pkg/backend"
	"github.com/cnnlab/cnnlab/pkg/experiment"
	"github.com/cnnlab/cnnlab/pkg/fit"
	"github.com/cnnlab/cnnlab/pkg/lessons"
	"github.com/cnnlab/cnnlab/pkg/report"
)

// Environment variables of the lesson notebooks.
const (
	// EnvPreset picks the lesson preset: smoke, quick, standard or full (default:
	// quick on a CPU, full on a GPU backend).
	EnvPreset = "CNNLAB_PRESET"
	// EnvOut is the folder of the lessons' results, one sub-folder per
	// preset and lesson (default: the cache folder's lessons/).
	EnvOut = "CNNLAB_OUT"
)

// Preset returns the lesson preset from $CNNLAB_PRESET, or the default for
// the backend.
func Preset() (experiment.Preset, error) {
	if p := strings.TrimSpace(os.Getenv(EnvPreset)); p != "" {
		s, err := experiment.SettingsFor(p)
		if err != nil {
			return "", fmt.Errorf("nb: $%s: %w", EnvPreset, err)
		}
		return s.Preset, nil
	}
	_, info, err := backend.New()
	if err != nil {
		return "", err
	}
	return experiment.DefaultPreset(info.Config), nil
}

// LessonDir returns the folder of a lesson's results for a preset:
// $CNNLAB_OUT/PRESET/NAME, or the cache folder's lessons/PRESET/NAME.
func LessonDir(name string, p experiment.Preset) (string, error) {
	root := os.Getenv(EnvOut)
	if root == "" {
		cache, err := cifar.DefaultDir()
		if err != nil {
			return "", err
		}
		root = filepath.Join(cache, "lessons")
	}
	return experiment.LessonDir(root, p, name), nil
}

// RunLesson runs the named lesson in the preset of [Preset] (or reads its
// results when they are already there: runs are never repeated), with live
// progress in the cell, writes its report.html, shows where it ran, and
// returns the results.
func RunLesson(name string) (*experiment.Results, error) {
	l, err := lessons.Get(name)
	if err != nil {
		return nil, fmt.Errorf("nb: %w", err)
	}
	p, dir, err := presetDir(name)
	if err != nil {
		return nil, err
	}
	data, err := LoadData()
	if err != nil {
		return nil, err
	}
	_, info, err := backend.New()
	if err != nil {
		return nil, err
	}
	showLine(fmt.Sprintf("%s: preset %s on %s; CPU %s; data %s (%s)", l.Heading(), p, info, info.CPU, data.Source, data.Format))
	line, bar := newCellID("lesson"), newCellID("fit")
	opts := experiment.Options{Preset: p, Data: data, Out: dir, Shared: experiment.SharedDir(dir),
		AfterRun: func(r *experiment.Results) error { return report.WriteLesson(dir, r) }}
	if gonbui.IsNotebook {
		opts.Progress = func(rp experiment.RunProgress) {
			eta := ""
			if rp.ETA > 0 {
				eta = ", ETA " + fit.FormatETA(rp.ETA)
			}
			gonbui.UpdateHTML(line, html.EscapeString(fmt.Sprintf("run %d/%d: %s, seed %d%s", rp.Number, rp.Total, rp.Run.Run.Label, rp.Run.Seed, eta)))
		}
		opts.FitProgress = func() fit.Progress {
			p := NewNotebookProgress(gonbui.UpdateHTML)
			p.id = bar
			return p
		}
	}
	r, err := experiment.Run(l, opts)
	if err != nil {
		return nil, err
	}
	if len(r.Runs) > 0 {
		display(func() { gonbui.UpdateHTML(line, html.EscapeString(fmt.Sprintf("%d runs in %s", len(r.Runs), dir))) })
	}
	return r, nil
}

// LessonResults reads the results of a lesson that [RunLesson] ran in the
// preset of [Preset].
func LessonResults(name string) (*experiment.Results, error) {
	_, dir, err := presetDir(name)
	if err != nil {
		return nil, err
	}
	return experiment.ReadResults(dir)
}

// presetDir returns the preset of [Preset] and the lesson's folder for it.
func presetDir(name string) (experiment.Preset, string, error) {
	p, err := Preset()
	if err != nil {
		return "", "", err
	}
	dir, err := LessonDir(name, p)
	return p, dir, err
}

// Must returns v, or stops the cell with err: notebooks call
// nb.Must(nb.RunLesson("batchnorm")).
func Must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// Check stops the cell with err, if not nil: nb.Check(nb.ShowFact(r, "grid")).
func Check(err error) {
	if err != nil {
		panic(err)
	}
}

// showLine prints a line: as text, so that it shows in every viewer.
func showLine(s string) { fmt.Println(s) }

// ShowVerdicts shows the lesson's verdicts: the course's claim, what was
// measured, the outcome.
func ShowVerdicts(r *experiment.Results) { displayHTML(report.VerdictsHTML(r)) }

// ShowRuns shows the table of runs (mean ± sd over seeds).
func ShowRuns(r *experiment.Results) { displayHTML(report.RunsHTML(r)) }

// ShowFigures shows the test accuracy of every run, the validation curves
// and the time per epoch.
func ShowFigures(r *experiment.Results) error {
	for _, fig := range []func() ([]byte, error){
		func() ([]byte, error) { return report.Bars(r, experiment.TestAccuracy, "png") },
		func() ([]byte, error) { return report.GroupCurves(r, "val_accuracy", true, "png") },
		func() ([]byte, error) { return report.Bars(r, experiment.EpochTime, "png") },
	} {
		png, err := fig()
		if err != nil {
			return fmt.Errorf("nb: %w", err)
		}
		displayPNG(png)
	}
	return nil
}

// ShowFact shows one of the lesson's facts by name: its text, table,
// figure and image.
func ShowFact(r *experiment.Results, name string) error {
	for _, f := range r.Facts {
		if f.Name != name {
			continue
		}
		displayHTML(fmt.Sprintf("<h4>%s</h4>", html.EscapeString(f.Title)))
		if f.Text != "" {
			showLine(f.Text)
		}
		if f.Table != nil {
			displayHTML(report.TableHTML(f.Table))
		}
		if len(f.Series) > 0 {
			png, err := report.FactFigure(f, "png")
			if err != nil {
				return fmt.Errorf("nb: %w", err)
			}
			displayPNG(png)
		}
		if len(f.PNG) > 0 {
			displayPNG(f.PNG)
		}
		return nil
	}
	return fmt.Errorf("nb: lesson %s has no fact %q", r.Lesson, name)
}

// ShowBest shows the confusion matrix and per-class accuracy of the best
// run.
func ShowBest(r *experiment.Results) { displayHTML(report.ConfusionHTML(r)) }

// ShowSettings shows the preset's settings and every run's declaration.
func ShowSettings(r *experiment.Results) { displayHTML(report.SettingsHTML(r)) }
