// Package cifar loads the CIFAR-10 dataset and feeds it to models.
//
// It reads the official binary release (cifar-10-binary.tar.gz or its
// cifar-10-batches-bin folder), the Python release that Keras and
// torchvision cache (cifar-10-python.tar.gz or cifar-10-batches-py), and
// image-folder layouts (train/<class>/*.jpg, as a folder or .tar.gz); it
// downloads and verifies the official release into a cache folder.
//
// Images are held as uint8 NHWC [N,32,32,3] with one label byte each; they
// are converted to float32 one batch at a time (see [Batcher]), never as a
// whole-dataset copy.
//
// # Differences from Keras
//
// keras.datasets.cifar10.load_data() returns x as uint8 [N,32,32,3] (as
// here) and y as uint8 [N,1]; here labels are a flat []uint8 of N, and a
// [Batch] gives them as int32 [B] (or one-hot [B,10]). Load reads the same
// Python release Keras caches, in the same order, so the images and labels
// are identical.
//
// [Dataset.Split] draws a shuffled validation set as scikit-learn's
// train_test_split does (same sizes, different random draw);
// [Dataset.SplitLast] is Keras's fit(validation_split=…), which takes the
// last samples before any shuffling. [Batcher] keeps the last partial batch
// as Keras does, but does not shuffle unless asked (Keras's fit shuffles by
// default).
//
// The image-folder format orders images by class, then file name (the
// shared JPEG archive is sorted by class too): shuffle before training.
package cifar

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Image geometry and number of classes of CIFAR-10.
const (
	Height     = 32
	Width      = 32
	Channels   = 3
	ImageSize  = Height * Width * Channels // bytes per image (3,072)
	NumClasses = 10
)

// Classes are the CIFAR-10 class names in the official label order 0..9.
var Classes = [NumClasses]string{
	"airplane", "automobile", "bird", "cat", "deer",
	"dog", "frog", "horse", "ship", "truck",
}

// Dataset is a set of CIFAR-10 images held in memory.
type Dataset struct {
	// Images holds Len()*ImageSize bytes: image i is
	// Images[i*ImageSize:(i+1)*ImageSize], in NHWC order (row, column, RGB).
	Images []uint8
	// Labels holds one label 0..9 per image.
	Labels []uint8
}

// Len returns the number of images.
func (d *Dataset) Len() int { return len(d.Labels) }

// Image returns the pixels of image i, [32,32,3] row-major, sharing memory
// with d.
func (d *Dataset) Image(i int) []uint8 { return d.Images[i*ImageSize : (i+1)*ImageSize] }

// Subset returns a new dataset holding copies of the images at the given
// indices, in that order.
func (d *Dataset) Subset(indices []int) *Dataset {
	s := &Dataset{Images: make([]uint8, len(indices)*ImageSize), Labels: make([]uint8, len(indices))}
	for j, i := range indices {
		copy(s.Images[j*ImageSize:], d.Image(i))
		s.Labels[j] = d.Labels[i]
	}
	return s
}

// Head returns the first n images (all if n <= 0 or n >= Len) without
// copying.
func (d *Dataset) Head(n int) *Dataset {
	if n <= 0 || n >= d.Len() {
		return d
	}
	return &Dataset{Images: d.Images[:n*ImageSize], Labels: d.Labels[:n]}
}

// ClassCounts returns the number of images of each class.
func (d *Dataset) ClassCounts() [NumClasses]int {
	var c [NumClasses]int
	for _, l := range d.Labels {
		c[l]++
	}
	return c
}

// Validate checks that the pixel buffer matches the number of labels and
// that every label is in 0..9.
func (d *Dataset) Validate() error {
	if len(d.Images) != len(d.Labels)*ImageSize {
		return fmt.Errorf("cifar: dataset has %d labels but %d pixel bytes (want %d)",
			len(d.Labels), len(d.Images), len(d.Labels)*ImageSize)
	}
	for i, l := range d.Labels {
		if l >= NumClasses {
			return fmt.Errorf("cifar: image %d has label %d, want 0..%d", i, l, NumClasses-1)
		}
	}
	return nil
}

// Permutation returns a seeded pseudo-random permutation of 0..n-1. The same
// (n, seed) always gives the same permutation, on every platform.
func Permutation(n int, seed uint64) []int {
	r := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	return r.Perm(n)
}

// DefaultValidationFraction is the share of the training set held out for
// validation by [Dataset.Split] in the course (15%).
const DefaultValidationFraction = 0.15

// Split holds out a seeded random fraction of d for validation, as the
// course does with scikit-learn's train_test_split(test_size=fraction): the
// images are shuffled with seed, the first ceil(fraction*Len) go to val (the
// count scikit-learn's n_test gives) and the rest to train. The counts match
// scikit-learn; which images are drawn does not (the generators differ).
// Unlike scikit-learn, fraction 0 is allowed and gives an empty val. It
// returns an error if fraction is not in [0, 1) or train would be empty.
//
// Keras's fit(validation_split=…) instead takes the last fraction of the
// samples, unshuffled: use [Dataset.SplitLast] for that.
func (d *Dataset) Split(fraction float64, seed uint64) (train, val *Dataset, err error) {
	nVal, err := testCount(d.Len(), fraction)
	if err != nil {
		return nil, nil, err
	}
	perm := Permutation(d.Len(), seed)
	return d.Subset(perm[nVal:]), d.Subset(perm[:nVal]), nil
}

// SplitLast holds out the last fraction of d for validation, without
// shuffling: the semantics of Keras's fit(validation_split=fraction). As in
// Keras 3 (train_validation_split), train keeps the first
// floor(Len*(1-fraction)) images and val the rest, and a split that leaves
// either side empty is an error; fraction 0 means no validation (val is
// empty), as in Keras. The result shares memory with d.
func (d *Dataset) SplitLast(fraction float64) (train, val *Dataset, err error) {
	if err := checkFraction(fraction); err != nil {
		return nil, nil, err
	}
	n, cut := d.Len(), d.Len()
	if fraction > 0 {
		cut = int(math.Floor(float64(n) * (1.0 - fraction)))
		if cut == 0 || cut == n {
			return nil, nil, fmt.Errorf("cifar: %d images are not enough to split with validation fraction %v", n, fraction)
		}
	}
	train = &Dataset{Images: d.Images[:cut*ImageSize], Labels: d.Labels[:cut]}
	val = &Dataset{Images: d.Images[cut*ImageSize:], Labels: d.Labels[cut:]}
	return train, val, nil
}

func checkFraction(fraction float64) error {
	if !(fraction >= 0 && fraction < 1) {
		return fmt.Errorf("cifar: validation fraction %v out of range [0, 1)", fraction)
	}
	return nil
}

// testCount is scikit-learn's n_test = ceil(test_size * n_samples), with its
// error when the training side would be empty.
func testCount(n int, fraction float64) (int, error) {
	if err := checkFraction(fraction); err != nil {
		return 0, err
	}
	nVal := int(math.Ceil(fraction * float64(n)))
	if nVal >= n && n > 0 {
		return 0, fmt.Errorf("cifar: validation fraction %v of %d images leaves no training images", fraction, n)
	}
	return nVal, nil
}
