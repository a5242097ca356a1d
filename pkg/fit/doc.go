// Package fit trains, evaluates and runs image classifiers the way Keras's
// model.compile / fit / evaluate / predict do, on GoMLX.
//
//	tr, err := fit.Compile(backend, model, fit.Options{Optimizer: fit.Adam(1e-3), Seed: 42})
//	hist, err := tr.Fit(train.Scaled(cifar.UnitScaling), fit.FitOptions{
//		Epochs: 20, BatchSize: 64, ValidationHoldOut: 0.15, Verbose: fit.ProgressBar,
//		Callbacks: []fit.Callback{fit.NewReduceLROnPlateau(), fit.NewEarlyStopping()},
//	})
//	loss, acc, err := tr.Evaluate(test.Scaled(cifar.UnitScaling), 0)
//	probs, classes, err := tr.Predict(data, 0) // probs [N,10] row-major; fit.Argmax(probs, classes)
//
// A [Model] returns logits and a weight penalty; *nn.Model satisfies it,
// and [ModelFunc] adapts a plain GoMLX function. Data is anything that
// implements [Data]: a *cifar.Dataset's Scaled view (pixels are scaled one
// batch at a time) and [Arrays], which holds plain float32 arrays. Package
// fit does not import cifar: the index arithmetic both use (shuffles and
// validation splits) lives below them in package split.
//
// # Training
//
// Losses ([SparseCategoricalCrossentropy] and [CategoricalCrossentropy],
// from logits or, with the ...FromProbs variants, from probabilities
// clipped to [Epsilon, 1-Epsilon]) are per-example; Fit averages them over
// the batch and adds the model's penalty, so "loss" includes the
// regularization penalty as in Keras, and "regularization_loss" reports it
// separately. "accuracy" is the share of argmax(logits) equal to the label.
// "loss" and "accuracy" are the means over the epoch's batches (weighted by
// batch size) while the weights change, as Keras reports them; "val_loss"
// and "val_accuracy" are computed at the end of the epoch in inference mode
// (dropout off, batch-norm moving averages).
//
// Optimizers are Keras's: [Adam] (lr 1e-3, β1 0.9, β2 0.999, ε 1e-7, ε
// added to √v after Keras's bias correction of the step) and [SGD] with
// optional (Nesterov) momentum (lr 0.01); both embed [Base], Keras 3's
// common optimizer arguments: decoupled weight decay (w −= lr·wd·w) with
// exclude_from_weight_decay, and the EMA of the weights (use_ema,
// ema_momentum, ema_overwrite_frequency; the averages replace the weights
// when Fit ends). The learning rate is a float32
// variable: [Trainer.LearningRate] and [Trainer.SetLearningRate] read and
// set it between epochs, and History records the rate each epoch ran with.
// A [Schedule] (Keras's ExponentialDecay, PiecewiseConstantDecay,
// PolynomialDecay, InverseTimeDecay, CosineDecay with warm-up,
// CosineDecayRestarts) instead sets the rate of every step from the step
// counter, in the training graph; History then records the rate of each
// epoch's last step, and checkpoints keep the schedule's position.
// [PiecewiseLinear], [Triangular] and [OneCycle] (PyTorch's OneCycleLR,
// linear) are the piecewise-linear schedules of fast recipes, which Keras
// lacks.
//
// The fast CIFAR-10 recipes' other techniques: label smoothing
// ([SmoothedSparseCategoricalCrossentropy]), airbench's alternating flip
// (FitOptions.AlternatingFlip) and test-time augmentation of Evaluate and
// Predict ([WithTTA]: mirror, and one-pixel translations).
//
// Data: [Batches] cuts an epoch into batches exactly as Fit does (the same
// samples in the same order), for programs and notebooks that want to look
// at one. Validation: ValidationSplit is Keras's validation_split (the LAST
// fraction of the samples, before shuffling, cut at floor(n·(1−f)); on the
// class-sorted CIFAR archive that is a bad split); ValidationHoldOut is the
// course's seeded random train_test_split (ceil(f·n) samples, the same ones
// as cifar.Dataset.Split with the same seed: FitOptions.DataSeed, or the
// trainer's); ValidationData is Keras's validation_data. Order: every epoch
// is reshuffled, unless NoShuffle (Keras's shuffle=False) or
// FitOptions.Order ([Fixed], [ByClass]) says otherwise. [SplitValidation]
// does what Fit does, and History.Split records the sizes and the order.
//
// Looking inside: [Trainer.Inspect] returns a batch's intermediate values
// in training or inference mode without changing the model, and
// [Trainer.UpdateStatistics] brings BatchNorm's moving averages to the
// current weights (a training pass at learning rate zero; Keras has no
// such function, PyTorch has torch.optim.swa_utils.update_bn), to see how
// much the averages that training left behind cost;
// [Trainer.MovingAverages] read before and after it say, layer by layer,
// how far they trailed ([MovingAverage.MeanShift]).
//
// Determinism: Options.Seed seeds the weight initialization, dropout, every
// epoch's shuffle (split.EpochOrder with that seed) and, without a
// DataSeed, the hold-out split, so the same seed gives the same History on the pure Go backend (tested).
// Keras seeds nothing by default; here the zero seed is a seed like any
// other.
//
// # Callbacks
//
// [ReduceLROnPlateau], [EarlyStopping], [ModelCheckpoint],
// [LearningRateScheduler] and [CSVLogger] follow the source of Keras 3.16
// ([KerasVersion]; keras/src/callbacks), pinned by tests on scripted metric
// sequences. Where Keras 3 and tf.keras 2.x (which the course used) differ,
// Keras 3 wins:
//
//   - the best value of ReduceLROnPlateau, EarlyStopping and ModelCheckpoint
//     starts unset (None, since Keras 3.11), so the first monitored value
//     always counts, even NaN or ±Inf (tf.keras started at ±Inf);
//   - improvements are compared in float32, as Keras 3 does on its
//     TensorFlow, JAX and PyTorch backends (the ones course users run):
//     current ± min_delta is rounded to float32 before the comparison
//     (Keras's numpy backend compares in float64);
//   - EarlyStopping with RestoreBestWeights restores the best weights at the
//     end of training even when it did not stop early (tf.keras 2.x only
//     restored them when stopping);
//   - "auto" mode minimizes "loss" and "val_loss" and maximizes
//     "accuracy"/"val_accuracy" in all three (Keras 3 asks the metric for
//     its direction; tf.keras 2.x guessed from the name); other names need
//     an explicit Mode (we also minimize any name ending in "loss");
//   - History always records "learning_rate" (Keras 3 logs it only when a
//     ReduceLROnPlateau callback is present; tf.keras 2.x logged "lr").
//
// With a learning-rate [Schedule] (Options.Schedule) the rate is not
// settable, as in Keras 3: ReduceLROnPlateau and LearningRateScheduler then
// fail with Keras's error instead of changing it.
//
// Other differences from Keras: an unknown Mode or a callback problem is
// an error (Keras warns and falls back); Verbose's zero value is Silent
// (Keras defaults to 1); the History also holds "epoch" (0-based, as
// Keras's History.epoch) and "time" (seconds).
//
// # Checkpoints
//
// Keras writes HDF5 (.h5, .weights.h5) or .keras zip files; cnnlab writes
// its own small format instead (documented at the top of checkpoint.go: a
// magic string, a JSON header listing each variable's path, dtype, shape
// and offset, the raw little-endian values and a CRC-32), so names ending
// in .h5, .hdf5 or .keras are refused: use e.g. "weights.{epoch:02d}-{val_loss:.2f}.ckpt".
// [Trainer.SaveWeights] writes the model's variables; a full checkpoint
// ([Trainer.SaveCheckpoint], or ModelCheckpoint without SaveWeightsOnly)
// also holds the optimizer state, the learning rate, the random-number
// state, the History so far and the callbacks' state, so that
// [Trainer.LoadCheckpoint] + FitOptions.Resume continues a killed run to
// the same History as an uninterrupted one (tested). Loading into a model of
// another shape fails naming the variable. Files are written to a
// temporary file in the same folder and renamed, so a crash never leaves a
// truncated checkpoint.
//
// # Progress
//
// Verbose ProgressBar prints Keras 3's bar ("12/50 ━━━━━───── 3s 80ms/step
// - accuracy: 0.31 - loss: 1.92"), redrawn in place on a terminal; OneLine
// prints one line per epoch; Silent prints nothing. Implement [Progress]
// to report elsewhere: package nb's Progress shows the bar in a GoNB
// notebook, as an HTML cell updated in place.
//
// # GoMLX note
//
// GoMLX's pure Go backend embeds the variables of inference graphs as
// constants when they are compiled (its PreferConstantsForVariables
// capability); Evaluate and Predict therefore build their graphs afresh on
// every call so they always see the current weights. Training graphs take
// the variables as parameters and write back every variable the step
// changes (weights, optimizer state, BatchNorm's moving averages, the step
// counter, the random state), which the tests check against values computed
// by hand.
//
// Why not GoMLX's own pieces (gomlx_compare_test.go runs each against the
// Keras numbers): its Adam adds epsilon after debiasing the second moment
// (Keras adds it before), so steps differ several-fold for gradients near
// 1e-7; its SGD divides the rate by sqrt(step) by default and has no
// momentum or Nesterov; its cosine schedule restarts after its period where
// Keras's CosineDecay stays at alpha·rate, and is its only schedule; its
// checkpoints name their own files (not ModelCheckpoint's filepath) and hold
// no epoch, History or callback state; its train.Trainer takes the same
// steps but has no epochs, so its averaged loss is not Keras's per-epoch
// "loss" after the first epoch.
package fit
