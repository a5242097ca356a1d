package split

import (
	"reflect"
	"testing"
)

// TestPinned pins the outputs that results on disk depend on: the lessons'
// run identities name their data by these draws, and a resumed run must see
// the same batches, so a change here must fail loudly.
func TestPinned(t *testing.T) {
	if got, want := Permutation(10, 7), []int{5, 8, 7, 6, 3, 9, 2, 1, 0, 4}; !reflect.DeepEqual(got, want) {
		t.Errorf("Permutation(10, 7) = %v, want %v", got, want)
	}
	if got, want := EpochOrder(10, 7, 0), []int{3, 8, 4, 1, 9, 6, 0, 2, 5, 7}; !reflect.DeepEqual(got, want) {
		t.Errorf("EpochOrder(10, 7, 0) = %v, want %v", got, want)
	}
	if reflect.DeepEqual(EpochOrder(50, 7, 0), EpochOrder(50, 7, 1)) {
		t.Error("epochs 0 and 1 have the same order")
	}
	_, val, err := HoldOut(20, 0.15, 42)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{12, 15, 9}; !reflect.DeepEqual(val, want) {
		t.Errorf("HoldOut(20, 0.15, 42) val = %v, want %v", val, want)
	}
}

// TestCounts checks the counts against scikit-learn's ceil(test_size·n) and
// Keras 3's floor(n·(1−validation_split)), both in float64, and that a
// split leaving a side empty is refused as they refuse it.
func TestCounts(t *testing.T) {
	for _, tt := range []struct {
		n        int
		fraction float64
		holdOut  int // scikit-learn's n_test, -1: an error
		at       int // Keras's cut, -1: an error
	}{
		{100, 0.07, 8, 93},  // ceil(7.000000000000001) = 8, not 7
		{100, 0.2, 20, 80},  // exact
		{10, 0.15, 2, 8},    // ceil(1.5); floor(8.5)
		{10, 0, 0, 10},      // no validation
		{1, 0.5, -1, -1},    // ceil(0.5) = 1 of 1: nothing left to train on; floor(0.5) = 0
		{3, 0.99, -1, -1},   // ceil(2.97) = 3 of 3; floor(0.03) = 0
		{100, 1, -1, -1},    // out of range
		{100, -0.1, -1, -1}, // out of range
	} {
		got, err := HoldOutCount(tt.n, tt.fraction)
		if tt.holdOut < 0 {
			if err == nil {
				t.Errorf("HoldOutCount(%d, %v) = %d, want an error", tt.n, tt.fraction, got)
			}
		} else if err != nil || got != tt.holdOut {
			t.Errorf("HoldOutCount(%d, %v) = %d, %v; want %d", tt.n, tt.fraction, got, err, tt.holdOut)
		}
		at, err := At(tt.n, tt.fraction)
		if tt.at < 0 {
			if err == nil {
				t.Errorf("At(%d, %v) = %d, want an error", tt.n, tt.fraction, at)
			}
		} else if err != nil || at != tt.at {
			t.Errorf("At(%d, %v) = %d, %v; want %d", tt.n, tt.fraction, at, err, tt.at)
		}
	}
}

// TestHoldOutPartitions checks that a hold-out is a partition of 0..n-1.
func TestHoldOutPartitions(t *testing.T) {
	train, val, err := HoldOut(50, 0.3, 9)
	if err != nil {
		t.Fatal(err)
	}
	if len(train) != 35 || len(val) != 15 {
		t.Fatalf("sizes %d, %d; want 35, 15", len(train), len(val))
	}
	seen := make([]bool, 50)
	for _, i := range append(append([]int(nil), train...), val...) {
		if seen[i] {
			t.Fatalf("index %d drawn twice", i)
		}
		seen[i] = true
	}
}
