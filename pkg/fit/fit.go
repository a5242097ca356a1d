package fit

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"time"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/cnnlab/cnnlab/internal/jsonfloat"
)

// Options configures [Compile]: Keras's model.compile plus the seed.
type Options struct {
	// Optimizer trains the weights; nil means Adam(1e-3), Keras's default.
	Optimizer Optimizer
	// Loss is the per-example loss; nil means SparseCategoricalCrossentropy
	// (from logits).
	Loss LossFn
	// Seed seeds everything random: weight initialization, dropout, the
	// shuffling of every epoch and the HoldOut validation split. The same
	// seed gives the same History on the pure Go backend.
	Seed int64
	// InputShape is the shape of one sample; nil means CIFAR-10's
	// [32 32 3].
	InputShape []int
	// Schedule, when set, gives the learning rate of every optimizer step
	// (Keras's LearningRateSchedule passed as the optimizer's
	// learning_rate); the optimizer's own rate is then unused, and the
	// rate cannot be set (ReduceLROnPlateau and LearningRateScheduler fail,
	// as in Keras 3).
	Schedule Schedule
	// Params are set on the trainer's model.Store before any graph is
	// built (model.Store.SetParams: full paths to values): GoMLX's
	// per-model hyperparameters, read by the layers when the graphs are
	// built, e.g. layers.Options.Params().
	Params map[string]any
}

// Trainer trains, evaluates and runs a [Model]: the Keras-like compiled
// model. Create it with [Compile]. A Trainer is not safe for concurrent use.
type Trainer struct {
	backend    compute.Backend
	model      Model
	opt        Optimizer
	schedule   Schedule
	loss       LossFn
	seed       int64
	inputShape []int
	store      *model.Store

	trainExec  *model.Exec
	built      bool
	hasPenalty bool
	// weightsSet: the weights were loaded (setVars) or computed from the
	// data, so a DataInitializer's data-computed weights hold their values.
	weightsSet bool

	out      io.Writer // callback messages
	stop     bool
	epoch    int
	pending  []pendingSave
	numClass int
}

// Compile returns a Trainer for m on backend with the given options.
func Compile(backend compute.Backend, m Model, opts Options) (*Trainer, error) {
	if backend == nil {
		return nil, errors.New("fit: Compile needs a backend (see pkg/backend)")
	}
	if m == nil {
		return nil, errors.New("fit: Compile needs a model")
	}
	if opts.Optimizer == nil {
		opts.Optimizer = Adam(0)
	}
	if err := checkOptimizer(opts.Optimizer); err != nil {
		return nil, err
	}
	if opts.Loss == nil {
		opts.Loss = SparseCategoricalCrossentropy
	}
	if opts.InputShape == nil {
		opts.InputShape = []int{32, 32, 3} // CIFAR-10's
	}
	if sampleSize(opts.InputShape) == 0 {
		return nil, fmt.Errorf("fit: input shape %v must have positive dimensions", opts.InputShape)
	}
	lr0 := opts.Optimizer.InitialLearningRate()
	if s := opts.Schedule; s != nil {
		if err := s.Validate(); err != nil {
			return nil, fmt.Errorf("fit: %s: %w", s.Name(), err)
		}
		var err error
		if lr0, err = scheduleAt(backend, s, 0); err != nil {
			return nil, err
		}
	}
	t := &Trainer{
		backend:    backend,
		model:      m,
		opt:        opts.Optimizer,
		schedule:   opts.Schedule,
		loss:       opts.Loss,
		seed:       opts.Seed,
		inputShape: slices.Clone(opts.InputShape),
		store:      model.NewStore(),
		out:        os.Stdout,
	}
	t.store.SetParams(opts.Params)
	if err := t.store.SetRNGStateFromSeed(opts.Seed); err != nil {
		return nil, fmt.Errorf("fit: seeding the random state: %w", err)
	}
	if _, err := t.store.CreateVariable(LearningRatePath, tensors.FromValue(float32(lr0))); err != nil {
		return nil, fmt.Errorf("fit: creating the learning rate: %w", err)
	}
	t.store.GetVariable(LearningRatePath).SetTrainable(false)
	if _, err := t.store.CreateVariable(IterationsPath, tensors.FromValue(int64(0))); err != nil {
		return nil, fmt.Errorf("fit: creating the step counter: %w", err)
	}
	t.store.GetVariable(IterationsPath).SetTrainable(false)
	var err error
	if t.trainExec, err = model.NewExec(backend, t.store, t.trainGraph); err != nil {
		return nil, fmt.Errorf("fit: creating the train step: %w", err)
	}
	return t, nil
}

// Backend returns the backend given to [Compile].
func (t *Trainer) Backend() compute.Backend { return t.backend }

// Store returns the model.Store holding the weights and training state.
func (t *Trainer) Store() *model.Store { return t.store }

// Seed returns the seed given to [Compile].
func (t *Trainer) Seed() int64 { return t.seed }

// InputShape returns the shape of one sample.
func (t *Trainer) InputShape() []int { return slices.Clone(t.inputShape) }

// Optimizer returns the optimizer.
func (t *Trainer) Optimizer() Optimizer { return t.opt }

// SetOutput sets where callbacks print their messages (default os.Stdout,
// as Keras).
func (t *Trainer) SetOutput(w io.Writer) { t.out = w }

// Logf prints a callback message (one line) to the trainer's output.
func (t *Trainer) Logf(format string, args ...any) {
	if t.out != nil {
		fmt.Fprintf(t.out, format+"\n", args...)
	}
}

// StopTraining asks Fit to stop after the current epoch: Keras's
// model.stop_training = True.
func (t *Trainer) StopTraining() { t.stop = true }

// Stopping reports whether StopTraining was called during this Fit.
func (t *Trainer) Stopping() bool { return t.stop }

// LearningRate returns the current learning rate (a float32 variable, as in
// Keras, returned as float64): with a [Schedule], the rate of the last
// step taken (of step 0 before training).
func (t *Trainer) LearningRate() float64 {
	v := t.store.GetVariable(LearningRatePath)
	return float64(v.MustValue().Value().(float32))
}

// SetLearningRate sets the learning rate used from the next training step.
// It fails when a [Schedule] sets the rate.
func (t *Trainer) SetLearningRate(lr float64) error {
	if t.schedule != nil {
		return errScheduled
	}
	if !(lr >= 0) || math.IsInf(lr, 0) {
		return fmt.Errorf("fit: learning rate %v must be a finite non-negative number", lr)
	}
	return t.store.GetVariable(LearningRatePath).SetValue(tensors.FromValue(float32(lr)))
}

// Iterations returns the number of optimizer steps taken.
func (t *Trainer) Iterations() int64 {
	return t.store.GetVariable(IterationsPath).MustValue().Value().(int64)
}

// applyModel calls the model and checks its outputs.
func (t *Trainer) applyModel(scope *model.Scope, x *graph.Node) (logits, penalty *graph.Node) {
	logits, penalty = t.model.Apply(scope, x)
	if logits == nil || logits.Rank() != 2 {
		panic(fmt.Errorf("fit: model must return logits [batch, classes], got %v", shapeOf(logits)))
	}
	if penalty != nil {
		if !penalty.Shape().IsScalar() {
			panic(fmt.Errorf("fit: model penalty must be a scalar, got %s", penalty.Shape()))
		}
		penalty = graph.ConvertDType(penalty, dtypes.Float32)
		t.hasPenalty = true
	} else {
		penalty = graph.ScalarZero(x.Graph(), dtypes.Float32)
	}
	return graph.ConvertDType(logits, dtypes.Float32), penalty
}

func shapeOf(n *graph.Node) any {
	if n == nil {
		return "nil"
	}
	return n.Shape()
}

// trainGraph builds one training step; outputs: batch loss (mean loss +
// penalty), penalty, number of correct predictions.
func (t *Trainer) trainGraph(scope *model.Scope, x, y *graph.Node) []*graph.Node {
	g := x.Graph()
	scope.SetTraining(g, true)
	logits, penalty := t.applyModel(scope, x)
	loss := graph.Add(graph.ReduceAllMean(t.loss(y, logits)), penalty)
	correct := graph.ReduceAllSum(Correct(y, logits))

	var vars []*model.Variable
	var nodes []*graph.Node
	for v := range t.store.IterVariables() {
		if v.Trainable && v.InUseByGraph(g) && !isStatePath(v.Path()) {
			vars = append(vars, v)
			nodes = append(nodes, v.NodeValue(g))
		}
	}
	if len(vars) == 0 {
		panic(errors.New("fit: the model has no trainable variables"))
	}
	grads := graph.Gradient(loss, nodes...)
	itVar := t.store.GetVariable(IterationsPath)
	lrVar := t.store.GetVariable(LearningRatePath)
	lr := lrVar.NodeValue(g)
	if t.schedule != nil {
		// Keras evaluates the schedule at optimizer.iterations, the steps
		// taken before this one.
		lr = graph.ConvertDType(t.schedule.Rate(graph.ConvertDType(itVar.NodeValue(g), dtypes.Float32)), dtypes.Float32)
		lrVar.SetNodeValue(lr)
	}
	it := graph.AddScalar(itVar.NodeValue(g), 1)
	itVar.SetNodeValue(it)
	t.opt.Update(t.store, vars, grads, lr, graph.ConvertDType(it, dtypes.Float32))
	return []*graph.Node{loss, penalty, correct}
}

// evalGraph returns the graph function that outputs the summed loss, the
// penalty and the number correct, with test-time augmentation tta, and
// with probs the class probabilities (predictGraph's) too.
func (t *Trainer) evalGraph(tta TTA, probs bool) func(scope *model.Scope, x, y *graph.Node) []*graph.Node {
	return func(scope *model.Scope, x, y *graph.Node) []*graph.Node {
		logits, penalty := t.ttaLogits(scope, x, tta)
		out := []*graph.Node{graph.ReduceAllSum(t.loss(y, logits)), penalty, graph.ReduceAllSum(Correct(y, logits))}
		if probs {
			out = append(out, graph.Softmax(logits, -1))
		}
		return out
	}
}

// predictGraph returns the graph function of the class probabilities, with
// test-time augmentation tta.
func (t *Trainer) predictGraph(tta TTA) func(scope *model.Scope, x *graph.Node) *graph.Node {
	return func(scope *model.Scope, x *graph.Node) *graph.Node {
		logits, _ := t.ttaLogits(scope, x, tta)
		return graph.Softmax(logits, -1)
	}
}

// inferenceModel applies the model in inference mode.
func (t *Trainer) inferenceModel(scope *model.Scope, x *graph.Node) (logits, penalty *graph.Node) {
	scope.SetTraining(x.Graph(), false)
	return t.applyModel(scope, x)
}

// call runs exec, turning GoMLX panics into errors.
func call(exec *model.Exec, args ...any) (out []*tensors.Tensor, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	return exec.Call(args...)
}

func scalar(t *tensors.Tensor) float64 {
	switch v := t.Value().(type) {
	case float32:
		return float64(v)
	case float64:
		return v
	case int64:
		return float64(v)
	case int32:
		return float64(v)
	}
	return math.NaN()
}

func finalize(ts []*tensors.Tensor) {
	for _, t := range ts {
		_ = t.FinalizeAll()
	}
}

// batchTensors returns the batch as new tensors: images [B, shape...] and
// labels [B].
func (t *Trainer) batchTensors(b Batch) (x, y *tensors.Tensor) {
	return tensors.FromFlatDataAndDimensions(b.X, append([]int{b.Size()}, t.inputShape...)...),
		tensors.FromFlatDataAndDimensions(b.Y, b.Size())
}

func (t *Trainer) checkData(d Data, what string) error {
	if d == nil {
		return fmt.Errorf("fit: %s data is nil", what)
	}
	if v, ok := d.(interface{ Validate() error }); ok {
		if err := v.Validate(); err != nil {
			return fmt.Errorf("fit: %s data: %w", what, err)
		}
	}
	if d.Len() == 0 {
		return fmt.Errorf("fit: %s data is empty", what)
	}
	if !slices.Equal(d.SampleShape(), t.inputShape) {
		return fmt.Errorf("fit: %s data has samples of shape %v, the model takes %v", what, d.SampleShape(), t.inputShape)
	}
	return nil
}

// build creates and initializes the model's variables, if not done yet, by
// running the model once in inference mode on a zero sample.
func (t *Trainer) build() error {
	if t.built {
		return nil
	}
	n := sampleSize(t.inputShape)
	x := tensors.FromFlatDataAndDimensions(make([]float32, n), append([]int{1}, t.inputShape...)...)
	exec, err := model.NewExec(t.backend, t.store, t.predictGraph(NoTTA))
	if err != nil {
		return fmt.Errorf("fit: building the model: %w", err)
	}
	defer exec.Finalize()
	out, err := call(exec, x)
	_ = x.FinalizeAll()
	if err != nil {
		return fmt.Errorf("fit: building the model: %w", err)
	}
	t.numClass = out[0].Shape().Dim(-1)
	finalize(out)
	t.built = true
	return nil
}

// Evaluate returns the mean loss (including the weight penalty, as Keras)
// and the accuracy of the model on d, in batches of batchSize (0 means 32).
// [WithTTA] computes both from the test-time augmented logits.
func (t *Trainer) Evaluate(d Data, batchSize int, opts ...EvalOption) (loss, accuracy float64, err error) {
	ev, err := t.evaluate(d, batchSize, opts, false)
	return ev.Loss, ev.Accuracy, err
}

// Evaluation is what [Trainer.EvaluatePredict] measures on a data set in
// one pass.
type Evaluation struct {
	// Loss and Accuracy are Evaluate's: the mean loss with the weight
	// penalty (as Keras), the share of samples classified right.
	Loss, Accuracy float64
	// Probs are Predict's class probabilities, [N, NumClasses] row-major.
	Probs      []float32
	NumClasses int
}

// EvaluatePredict returns in one pass over d what [Trainer.Evaluate] and
// [Trainer.Predict] return (the same numbers: one graph computes the
// logits, with test-time augmentation when [WithTTA] asks, and from them
// the loss, the accuracy and the probabilities), in batches of batchSize
// (0 means 32). d needs labels.
func (t *Trainer) EvaluatePredict(d Data, batchSize int, opts ...EvalOption) (Evaluation, error) {
	return t.evaluate(d, batchSize, opts, true)
}

// evaluate is Evaluate, and with probs EvaluatePredict.
func (t *Trainer) evaluate(d Data, batchSize int, opts []EvalOption, probs bool) (Evaluation, error) {
	if err := t.checkData(d, "evaluation"); err != nil {
		return Evaluation{}, err
	}
	if err := t.checkDataWeights(); err != nil {
		return Evaluation{}, err
	}
	cfg, err := evalOptions(opts, t.inputShape)
	if err != nil {
		return Evaluation{}, err
	}
	batchSize, err = batchSizeOrDefault(batchSize)
	if err != nil {
		return Evaluation{}, err
	}
	var ev Evaluation
	var sumLoss, sumCorrect, penalty float64
	err = runBatches(t, d, batchSize, "evaluating", true, t.evalGraph(cfg.tta, probs), func(out []*tensors.Tensor) error {
		sumLoss += scalar(out[0])
		penalty = scalar(out[1])
		sumCorrect += scalar(out[2])
		if probs {
			ev.NumClasses = out[3].Shape().Dim(-1)
			p, err := tensors.CopyFlatData[float32](out[3])
			if err != nil {
				return fmt.Errorf("fit: reading predictions: %w", err)
			}
			ev.Probs = append(ev.Probs, p...)
		}
		return nil
	})
	if err != nil {
		return Evaluation{}, err
	}
	t.built = true
	if probs {
		t.numClass = ev.NumClasses
	}
	n := float64(d.Len())
	ev.Loss, ev.Accuracy = sumLoss/n+penalty, sumCorrect/n
	return ev, nil
}

// Predict returns the class probabilities (softmax of the logits) of every
// sample of d, row-major [N, classes], computed in batches of batchSize (0
// means 32). Labels of d are ignored. See [Argmax] for the classes. With
// [WithTTA] the probabilities are the softmax of the test-time augmented
// logits.
func (t *Trainer) Predict(d Data, batchSize int, opts ...EvalOption) (probs []float32, numClasses int, err error) {
	if err := t.checkData(d, "prediction"); err != nil {
		return nil, 0, err
	}
	if err := t.checkDataWeights(); err != nil {
		return nil, 0, err
	}
	cfg, err := evalOptions(opts, t.inputShape)
	if err != nil {
		return nil, 0, err
	}
	batchSize, err = batchSizeOrDefault(batchSize)
	if err != nil {
		return nil, 0, err
	}
	err = runBatches(t, d, batchSize, "predicting", false, t.predictGraph(cfg.tta), func(out []*tensors.Tensor) error {
		numClasses = out[0].Shape().Dim(-1)
		p, err := tensors.CopyFlatData[float32](out[0])
		if err != nil {
			return fmt.Errorf("fit: reading predictions: %w", err)
		}
		probs = append(probs, p...)
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	t.built = true
	t.numClass = numClasses
	return probs, numClasses, nil
}

// runBatches runs graphFn on d in order, in batches of batchSize, and
// passes each batch's outputs to use (nil: outputs unused) before freeing
// them; the graph gets the labels too when withLabels. what ("evaluating")
// names the work in errors.
//
// The graph is built afresh for every call: GoMLX's Go backend embeds the
// variables of inference graphs as constants, so a graph compiled before a
// training step would keep the old weights.
func runBatches[F model.ExecGraphFn](t *Trainer, d Data, batchSize int, what string, withLabels bool, graphFn F,
	use func(out []*tensors.Tensor) error) error {
	exec, err := model.NewExec(t.backend, t.store, graphFn)
	if err != nil {
		return fmt.Errorf("fit: %s: building the graph: %w", what, err)
	}
	defer exec.Finalize()
	for _, b := range Batches(d, batchSize, false, 0, 0) {
		x, y := t.batchTensors(b)
		args := []any{x}
		if withLabels {
			args = append(args, y)
		}
		out, err := call(exec, args...)
		_, _ = x.FinalizeAll(), y.FinalizeAll()
		if err != nil {
			return fmt.Errorf("fit: %s: %w", what, err)
		}
		if use != nil {
			err = use(out)
		}
		finalize(out)
		if err != nil {
			return err
		}
	}
	return nil
}

// batchSizeOrDefault returns the batch size of Evaluate, Predict and
// UpdateStatistics: 32 (Keras's default) for 0, an error if negative.
func batchSizeOrDefault(batchSize int) (int, error) {
	switch {
	case batchSize == 0:
		return 32, nil
	case batchSize < 0:
		return 0, fmt.Errorf("fit: batch size %d must be positive", batchSize)
	}
	return batchSize, nil
}

// Argmax returns, for each row of probs ([N, numClasses] row-major), the
// index of its largest value (the first one on ties): the predicted
// classes.
func Argmax(probs []float32, numClasses int) []int {
	if numClasses <= 0 {
		return nil
	}
	classes := make([]int, len(probs)/numClasses)
	for i := range classes {
		row := probs[i*numClasses : (i+1)*numClasses]
		best := 0
		for j, p := range row {
			if p > row[best] {
				best = j
			}
		}
		classes[i] = best
	}
	return classes
}

// Logs are the values of one epoch under Keras's key names: "loss",
// "accuracy", "val_loss", "val_accuracy", "learning_rate", plus
// "regularization_loss" (the part of "loss" that is the weight penalty,
// only for models whose penalty is not zero), "epoch" (0-based, as Keras's
// History.epoch) and "time" (seconds the epoch took, validation included).
type Logs map[string]float64

// History is what Fit returns: the logs of every epoch run, in order
// (Keras's History.history, one Logs per epoch), and how the data was
// split. Its JSON form (MarshalJSON) is the list of epochs alone.
type History struct {
	Epochs []Logs
	Split  Split // the training and validation samples used
}

// Get returns one key's values over the epochs (NaN where missing):
// Keras's history.history[key].
func (h *History) Get(key string) []float64 {
	v := make([]float64, len(h.Epochs))
	for i, l := range h.Epochs {
		x, ok := l[key]
		if !ok {
			x = math.NaN()
		}
		v[i] = x
	}
	return v
}

// MarshalJSON writes the history as a JSON array with one object per epoch,
// values in internal/jsonfloat's encoding (NaN and ±Inf as "nan", "inf",
// "-inf");
// non-finite values (a diverged loss) are written as null.
func (h *History) MarshalJSON() ([]byte, error) {
	rows := make([]map[string]jsonfloat.Float, len(h.Epochs))
	for i, l := range h.Epochs {
		row := make(map[string]jsonfloat.Float, len(l))
		for k, v := range l {
			row[k] = jsonfloat.Float(v)
		}
		rows[i] = row
	}
	return json.Marshal(rows)
}

// UnmarshalJSON reads what MarshalJSON writes, and older files' null as
// NaN.
func (h *History) UnmarshalJSON(data []byte) error {
	var rows []map[string]jsonfloat.Float
	if err := json.Unmarshal(data, &rows); err != nil {
		return err
	}
	h.Epochs = make([]Logs, len(rows))
	for i, row := range rows {
		l := make(Logs, len(row))
		for k, v := range row {
			l[k] = float64(v)
		}
		h.Epochs[i] = l
	}
	return nil
}

// WriteFile writes the history as indented JSON to path, atomically.
func (h *History) WriteFile(path string) error {
	data, err := json.MarshalIndent(h, "", "  ")
	if err != nil {
		return fmt.Errorf("fit: encoding history: %w", err)
	}
	return writeFileAtomic(path, append(data, '\n'))
}

// ReadHistory reads a history that [History.WriteFile] wrote (its epochs;
// the split is not in the file).
func ReadHistory(path string) (*History, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("fit: reading history: %w", err)
	}
	h := &History{}
	if err := json.Unmarshal(data, h); err != nil {
		return nil, fmt.Errorf("fit: reading history %s: %w", path, err)
	}
	return h, nil
}

func (h *History) clone() *History {
	c := &History{Epochs: make([]Logs, len(h.Epochs)), Split: h.Split}
	for i, l := range h.Epochs {
		c.Epochs[i] = l.clone()
	}
	return c
}

func (l Logs) clone() Logs {
	c := make(Logs, len(l))
	for k, v := range l {
		c[k] = v
	}
	return c
}

// Verbosity selects how Fit reports progress; the values are Keras's
// verbose argument.
type Verbosity int

// Verbosity levels.
const (
	Silent      Verbosity = 0 // no output (Go's zero value; Keras's default is 1)
	ProgressBar Verbosity = 1 // a live bar per epoch (in a GoNB notebook: an HTML cell updated in place)
	OneLine     Verbosity = 2 // one line per epoch
)

// FitOptions configures [Trainer.Fit]: Keras's fit arguments.
type FitOptions struct {
	Epochs    int  // epochs to run, counting from 0 (default 1)
	BatchSize int  // samples per step (default 32); the last batch may be smaller
	NoShuffle bool // visit the samples in order (Keras shuffle=False); by default every epoch is shuffled with the trainer's seed
	// Order visits the samples in one fixed order, or sorted by class,
	// instead of reshuffling them (see [Order]); not with NoShuffle.
	Order Order
	// AlternatingFlip mirrors each training image left-right in every
	// other epoch, starting from a random half (airbench's alternating
	// flip; see [AlternatingFlipped]). The samples must be images
	// [height, width, channels]. Validation data is not flipped.
	AlternatingFlip bool

	// At most one of the three validation sources may be set.
	ValidationSplit   float64 // Keras's validation_split: hold out the LAST fraction of the samples, before shuffling
	ValidationHoldOut float64 // the course's train_test_split: hold out a seeded random fraction (seed: DataSeed)
	ValidationData    Data    // Keras's validation_data
	// DataSeed seeds the ValidationHoldOut split and the Fixed order's
	// permutation; 0 means the trainer's seed. The lessons set it so that
	// every run of a lesson, whatever its seed, sees the same images.
	DataSeed int64

	Callbacks []Callback
	Verbose   Verbosity // Silent (default), ProgressBar or OneLine
	Progress  Progress  // overrides Verbose when set
	Output    io.Writer // where progress and callback messages go (default: the trainer's, see SetOutput)

	// InitialEpoch is Keras's initial_epoch: the first epoch to run.
	InitialEpoch int
	// Resume continues a run from a full checkpoint's state (see
	// [Trainer.LoadCheckpoint]): epochs, history and callback state; it
	// overrides InitialEpoch.
	Resume *TrainState
}

// setDefaults fills in Keras's defaults and checks the numbers.
func (o *FitOptions) setDefaults() error {
	if o.Epochs == 0 {
		o.Epochs = 1
	}
	if o.BatchSize == 0 {
		o.BatchSize = 32
	}
	if o.Epochs < 0 || o.BatchSize < 0 || o.InitialEpoch < 0 {
		return fmt.Errorf("fit: epochs (%d), batch size (%d) and initial epoch (%d) must not be negative",
			o.Epochs, o.BatchSize, o.InitialEpoch)
	}
	if o.Output == nil {
		o.Output = io.Discard
	}
	if o.Progress == nil {
		o.Progress = NewProgress(o.Verbose, o.Output)
	}
	return nil
}

// Fit trains the model on data for opts.Epochs epochs and returns the
// History of the epochs run. Callbacks are called as in Keras; a callback
// error stops training and is returned with the History so far.
func (t *Trainer) Fit(data Data, opts FitOptions) (*History, error) {
	if opts.Output == nil {
		opts.Output = t.out
	}
	if err := opts.setDefaults(); err != nil {
		return nil, err
	}
	if err := t.checkData(data, "training"); err != nil {
		return nil, err
	}
	if opts.AlternatingFlip && len(t.inputShape) != 3 {
		return nil, fmt.Errorf("fit: AlternatingFlip needs images [height, width, channels], got samples %v", t.inputShape)
	}
	train, val, split, err := SplitValidation(data, opts, t.seed)
	if err != nil {
		return nil, err
	}
	if train.Len() == 0 {
		return nil, errors.New("fit: no training samples left after the validation split")
	}
	if val != nil {
		if err := t.checkData(val, "validation"); err != nil {
			return nil, err
		}
	}
	t.out = opts.Output
	if err := t.initFromData(train); err != nil {
		return nil, err
	}
	cbs := callbackList(opts.Callbacks)
	hist, start, err := t.beginTraining(cbs, opts)
	if err != nil {
		return hist, err
	}
	hist.Split = split
	var last Logs
	for epoch := start; epoch < opts.Epochs && !t.stop; epoch++ {
		t.epoch = epoch
		if err := cbs.epochBegin(t, epoch); err != nil {
			return hist, err
		}
		logs, err := t.runEpoch(train, val, epoch, opts)
		if err != nil {
			return hist, err
		}
		hist.Epochs = append(hist.Epochs, logs.clone())
		opts.Progress.EpochEnd(epoch, logs)
		if err := cbs.epochEnd(t, epoch, logs, hist); err != nil {
			return hist, err
		}
		last = logs
	}
	if err := t.finalizeEMA(); err != nil {
		return hist, err
	}
	if err := cbs.trainEnd(t, last); err != nil {
		return hist, err
	}
	opts.Progress.Done()
	return hist, nil
}

// beginTraining resets the trainer's per-Fit state, calls OnTrainBegin and,
// when resuming, restores the history and the callbacks' state. It returns
// the history to extend and the first epoch to run.
func (t *Trainer) beginTraining(cbs callbackList, opts FitOptions) (*History, int, error) {
	hist := &History{}
	t.stop = false
	t.pending = nil
	if err := cbs.trainBegin(t); err != nil {
		return hist, 0, err
	}
	r := opts.Resume
	if r == nil {
		return hist, opts.InitialEpoch, nil
	}
	if r.History != nil {
		hist = r.History.clone()
	}
	t.stop = r.Stopped
	if err := cbs.restore(r.Callbacks); err != nil {
		return hist, 0, err
	}
	return hist, r.Epoch, nil
}

// runEpoch trains one epoch, then validates; it returns the epoch's logs.
func (t *Trainer) runEpoch(train, val Data, epoch int, opts FitOptions) (Logs, error) {
	began := time.Now()
	lr := t.LearningRate()
	n := train.Len()
	opts.Progress.EpochBegin(epoch, opts.Epochs, (n+opts.BatchSize-1)/opts.BatchSize)
	var sum epochSums
	for step, b := range Batches(train, opts.BatchSize, !opts.NoShuffle && opts.Order == Shuffled, t.seed, epoch) {
		if opts.AlternatingFlip {
			alternateFlip(b, t.inputShape, t.seed, epoch)
		}
		if err := t.trainStep(b, &sum); err != nil {
			return nil, fmt.Errorf("fit: epoch %d step %d: %w", epoch+1, step+1, err)
		}
		opts.Progress.Step(step+1, sum.running())
	}
	t.built = true
	if t.schedule != nil {
		lr = t.LearningRate() // the rate of the epoch's last step
	}
	logs := Logs{
		"epoch":         float64(epoch),
		"loss":          sum.loss / float64(n),
		"accuracy":      sum.correct / float64(n),
		"learning_rate": lr,
	}
	if t.hasPenalty && sum.penalty != 0 {
		logs["regularization_loss"] = sum.penalty / float64(n)
	}
	if val != nil {
		vl, va, err := t.Evaluate(val, opts.BatchSize)
		if err != nil {
			return nil, fmt.Errorf("fit: epoch %d validation: %w", epoch+1, err)
		}
		logs["val_loss"], logs["val_accuracy"] = vl, va
	}
	logs["time"] = time.Since(began).Seconds()
	return logs, nil
}

// epochSums accumulates an epoch's training values, weighted by batch size.
type epochSums struct {
	loss, penalty, correct float64
	seen                   int
}

// running returns the epoch's means so far, for the progress bar.
func (s *epochSums) running() Logs {
	return Logs{"loss": s.loss / float64(s.seen), "accuracy": s.correct / float64(s.seen)}
}

// trainStep runs one optimizer step on b and adds its values to sum.
func (t *Trainer) trainStep(b Batch, sum *epochSums) error {
	x, y := t.batchTensors(b)
	res, err := call(t.trainExec, x, y)
	_, _ = x.FinalizeAll(), y.FinalizeAll()
	if err != nil {
		return err
	}
	size := float64(b.Size())
	sum.loss += scalar(res[0]) * size
	sum.penalty += scalar(res[1]) * size
	sum.correct += scalar(res[2])
	sum.seen += b.Size()
	finalize(res)
	return nil
}

// finalizeEMA replaces the trainable variables with their moving averages
// when the optimizer keeps them (Base.UseEMA): Keras's
// optimizer.finalize_variable_values at the end of fit.
func (t *Trainer) finalizeEMA() error {
	b := baseOf(t.opt)
	if b == nil || !b.UseEMA {
		return nil
	}
	for v := range t.store.IterVariables() {
		if !v.Trainable || isStatePath(v.Path()) {
			continue
		}
		e := t.store.GetVariable(EMAScope + v.Path())
		if e == nil || !e.HasValue() {
			continue // not trained yet
		}
		s, err := copyVar(e)
		if err != nil {
			return fmt.Errorf("fit: finalizing the EMA: %w", err)
		}
		s.path = v.Path()
		val, err := s.tensor()
		if err == nil {
			err = v.SetValue(val)
		}
		if err != nil {
			return fmt.Errorf("fit: finalizing the EMA of %s: %w", v.Path(), err)
		}
	}
	return nil
}

// initFromData computes the data-dependent weights of a [DataInitializer]
// model from the first training samples, unless its weights were loaded
// (or resumed: the computed ones are among them) or computed already.
func (t *Trainer) initFromData(train Data) error {
	di, ok := t.model.(DataInitializer)
	if !ok || di.DataSamples() == 0 || t.weightsSet {
		return nil
	}
	if t.built {
		return errors.New("fit: the model computes weights from the training data, but its weights were created without them: Fit a new Trainer, or load the weights")
	}
	n := min(di.DataSamples(), train.Len())
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	b := MakeBatch(train, idx)
	if err := di.InitFromData(b.X, n); err != nil {
		return fmt.Errorf("fit: computing weights from %d training samples: %w", n, err)
	}
	t.weightsSet = true
	return nil
}

// checkDataWeights fails when the model's data-computed weights (see
// [DataInitializer]) are neither computed (by Fit) nor loaded.
func (t *Trainer) checkDataWeights() error {
	if di, ok := t.model.(DataInitializer); ok && di.DataSamples() > 0 && !t.weightsSet {
		return errors.New("fit: the model computes weights from the training data: Fit it, or load its weights, before evaluating or predicting")
	}
	return nil
}
