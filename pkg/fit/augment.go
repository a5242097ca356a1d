package fit

import (
	"fmt"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
)

// AlternatingFlipped reports whether [FitOptions].AlternatingFlip mirrors
// sample index (its index in the training data) in epoch (0-based) for a
// trainer seeded with seed: a random bit drawn once per sample from the
// seed, XOR the epoch's parity. This is airbench's "alternating flip":
// every image is seen mirrored in one epoch of two, a random half of them
// in the first epoch, instead of each epoch flipping each image with
// probability ½ (Keras's RandomFlip), which can show an image the same way
// several epochs in a row. The bit is a hash of (seed, index), so a
// resumed run flips as the uninterrupted one does.
func AlternatingFlipped(seed int64, index, epoch int) bool {
	return (splitmix64(uint64(seed)^splitmix64(uint64(index)))&1 == 1) != (epoch%2 == 1)
}

// splitmix64 is SplitMix64's finalizer: a well-mixed 64-bit hash.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// alternateFlip mirrors left-right, in place, the images of b that
// AlternatingFlipped selects; shape is one sample's [H, W, C].
func alternateFlip(b Batch, shape []int, seed int64, epoch int) {
	h, w, c := shape[0], shape[1], shape[2]
	size := h * w * c
	for j, idx := range b.Indices {
		if !AlternatingFlipped(seed, idx, epoch) {
			continue
		}
		img := b.X[j*size : (j+1)*size]
		for y := range h {
			row := img[y*w*c : (y+1)*w*c]
			for l, r := 0, w-1; l < r; l, r = l+1, r-1 {
				for k := range c {
					row[l*c+k], row[r*c+k] = row[r*c+k], row[l*c+k]
				}
			}
		}
	}
}

// TTA selects the test-time augmentation of [Trainer.Evaluate] and
// [Trainer.Predict] (option [WithTTA]): the model's logits are averaged
// over transformed copies of each image [B, H, W, C] before the loss, the
// accuracy and the softmax. The levels are airbench's tta_level:
type TTA int

const (
	// NoTTA: the image alone (level 0, the default).
	NoTTA TTA = iota
	// TTAMirror: ½·(f(x) + f(mirror(x))), mirror = left-right flip
	// (level 1).
	TTAMirror
	// TTAMirrorTranslate: ½·m(x) + ¼·m(x shifted one pixel down and
	// right) + ¼·m(x shifted one pixel up and left), where m is the
	// TTAMirror average and the pixels shifted in are PyTorch's "reflect"
	// padding (the row next to the edge, not the edge; airbench's
	// F.pad(x, (1,)*4, "reflect")) (level 2: six images per image).
	TTAMirrorTranslate
)

var ttaNames = []string{"none", "mirror", "mirror_translate"}

// String returns "none", "mirror" or "mirror_translate".
func (t TTA) String() string {
	if t < 0 || int(t) >= len(ttaNames) {
		return fmt.Sprintf("TTA(%d)", int(t))
	}
	return ttaNames[t]
}

// ParseTTA parses what [TTA.String] returns.
func ParseTTA(name string) (TTA, error) {
	for i, n := range ttaNames {
		if n == name {
			return TTA(i), nil
		}
	}
	return 0, fmt.Errorf("fit: test-time augmentation %q: want none, mirror or mirror_translate", name)
}

// EvalOption is an option of [Trainer.Evaluate] and [Trainer.Predict].
type EvalOption func(*evalConfig)

type evalConfig struct {
	tta TTA
}

// WithTTA sets the test-time augmentation (default NoTTA).
func WithTTA(t TTA) EvalOption { return func(c *evalConfig) { c.tta = t } }

func evalOptions(opts []EvalOption, shape []int) (evalConfig, error) {
	var c evalConfig
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	if c.tta < NoTTA || c.tta > TTAMirrorTranslate {
		return c, fmt.Errorf("fit: unknown test-time augmentation %d", int(c.tta))
	}
	if c.tta != NoTTA && (len(shape) != 3 || shape[0] < 2 || shape[1] < 2) {
		return c, fmt.Errorf("fit: test-time augmentation %s needs images [height, width, channels] of at least 2x2 pixels, got samples %v", c.tta, shape)
	}
	return c, nil
}

// ttaLogits applies the model in inference mode to the augmented copies of
// x, all in one batch, and returns the weighted mean of their logits.
func (t *Trainer) ttaLogits(scope *model.Scope, x *graph.Node, tta TTA) (logits, penalty *graph.Node) {
	if tta == NoTTA {
		return t.inferenceModel(scope, x)
	}
	mirror := func(x *graph.Node) *graph.Node { return graph.Reverse(x, 2) }
	copies := []*graph.Node{x, mirror(x)}
	weights := []float64{0.5, 0.5}
	if tta == TTAMirrorTranslate {
		weights = []float64{0.25, 0.25, 0.125, 0.125, 0.125, 0.125}
		dims := x.Shape().Dimensions
		h, w := dims[1], dims[2]
		p := reflectPad1(reflectPad1(x, 1), 2)
		down := graph.Slice(p, graph.AxisRange(), graph.AxisRange(0, h), graph.AxisRange(0, w), graph.AxisRange())
		up := graph.Slice(p, graph.AxisRange(), graph.AxisRange(2, h+2), graph.AxisRange(2, w+2), graph.AxisRange())
		copies = append(copies, down, mirror(down), up, mirror(up))
	}
	b := x.Shape().Dimensions[0]
	all, penalty := t.inferenceModel(scope, graph.Concatenate(copies, 0))
	classes := all.Shape().Dim(-1)
	w := graph.Reshape(graph.Const(x.Graph(), toFloat32(weights)), len(copies), 1, 1)
	logits = graph.ReduceSum(graph.Mul(graph.Reshape(all, len(copies), b, classes), w), 0)
	return logits, penalty
}

// reflectPad1 pads one pixel on both sides of axis with PyTorch's
// "reflect" mode: the neighbour of the edge (c b | a b c ... ).
func reflectPad1(x *graph.Node, axis int) *graph.Node {
	n := x.Shape().Dimensions[axis]
	part := func(i int) *graph.Node {
		r := make([]graph.SliceAxisSpec, x.Rank())
		for k := range r {
			r[k] = graph.AxisRange()
		}
		r[axis] = graph.AxisRange(i, i+1)
		return graph.Slice(x, r...)
	}
	return graph.Concatenate([]*graph.Node{part(1), x, part(n - 2)}, axis)
}

func toFloat32(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}
