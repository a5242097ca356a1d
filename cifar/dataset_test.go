package cifar

import (
	"bytes"
	"math"
	"slices"
	"strings"
	"testing"
)

// labelled returns n one-pixel-distinct images; image i's first byte is i
// (mod 256) so images can be told apart.
func labelled(n int) *Dataset {
	d := synth(n)
	for i := range n {
		d.Images[i*ImageSize] = uint8(i)
	}
	return d
}

func TestSplitCountsMatchScikitLearn(t *testing.T) {
	// n_test = ceil(test_size * n_samples), computed in float64 as
	// scikit-learn's _validate_shuffle_split does.
	tests := []struct {
		n        int
		fraction float64
		nVal     int
	}{
		{50000, 0.15, 7500},
		{10, 0.15, 2}, // ceil(1.5)
		{7, 0.3, 3},   // ceil(2.1)
		{3, 0.5, 2},   // ceil(1.5)
		{10, 0.7, 7},
		{100, 0.2, 20},
		{10, 0, 0},
		// Where ceiling and rounding differ: 0.07·100 is 7.000000000000001
		// in float64, so scikit-learn holds out 8 (rounding would give 7).
		{100, 0.07, 8},
		{1000, 0.0001, 1}, // ceil(0.1); rounding would give 0
	}
	for _, tt := range tests {
		d := labelled(tt.n)
		train, val, err := d.Split(tt.fraction, 1)
		if err != nil {
			t.Fatalf("n=%d f=%v: %v", tt.n, tt.fraction, err)
		}
		if val.Len() != tt.nVal || train.Len() != tt.n-tt.nVal {
			t.Errorf("n=%d f=%v: %d train, %d val; want %d, %d", tt.n, tt.fraction, train.Len(), val.Len(), tt.n-tt.nVal, tt.nVal)
		}
	}
	for _, bad := range []struct {
		n int
		f float64
	}{{1, 0.5}, {10, 1}, {10, -0.1}, {10, math.NaN()}} {
		if _, _, err := labelled(bad.n).Split(bad.f, 1); err == nil {
			t.Errorf("n=%d f=%v: no error", bad.n, bad.f)
		}
	}
}

func TestSplitIsASeededPartition(t *testing.T) {
	d := labelled(40)
	train, val, _ := d.Split(0.25, 7)
	train2, val2, _ := d.Split(0.25, 7)
	if !bytes.Equal(train.Images, train2.Images) || !bytes.Equal(val.Images, val2.Images) {
		t.Fatal("same seed gave different splits")
	}
	_, val3, _ := d.Split(0.25, 8)
	if bytes.Equal(val.Images, val3.Images) {
		t.Fatal("seeds 7 and 8 gave the same split")
	}
	var ids []int
	for _, s := range []*Dataset{train, val} {
		for i := range s.Len() {
			ids = append(ids, int(s.Image(i)[0]))
		}
	}
	slices.Sort(ids)
	for i, id := range ids {
		if id != i {
			t.Fatalf("train and val are not a partition of the images: sorted ids %v", ids)
		}
	}
}

func TestSplitLastMatchesKeras(t *testing.T) {
	// Keras 3 train_validation_split: split_at = floor(n * (1 - f)), and an
	// error when split_at is 0 or n.
	tests := []struct {
		n        int
		fraction float64
		nTrain   int
	}{
		{50000, 0.15, 42500},
		{10, 0.15, 8},  // floor(8.5)
		{7, 0.3, 4},    // floor(4.8999999999999995)
		{10, 0.7, 3},   // floor(3.0000000000000004)
		{3, 0.1, 2},    // floor(2.7)
		{10, 0.0, 10},  // no validation
		{100, 0.2, 80}, // floor(80.0)
		// Where rounding and flooring differ: rounding 999.9 would keep all
		// 1000 samples (an error); Keras keeps 999.
		{1000, 0.0001, 999},
	}
	for _, tt := range tests {
		d := labelled(tt.n)
		train, val, err := d.SplitLast(tt.fraction)
		if err != nil {
			t.Fatalf("n=%d f=%v: %v", tt.n, tt.fraction, err)
		}
		if train.Len() != tt.nTrain || val.Len() != tt.n-tt.nTrain {
			t.Errorf("n=%d f=%v: %d train, %d val; want %d, %d", tt.n, tt.fraction, train.Len(), val.Len(), tt.nTrain, tt.n-tt.nTrain)
		}
		if val.Len() > 0 && val.Image(0)[0] != uint8(tt.nTrain) {
			t.Errorf("n=%d f=%v: val starts at image %d, want %d (the last images, unshuffled)", tt.n, tt.fraction, val.Image(0)[0], tt.nTrain)
		}
	}
	for _, bad := range []struct {
		n int
		f float64
	}{{1, 0.5}, {3, 0.9}, {10, 1}, {10, -1}} {
		if _, _, err := labelled(bad.n).SplitLast(bad.f); err == nil {
			t.Errorf("n=%d f=%v: no error", bad.n, bad.f)
		}
	}
}

func TestSubsetHeadCounts(t *testing.T) {
	d := labelled(12)
	s := d.Subset([]int{5, 2})
	if s.Len() != 2 || s.Image(0)[0] != 5 || s.Image(1)[0] != 2 || s.Labels[0] != 5 || s.Labels[1] != 2 {
		t.Fatalf("Subset([5 2]) gave labels %v", s.Labels)
	}
	if got := d.Sample(4, 1); got.Len() != 4 || d.Sample(0, 1) != d || d.Sample(99, 1) != d {
		t.Fatal("Sample lengths")
	}
	if a, b := d.Sample(4, 1), d.Sample(4, 1); !bytes.Equal(a.Images, b.Images) || bytes.Equal(a.Images, d.Sample(4, 2).Images) {
		t.Fatal("Sample is not seeded")
	}
	if d.Head(3).Len() != 3 || d.Head(0).Len() != 12 || d.Head(99).Len() != 12 {
		t.Fatal("Head lengths")
	}
	want := [NumClasses]int{2, 2, 1, 1, 1, 1, 1, 1, 1, 1}
	if got := d.ClassCounts(); got != want {
		t.Fatalf("ClassCounts = %v, want %v", got, want)
	}
	bad := labelled(2)
	bad.Labels[1] = 10
	if bad.Validate() == nil {
		t.Fatal("Validate accepted label 10")
	}
}

func TestCheckClasses(t *testing.T) {
	withCounts := func(counts ...int) *Dataset {
		d := &Dataset{}
		for c, n := range counts {
			for range n {
				d.Labels = append(d.Labels, uint8(c))
			}
		}
		d.Images = make([]uint8, len(d.Labels)*ImageSize)
		return d
	}
	tests := []struct {
		name string
		d    *Dataset
		want string // "" for none
	}{
		{"balanced", withCounts(10, 10, 10, 10, 10, 10, 10, 10, 10, 10), ""},
		{"uneven but fine", withCounts(6, 14, 10, 10, 10, 10, 10, 10, 10, 10), ""},
		{"two classes", withCounts(30, 30), "60 images with no images of 8 of the 10 classes: bird, cat, deer, dog, frog, horse, ship, truck"},
		{"one class far below", withCounts(10, 10, 10, 10, 10, 10, 10, 10, 10, 1), "fewer than half the mean 9 images per class: truck (1)"},
		{"empty", withCounts(), "no images of 10 of the 10 classes"},
	}
	for _, tt := range tests {
		err := tt.d.CheckClasses()
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: %v, want an error with %q", tt.name, err, tt.want)
		}
	}
}
