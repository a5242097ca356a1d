package cifar

import (
	"math"
)

// Scaling converts uint8 pixels to float32, per channel:
//
//	x' = (x - Offset[c]) * Scale[c]
//
// The zero Scaling means [UnitScaling].
type Scaling struct {
	Offset [Channels]float32
	Scale  [Channels]float32
}

// UnitScaling divides pixels by 255, mapping them to [0, 1]: the course's
// feature scaling.
var UnitScaling = Scaling{Scale: [Channels]float32{1.0 / 255, 1.0 / 255, 1.0 / 255}}

func (s Scaling) isZero() bool { return s == Scaling{} }

// MinMaxScaling returns the per-channel min-max scaling of d: each channel's
// smallest pixel value maps to 0 and its largest to 1. A constant channel
// maps to 0.
func MinMaxScaling(d *Dataset) Scaling {
	lo := [Channels]uint8{255, 255, 255}
	var hi [Channels]uint8
	for i, v := range d.Images {
		c := i % Channels
		lo[c] = min(lo[c], v)
		hi[c] = max(hi[c], v)
	}
	var s Scaling
	for c := range Channels {
		s.Offset[c] = float32(lo[c])
		if hi[c] > lo[c] {
			s.Scale[c] = 1 / float32(hi[c]-lo[c])
		}
	}
	return s
}

// ChannelStats returns the per-channel mean and (population) standard
// deviation of d's pixels on the 0..255 scale.
func ChannelStats(d *Dataset) (mean, std [Channels]float64) {
	var sum, sumSq [Channels]float64
	for i, v := range d.Images {
		f := float64(v)
		sum[i%Channels] += f
		sumSq[i%Channels] += f * f
	}
	n := float64(len(d.Images) / Channels)
	if n == 0 {
		return mean, std
	}
	for c := range Channels {
		mean[c] = sum[c] / n
		std[c] = math.Sqrt(max(0, sumSq[c]/n-mean[c]*mean[c]))
	}
	return mean, std
}

// ZScoreScaling returns the per-channel z-score standardization of d
// (subtract the channel mean, divide by its standard deviation). Compute it
// on the training split and apply it to every split.
func ZScoreScaling(d *Dataset) Scaling {
	mean, std := ChannelStats(d)
	var s Scaling
	for c := range Channels {
		s.Offset[c] = float32(mean[c])
		if std[c] > 0 {
			s.Scale[c] = float32(1 / std[c])
		}
	}
	return s
}

// Apply converts src pixels (NHWC, any number of whole pixels) into dst,
// which must have len(src) elements.
func (s Scaling) Apply(dst []float32, src []uint8) {
	if s.isZero() {
		s = UnitScaling
	}
	for i, v := range src {
		c := i % Channels
		dst[i] = (float32(v) - s.Offset[c]) * s.Scale[c]
	}
}

// Scaled is a [Dataset] as training reads it: its pixels converted by a
// [Scaling] one batch at a time, so the float32 copy of the whole set is
// never made. It satisfies fit.Data (Len, SampleShape, Fill):
//
//	tr.Fit(train.Scaled(cifar.UnitScaling), opts) // the course's x / 255
type Scaled struct {
	Data    *Dataset
	Scaling Scaling
}

// Scaled returns d with its pixels converted by s (the zero Scaling divides
// by 255, as the course does).
func (d *Dataset) Scaled(s Scaling) Scaled { return Scaled{Data: d, Scaling: s} }

// Len returns the number of images.
func (v Scaled) Len() int { return v.Data.Len() }

// SampleShape returns the shape of one image, [32 32 3] (HWC).
func (v Scaled) SampleShape() []int { return []int{Height, Width, Channels} }

// Fill writes the scaled images at indices into x (row-major, HWC) and their
// labels into y.
func (v Scaled) Fill(indices []int, x []float32, y []int32) {
	for j, i := range indices {
		v.Scaling.Apply(x[j*ImageSize:(j+1)*ImageSize], v.Data.Image(i))
		y[j] = int32(v.Data.Labels[i])
	}
}
