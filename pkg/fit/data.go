package fit

import (
	"fmt"
	"iter"
	"slices"

	"github.com/cnnlab/cnnlab/pkg/split"
)

// Data is a labelled set of samples that [Trainer.Fit], [Trainer.Evaluate]
// and [Trainer.Predict] read batch by batch. A *cifar.Dataset gives one
// with its Scaled method (cifar.Scaled) and [Arrays] holds plain float32
// arrays.
type Data interface {
	// Len returns the number of samples.
	Len() int
	// SampleShape returns the shape of one sample, e.g. [32 32 3] (HWC).
	SampleShape() []int
	// Fill writes the samples at indices into x (len(indices) samples of
	// SampleShape, row-major) and their class labels into y.
	Fill(indices []int, x []float32, y []int32)
}

// Arrays is [Data] held in plain slices: X holds Len samples of Shape,
// row-major, and Y one class label per sample. Y may be nil for
// [Trainer.Predict].
type Arrays struct {
	X     []float32
	Shape []int // shape of one sample, e.g. [32 32 3]
	Y     []int32
}

// Len returns the number of samples in X.
func (a *Arrays) Len() int {
	n := sampleSize(a.Shape)
	if n == 0 {
		return 0
	}
	return len(a.X) / n
}

// SampleShape returns a.Shape.
func (a *Arrays) SampleShape() []int { return a.Shape }

// Fill implements [Data].
func (a *Arrays) Fill(indices []int, x []float32, y []int32) {
	n := sampleSize(a.Shape)
	for j, i := range indices {
		copy(x[j*n:(j+1)*n], a.X[i*n:(i+1)*n])
		if a.Y != nil {
			y[j] = a.Y[i]
		}
	}
}

// Validate checks that X holds a whole number of samples and that Y, when
// set, has one label per sample.
func (a *Arrays) Validate() error {
	n := sampleSize(a.Shape)
	if n <= 0 {
		return fmt.Errorf("fit: Arrays.Shape %v must have positive dimensions", a.Shape)
	}
	if len(a.X)%n != 0 {
		return fmt.Errorf("fit: Arrays.X has %d values, not a multiple of the sample size %d (shape %v)", len(a.X), n, a.Shape)
	}
	if a.Y != nil && len(a.Y) != len(a.X)/n {
		return fmt.Errorf("fit: Arrays has %d samples but %d labels", len(a.X)/n, len(a.Y))
	}
	return nil
}

func sampleSize(shape []int) int {
	if len(shape) == 0 {
		return 0
	}
	n := 1
	for _, d := range shape {
		if d <= 0 {
			return 0
		}
		n *= d
	}
	return n
}

// subset is a view of some samples of a Data, in the given order.
type subset struct {
	d   Data
	idx []int
}

func (s subset) Len() int           { return len(s.idx) }
func (s subset) SampleShape() []int { return s.d.SampleShape() }
func (s subset) Fill(indices []int, x []float32, y []int32) {
	mapped := make([]int, len(indices))
	for j, i := range indices {
		mapped[j] = s.idx[i]
	}
	s.d.Fill(mapped, x, y)
}

// SplitLast holds out the last fraction of d, unshuffled: Keras's
// fit(validation_split=fraction), cut where [split.At] says (the same
// samples as cifar.Dataset.SplitLast).
func SplitLast(d Data, fraction float64) (train, val Data, err error) {
	at, err := splitAt(d.Len(), fraction)
	if err != nil {
		return nil, nil, err
	}
	return subset{d, seq(0, at)}, subset{d, seq(at, d.Len())}, nil
}

// HoldOut holds out a seeded random fraction of d, as the course does with
// scikit-learn's train_test_split: the samples [split.HoldOut] picks (the
// same as cifar.Dataset.Split with the same seed).
func HoldOut(d Data, fraction float64, seed int64) (train, val Data, err error) {
	tr, va, err := holdOut(d.Len(), fraction, seed)
	if err != nil {
		return nil, nil, err
	}
	return subset{d, tr}, subset{d, va}, nil
}

func splitAt(n int, fraction float64) (int, error) {
	at, err := split.At(n, fraction)
	if err != nil {
		return 0, fmt.Errorf("fit: %w", err)
	}
	return at, nil
}

func holdOut(n int, fraction float64, seed int64) (train, val []int, err error) {
	train, val, err = split.HoldOut(n, fraction, seed)
	if err != nil {
		return nil, nil, fmt.Errorf("fit: %w", err)
	}
	return train, val, nil
}

// Split says how [Trainer.Fit] divided its data: the method, the number
// of samples on each side and the order of the training samples. It is
// recorded in [History] and, by the CLI and the lessons, in their results
// files.
type Split struct {
	// Method is "holdout" (FitOptions.ValidationHoldOut: the course's
	// seeded train_test_split), "split_last" (ValidationSplit: Keras's
	// validation_split), "data" (ValidationData) or "none".
	Method   string  `json:"method"`
	Fraction float64 `json:"fraction,omitempty"` // the held-out fraction, for holdout and split_last
	Train    int     `json:"train"`              // training samples
	Val      int     `json:"val"`                // validation samples
	// Order says in words how each epoch visits the training samples (see
	// [Order]); empty in files written before it was recorded.
	Order string `json:"order,omitempty"`
}

// Order is the order in which [Trainer.Fit] visits the training samples.
// The shuffle lesson compares the three.
type Order string

const (
	// Shuffled reshuffles the samples every epoch with the trainer's seed:
	// Keras's shuffle=True, the default.
	Shuffled Order = ""
	// Fixed visits the samples in one order, the same every epoch: the
	// data's own order (after the validation split, the training samples
	// in the data's order), or, when that order is sorted by class (as
	// CIFAR-10's folders are), one permutation of it drawn with the data
	// seed. FitOptions.NoShuffle is Keras's shuffle=False: the data's
	// order even when it is sorted by class.
	Fixed Order = "fixed"
	// ByClass visits the samples sorted by class label, the same every
	// epoch (Fixed's order, stably sorted by label): every batch holds
	// one or two classes.
	ByClass Order = "sorted"
)

// SplitValidation returns the training and validation data that Fit uses
// for train under opts with the trainer seed seed (val is nil without
// validation), the training samples in the order of opts.Order, and how
// they were split. It is what Fit calls; a program can call it to record
// the split before training.
func SplitValidation(train Data, opts FitOptions, seed int64) (tr, val Data, split Split, err error) {
	n := 0
	for _, set := range []bool{opts.ValidationSplit != 0, opts.ValidationHoldOut != 0, opts.ValidationData != nil} {
		if set {
			n++
		}
	}
	if n > 1 {
		return nil, nil, Split{}, fmt.Errorf("fit: set only one of ValidationSplit, ValidationHoldOut and ValidationData")
	}
	if opts.NoShuffle && opts.Order != Shuffled {
		return nil, nil, Split{}, fmt.Errorf("fit: set NoShuffle or Order %q, not both", opts.Order)
	}
	dataSeed := seed
	if opts.DataSeed != 0 {
		dataSeed = opts.DataSeed
	}
	split = Split{Method: "none"}
	var trIdx []int // nil: all of train, in its order
	switch {
	case opts.ValidationSplit != 0:
		var at int
		if at, err = splitAt(train.Len(), opts.ValidationSplit); err != nil {
			return nil, nil, Split{}, err
		}
		trIdx, val = seq(0, at), subset{train, seq(at, train.Len())}
		split = Split{Method: "split_last", Fraction: opts.ValidationSplit}
	case opts.ValidationHoldOut != 0:
		var vaIdx []int
		if trIdx, vaIdx, err = holdOut(train.Len(), opts.ValidationHoldOut, dataSeed); err != nil {
			return nil, nil, Split{}, err
		}
		val = subset{train, vaIdx}
		split = Split{Method: "holdout", Fraction: opts.ValidationHoldOut}
	case opts.ValidationData != nil:
		val = opts.ValidationData
		split.Method = "data"
	}
	split.Order = "reshuffled every epoch"
	if opts.NoShuffle {
		split.Order = "in the data's order, the same every epoch"
	}
	if opts.Order != Shuffled {
		if trIdx == nil {
			trIdx = seq(0, train.Len())
		}
		if split.Order, err = order(train, trIdx, opts.Order, dataSeed); err != nil {
			return nil, nil, Split{}, err
		}
	}
	tr = train
	if trIdx != nil {
		tr = subset{train, trIdx}
	}
	split.Train = tr.Len()
	if val != nil {
		split.Val = val.Len()
	}
	return tr, val, split, nil
}

// order puts idx, indices of d, in the order o asks for (see [Order]) and
// says how in words.
func order(d Data, idx []int, o Order, seed int64) (string, error) {
	if o != Fixed && o != ByClass {
		return "", fmt.Errorf("fit: unknown Order %q (want %q, %q or %q)", o, Shuffled, Fixed, ByClass)
	}
	labels := labelsOf(d)
	slices.Sort(idx) // the data's order
	how := "fixed: the order of the images as drawn, the same every epoch"
	if slices.IsSortedFunc(idx, func(a, b int) int { return int(labels[a]) - int(labels[b]) }) {
		perm := split.Permutation(len(idx), seed)
		shuffled := make([]int, len(idx))
		for i, j := range perm {
			shuffled[i] = idx[j]
		}
		copy(idx, shuffled)
		how = "fixed: one seeded order, the same every epoch (the source is sorted by class)"
	}
	if o == ByClass {
		slices.SortStableFunc(idx, func(a, b int) int { return int(labels[a]) - int(labels[b]) })
		how = "sorted by class, the same every epoch"
	}
	return how, nil
}

// labelsOf reads the class labels of all of d's samples, a few hundred
// samples at a time.
func labelsOf(d Data) []int32 {
	const chunk = 256
	labels := make([]int32, d.Len())
	x := make([]float32, chunk*sampleSize(d.SampleShape()))
	for lo := 0; lo < d.Len(); lo += chunk {
		idx := seq(lo, min(lo+chunk, d.Len()))
		d.Fill(idx, x[:len(idx)*sampleSize(d.SampleShape())], labels[lo:lo+len(idx)])
	}
	return labels
}

func seq(lo, hi int) []int {
	s := make([]int, hi-lo)
	for i := range s {
		s[i] = lo + i
	}
	return s
}

// Batch is one batch of samples, as [Trainer.Fit] feeds them to the model.
type Batch struct {
	X       []float32 // len(Indices) samples, row-major, each of the data's SampleShape
	Y       []int32   // one sparse class label per sample
	Indices []int     // the samples' indices in the data
}

// Size returns the number of samples in the batch.
func (b Batch) Size() int { return len(b.Indices) }

// Batches returns the batches of one epoch (numbered from 0) of d, as Fit
// visits them: the samples in order, or with shuffle in the order
// [split.EpochOrder] gives for (seed, epoch), cut into batches of batchSize
// (0 means 32, Keras's default) with the last partial batch kept, as
// Keras does. Each batch has freshly allocated slices.
func Batches(d Data, batchSize int, shuffle bool, seed int64, epoch int) iter.Seq2[int, Batch] {
	if batchSize <= 0 {
		batchSize = 32
	}
	return func(yield func(int, Batch) bool) {
		order := epochOrder(d.Len(), shuffle, seed, epoch)
		for step := 0; step*batchSize < len(order); step++ {
			idx := order[step*batchSize : min((step+1)*batchSize, len(order))]
			if !yield(step, MakeBatch(d, idx)) {
				return
			}
		}
	}
}

// MakeBatch fills the samples of d at indices into a new Batch.
func MakeBatch(d Data, indices []int) Batch {
	b := Batch{
		X:       make([]float32, len(indices)*sampleSize(d.SampleShape())),
		Y:       make([]int32, len(indices)),
		Indices: indices,
	}
	d.Fill(indices, b.X, b.Y)
	return b
}

// epochOrder returns the order in which an epoch visits n samples.
func epochOrder(n int, shuffle bool, seed int64, epoch int) []int {
	if !shuffle {
		return seq(0, n)
	}
	return split.EpochOrder(n, seed, epoch)
}
