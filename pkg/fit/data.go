package fit

import (
	"fmt"

	"github.com/cnnlab/cnnlab/cifar"
)

// Data is a labelled set of samples that [Trainer.Fit], [Trainer.Evaluate]
// and [Trainer.Predict] read batch by batch. [CIFAR] adapts a
// *cifar.Dataset and [Arrays] holds plain float32 arrays.
type Data interface {
	// Len returns the number of samples.
	Len() int
	// SampleShape returns the shape of one sample, e.g. [32 32 3] (HWC).
	SampleShape() []int
	// Fill writes the samples at indices into x (len(indices) samples of
	// SampleShape, row-major) and their class labels into y.
	Fill(indices []int, x []float32, y []int32)
}

// CIFAR returns d as [Data], converting pixels with scaling one batch at a
// time (the zero Scaling divides by 255, as the course does).
func CIFAR(d *cifar.Dataset, scaling cifar.Scaling) Data {
	if scaling == (cifar.Scaling{}) {
		scaling = cifar.UnitScaling
	}
	return cifarData{d: d, s: scaling}
}

type cifarData struct {
	d *cifar.Dataset
	s cifar.Scaling
}

func (c cifarData) Len() int { return c.d.Len() }

func (c cifarData) SampleShape() []int { return []int{cifar.Height, cifar.Width, cifar.Channels} }

func (c cifarData) Fill(indices []int, x []float32, y []int32) {
	for j, i := range indices {
		c.s.Apply(x[j*cifar.ImageSize:(j+1)*cifar.ImageSize], c.d.Image(i))
		y[j] = int32(c.d.Labels[i])
	}
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

// valCount returns round(n*fraction), the number of held-out samples, as
// cifar.Dataset.Split does.
func valCount(n int, fraction float64) (int, error) {
	if !(fraction >= 0 && fraction < 1) {
		return 0, fmt.Errorf("fit: validation fraction %v out of range [0, 1)", fraction)
	}
	return int(float64(n)*fraction + 0.5), nil
}

// SplitLast holds out the last fraction of d, unshuffled: Keras's
// fit(validation_split=fraction). It matches cifar.Dataset.SplitLast.
func SplitLast(d Data, fraction float64) (train, val Data, err error) {
	nVal, err := valCount(d.Len(), fraction)
	if err != nil {
		return nil, nil, err
	}
	cut := d.Len() - nVal
	return subset{d, seq(0, cut)}, subset{d, seq(cut, d.Len())}, nil
}

// HoldOut holds out a seeded random fraction of d, as the course does with
// scikit-learn's train_test_split: it matches cifar.Dataset.Split with the
// same seed.
func HoldOut(d Data, fraction float64, seed uint64) (train, val Data, err error) {
	nVal, err := valCount(d.Len(), fraction)
	if err != nil {
		return nil, nil, err
	}
	perm := cifar.Permutation(d.Len(), seed)
	return subset{d, perm[nVal:]}, subset{d, perm[:nVal]}, nil
}

func seq(lo, hi int) []int {
	s := make([]int, hi-lo)
	for i := range s {
		s[i] = lo + i
	}
	return s
}

// epochOrder returns the order in which an epoch visits n samples: the same
// as cifar.Batcher.Order for the same seed and shuffle setting.
func epochOrder(n int, shuffle bool, seed uint64, epoch int) []int {
	if !shuffle {
		return seq(0, n)
	}
	return cifar.Permutation(n, seed^(uint64(epoch)+1)*0x9e3779b97f4a7c15)
}
