package fit

import (
	"reflect"
	"strings"
	"testing"

	"github.com/cnnlab/cnnlab/cifar"
)

func cifarSynth(n int) *cifar.Dataset {
	d := &cifar.Dataset{Images: make([]uint8, n*cifar.ImageSize), Labels: make([]uint8, n)}
	for i := range n {
		d.Labels[i] = uint8(i % 10)
		for p := range cifar.ImageSize {
			d.Images[i*cifar.ImageSize+p] = uint8(i*7 + p)
		}
	}
	return d
}

// fillAll returns every sample of d, in order.
func fillAll(d Data) ([]float32, []int32) {
	n := d.Len()
	x := make([]float32, n*sampleSize(d.SampleShape()))
	y := make([]int32, n)
	d.Fill(seq(0, n), x, y)
	return x, y
}

func TestSplitsMatchCIFAR(t *testing.T) {
	d := cifarSynth(40)
	wantTrain, wantVal, _ := d.Split(0.15, 9)
	train, val, err := HoldOut(CIFAR(d, cifar.Scaling{}), 0.15, 9)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		got  Data
		want *cifar.Dataset
	}{{train, wantTrain}, {val, wantVal}} {
		gx, gy := fillAll(c.got)
		wx, wy := fillAll(CIFAR(c.want, cifar.Scaling{}))
		if !reflect.DeepEqual(gx, wx) || !reflect.DeepEqual(gy, wy) {
			t.Errorf("HoldOut differs from cifar.Dataset.Split (%d vs %d samples)", c.got.Len(), c.want.Len())
		}
	}
	wantTrain, wantVal, _ = d.SplitLast(0.25)
	train, val, _ = SplitLast(CIFAR(d, cifar.Scaling{}), 0.25)
	if _, y := fillAll(val); !reflect.DeepEqual(y, toInt32(wantVal.Labels)) || train.Len() != wantTrain.Len() {
		t.Errorf("SplitLast differs from cifar.Dataset.SplitLast")
	}
	b, _ := cifar.NewBatcher(d, cifar.BatchOptions{Shuffle: true, Seed: 5})
	for epoch := range 3 {
		if got := epochOrder(40, true, 5, epoch); !reflect.DeepEqual(got, b.Order(epoch)) {
			t.Errorf("epoch %d order differs from cifar.Batcher's", epoch)
		}
	}
	// Pixels are divided by 255 by default.
	x, _ := fillAll(CIFAR(cifarSynth(1), cifar.Scaling{}))
	if !near(float64(x[3]), 3.0/255, 1e-6) {
		t.Errorf("pixel 3 = %v, want 3/255", x[3])
	}
}

func toInt32(b []uint8) []int32 {
	out := make([]int32, len(b))
	for i, v := range b {
		out[i] = int32(v)
	}
	return out
}

func TestFitRejectsBadInput(t *testing.T) {
	tr := newTiny(t, Options{})
	good := synthetic(20, 1)
	tests := []struct {
		name    string
		data    Data
		opts    FitOptions
		mention string
	}{
		{"shape", &Arrays{X: make([]float32, 2*27), Shape: []int{3, 3, 3}, Y: []int32{0, 1}}, FitOptions{}, "[3 3 3]"},
		{"labels", &Arrays{X: make([]float32, 2*48), Shape: testShape, Y: []int32{0}}, FitOptions{}, "labels"},
		{"empty", &Arrays{Shape: testShape}, FitOptions{}, "empty"},
		{"two validations", good, FitOptions{ValidationSplit: 0.1, ValidationHoldOut: 0.1}, "only one"},
		{"split range", good, FitOptions{ValidationSplit: 1.5}, "out of range"},
		{"batch", good, FitOptions{BatchSize: -1}, "batch size"},
	}
	for _, tc := range tests {
		_, err := tr.Fit(tc.data, tc.opts)
		if err == nil || !strings.Contains(err.Error(), tc.mention) {
			t.Errorf("%s: error %v, want one mentioning %q", tc.name, err, tc.mention)
		}
	}
}
