package main

import (
	"flag"
	"fmt"
	"os"
	"reflect"
	"strings"

	"github.com/cnnlab/cnnlab/pkg/backend"
	"github.com/cnnlab/cnnlab/pkg/experiment"
	"github.com/cnnlab/cnnlab/pkg/fit"
	"github.com/cnnlab/cnnlab/pkg/lessons"
	"github.com/cnnlab/cnnlab/pkg/nn"
)

// weightsFlags are the flags of the commands that use trained weights
// (predict, evaluate): the file and, for files that do not record their
// model, the model it belongs to.
type weightsFlags struct {
	fs             *flag.FlagSet
	weights, model *string
	width          *float64
}

func addWeightsFlags(fs *flag.FlagSet) weightsFlags {
	return weightsFlags{
		fs:      fs,
		weights: fs.String("weights", "", "weights or checkpoint file written by \"cnnlab train\" or beside a run of \"cnnlab lesson run\" (RUN.weights.ckpt)"),
		model: fs.String("model", "", "preset model the weights belong to ("+strings.Join(nn.Names(), ", ")+
			"); default: the model the file records (files written before cnnlab recorded it need it)"),
		width: fs.Float64("width", 1, "width of the model the weights belong to; default: the file's (see --model)"),
	}
}

// check reports a missing or bad flag as a usage error.
func (w weightsFlags) check() error {
	if *w.weights == "" {
		return usageError("--weights is required")
	}
	if *w.model != "" {
		if _, err := nn.Named(*w.model, 1); err != nil {
			return usageError("--model: %v", err)
		}
	}
	return checkWidth(*w.width)
}

// set reports whether the flag name was given.
func (w weightsFlags) set(name string) bool {
	given := false
	w.fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}

// declare returns the model to load the weights into: the one the file
// records (a preset, or a lesson run's model), checked against --model and
// --width when they are given, or,
// for older files that record none, the one --model and --width name (with
// a one-line warning on stderr). legacy reports the latter case.
func (w weightsFlags) declare() (m *nn.Model, legacy bool, err error) {
	info, err := fit.ReadWeightsInfo(*w.weights)
	if err != nil {
		return nil, false, err
	}
	if info.Model == nil {
		if *w.model == "" {
			return nil, true, usageError("%s records no model (it was written before cnnlab recorded it): name it with --model (and --width)", *w.weights)
		}
		fmt.Fprintf(os.Stderr, "cnnlab: warning: %s records no model (an older file): loading it into --model %s --width %g by variable shapes\n",
			*w.weights, *w.model, *w.width)
		m, err := nn.Named(*w.model, *w.width)
		if err != nil {
			return nil, true, usageError("%v", err)
		}
		return m, true, nil
	}
	decl, err := nn.ParseDeclaration(info.Model)
	if err != nil {
		return nil, false, fmt.Errorf("%s: %w", *w.weights, err)
	}
	if decl.Preset == "" {
		m, where := lessonModel(decl)
		if m == nil {
			return nil, false, fmt.Errorf("%s holds the weights of model %s, which is neither one of cnnlab's presets (%s) nor a lesson's run: load it from Go code",
				*w.weights, decl, strings.Join(nn.Names(), ", "))
		}
		if *w.model != "" || w.set("width") {
			return nil, false, usageError("%s holds the weights of model %s (%s); drop --model and --width to use the file's", *w.weights, decl, where)
		}
		fmt.Fprintf(os.Stderr, "model: %s, from %s\n", decl, where)
		return m, false, nil
	}
	switch {
	case *w.model != "" && *w.model != decl.Preset:
		return nil, false, usageError("--model %s: %s holds the weights of model %s; drop --model to use the file's", *w.model, *w.weights, decl)
	case w.set("width") && *w.width != decl.Width:
		return nil, false, usageError("--width %g: %s holds the weights of model %s; drop --width to use the file's", *w.width, *w.weights, decl)
	}
	if m, err = nn.Named(decl.Preset, decl.Width); err != nil {
		return nil, false, fmt.Errorf("%s: the model it records: %w", *w.weights, err)
	}
	return m, false, nil
}

// load builds the model the weights belong to (see declare) on the backend
// GOMLX_BACKEND selects (printing which) and loads the weights into it.
func (w weightsFlags) load(opts fit.Options) (*fit.Trainer, *nn.Model, error) {
	m, legacy, err := w.declare()
	if err != nil {
		return nil, nil, err
	}
	b, info, err := backend.New()
	if err != nil {
		return nil, nil, err
	}
	fmt.Fprintf(os.Stderr, "backend: %s\n", info.String())
	tr, err := fit.Compile(b, m, opts)
	if err != nil {
		return nil, nil, err
	}
	if err := tr.LoadWeights(*w.weights); err != nil {
		if legacy {
			return nil, nil, fmt.Errorf("%w (are --model and --width those of the training run?)", err)
		}
		return nil, nil, err
	}
	return tr, m, nil
}

// lessonModel returns the model of the lesson run whose declaration is
// decl (the weights "cnnlab lesson run" writes beside each run, e.g. lesson
// 11's "l2-1e-2-everywhere"), searching every lesson's runs in every preset,
// and says which run it is; nil if none declares the same model.
func lessonModel(decl nn.Declaration) (*nn.Model, string) {
	for _, l := range lessons.All() {
		if l.Runs == nil {
			continue
		}
		for _, preset := range experiment.Presets() {
			s, err := experiment.SettingsFor(preset)
			if err != nil {
				continue
			}
			for _, run := range l.Runs(s) {
				m, err := s.RunModel(run)
				if err != nil {
					continue
				}
				if reflect.DeepEqual(m.Declare(), decl) {
					return m, fmt.Sprintf("lesson %s, run %q, preset %s", l.Name, run.Label, preset)
				}
			}
		}
	}
	return nil, ""
}
