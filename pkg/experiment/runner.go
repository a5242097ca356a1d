package experiment

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/gomlx/compute"

	"github.com/cnnlab/cnnlab/cifar"
	"github.com/cnnlab/cnnlab/internal/version"
	"github.com/cnnlab/cnnlab/pkg/backend"
	"github.com/cnnlab/cnnlab/pkg/fit"
	"github.com/cnnlab/cnnlab/pkg/nn"
	"github.com/cnnlab/cnnlab/pkg/split"
)

// Options configures [Run].
type Options struct {
	Preset Preset      // "": DefaultPreset of the backend (quick on a CPU, full on a GPU)
	Seeds  int         // seeds of the repeated runs; 0: the preset's
	Data   *cifar.Data // the dataset (required for runs and facts)
	Out    string      // the lesson's folder (required)
	Shard  Shard       // run only this share of the runs
	// Shared is the folder of runs shared between lessons (the CLI and
	// notebooks use ROOT/PRESET/_runs): a planned run whose identity
	// ([RunID]) is there is copied into the lesson's folder instead of
	// trained again (unless the lesson compares its time per epoch and it
	// was timed on another machine), and every run trained here is put
	// there. "" shares nothing.
	Shared string
	// Progress is called before each run this process trains.
	Progress func(RunProgress)
	// Reused is called for each run copied from Shared instead of
	// trained.
	Reused func(Planned)
	// FitProgress returns the training progress of each run (e.g. Keras's
	// bar); nil trains silently.
	FitProgress func() fit.Progress
	// Log receives the callbacks' messages (ReduceLROnPlateau, …); nil
	// discards them.
	Log io.Writer
	// AfterRun is called with the results so far after every run and once
	// at the end (e.g. to write report.html); an error stops Run.
	AfterRun func(*Results) error
}

// Shard selects the runs of a lesson whose plan index modulo Count is
// Index: shard Index of Count (the zero value runs everything).
type Shard struct{ Index, Count int }

// ParseShard parses "i/N" (0 ≤ i < N).
func ParseShard(s string) (Shard, error) {
	var sh Shard
	if _, err := fmt.Sscanf(s, "%d/%d", &sh.Index, &sh.Count); err != nil || sh.Count < 1 || sh.Index < 0 || sh.Index >= sh.Count {
		return Shard{}, fmt.Errorf("shard %q: want i/N with 0 <= i < N, e.g. 0/4", s)
	}
	return sh, nil
}

func (sh Shard) has(index int) bool { return sh.Count <= 1 || index%sh.Count == sh.Index }

// RunProgress describes the run about to start.
type RunProgress struct {
	Lesson string
	Run    Planned
	Number int           // 1-based among the runs this process trains
	Total  int           // runs this process trains
	ETA    time.Duration // remaining time of this process's runs, from the runs so far (0 before the first)
}

// Env is what a lesson's runs and facts work with.
type Env struct {
	Lesson   *Lesson
	Settings Settings
	Dir      string
	Backend  compute.Backend
	Info     backend.Info
	// Data is the whole dataset; Train and Test are the preset's subsets
	// (drawn with Settings.DataSeed), the same for every run.
	Data        *cifar.Data
	Train, Test *cifar.Dataset
	// Results holds the finished runs when facts are computed.
	Results *Results

	dataHash string    // dataID's, once computed
	log      io.Writer // Options.Log: training messages of runs trained again for their weights (see Trained)
}

// newEnv prepares the environment of a lesson under options.
func newEnv(l *Lesson, o Options) (*Env, error) {
	if o.Out == "" {
		return nil, errors.New("experiment: no output folder")
	}
	b, info, err := backend.New()
	if err != nil {
		return nil, err
	}
	if o.Preset == "" {
		o.Preset = DefaultPreset(info.Config)
	}
	s, err := SettingsFor(string(o.Preset))
	if err != nil {
		return nil, fmt.Errorf("experiment: %w", err)
	}
	if o.Seeds < 0 {
		return nil, fmt.Errorf("experiment: seeds must be positive, got %d", o.Seeds)
	}
	if o.Seeds > 0 {
		s.Seeds = o.Seeds
	}
	e := &Env{Lesson: l, Settings: s, Dir: o.Out, Backend: b, Info: info, Data: o.Data, log: o.Log}
	if o.Data != nil {
		e.Train = o.Data.Train.Sample(s.Train, s.DataSeed)
		e.Test = o.Data.Test.Sample(s.Test, s.DataSeed)
	}
	return e, nil
}

// Run trains the runs of lesson l that o.Out does not hold yet (its share
// of them, with o.Shard), writing each to runs/KEY.json as it finishes
// and results.json after each, then computes the facts and verdicts when
// every run is there, and returns the results.
func Run(l *Lesson, o Options) (*Results, error) {
	e, err := newEnv(l, o)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(e.Dir, RunsFolder), 0o755); err != nil {
		return nil, fmt.Errorf("experiment: %w", err)
	}
	done, err := ReadRuns(e.Dir)
	if err != nil {
		return nil, err
	}
	for _, r := range done {
		if r.Preset != e.Settings.Preset {
			return nil, fmt.Errorf("experiment: %s holds runs of the %s preset, not %s: use another folder", e.Dir, r.Preset, e.Settings.Preset)
		}
	}
	var planned []Planned
	for _, p := range l.Plan(e.Settings) {
		if o.Shard.has(p.Index) && !slices.ContainsFunc(done, func(r RunResult) bool { return r.Key == p.Key() }) {
			planned = append(planned, p)
		}
	}
	if len(planned) > 0 && e.Data == nil {
		return nil, errors.New("experiment: no dataset to train on")
	}
	// Runs that another lesson (or shard) already trained with the same
	// identity are copied from the shared folder; the rest are trained.
	var todo []*prepared
	reused := 0
	for _, p := range planned {
		q, err := e.prepare(p)
		if err != nil {
			return nil, fmt.Errorf("experiment: %s run %s: %w", l.Name, p.Key(), err)
		}
		ok, err := e.reuse(q, o.Shared)
		if err != nil {
			return nil, fmt.Errorf("experiment: %s run %s: %w", l.Name, p.Key(), err)
		}
		if ok {
			reused++
			if o.Reused != nil {
				o.Reused(p)
			}
			continue
		}
		todo = append(todo, q)
	}
	// The runs of a time claim go first, seed by seed, so that a lesson
	// split over sittings on several machines times each comparison on
	// one (Judge compares times only within a machine).
	slices.SortStableFunc(todo, func(a, b *prepared) int {
		ta, tb := e.timedWith(a.Run.Label) != nil, e.timedWith(b.Run.Label) != nil
		switch {
		case ta && !tb:
			return -1
		case tb && !ta:
			return 1
		case ta:
			return cmp.Compare(a.Seed, b.Seed)
		}
		return 0
	})
	if reused > 0 {
		r, err := e.merge(false)
		if err != nil {
			return nil, err
		}
		if o.AfterRun != nil {
			if err := o.AfterRun(r); err != nil {
				return nil, err
			}
		}
	}
	began := time.Now()
	for i, q := range todo {
		p := q.Planned
		if o.Progress != nil {
			var eta time.Duration
			if i > 0 {
				eta = time.Since(began) / time.Duration(i) * time.Duration(len(todo)-i)
			}
			o.Progress(RunProgress{Lesson: l.Name, Run: p, Number: i + 1, Total: len(todo), ETA: eta})
		}
		res, err := e.train(q, o)
		if err != nil {
			return nil, fmt.Errorf("experiment: %s run %s: %w", l.Name, p.Key(), err)
		}
		if o.Shared != "" {
			if res.SharedRun, err = e.runID(q); err != nil {
				return nil, err
			}
		}
		if err := writeJSON(filepath.Join(e.Dir, RunsFolder, p.Key()+".json"), res); err != nil {
			return nil, err
		}
		if o.Shared != "" {
			if err := e.publish(q, res, o.Shared); err != nil {
				return nil, fmt.Errorf("experiment: %s run %s: sharing: %w", l.Name, p.Key(), err)
			}
		}
		r, err := e.merge(false)
		if err != nil {
			return nil, err
		}
		if o.AfterRun != nil {
			if err := o.AfterRun(r); err != nil {
				return nil, err
			}
		}
	}
	r, err := e.merge(true)
	if err != nil {
		return nil, err
	}
	if o.AfterRun != nil {
		if err := o.AfterRun(r); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Merge reads the runs in o.Out (written by one process or by several
// shards), computes the facts when every run is there (this needs o.Data
// for lessons whose facts read images) and the verdicts, writes
// results.json and returns the results. It trains nothing.
func Merge(l *Lesson, o Options) (*Results, error) {
	e, err := newEnv(l, o)
	if err != nil {
		return nil, err
	}
	return e.merge(true)
}

// merge collects the finished runs into results.json; with facts, and
// when every run is there, it computes the lesson's facts too.
func (e *Env) merge(facts bool) (*Results, error) {
	runs, err := ReadRuns(e.Dir)
	if err != nil {
		return nil, err
	}
	l := e.Lesson
	r := &Results{
		Lesson: l.Name, Number: l.Number, Title: l.Title, Korean: l.Korean, About: l.About,
		Settings: e.Settings, Planned: len(l.Plan(e.Settings)), Runs: runs,
		Machine: Machine{Backend: e.Info.String(), CPU: e.Info.CPU.String()}, Version: version.String(),
	}
	if facts && r.Complete() {
		e.Results = r
		for _, f := range l.Facts {
			fact, err := f.Compute(e)
			if err != nil {
				return nil, fmt.Errorf("experiment: %s: computing fact %q: %w", l.Name, f.Name, err)
			}
			fact.Name, fact.Title, fact.Labels = f.Name, f.Title, f.Labels
			r.Facts = append(r.Facts, fact)
		}
	} else if old, err := ReadResults(e.Dir); err == nil && old.Settings.Preset == e.Settings.Preset {
		r.Facts = old.Facts // keep facts computed earlier
	}
	for _, c := range l.Claims {
		r.Verdicts = append(r.Verdicts, Judge(c, r))
	}
	if err := writeJSON(filepath.Join(e.Dir, "results.json"), r); err != nil {
		return nil, err
	}
	return r, nil
}

// prepared is a planned run with every setting resolved: the model, the
// batch size, epochs and rate, the images and their order and scaling,
// the schedule.
type prepared struct {
	Planned
	model                *nn.Model
	batch, epochs        int
	lr                   float64
	train                *cifar.Dataset // the training images, less the hold-out, for the scaling's statistics
	scaling              cifar.Scaling
	schedule             fit.Schedule
	training             Training // the optimizer, loss, flip and TTA (Adam at lr, no TTA, unless a Recipe says)
	runModel, schedWords string
}

// prepare resolves a planned run's settings: p.Run with the preset's
// defaults, its model described (Run.Model) and its schedule named.
func (e *Env) prepare(p Planned) (*prepared, error) {
	s := e.Settings
	m, err := e.model(p.Run)
	if err != nil {
		return nil, err
	}
	q := &prepared{Planned: p, model: m}
	q.Run.Model = m.Name() + ": " + s.Sized(p.Run.Arch).String()
	q.batch, q.epochs, q.lr = or(p.Run.BatchSize, s.BatchSize), or(p.Run.Epochs, s.Epochs), p.Run.LearningRate
	if q.lr == 0 {
		q.lr = s.LearningRate
	}
	q.train = e.TrainingImages()
	q.scaling = scalingOf(p.Run.Scaling, q.train)
	if r := p.Run.Recipe; r != nil {
		if p.Run.Schedule != nil || p.Run.LearningRate != 0 || p.Run.BatchSize != 0 || p.Run.Epochs != 0 {
			return nil, errors.New("a run with a Recipe takes its schedule, rate, batch size and epochs from it")
		}
		q.Run.Model = m.Name() + ": " + r.String()
		q.batch, q.epochs, q.lr = r.BatchSize, r.Epochs, r.LearningRate
		if q.training, err = RecipeTraining(*r, TrainingSteps(q.train.Len(), q.batch, q.epochs)); err != nil {
			return nil, err
		}
		q.schedule = q.training.Schedule
	} else {
		q.training.Optimizer = fit.Adam(q.lr)
		if p.Run.Schedule != nil {
			q.schedule = p.Run.Schedule(TrainingSteps(q.train.Len(), q.batch, q.epochs), q.lr)
		}
	}
	if q.schedule != nil {
		q.Run.ScheduleName = q.schedule.Name() + strings.TrimPrefix(fmt.Sprintf("%+v", q.schedule), "&")
	}
	return q, nil
}

// train runs one planned run: it trains with fit (resuming from the run's
// checkpoint if a killed process left one), saves the final weights and
// tests them on the test images in one pass (loss, accuracy and the
// predictions of the confusion matrix).
func (e *Env) train(q *prepared, o Options) (*RunResult, error) {
	s := e.Settings
	p, run, m := q.Planned, q.Run, q.model
	started := time.Now()
	kernelCalls := backend.ConvKernelCalls()
	scaling := q.scaling
	log := o.Log
	if log == nil {
		log = io.Discard
	}
	base := filepath.Join(e.Dir, RunsFolder, p.Key())
	resumePath, bestPath := base+".resume.ckpt", base+".best.weights.ckpt"
	opts := fit.FitOptions{Epochs: q.epochs, BatchSize: q.batch, Order: fit.Order(run.Order),
		ValidationHoldOut: s.HoldOut, DataSeed: s.DataSeed, Output: log, AlternatingFlip: q.training.AlternatingFlip}
	if o.FitProgress != nil {
		opts.Progress = o.FitProgress()
	}
	test := e.Test.Scaled(scaling)
	fitRun, err := fit.Start(fit.Job{Backend: e.Backend, Model: m, Output: log, Fit: opts,
		Options:   fit.Options{Optimizer: q.training.Optimizer, Loss: q.training.Loss, Seed: p.Seed, Schedule: q.schedule},
		Callbacks: callbacks(run, bestPath, resumePath), WeightsPath: base + ".weights.ckpt", TestBatch: 256,
		TestOptions: []fit.EvalOption{fit.WithTTA(q.training.TTA)}, TestPredictions: true})
	if err != nil {
		return nil, err
	}
	if err := fitRun.Resume(resumePath, true); err != nil {
		return nil, fmt.Errorf("%w (delete %s to start the run over)", err, resumePath)
	}
	trained, err := fitRun.Train(e.Train.Scaled(scaling), test)
	if err != nil {
		return nil, err
	}
	hist := trained.History
	res := &RunResult{Lesson: e.Lesson.Name, Index: p.Index, Key: p.Key(), Run: run, Seed: p.Seed, Preset: s.Preset, History: hist,
		Split: hist.Split, Test: e.Test.Len(), Backend: e.Info.String(), CPU: e.Info.CPU.String(), Version: version.String(), Order: hist.Split.Order}
	res.Params, res.NonTrainable = m.NumParams()
	res.FLOPs = m.FLOPs()
	for _, l := range hist.Epochs {
		res.EpochSeconds += l["time"] / float64(len(hist.Epochs))
	}
	res.TestLoss, res.TestAccuracy = Float(trained.TestLoss), Float(trained.TestAccuracy)
	for i, c := range fit.Argmax(trained.TestProbs, trained.NumClasses) {
		res.Confusion[e.Test.Labels[i]][c]++
	}
	if run.CheckpointBest {
		if err := e.evaluateBest(m, bestPath, test, hist, res); err != nil {
			return nil, err
		}
	}
	if err := os.Remove(resumePath); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	res.Seconds = runSeconds(fitRun.Resumed, time.Since(started))
	res.ConvKernelCalls = backend.ConvKernelCalls() - kernelCalls
	return res, nil
}

// runSeconds returns the wall time of a run that this process trained for
// elapsed: with the epochs that earlier processes ran before they were
// stopped (resumed, from the run's resume checkpoint; nil for none).
// A killed epoch's time is lost with it.
func runSeconds(resumed *fit.TrainState, elapsed time.Duration) float64 {
	s := elapsed.Seconds()
	if resumed != nil && resumed.History != nil {
		for _, l := range resumed.History.Epochs {
			s += l["time"]
		}
	}
	return s
}

// model declares the run's model at the preset's size.
func (e *Env) model(run RunSpec) (*nn.Model, error) { return e.Settings.RunModel(run) }

// RunModel declares the model that a run of these settings trains: the
// run's Arch at the settings' width, with their BatchNorm momentum unless
// the Arch sets its own (or its Recipe's model at the settings' width),
// named after the run's label. The notebooks' tests compare the models
// that notebooks declare with these (at width 1).
func (s Settings) RunModel(run RunSpec) (*nn.Model, error) {
	return s.namedModel(run, slug(run.Label))
}

// namedModel declares the run's model named name.
func (s Settings) namedModel(run RunSpec, name string) (*nn.Model, error) {
	if run.Recipe != nil {
		return run.Recipe.Model(name, s.Width)
	}
	return s.Sized(run.Arch).Model(name)
}

// TrainingSteps returns the optimizer steps of epochs over images in
// batches of batch (the last batch of an epoch may be short).
func TrainingSteps(images, batch, epochs int) int { return epochs * ((images + batch - 1) / batch) }

// Sized returns a at the preset's width and, unless a sets its own, with
// the preset's BatchNorm momentum.
func (s Settings) Sized(a nn.Arch) nn.Arch {
	a.Width = s.Width
	if a.BatchNorm && a.BNMomentum == 0 {
		a.BNMomentum = s.BNMomentum
	}
	return a
}

func or(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// TrainingImages returns the training images of the lesson's runs: the
// preset's, less the validation hold-out that fit draws with the data seed
// (FitOptions.ValidationHoldOut and DataSeed), in the order it draws them.
func (e *Env) TrainingImages() *cifar.Dataset {
	tr, _, err := split.HoldOut(e.Train.Len(), e.Settings.HoldOut, e.Settings.DataSeed)
	if err != nil {
		panic(err) // the presets hold out 15% of at least 240 images
	}
	return e.Train.Subset(tr)
}

// scalingOf returns the pixel scaling named by name, computed on train.
func scalingOf(name string, train *cifar.Dataset) cifar.Scaling {
	switch name {
	case "minmax":
		return cifar.MinMaxScaling(train)
	case "zscore":
		return cifar.ZScoreScaling(train)
	}
	return cifar.UnitScaling
}

// callbacks returns Keras's callbacks that run asks for.
func callbacks(run RunSpec, bestPath, resumePath string) fit.CallbackSpec {
	var s fit.CallbackSpec
	if c := run.ReduceLR; c != nil {
		s.ReduceLR = &fit.ReduceLRSpec{Patience: c.Patience, Factor: c.Factor}
	}
	if c := run.EarlyStop; c != nil {
		s.EarlyStop = &fit.EarlyStopSpec{Patience: c.Patience, RestoreBest: c.RestoreBest}
	}
	if run.CheckpointBest {
		s.Checkpoints = append(s.Checkpoints, fit.CheckpointSpec{Path: bestPath, BestOnly: true, WeightsOnly: true})
	}
	// Every epoch, the full state: a killed run resumes here.
	s.Checkpoints = append(s.Checkpoints, fit.CheckpointSpec{Path: resumePath})
	return s
}

// evaluateBest evaluates the best epoch's checkpoint on the test images.
func (e *Env) evaluateBest(m *nn.Model, path string, test fit.Data, hist *fit.History, res *RunResult) error {
	tr, err := fit.Compile(e.Backend, m, fit.Options{})
	if err != nil {
		return err
	}
	if err := tr.LoadWeights(path); err != nil {
		return fmt.Errorf("reloading the best checkpoint: %w", err)
	}
	_, acc, err := tr.Evaluate(test, 256)
	if err != nil {
		return err
	}
	res.BestTestAccuracy = Float(acc)
	best := math.Inf(1)
	for i, l := range hist.Epochs {
		if v := l["val_loss"]; v < best {
			best, res.BestEpoch = v, i+1
		}
	}
	return nil
}

// Trained returns a trainer holding the final weights of the first run
// labelled label (its first seed), and its model. Committed results keep
// no weights: when the run's are not in the folder, the run is trained
// again, with its seed and settings, for its weights alone; its record
// (history, test accuracy, times) stays the one in the folder.
func (e *Env) Trained(label string) (*fit.Trainer, *nn.Model, *RunResult, error) {
	for i := range e.Results.Runs {
		r := &e.Results.Runs[i]
		if r.Run.Label != label {
			continue
		}
		var run RunSpec
		for _, d := range e.Lesson.Runs(e.Settings) {
			if d.Label == label {
				run = d
			}
		}
		m, err := e.Settings.namedModel(run, savedName(r, run))
		if err != nil {
			return nil, nil, nil, err
		}
		tr, err := fit.Compile(e.Backend, m, fit.Options{})
		if err != nil {
			return nil, nil, nil, err
		}
		path := filepath.Join(e.Dir, RunsFolder, r.Key+".weights.ckpt")
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			if err := e.retrain(r); err != nil {
				return nil, nil, nil, fmt.Errorf("run %s has no weights in %s (committed results keep none), "+
					"and training it again for them failed: %w", r.Key, e.Dir, err)
			}
		}
		if err := tr.LoadWeights(path); err != nil {
			return nil, nil, nil, err
		}
		return tr, m, r, nil
	}
	return nil, nil, nil, fmt.Errorf("no finished run labelled %q", label)
}

// savedName returns the name of the model whose weights are the finished
// run r's (declared as run): the label of the run that trained them,
// which for a shared run may be another lesson's.
func savedName(r *RunResult, run RunSpec) string {
	if name, _, _ := strings.Cut(r.Run.Model, ": "); name != "" {
		return name
	}
	return slug(run.Label)
}

// retrain trains the finished run r again for its final weights, which
// it saves where the run's own would be; r's record is left as it is.
func (e *Env) retrain(r *RunResult) error {
	if e.Train == nil {
		return errors.New("no dataset to train on")
	}
	plan := e.Lesson.Plan(e.Settings)
	i := slices.IndexFunc(plan, func(p Planned) bool { return p.Key() == r.Key })
	if i < 0 {
		return fmt.Errorf("the lesson plans no run %s at the %s preset", r.Key, e.Settings.Preset)
	}
	q, err := e.prepare(plan[i])
	if err != nil {
		return err
	}
	// Saved under the name Trained loads them with: for a run reused
	// from another lesson, that lesson's.
	if q.model, err = e.Settings.namedModel(q.Run, savedName(r, q.Run)); err != nil {
		return err
	}
	if e.log != nil {
		fmt.Fprintf(e.log, "%s: run %s has no weights here (committed results keep none): training it again for them\n", e.Lesson.Name, r.Key)
	}
	_, err = e.train(q, Options{Log: e.log})
	return err
}
