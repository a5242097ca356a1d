package cifar

import (
	"math"
	"slices"
	"testing"
)

func TestBatcherSizes(t *testing.T) {
	d := labelled(10)
	tests := []struct {
		name  string
		opts  BatchOptions
		sizes []int
	}{
		{"partial last batch kept (Keras)", BatchOptions{BatchSize: 4}, []int{4, 4, 2}},
		{"drop remainder", BatchOptions{BatchSize: 4, DropRemainder: true}, []int{4, 4}},
		{"exact", BatchOptions{BatchSize: 5}, []int{5, 5}},
		{"default 32", BatchOptions{}, []int{10}},
		{"bigger than the set, dropped", BatchOptions{BatchSize: 11, DropRemainder: true}, nil},
	}
	for _, tt := range tests {
		b, err := NewBatcher(d, tt.opts)
		if err != nil {
			t.Fatal(err)
		}
		var sizes []int
		var seen []int
		for step, batch := range b.Epoch(0) {
			if step != len(sizes) {
				t.Fatalf("%s: step %d, want %d", tt.name, step, len(sizes))
			}
			sizes = append(sizes, batch.Size)
			if len(batch.Images) != batch.Size*ImageSize || len(batch.Labels) != batch.Size {
				t.Fatalf("%s: batch buffers of the wrong size", tt.name)
			}
			seen = append(seen, batch.Indices...)
		}
		if !slices.Equal(sizes, tt.sizes) || b.NumBatches() != len(tt.sizes) {
			t.Errorf("%s: sizes %v, NumBatches %d; want %v", tt.name, sizes, b.NumBatches(), tt.sizes)
		}
		if !tt.opts.Shuffle && len(seen) > 0 && !slices.Equal(seen, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}[:len(seen)]) {
			t.Errorf("%s: unshuffled order %v", tt.name, seen)
		}
	}
	if _, err := NewBatcher(d, BatchOptions{BatchSize: -1}); err == nil {
		t.Error("no error for batch size -1")
	}
	if _, err := NewBatcher(&Dataset{}, BatchOptions{}); err == nil {
		t.Error("no error for an empty dataset")
	}
}

func TestBatcherShuffle(t *testing.T) {
	d := labelled(50)
	b1, _ := NewBatcher(d, BatchOptions{BatchSize: 8, Shuffle: true, Seed: 3})
	b2, _ := NewBatcher(d, BatchOptions{BatchSize: 8, Shuffle: true, Seed: 3})
	b3, _ := NewBatcher(d, BatchOptions{BatchSize: 8, Shuffle: true, Seed: 4})
	identity := make([]int, 50)
	for i := range identity {
		identity[i] = i
	}
	for epoch := range 3 {
		o := b1.Order(epoch)
		if !slices.Equal(o, b2.Order(epoch)) {
			t.Errorf("epoch %d: same seed, different orders", epoch)
		}
		if slices.Equal(o, b3.Order(epoch)) {
			t.Errorf("epoch %d: seeds 3 and 4 gave the same order", epoch)
		}
		if slices.Equal(o, identity) {
			t.Errorf("epoch %d: not shuffled", epoch)
		}
		sorted := slices.Sorted(slices.Values(o))
		if !slices.Equal(sorted, identity) {
			t.Errorf("epoch %d: order is not a permutation", epoch)
		}
		var got []int
		for _, batch := range b1.Epoch(epoch) {
			got = append(got, batch.Indices...)
			for j, i := range batch.Indices {
				if batch.Labels[j] != int32(d.Labels[i]) {
					t.Fatalf("label of image %d is %d, want %d", i, batch.Labels[j], d.Labels[i])
				}
			}
		}
		if !slices.Equal(got, o) {
			t.Errorf("epoch %d: batches do not follow Order", epoch)
		}
	}
	if slices.Equal(b1.Order(0), b1.Order(1)) {
		t.Error("epochs 0 and 1 have the same order")
	}
}

func TestBatchOneHotAndScaling(t *testing.T) {
	d := &Dataset{Images: make([]uint8, 2*ImageSize), Labels: []uint8{7, 2}}
	d.Images[0], d.Images[1], d.Images[2] = 255, 51, 0
	b, _ := NewBatcher(d, BatchOptions{BatchSize: 2, OneHot: true})
	batch := b.Make([]int{0, 1})
	for i, want := range []float32{1, 0.2, 0} {
		if got := batch.Images[i]; math.Abs(float64(got-want)) > 1e-6 {
			t.Errorf("pixel byte %d scaled to %v, want %v (x/255)", i, got, want)
		}
	}
	want := make([]float32, 20)
	want[7], want[10+2] = 1, 1
	if !slices.Equal(batch.OneHot, want) {
		t.Errorf("one-hot %v, want %v", batch.OneHot, want)
	}
	if !slices.Equal(batch.Labels, []int32{7, 2}) {
		t.Errorf("labels %v", batch.Labels)
	}
	sparse, _ := NewBatcher(d, BatchOptions{})
	if sparse.Make([]int{0}).OneHot != nil {
		t.Error("one-hot labels filled without OneHot")
	}
}

func TestChannelStatsAndScalings(t *testing.T) {
	// Two images: red is 0 in image 0 and 2 in image 1; green is 10
	// everywhere; blue is 0 and 4. Means (1, 10, 2), population stds
	// (1, 0, 2).
	d := &Dataset{Images: make([]uint8, 2*ImageSize), Labels: []uint8{0, 1}}
	for p := range Height * Width {
		d.Images[3*p], d.Images[3*p+1], d.Images[3*p+2] = 0, 10, 0
		q := ImageSize + 3*p
		d.Images[q], d.Images[q+1], d.Images[q+2] = 2, 10, 4
	}
	mean, std := ChannelStats(d)
	if mean != [3]float64{1, 10, 2} || std != [3]float64{1, 0, 2} {
		t.Fatalf("ChannelStats = %v, %v; want [1 10 2], [1 0 2]", mean, std)
	}
	z := ZScoreScaling(d)
	out := make([]float32, 6)
	z.Apply(out, []uint8{0, 10, 0, 2, 10, 4})
	// A constant channel (std 0) maps to 0.
	if want := []float32{-1, 0, -1, 1, 0, 1}; !slices.Equal(out, want) {
		t.Errorf("z-score gives %v, want %v", out, want)
	}
	mm := MinMaxScaling(d)
	mm.Apply(out, []uint8{0, 10, 0, 2, 10, 4})
	if want := []float32{0, 0, 0, 1, 0, 1}; !slices.Equal(out, want) {
		t.Errorf("min-max gives %v, want %v", out, want)
	}
	var zero Scaling
	zero.Apply(out[:3], []uint8{255, 0, 102})
	if want := []float32{1, 0, 0.4}; math.Abs(float64(out[2]-want[2])) > 1e-6 || out[0] != 1 || out[1] != 0 {
		t.Errorf("zero Scaling gives %v, want %v (x/255)", out[:3], want)
	}
}
