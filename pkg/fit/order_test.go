package fit

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"slices"
	"strings"
	"testing"
)

// indexArrays returns n one-value samples holding their own index, with
// labels sorted by class or not.
func indexArrays(n int, sorted bool) *Arrays {
	a := &Arrays{X: make([]float32, n), Shape: []int{1}, Y: make([]int32, n)}
	for i := range n {
		a.X[i] = float32(i)
		if sorted {
			a.Y[i] = int32(i * 10 / n)
		} else {
			a.Y[i] = int32(i * 7 % 10)
		}
	}
	return a
}

// hashOf hashes the indices that d's samples hold (see indexArrays), in
// d's order.
func hashOf(d Data) string {
	b := MakeBatch(d, seq(0, d.Len()))
	h := sha256.New()
	for _, x := range b.X {
		_ = binary.Write(h, binary.LittleEndian, int64(x))
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// TestSplitValidationOrderPinned: the seeded hold-out and the Fixed and
// ByClass orders select and order the training samples exactly as the
// lessons' runner did when it split the data itself (hashes of the indices
// pinned from that code, 300 samples, 15% held out with data seed 42), for
// data sorted by class and data that is not; the trainer's seed (7) plays
// no part once DataSeed is set.
func TestSplitValidationOrderPinned(t *testing.T) {
	for _, c := range []struct {
		sorted          bool
		order           Order
		train, val, how string
	}{
		{false, Shuffled, "c357db124a7f344e", "4d4e89cba9033f02", "reshuffled every epoch"},
		{false, Fixed, "044dde59f333d58b", "4d4e89cba9033f02", "fixed: the order of the images as drawn, the same every epoch"},
		{false, ByClass, "e106ba5ad678aa27", "4d4e89cba9033f02", "sorted by class, the same every epoch"},
		{true, Shuffled, "c357db124a7f344e", "4d4e89cba9033f02", "reshuffled every epoch"},
		{true, Fixed, "67b2bfbd55763a44", "4d4e89cba9033f02", "fixed: one seeded order, the same every epoch (the source is sorted by class)"},
		{true, ByClass, "6d2ee9b09f5322b6", "4d4e89cba9033f02", "sorted by class, the same every epoch"},
	} {
		opts := FitOptions{ValidationHoldOut: 0.15, DataSeed: 42, Order: c.order}
		tr, val, split, err := SplitValidation(indexArrays(300, c.sorted), opts, 7)
		if err != nil {
			t.Fatal(err)
		}
		if got := hashOf(tr); got != c.train {
			t.Errorf("sorted %v, order %q: training indices %s, pinned %s", c.sorted, c.order, got, c.train)
		}
		if got := hashOf(val); got != c.val {
			t.Errorf("sorted %v, order %q: validation indices %s, pinned %s", c.sorted, c.order, got, c.val)
		}
		want := Split{Method: "holdout", Fraction: 0.15, Train: 255, Val: 45, Order: c.how}
		if split != want {
			t.Errorf("sorted %v, order %q: split %+v, want %+v", c.sorted, c.order, split, want)
		}
	}
}

// TestOrders checks each order by hand on ten samples with labels
// 2 0 1 2 0 1 2 0 1 2, without a validation split.
func TestOrders(t *testing.T) {
	labels := []int32{2, 0, 1, 2, 0, 1, 2, 0, 1, 2}
	data := func() *Arrays {
		a := indexArrays(10, false)
		a.Y = labels
		return a
	}
	indices := func(d Data) []int {
		b := MakeBatch(d, seq(0, d.Len()))
		idx := make([]int, len(b.X))
		for i, x := range b.X {
			idx[i] = int(x)
		}
		return idx
	}
	for _, c := range []struct {
		order Order
		want  []int
	}{
		{Fixed, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}},   // not sorted by class: the data's order
		{ByClass, []int{1, 4, 7, 2, 5, 8, 0, 3, 6, 9}}, // a stable sort by label
	} {
		tr, _, _, err := SplitValidation(data(), FitOptions{Order: c.order}, 1)
		if err != nil {
			t.Fatal(err)
		}
		if got := indices(tr); !slices.Equal(got, c.want) {
			t.Errorf("%q: %v, want %v", c.order, got, c.want)
		}
	}
	// Sorted by class, Fixed draws one permutation with the data seed, not
	// the trainer's seed, and ByClass keeps it within each class.
	sorted := indexArrays(10, true)
	a, _, _, _ := SplitValidation(sorted, FitOptions{Order: Fixed, DataSeed: 5}, 1)
	b, _, _, _ := SplitValidation(sorted, FitOptions{Order: Fixed, DataSeed: 5}, 2)
	if ia, ib := indices(a), indices(b); !slices.Equal(ia, ib) || slices.Equal(ia, seq(0, 10)) {
		t.Errorf("Fixed on class-sorted data: %v and %v, want one permutation, the same for both trainer seeds", ia, ib)
	}
	for _, c := range []struct {
		opts FitOptions
		err  string
	}{
		{FitOptions{Order: "random"}, `unknown Order "random"`},
		{FitOptions{Order: Fixed, NoShuffle: true}, "NoShuffle or Order"},
	} {
		if _, _, _, err := SplitValidation(data(), c.opts, 1); err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%+v: error %v, want one containing %q", c.opts, err, c.err)
		}
	}
}
