package experiment

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"testing"

	"github.com/cnnlab/cnnlab/cifar"
)

// indexData returns n images whose first two bytes hold their index, with
// labels sorted by class or not.
func indexData(n int, sorted bool) *cifar.Dataset {
	d := &cifar.Dataset{Images: make([]uint8, n*cifar.ImageSize), Labels: make([]uint8, n)}
	for i := range n {
		d.Images[i*cifar.ImageSize], d.Images[i*cifar.ImageSize+1] = uint8(i%256), uint8(i/256)
		if sorted {
			d.Labels[i] = uint8(i * cifar.NumClasses / n)
		} else {
			d.Labels[i] = uint8(i * 7 % cifar.NumClasses)
		}
	}
	return d
}

// indicesOf reads back the indices of indexData's images.
func indicesOf(d *cifar.Dataset) []int {
	idx := make([]int, d.Len())
	for i := range idx {
		img := d.Image(i)
		idx[i] = int(img[0]) + 256*int(img[1])
	}
	return idx
}

func hashIndices(idx []int) string {
	h := sha256.New()
	for _, i := range idx {
		_ = binary.Write(h, binary.LittleEndian, int64(i))
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// TestSplitPinned: the runner's hold-out and the fixed and sorted orders
// select and order the training images as main did (hashes of the
// indices), for a source sorted by class and one that is not.
func TestSplitPinned(t *testing.T) {
	s, err := SettingsFor("smoke")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		sorted          bool
		order           string
		train, val, how string
	}{
		{false, "", "c357db124a7f344e", "4d4e89cba9033f02", "reshuffled every epoch"},
		{false, "fixed", "044dde59f333d58b", "4d4e89cba9033f02", "fixed: the order of the images as drawn, the same every epoch"},
		{false, "sorted", "e106ba5ad678aa27", "4d4e89cba9033f02", "sorted by class, the same every epoch"},
		{true, "", "c357db124a7f344e", "4d4e89cba9033f02", "reshuffled every epoch"},
		{true, "fixed", "67b2bfbd55763a44", "4d4e89cba9033f02", "fixed: one seeded order, the same every epoch (the source is sorted by class)"},
		{true, "sorted", "6d2ee9b09f5322b6", "4d4e89cba9033f02", "sorted by class, the same every epoch"},
	} {
		e := &Env{Settings: s, Train: indexData(300, c.sorted)}
		train, val, how := e.split(c.order)
		if got := hashIndices(indicesOf(train)); got != c.train {
			t.Errorf("sorted %v, order %q: training indices %s, pinned %s", c.sorted, c.order, got, c.train)
		}
		if got := hashIndices(indicesOf(val)); got != c.val {
			t.Errorf("sorted %v, order %q: validation indices %s, pinned %s", c.sorted, c.order, got, c.val)
		}
		if how != c.how {
			t.Errorf("sorted %v, order %q: %q, pinned %q", c.sorted, c.order, how, c.how)
		}
	}
}
