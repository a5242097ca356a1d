package cifar

import (
	"math"
	"slices"
	"testing"
)

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
