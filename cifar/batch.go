package cifar

import (
	"fmt"
	"iter"
	"math"
)

// Scaling converts uint8 pixels to float32, per channel:
//
//	x' = (x - Offset[c]) * Scale[c]
//
// The zero Scaling means [UnitScaling].
type Scaling struct {
	Offset [Channels]float32
	Scale  [Channels]float32
}

// UnitScaling divides pixels by 255, mapping them to [0, 1]: the course's
// feature scaling.
var UnitScaling = Scaling{Scale: [Channels]float32{1.0 / 255, 1.0 / 255, 1.0 / 255}}

func (s Scaling) isZero() bool { return s == Scaling{} }

// MinMaxScaling returns the per-channel min-max scaling of d: each channel's
// smallest pixel value maps to 0 and its largest to 1. A constant channel
// maps to 0.
func MinMaxScaling(d *Dataset) Scaling {
	lo := [Channels]uint8{255, 255, 255}
	var hi [Channels]uint8
	for i, v := range d.Images {
		c := i % Channels
		lo[c] = min(lo[c], v)
		hi[c] = max(hi[c], v)
	}
	var s Scaling
	for c := range Channels {
		s.Offset[c] = float32(lo[c])
		if hi[c] > lo[c] {
			s.Scale[c] = 1 / float32(hi[c]-lo[c])
		}
	}
	return s
}

// ChannelStats returns the per-channel mean and (population) standard
// deviation of d's pixels on the 0..255 scale.
func ChannelStats(d *Dataset) (mean, std [Channels]float64) {
	var sum, sumSq [Channels]float64
	for i, v := range d.Images {
		f := float64(v)
		sum[i%Channels] += f
		sumSq[i%Channels] += f * f
	}
	n := float64(len(d.Images) / Channels)
	if n == 0 {
		return mean, std
	}
	for c := range Channels {
		mean[c] = sum[c] / n
		std[c] = math.Sqrt(max(0, sumSq[c]/n-mean[c]*mean[c]))
	}
	return mean, std
}

// ZScoreScaling returns the per-channel z-score standardization of d
// (subtract the channel mean, divide by its standard deviation). Compute it
// on the training split and apply it to every split.
func ZScoreScaling(d *Dataset) Scaling {
	mean, std := ChannelStats(d)
	var s Scaling
	for c := range Channels {
		s.Offset[c] = float32(mean[c])
		if std[c] > 0 {
			s.Scale[c] = float32(1 / std[c])
		}
	}
	return s
}

// Apply converts src pixels (NHWC, any number of whole pixels) into dst,
// which must have len(src) elements.
func (s Scaling) Apply(dst []float32, src []uint8) {
	if s.isZero() {
		s = UnitScaling
	}
	for i, v := range src {
		c := i % Channels
		dst[i] = (float32(v) - s.Offset[c]) * s.Scale[c]
	}
}

// BatchOptions configures a [Batcher]. The zero value gives batch size 32
// and the last partial batch kept (Keras's defaults), sparse labels, and
// pixels divided by 255 (the course's scaling); it does not shuffle, whereas
// Keras's fit shuffles by default (shuffle=True): set Shuffle for training.
type BatchOptions struct {
	BatchSize     int     // images per batch; 0 means 32 (Keras's default)
	Shuffle       bool    // reshuffle the images at every epoch
	Seed          uint64  // seed of the shuffling; epoch e uses a permutation derived from (Seed, e)
	DropRemainder bool    // drop the last partial batch (Keras keeps it: false)
	OneHot        bool    // also fill Batch.OneHot with one-hot labels
	Scaling       Scaling // pixel scaling; the zero value means UnitScaling
}

// Batch is one batch of images converted to float32.
type Batch struct {
	Size    int       // number of images, ≤ BatchSize (smaller for the last partial batch)
	Images  []float32 // [Size,32,32,3] NHWC, scaled
	Labels  []int32   // [Size] sparse labels 0..9
	OneHot  []float32 // [Size,10] one-hot labels, only with BatchOptions.OneHot
	Indices []int     // indices of the images in the dataset
}

// Batcher cuts a dataset into batches, epoch after epoch.
type Batcher struct {
	data *Dataset
	opts BatchOptions
}

// NewBatcher returns a Batcher over d. It fails on an empty dataset or a
// negative batch size.
func NewBatcher(d *Dataset, opts BatchOptions) (*Batcher, error) {
	if opts.BatchSize == 0 {
		opts.BatchSize = 32
	}
	if opts.BatchSize < 0 {
		return nil, fmt.Errorf("cifar: batch size %d must be positive", opts.BatchSize)
	}
	if d == nil || d.Len() == 0 {
		return nil, fmt.Errorf("cifar: cannot batch an empty dataset")
	}
	if opts.Scaling.isZero() {
		opts.Scaling = UnitScaling
	}
	return &Batcher{data: d, opts: opts}, nil
}

// Options returns the batcher's options with defaults filled in.
func (b *Batcher) Options() BatchOptions { return b.opts }

// NumBatches returns the number of batches per epoch (Keras's
// steps_per_epoch): ceil(N/B), or floor(N/B) with DropRemainder.
func (b *Batcher) NumBatches() int {
	n, bs := b.data.Len(), b.opts.BatchSize
	if b.opts.DropRemainder {
		return n / bs
	}
	return (n + bs - 1) / bs
}

// Order returns the order in which epoch visits the images: 0..N-1 without
// shuffling, else a permutation that depends only on (Seed, epoch), so a run
// resumed at epoch e sees the same batches as an uninterrupted one.
func (b *Batcher) Order(epoch int) []int {
	n := b.data.Len()
	if !b.opts.Shuffle {
		order := make([]int, n)
		for i := range order {
			order[i] = i
		}
		return order
	}
	return Permutation(n, b.opts.Seed^(uint64(epoch)+1)*0x9e3779b97f4a7c15)
}

// Epoch returns the batches of one epoch, numbered from 0. Each batch has
// its own freshly allocated slices.
func (b *Batcher) Epoch(epoch int) iter.Seq2[int, Batch] {
	return func(yield func(int, Batch) bool) {
		order := b.Order(epoch)
		for step := range b.NumBatches() {
			lo := step * b.opts.BatchSize
			hi := min(lo+b.opts.BatchSize, len(order))
			if !yield(step, b.Make(order[lo:hi])) {
				return
			}
		}
	}
}

// Make builds the batch of the images at indices.
func (b *Batcher) Make(indices []int) Batch {
	n := len(indices)
	batch := Batch{
		Size:    n,
		Images:  make([]float32, n*ImageSize),
		Labels:  make([]int32, n),
		Indices: indices,
	}
	if b.opts.OneHot {
		batch.OneHot = make([]float32, n*NumClasses)
	}
	for j, i := range indices {
		b.opts.Scaling.Apply(batch.Images[j*ImageSize:(j+1)*ImageSize], b.data.Image(i))
		l := b.data.Labels[i]
		batch.Labels[j] = int32(l)
		if b.opts.OneHot {
			batch.OneHot[j*NumClasses+int(l)] = 1
		}
	}
	return batch
}
