package fit

import (
	"reflect"
	"strings"
	"testing"

	"github.com/cnnlab/cnnlab/cifar"
	"github.com/cnnlab/cnnlab/pkg/split"
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
	train, val, err := HoldOut(d.Scaled(cifar.Scaling{}), 0.15, 9)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		got  Data
		want *cifar.Dataset
	}{{train, wantTrain}, {val, wantVal}} {
		gx, gy := fillAll(c.got)
		wx, wy := fillAll(c.want.Scaled(cifar.Scaling{}))
		if !reflect.DeepEqual(gx, wx) || !reflect.DeepEqual(gy, wy) {
			t.Errorf("HoldOut differs from cifar.Dataset.Split (%d vs %d samples)", c.got.Len(), c.want.Len())
		}
	}
	wantTrain, wantVal, _ = d.SplitLast(0.25)
	train, val, _ = SplitLast(d.Scaled(cifar.Scaling{}), 0.25)
	if _, y := fillAll(val); !reflect.DeepEqual(y, toInt32(wantVal.Labels)) || train.Len() != wantTrain.Len() {
		t.Errorf("SplitLast differs from cifar.Dataset.SplitLast")
	}
	// Pixels are divided by 255 by default.
	x, _ := fillAll(cifarSynth(1).Scaled(cifar.Scaling{}))
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

// TestSplitValidationSizes pins the sizes of Fit's validation splits to
// their references, float rounding included: the course's hold-out is
// scikit-learn's n_val = ceil(f·n) and Keras's validation_split keeps
// floor(n·(1−f)) for training; rounding would differ where marked.
func TestSplitValidationSizes(t *testing.T) {
	tests := []struct {
		n          int
		opts       FitOptions
		train, val int
		method     string
	}{
		{100, FitOptions{ValidationHoldOut: 0.07}, 92, 8, "holdout"},     // ceil(7.000000000000001); rounding gives 7
		{10, FitOptions{ValidationHoldOut: 0.15}, 8, 2, "holdout"},       // ceil(1.5)
		{1000, FitOptions{ValidationHoldOut: 0.0001}, 999, 1, "holdout"}, // ceil(0.1); rounding gives 0
		{10, FitOptions{ValidationSplit: 0.15}, 8, 2, "split_last"},      // floor(8.5); rounding gives 9
		{7, FitOptions{ValidationSplit: 0.3}, 4, 3, "split_last"},        // floor(4.8999999999999995)
		{10, FitOptions{}, 10, 0, "none"},
		{10, FitOptions{ValidationData: synthetic(3, 1)}, 10, 3, "data"},
	}
	for _, tc := range tests {
		tr, val, split, err := SplitValidation(synthetic(tc.n, 2), tc.opts, 5)
		if err != nil {
			t.Fatalf("n=%d %+v: %v", tc.n, tc.opts, err)
		}
		gotVal := 0
		if val != nil {
			gotVal = val.Len()
		}
		if tr.Len() != tc.train || gotVal != tc.val || split.Train != tc.train || split.Val != tc.val || split.Method != tc.method {
			t.Errorf("n=%d %+v: %d/%d samples, split %+v; want %d/%d, %s", tc.n, tc.opts, tr.Len(), gotVal, split, tc.train, tc.val, tc.method)
		}
	}
	for _, bad := range []FitOptions{{ValidationSplit: 0.95}, {ValidationHoldOut: 1}, {ValidationSplit: 0.1, ValidationData: synthetic(1, 1)}} {
		if _, _, _, err := SplitValidation(synthetic(10, 2), bad, 5); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
}

// TestBatchesFollowEpochOrder checks that Fit's batches visit the samples
// in split.EpochOrder with shuffling (a new permutation each epoch) and in
// order without, keep the last partial batch and carry each sample's
// label.
func TestBatchesFollowEpochOrder(t *testing.T) {
	d := synthetic(50, 4)
	for epoch := range 3 {
		var got []int
		var sizes []int
		for _, b := range Batches(d, 16, true, 7, epoch) {
			got = append(got, b.Indices...)
			sizes = append(sizes, b.Size())
			for j, i := range b.Indices {
				if b.Y[j] != d.Y[i] || b.X[j*48] != d.X[i*48] {
					t.Fatalf("batch sample %d is not sample %d", j, i)
				}
			}
		}
		if want := split.EpochOrder(50, 7, epoch); !reflect.DeepEqual(got, want) {
			t.Errorf("epoch %d: order %v, want split.EpochOrder's %v", epoch, got, want)
		}
		if !reflect.DeepEqual(sizes, []int{16, 16, 16, 2}) {
			t.Errorf("batch sizes %v, want [16 16 16 2]", sizes)
		}
	}
	if reflect.DeepEqual(split.EpochOrder(50, 7, 0), split.EpochOrder(50, 7, 1)) {
		t.Error("epochs 0 and 1 have the same order")
	}
	var got []int
	for _, b := range Batches(d, 0, false, 7, 0) {
		got = append(got, b.Indices...)
	}
	if !reflect.DeepEqual(got, seq(0, 50)) {
		t.Errorf("unshuffled order %v", got)
	}
}
