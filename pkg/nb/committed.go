package nb

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/cnnlab/cnnlab/pkg/experiment"
	"github.com/cnnlab/cnnlab/pkg/lessons"
)

// ErrNotCommitted reports that a lesson has no committed results at a
// preset.
var ErrNotCommitted = errors.New("no committed results")

// CommittedResults reads the results of the named lesson at preset p that
// were committed with the repository: results/P/NAME/results.json in the
// working directory or the nearest of its parents that holds one. A
// notebook runs in notebooks/, so it finds the checkout's results/. It
// trains nothing; with no such file the error wraps [ErrNotCommitted].
func CommittedResults(name string, p experiment.Preset) (*experiment.Results, error) {
	if _, err := lessons.Get(name); err != nil {
		return nil, fmt.Errorf("nb: %w", err)
	}
	dir, err := os.Getwd()
	if err != nil {
		return nil, fmt.Errorf("nb: %w", err)
	}
	rel := experiment.LessonDir("results", p, name)
	for {
		r, err := experiment.ReadResults(filepath.Join(dir, rel))
		if !errors.Is(err, fs.ErrNotExist) {
			return r, err
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return nil, fmt.Errorf("nb: lesson %s: %w at the %s preset in %s above the working directory "+
				"(make them with `cnnlab lesson run %s --preset %s --out results` in the checkout)", name, ErrNotCommitted, p, rel, name, p)
		}
		dir = parent
	}
}

// ShowCommitted shows the committed results of the named lesson at preset
// p (see [CommittedResults]): a line saying how many of the planned runs
// they hold and on which machine, the verdicts, the table of runs and the
// figures. When none are committed it says so in one line and returns nil,
// so that a notebook's cell runs in a checkout without them.
func ShowCommitted(name string, p experiment.Preset) error {
	r, err := CommittedResults(name, p)
	if errors.Is(err, ErrNotCommitted) {
		showLine(err.Error())
		return nil
	}
	if err != nil {
		return err
	}
	runs := fmt.Sprintf("%d of %d runs; ", len(r.Runs), r.Planned)
	if r.Planned == 0 {
		runs = "" // a lesson of facts only, like lesson 1
	}
	showLine(fmt.Sprintf("%s at the %s preset, as committed: %s%s; CPU %s",
		name, p, runs, r.Machine.Backend, r.Machine.CPU))
	ShowVerdicts(r)
	if len(r.Runs) == 0 {
		return nil
	}
	ShowRuns(r)
	return ShowFigures(r)
}
