// Package cifar loads the CIFAR-10 dataset and feeds it to models.
//
// It reads the official binary release (cifar-10-binary.tar.gz or its
// cifar-10-batches-bin folder), the Python release that Keras and
// torchvision cache (cifar-10-python.tar.gz or cifar-10-batches-py), and
// image-folder layouts (train/<class>/*.jpg, as a folder or .tar.gz); it
// downloads and verifies the official release into a cache folder.
//
// Images are held as uint8 NHWC [N,32,32,3] with one label byte each; they
// are converted to float32 one batch at a time (with a [Scaling]), never as a
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
// last samples before any shuffling. Both are computed on indices by
// package split, which package fit uses too, so a split made here and one
// made by fit.Fit are the same samples.
//
// [Dataset.Scaled] is the dataset as training reads it: pixels converted by
// a [Scaling] one batch at a time. It satisfies fit.Data.
//
// The image-folder format orders images by class, then file name (the
// shared JPEG archive is sorted by class too): shuffle before training.
package cifar

import (
	"fmt"
	"strings"

	"github.com/cnnlab/cnnlab/pkg/split"
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

// Sample returns n images of d drawn at random with seed, as a new
// dataset (d itself when n <= 0 or n >= Len). Image-folder archives are
// sorted by class, so a subset for a quick run must be drawn, not taken
// from the head.
func (d *Dataset) Sample(n int, seed int64) *Dataset {
	if n <= 0 || n >= d.Len() {
		return d
	}
	return d.Subset(split.Permutation(d.Len(), seed)[:n])
}

// MinClassShare is the smallest share of the mean class size that
// [Dataset.CheckClasses] accepts for every class.
const MinClassShare = 0.5

// CheckClasses fails when d lacks one of the ten classes, or holds a class
// with fewer than MinClassShare of the images of the mean class (the
// official release and the shared archive are balanced), naming those
// classes with their counts.
func (d *Dataset) CheckClasses() error {
	counts := d.ClassCounts()
	mean := float64(d.Len()) / NumClasses
	var missing, few []string
	for c, n := range counts {
		switch {
		case n == 0:
			missing = append(missing, Classes[c])
		case float64(n) < MinClassShare*mean:
			few = append(few, fmt.Sprintf("%s (%d)", Classes[c], n))
		}
	}
	var problems []string
	if len(missing) > 0 {
		problems = append(problems, fmt.Sprintf("no images of %d of the %d classes: %s", len(missing), NumClasses, strings.Join(missing, ", ")))
	}
	if len(few) > 0 {
		problems = append(problems, fmt.Sprintf("fewer than half the mean %.0f images per class: %s", mean, strings.Join(few, ", ")))
	}
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("cifar: %d images with %s", d.Len(), strings.Join(problems, "; "))
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
