package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/cnnlab/cnnlab/cifar"
	"github.com/cnnlab/cnnlab/internal/atomicfile"
	"github.com/cnnlab/cnnlab/internal/version"
	"github.com/cnnlab/cnnlab/pkg/backend"
	"github.com/cnnlab/cnnlab/pkg/course"
	"github.com/cnnlab/cnnlab/pkg/experiment"
	"github.com/cnnlab/cnnlab/pkg/fit"
	"github.com/cnnlab/cnnlab/pkg/layers"
	"github.com/cnnlab/cnnlab/pkg/nn"
	"github.com/cnnlab/cnnlab/pkg/report"
)

func init() {
	register(&command{
		name:    "train",
		summary: "train a preset model on CIFAR-10 with Keras-like callbacks and checkpoints",
		usage: "[--data PATH] --model NAME [--width F] [--limit N] [--epochs E] [--batch-size B] [--no-shuffle | --order fixed|sorted] [--seed S] " +
			"[--val-split F | --val-holdout F] [--optimizer adam|sgd] [--lr X] [--momentum M] [--nesterov] " +
			"[--weight-decay F [--exclude-from-weight-decay P,...]] [--lr-multipliers P=F,...] [--use-ema [--ema-momentum F] [--ema-overwrite-frequency N]] " +
			"[--label-smoothing F] [--alternating-flip] [--tta none|mirror|mirror_translate] " +
			"[--lr-schedule NAME:key=value,...] [--reduce-lr-patience P --reduce-lr-factor F] [--early-stop-patience P] [--restore-best] [--monitor NAME] " +
			"[--csv-log FILE] " +
			"[--checkpoint TEMPLATE [--save-best-only] [--weights-only]] [--resume FILE] [--test] [--verbose 0|1|2] [--backend-conv=false] [--fused-bn=false] [--allow-imbalance] --out DIR",
		run: runTrain,
	})
}

// trainConfig is what "cnnlab train" writes to DIR/run.json.
type trainConfig struct {
	Data        string    `json:"data"`
	Model       string    `json:"model"`
	Width       float64   `json:"width"`
	Limit       int       `json:"limit"`
	Split       fit.Split `json:"split"` // the training and validation images used, and how they were split
	Epochs      int       `json:"epochs"`
	BatchSize   int       `json:"batch_size"`
	Shuffle     bool      `json:"shuffle"`
	Order       string    `json:"order,omitempty"` // --order: "fixed" or "sorted"
	Seed        int64     `json:"seed"`
	ValSplit    float64   `json:"val_split"`
	ValHoldOut  float64   `json:"val_holdout"`
	Optimizer   string    `json:"optimizer"`
	LR          float64   `json:"learning_rate"`
	Schedule    string    `json:"lr_schedule,omitempty"`
	Momentum    float64   `json:"momentum,omitempty"`
	Nesterov    bool      `json:"nesterov,omitempty"`
	WeightDecay float64   `json:"weight_decay,omitempty"`
	NoDecay     []string  `json:"exclude_from_weight_decay,omitempty"`
	LRMult      string    `json:"lr_multipliers,omitempty"`
	EMA         float64   `json:"ema_momentum,omitempty"` // set when --use-ema
	EMAOverwr   int       `json:"ema_overwrite_frequency,omitempty"`
	Smoothing   float64   `json:"label_smoothing,omitempty"`
	AltFlip     bool      `json:"alternating_flip,omitempty"`
	TTA         string    `json:"tta,omitempty"` // of the --test evaluation
	Backend     string    `json:"backend"`
	BackendConv bool      `json:"backend_conv"` // Conv2D on the patched backend's kernel (layers.Options.UsesBackendConv)
	Resumed     string    `json:"resumed_from,omitempty"`
	Started     string    `json:"started"`
	Version     string    `json:"cnnlab_version"` // cnnlab's module version and VCS revision
}

func runTrain(fs *flag.FlagSet, args []string) error {
	dataPath := dataFlag(fs)
	modelName := fs.String("model", "", "course model: "+strings.Join(nn.Names(), ", "))
	width := widthFlag(fs)
	limit := fs.Int("limit", 0, "train on N training images drawn with the seed (0: all; more than the data holds is an error)")
	epochs := fs.Int("epochs", 10, "epochs to train")
	batchSize := fs.Int("batch-size", course.Defaults.BatchSize, "images per training step (the course's; Keras's default is 32)")
	noShuffle := fs.Bool("no-shuffle", false, "visit the images in order instead of reshuffling every epoch")
	order := fs.String("order", "", `visit the images in one order every epoch: "fixed" (a seeded one if the data is sorted by class) or "sorted" (by class)`)
	seed := fs.Int64("seed", course.Defaults.Seed, "seed of the weights, dropout, shuffling, --limit and --val-holdout")
	valSplit := fs.Float64("val-split", 0, "Keras's validation_split: hold out the LAST fraction of the training images (on a class-sorted archive, only with --limit, which shuffles)")
	valHoldOut := fs.Float64("val-holdout", course.Defaults.ValidationHoldOut, "the course's split: hold out a seeded random fraction (ignored when --val-split is set; 0: none)")
	optName := fs.String("optimizer", course.Defaults.Optimizer, "optimizer: adam or sgd")
	lr := fs.Float64("lr", 0, "learning rate (0: the default, 1e-3 for adam as in the course and Keras, 0.01 for sgd)")
	momentum := fs.Float64("momentum", 0, "SGD momentum")
	nesterov := fs.Bool("nesterov", false, "Keras's SGD(nesterov=True): Nesterov momentum (needs --optimizer sgd and --momentum)")
	weightDecay := fs.Float64("weight-decay", 0, "Keras 3's decoupled weight_decay: w -= lr*wd*w before every update (0: none)")
	noDecay := fs.String("exclude-from-weight-decay", "", "Keras's exclude_from_weight_decay(var_names=...): comma-separated regular expressions; "+
		"variables whose path matches are not decayed, e.g. beta,bias")
	lrMult := fs.String("lr-multipliers", "", "per-variable learning rates, PyTorch's parameter groups: comma-separated PATTERN=FACTOR, "+
		"e.g. beta$=64 trains the BatchNormalization biases at 64 times the rate (airbench's bias_scaler)")
	useEMA := fs.Bool("use-ema", false, "Keras's use_ema: keep an exponential moving average of the weights, which replaces them when training ends")
	emaMomentum := fs.Float64("ema-momentum", 0.99, "Keras's ema_momentum (with --use-ema)")
	emaOverwrite := fs.Int("ema-overwrite-frequency", 0, "Keras's ema_overwrite_frequency: copy the averages into the weights every N steps (with --use-ema; 0: only at the end)")
	smoothing := fs.Float64("label-smoothing", 0, "label smoothing of the cross-entropy, Keras's/PyTorch's label_smoothing: targets y*(1-e)+e/10")
	altFlip := fs.Bool("alternating-flip", false, "airbench's alternating flip: mirror each training image in every other epoch, starting from a random half")
	ttaName := fs.String("tta", "none", "test-time augmentation of the --test evaluation: none, mirror or mirror_translate (airbench's levels 0, 1, 2)")
	scheduleSpec := fs.String("lr-schedule", "", "Keras learning-rate schedule per step, NAME:key=value,... with Keras's argument names: "+
		"exponential (decay_steps, decay_rate, staircase), piecewise (boundaries=a/b, values=x/y/z), polynomial (decay_steps, end_learning_rate, power, cycle), "+
		"inverse_time (decay_steps, decay_rate, staircase), cosine (decay_steps, alpha, warmup_target, warmup_steps), cosine_restarts (first_decay_steps, t_mul, m_mul, alpha); "+
		"initial_learning_rate defaults to --lr. E.g. cosine:decay_steps=20000,warmup_steps=500,warmup_target=0.002. "+
		"Also piecewise_linear (boundaries=0/100/500, values=0.002/0.01/0: numpy.interp, airbench's triangle) and "+
		"one_cycle (PyTorch OneCycleLR's total_steps, max_lr (default --lr), pct_start, div_factor, final_div_factor; linear)")
	csvLog := fs.String("csv-log", "", "Keras's CSVLogger: write every epoch's logs to this CSV file in --out (appended to when resuming)")
	reducePatience := fs.Int("reduce-lr-patience", 0, "ReduceLROnPlateau patience in epochs (0: no ReduceLROnPlateau)")
	reduceFactor := fs.Float64("reduce-lr-factor", 0.1, "ReduceLROnPlateau factor")
	stopPatience := fs.Int("early-stop-patience", 0, "EarlyStopping patience in epochs (0: no EarlyStopping)")
	restoreBest := fs.Bool("restore-best", false, "EarlyStopping restore_best_weights")
	monitor := fs.String("monitor", "", "value the callbacks watch (default val_loss, or loss without validation)")
	ckpt := fs.String("checkpoint", "", "ModelCheckpoint file template in --out, e.g. 'weights.{epoch:02d}-{val_loss:.2f}.ckpt'")
	bestOnly := fs.Bool("save-best-only", false, "ModelCheckpoint save_best_only")
	weightsOnly := fs.Bool("weights-only", false, "ModelCheckpoint save_weights_only (such files cannot be resumed from)")
	resume := fs.String("resume", "", "resume from a full checkpoint written by --checkpoint (same flags otherwise)")
	evalTest := fs.Bool("test", false, "evaluate the final model on the test set")
	verbose := fs.Int("verbose", 1, "0 silent, 1 progress bar, 2 one line per epoch (Keras's verbose)")
	backendConv := backendConvFlag(fs)
	fusedBN := fusedBNFlag(fs)
	allowImbalance := allowImbalanceFlag(fs)
	outDir := fs.String("out", "", "folder for history.json, curves.svg (learning curves), run.json, final.weights.ckpt and the checkpoints")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	recipe, hasRecipe := nn.RecipeOf(*modelName)
	if hasRecipe {
		if err := recipeDefaults(fs, set, recipe); err != nil {
			return err
		}
	}
	switch {
	case *modelName == "":
		return usageError("--model is required")
	case *outDir == "":
		return usageError("--out is required")
	case *limit < 0:
		return usageError("--limit must not be negative, got %d", *limit)
	case *epochs <= 0:
		return usageError("--epochs must be positive, got %d", *epochs)
	case *batchSize <= 0:
		return usageError("--batch-size must be positive, got %d", *batchSize)
	case *order != "" && *order != string(fit.Fixed) && *order != string(fit.ByClass):
		return usageError("--order must be fixed or sorted, got %q", *order)
	case *order != "" && *noShuffle:
		return usageError("use either --no-shuffle or --order, not both")
	case !(*valSplit >= 0 && *valSplit < 1) || !(*valHoldOut >= 0 && *valHoldOut < 1):
		return usageError("--val-split and --val-holdout must be in [0, 1)")
	case set["val-split"] && set["val-holdout"] && *valSplit > 0 && *valHoldOut > 0:
		return usageError("use either --val-split or --val-holdout, not both")
	case *optName != "adam" && *optName != "sgd":
		return usageError("--optimizer must be adam or sgd, got %q", *optName)
	case *lr < 0 || *momentum < 0 || *momentum >= 1:
		return usageError("--lr must be >= 0 and --momentum in [0, 1)")
	case *nesterov && (*optName != "sgd" || *momentum == 0):
		return usageError("--nesterov needs --optimizer sgd and a --momentum")
	case !(*weightDecay >= 0):
		return usageError("--weight-decay must be >= 0, got %g", *weightDecay)
	case *noDecay != "" && *weightDecay == 0:
		return usageError("--exclude-from-weight-decay needs --weight-decay")
	case (set["ema-momentum"] || set["ema-overwrite-frequency"]) && !*useEMA:
		return usageError("--ema-momentum and --ema-overwrite-frequency need --use-ema")
	case !(*emaMomentum >= 0 && *emaMomentum <= 1) || *emaOverwrite < 0:
		return usageError("--ema-momentum must be in [0, 1] and --ema-overwrite-frequency >= 0")
	case !(*smoothing >= 0 && *smoothing <= 1):
		return usageError("--label-smoothing must be in [0, 1], got %g", *smoothing)
	case *reducePatience < 0 || *stopPatience < 0:
		return usageError("patiences must not be negative")
	case *reduceFactor <= 0 || *reduceFactor >= 1:
		return usageError("--reduce-lr-factor must be in (0, 1), got %g", *reduceFactor)
	case *verbose < 0 || *verbose > 2:
		return usageError("--verbose must be 0, 1 or 2, got %d", *verbose)
	case (*bestOnly || *weightsOnly) && *ckpt == "":
		return usageError("--save-best-only and --weights-only need --checkpoint")
	}
	if err := checkWidth(*width); err != nil {
		return err
	}
	if *valSplit > 0 {
		*valHoldOut = 0
	}
	layerOpts := layers.Options{NoBackendConv: !*backendConv, NoFusedBatchNorm: !*fusedBN}
	m, err := nn.Named(*modelName, *width)
	if err != nil {
		return usageError("%v", err)
	}

	// Everything the flags name is checked before the data is read: the
	// schedule, the callbacks, the checkpoint to resume from.
	tta, err := parseTTA(*ttaName)
	if err != nil {
		return err
	}
	if tta != fit.NoTTA && !*evalTest {
		return usageError("--tta applies to the --test evaluation: add --test")
	}
	base := fit.Base{WeightDecay: *weightDecay, UseEMA: *useEMA, EMAOverwriteFrequency: *emaOverwrite}
	if *noDecay != "" {
		base.ExcludeFromWeightDecay = strings.Split(*noDecay, ",")
	}
	if *useEMA {
		base.EMAMomentum = *emaMomentum
	}
	if base.LRMultipliers, err = parseLRMultipliers(*lrMult); err != nil {
		return usageError("--lr-multipliers: %v", err)
	}
	if err := base.Validate(); err != nil {
		return usageError("%s", strings.TrimPrefix(err.Error(), "fit: "))
	}
	var opt fit.Optimizer
	if *optName == "sgd" {
		sgd := fit.SGD(*lr, *momentum)
		sgd.Nesterov, sgd.Base = *nesterov, base
		opt = sgd
	} else {
		adam := fit.Adam(*lr)
		adam.Base = base
		opt = adam
	}
	var loss fit.LossFn
	if *smoothing > 0 {
		if loss, err = fit.SmoothedSparseCategoricalCrossentropy(*smoothing); err != nil {
			return usageError("%s", strings.TrimPrefix(err.Error(), "fit: "))
		}
	}
	var schedule fit.Schedule
	// The recipe's triangular schedule spans the run's steps, known once
	// the data is read; the train step's graph, built at the first step,
	// reads the schedule then, so it is set in place after the data is
	// read (its first rate, which Compile reads, does not depend on the
	// steps).
	var triangular *fit.PiecewiseLinearSchedule
	if hasRecipe && recipe.Triangular && *scheduleSpec == "" {
		if *reducePatience > 0 {
			return usageError("--reduce-lr-patience: the %s recipe's triangular schedule sets the rate (give --lr-schedule to replace it)", *modelName)
		}
		recipe.LearningRate = opt.InitialLearningRate()
		t, err := experiment.RecipeTraining(recipe, 1)
		if err != nil {
			return usageError("%v", err)
		}
		triangular = t.Schedule.(*fit.PiecewiseLinearSchedule)
		schedule = triangular
	}
	if *scheduleSpec != "" {
		if *reducePatience > 0 {
			return usageError("--lr-schedule and --reduce-lr-patience: a schedule's rate cannot be changed by ReduceLROnPlateau (as in Keras)")
		}
		if schedule, err = fit.ParseSchedule(*scheduleSpec, opt.InitialLearningRate()); err != nil {
			return usageError("--lr-schedule: %s", strings.TrimPrefix(err.Error(), "fit: "))
		}
	}
	validation := *valSplit > 0 || *valHoldOut > 0
	mon := *monitor
	if mon == "" {
		mon = "val_loss"
		if !validation {
			mon = "loss"
		}
	}
	inOut := func(path string) string {
		if path == "" || filepath.IsAbs(path) {
			return path
		}
		return filepath.Join(*outDir, path)
	}
	spec := fit.CallbackSpec{Monitor: mon, CSVLog: inOut(*csvLog), CSVAppend: *resume != ""}
	if *reducePatience > 0 {
		spec.ReduceLR = &fit.ReduceLRSpec{Patience: *reducePatience, Factor: *reduceFactor}
	}
	if *stopPatience > 0 {
		spec.EarlyStop = &fit.EarlyStopSpec{Patience: *stopPatience, RestoreBest: *restoreBest}
	}
	if *ckpt != "" {
		spec.Checkpoints = []fit.CheckpointSpec{{Path: inOut(*ckpt), BestOnly: *bestOnly, WeightsOnly: *weightsOnly}}
	}
	if err := fit.CheckCallbacks(spec.Build(), fit.LogKeys(validation)); err != nil {
		return usageError("%s", strings.TrimPrefix(err.Error(), "fit: "))
	}
	if set["monitor"] && *reducePatience == 0 && *stopPatience == 0 && !*bestOnly {
		return usageError("--monitor %s: no callback monitors it (set --reduce-lr-patience, --early-stop-patience or --checkpoint --save-best-only)", mon)
	}

	b, info, err := backend.New()
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "backend: %s\n", info.String())
	fitOpts := fit.FitOptions{
		Epochs: *epochs, BatchSize: *batchSize, NoShuffle: *noShuffle, Order: fit.Order(*order),
		ValidationSplit: *valSplit, ValidationHoldOut: *valHoldOut,
		Verbose: fit.Verbosity(*verbose), Output: os.Stdout, AlternatingFlip: *altFlip,
	}
	job := fit.Job{
		Backend: b, Model: m, Callbacks: spec, Fit: fitOpts, Output: os.Stdout,
		Options: fit.Options{Optimizer: opt, Seed: *seed, Schedule: schedule, Loss: loss, Params: layerOpts.Params()},
		Record: func(hist *fit.History) error {
			if err := hist.WriteFile(filepath.Join(*outDir, "history.json")); err != nil {
				return err
			}
			return report.WriteCurves(filepath.Join(*outDir, "curves.svg"), report.Run{Name: m.Name(), History: hist})
		},
		WeightsPath: filepath.Join(*outDir, "final.weights.ckpt"),
		TestBatch:   256, TestOptions: []fit.EvalOption{fit.WithTTA(tta)},
	}
	run, err := fit.Start(job)
	if err != nil {
		return err
	}
	if *resume != "" {
		if err := run.Resume(*resume, false); err != nil {
			return err
		}
		state := run.Resumed
		// The checkpoint restores the learning rate in effect (after
		// ReduceLROnPlateau, say); an --lr other than the run's own would
		// be ignored, so it is refused.
		if first := state.History.Get("learning_rate"); set["lr"] && schedule == nil && len(first) > 0 && math.Abs(first[0]-*lr) > 1e-9*math.Abs(*lr) {
			return usageError("--lr %g: %s is a run that started at learning rate %g, and resuming restores its rate; "+
				"drop --lr, or start a new run to train at another rate", *lr, *resume, first[0])
		}
		fmt.Fprintf(os.Stderr, "resuming from %s after epoch %d\n", *resume, state.Epoch)
	}

	data, err := loadData(*dataPath)
	if err != nil {
		return err
	}
	if err := checkClasses(data, *allowImbalance); err != nil {
		return err
	}
	train, err := sample(data.Train, *limit, *seed)
	if err != nil {
		return err
	}

	trainData := train.Scaled(cifar.UnitScaling)
	trainPart, _, split, err := fit.SplitValidation(trainData, fitOpts, *seed)
	if err != nil {
		return err
	}
	if triangular != nil {
		t, err := experiment.RecipeTraining(recipe, (trainPart.Len()+*batchSize-1) / *batchSize * *epochs)
		if err != nil {
			return err
		}
		*triangular = *t.Schedule.(*fit.PiecewiseLinearSchedule)
	}
	cfg := trainConfig{
		Data: data.Source, Model: m.Name(), Width: *width, Limit: *limit, Split: split,
		Epochs: *epochs, BatchSize: *batchSize, Shuffle: !*noShuffle && *order == "", Order: *order, Seed: *seed,
		ValSplit: *valSplit, ValHoldOut: *valHoldOut, Optimizer: opt.Name(), LR: opt.InitialLearningRate(), Schedule: scheduleName(*scheduleSpec, triangular),
		Momentum: *momentum, Nesterov: *nesterov, WeightDecay: *weightDecay, NoDecay: base.ExcludeFromWeightDecay, LRMult: *lrMult,
		EMAOverwr: base.EMAOverwriteFrequency, Smoothing: *smoothing, AltFlip: *altFlip,
		Backend: info.String(), BackendConv: layerOpts.UsesBackendConv(), Resumed: *resume, Started: time.Now().UTC().Format(time.RFC3339),
		Version: version.String(),
	}
	if *useEMA {
		cfg.EMA = *emaMomentum
	}
	if tta != fit.NoTTA {
		cfg.TTA = tta.String()
	}
	cfgJSON, _ := json.MarshalIndent(cfg, "", "  ")
	if err := os.MkdirAll(*outDir, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", *outDir, err)
	}
	if err := atomicfile.WriteBytes(filepath.Join(*outDir, "run.json"), append(cfgJSON, '\n')); err != nil {
		return err
	}

	var test fit.Data
	if *evalTest {
		test = data.Test.Scaled(cifar.UnitScaling)
	}
	res, err := run.Train(trainData, test)
	if err != nil {
		return err
	}
	fmt.Printf("wrote %s (%d epochs), curves.svg and %s\n", filepath.Join(*outDir, "history.json"), len(res.History.Epochs),
		job.WeightsPath)
	if *evalTest {
		printTest(res.TestLoss, res.TestAccuracy, data.Test.Len(), tta)
	}
	return nil
}

// parseTTA reads the --tta flag's value (fit.ParseTTA's names).
func parseTTA(name string) (fit.TTA, error) {
	tta, err := fit.ParseTTA(name)
	if err != nil {
		return tta, usageError("--tta: %s", strings.TrimPrefix(err.Error(), "fit: "))
	}
	return tta, nil
}

// printTest prints the test line of train --test and evaluate: loss,
// accuracy, images and the test-time augmentation, if any.
func printTest(loss, acc float64, images int, tta fit.TTA) {
	with := ""
	if tta != fit.NoTTA {
		with = ", test-time augmentation " + tta.String()
	}
	fmt.Printf("test: loss %.4f, accuracy %.4f (%d images%s)\n", loss, acc, images, with)
}

// recipeDefaults sets the flags that the command line leaves unset to the
// model's recipe (nn.RecipeOf): `cnnlab train --model fast` trains with
// its recipe, and a flag given overrides that one setting. The recipe
// trains on every training image (no validation hold-out, unless asked
// for) and its test-time augmentation applies to --test.
func recipeDefaults(fs *flag.FlagSet, set map[string]bool, r nn.Recipe) error {
	defaults := []struct {
		flag, value string
		use         bool
	}{
		{"epochs", strconv.Itoa(r.Epochs), true},
		{"batch-size", strconv.Itoa(r.BatchSize), true},
		{"val-holdout", "0", !set["val-split"]},
		{"optimizer", "sgd", true},
		{"lr", fmt.Sprint(r.LearningRate), !set["optimizer"]},
		{"momentum", fmt.Sprint(r.Momentum), !set["optimizer"]},
		{"nesterov", strconv.FormatBool(r.Nesterov), !set["optimizer"]},
		{"weight-decay", fmt.Sprint(r.WeightDecay), true},
		{"exclude-from-weight-decay", strings.Join(r.ExcludeFromWeightDecay, ","), r.WeightDecay > 0 && !set["weight-decay"]},
		{"lr-multipliers", recipeMultipliers(r), !set["optimizer"]},
		{"use-ema", strconv.FormatBool(r.EMA), true},
		{"ema-momentum", fmt.Sprint(r.EMAMomentum), r.EMA && !set["use-ema"]},
		{"ema-overwrite-frequency", strconv.Itoa(r.EMAEvery), r.EMA && !set["use-ema"]},
		{"label-smoothing", fmt.Sprint(r.LabelSmoothing), true},
		{"alternating-flip", strconv.FormatBool(r.AlternatingFlip), true},
		{"tta", r.TTA, set["test"]},
	}
	for _, d := range defaults {
		if set[d.flag] || !d.use {
			continue
		}
		if err := fs.Set(d.flag, d.value); err != nil {
			return fmt.Errorf("the recipe's --%s %s: %w", d.flag, d.value, err)
		}
	}
	return nil
}

// parseLRMultipliers reads --lr-multipliers: comma-separated
// PATTERN=FACTOR entries (the factor after the last "=").
func parseLRMultipliers(spec string) ([]fit.LRMultiplier, error) {
	if spec == "" {
		return nil, nil
	}
	var out []fit.LRMultiplier
	for _, entry := range strings.Split(spec, ",") {
		i := strings.LastIndex(entry, "=")
		if i <= 0 {
			return nil, fmt.Errorf("%q: want PATTERN=FACTOR", entry)
		}
		f, err := strconv.ParseFloat(entry[i+1:], 64)
		if err != nil {
			return nil, fmt.Errorf("%q: the factor: %w", entry, err)
		}
		out = append(out, fit.LRMultiplier{Pattern: entry[:i], Factor: f})
	}
	b := fit.Base{LRMultipliers: out}
	if err := b.Validate(); err != nil {
		return nil, fmt.Errorf("%s", strings.TrimPrefix(err.Error(), "fit: "))
	}
	return out, nil
}

// recipeMultipliers is recipe r's --lr-multipliers, written from
// experiment.RecipeLRMultipliers in the form parseLRMultipliers reads.
func recipeMultipliers(r nn.Recipe) string {
	var entries []string
	for _, m := range experiment.RecipeLRMultipliers(r) {
		entries = append(entries, fmt.Sprintf("%s=%g", m.Pattern, m.Factor))
	}
	return strings.Join(entries, ",")
}

// scheduleName describes the run's schedule for run.json: the
// --lr-schedule given, or the recipe's triangular schedule.
func scheduleName(spec string, triangular *fit.PiecewiseLinearSchedule) string {
	if triangular != nil {
		return fmt.Sprintf("recipe triangular: boundaries %v, values %v", triangular.Boundaries, triangular.Values)
	}
	return spec
}
