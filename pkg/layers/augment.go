package layers

import (
	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/support/exceptions"
)

// Data augmentation, Keras's preprocessing layers: active only while
// training (scope.IsTraining), the identity otherwise. Random draws come
// from the store's random state, so a seeded trainer augments the same way
// every run. Inputs are NHWC images [batch, height, width, channels].

// RandomFlip is Keras's RandomFlip(mode): while training each image is
// flipped left-right ("horizontal"), top-bottom ("vertical") or each of the
// two independently ("horizontal_and_vertical"), with probability 1/2.
func RandomFlip(scope *model.Scope, x *graph.Node, mode string) *graph.Node {
	checkImages("layers.RandomFlip", x)
	var axes []int
	switch mode {
	case "horizontal":
		axes = []int{2}
	case "vertical":
		axes = []int{1}
	case "horizontal_and_vertical":
		axes = []int{2, 1}
	default:
		exceptions.Panicf("layers.RandomFlip: mode %q: want horizontal, vertical or horizontal_and_vertical", mode)
	}
	g := x.Graph()
	if !scope.IsTraining(g) {
		return x
	}
	batch := x.Shape().Dimensions[0]
	for _, axis := range axes {
		flip := graph.LessThan(scope.RandomUniform(g, shapes.Make(x.DType(), batch, 1, 1, 1)), graph.Scalar(g, x.DType(), 0.5))
		x = graph.Where(graph.BroadcastToDims(flip, x.Shape().Dimensions...), graph.Reverse(x, axis), x)
	}
	return x
}

// FillModes are the ways RandomTranslation fills the pixels shifted in,
// with Keras's names: "reflect" (d c b a | a b c d | d c b a, Keras's
// default), "constant" (the fill value), "nearest" (a a a a | a b c d |
// d d d d) and "wrap" (a b c d | a b c d | a b c d).
var FillModes = []string{"reflect", "constant", "nearest", "wrap"}

// RandomTranslation is Keras's RandomTranslation(height_factor,
// width_factor, fill_mode, fill_value) with whole-pixel shifts: while
// training each image moves by dy rows and dx columns drawn uniformly among
// the integers in [−round(height_factor·height), +round(…)] (likewise for
// the width; positive moves down and right, as in Keras), and the pixels
// shifted in are filled as fillMode says. Keras draws real-valued shifts
// and interpolates (bilinear by default); for CIFAR's 32 pixels, whole
// pixels are what the usual recipes use.
func RandomTranslation(scope *model.Scope, x *graph.Node, heightFactor, widthFactor float64, fillMode string, fillValue float64) *graph.Node {
	checkImages("layers.RandomTranslation", x)
	if heightFactor < 0 || heightFactor > 1 || widthFactor < 0 || widthFactor > 1 {
		exceptions.Panicf("layers.RandomTranslation: factors must be in [0, 1], got %g and %g", heightFactor, widthFactor)
	}
	dims := x.Shape().Dimensions
	maxY := int(float64(dims[1])*heightFactor + 0.5)
	maxX := int(float64(dims[2])*widthFactor + 0.5)
	return randomWindow(scope, x, maxY, maxX, dims[1], dims[2], fillMode, fillValue)
}

// RandomCrop crops a random height×width window of each image while
// training, after padding each side with padding zero pixels (the CIFAR
// recipe: padding 4 around 32x32 images, then a 32x32 crop): Keras's
// RandomCrop(height, width) preceded by ZeroPadding2D(padding), as one
// layer. At inference it returns the centre window (the image itself when
// it has the crop's size); Keras's RandomCrop resizes there instead.
func RandomCrop(scope *model.Scope, x *graph.Node, height, width, padding int) *graph.Node {
	checkImages("layers.RandomCrop", x)
	dims := x.Shape().Dimensions
	if padding < 0 || height < 1 || width < 1 || height > dims[1]+2*padding || width > dims[2]+2*padding {
		exceptions.Panicf("layers.RandomCrop: a %dx%d crop of %dx%d images padded by %d does not fit", height, width, dims[1], dims[2], padding)
	}
	if !scope.IsTraining(x.Graph()) {
		return centerCrop(x, height, width)
	}
	// Offsets of the window in the padded image: 0 .. H+2p−height; as a
	// shift around the centre, ±(H+2p−height)/2.
	return randomWindow(scope, x, (dims[1]+2*padding-height)/2, (dims[2]+2*padding-width)/2, height, width, "constant", 0)
}

// randomWindow pads x by maxY rows and maxX columns on each side (as
// fillMode says) and returns, for each image, the height×width window
// whose top-left corner is the centre's moved by a shift drawn uniformly in
// [−maxY, maxY] × [−maxX, maxX]: a translation when the window has the
// image's size. Outside training it returns the centre window.
func randomWindow(scope *model.Scope, x *graph.Node, maxY, maxX, height, width int, fillMode string, fillValue float64) *graph.Node {
	g := x.Graph()
	if !scope.IsTraining(g) || maxY == 0 && maxX == 0 {
		return centerCrop(x, height, width)
	}
	dims := x.Shape().Dimensions
	batch := dims[0]
	xp := padImages(x, maxY, maxX, fillMode, fillValue)
	// Centre corner in the padded image, then the shifts.
	cy, cx := (dims[1]+2*maxY-height)/2, (dims[2]+2*maxX-width)/2
	shift := func(m int) *graph.Node {
		u := scope.RandomUniform(g, shapes.Make(dtypes.Float32, batch, 1))
		k := graph.Floor(graph.MulScalar(u, float64(2*m+1))) // 0 .. 2m
		return graph.ConvertDType(graph.AddScalar(k, -float64(m)), dtypes.Int32)
	}
	rows := graph.AddScalar(graph.Neg(shift(maxY)), float64(cy)) // a shift down reads from above
	cols := graph.AddScalar(graph.Neg(shift(maxX)), float64(cx))
	index := graph.Iota(g, shapes.Make(dtypes.Int32, batch, 1), 0)
	starts := graph.Concatenate([]*graph.Node{index, rows, cols}, 1) // [batch, 3]
	out := graph.GatherSlices(xp, []int{0, 1, 2}, starts, []int{1, height, width}, true)
	return graph.Reshape(out, batch, height, width, dims[3])
}

// centerCrop returns the centre height×width window of the images.
func centerCrop(x *graph.Node, height, width int) *graph.Node {
	dims := x.Shape().Dimensions
	if height == dims[1] && width == dims[2] {
		return x
	}
	top, left := (dims[1]-height)/2, (dims[2]-width)/2
	return graph.Slice(x, graph.AxisRange(), graph.AxisRange(top, top+height), graph.AxisRange(left, left+width), graph.AxisRange())
}

// padImages pads the height by py and the width by px pixels on each side,
// filling as fillMode says.
func padImages(x *graph.Node, py, px int, fillMode string, fillValue float64) *graph.Node {
	switch fillMode {
	case "constant":
		return graph.Pad(x, graph.Scalar(x.Graph(), x.DType(), fillValue), compute.PadAxis{},
			compute.PadAxis{Start: py, End: py}, compute.PadAxis{Start: px, End: px}, compute.PadAxis{})
	case "reflect", "nearest", "wrap":
		return padAxis(padAxis(x, 1, py, fillMode), 2, px, fillMode)
	}
	exceptions.Panicf("layers.RandomTranslation: fill mode %q: want one of %v", fillMode, FillModes)
	return nil
}

// padAxis extends axis of x by p values on each side, reflecting,
// repeating the edge or wrapping around.
func padAxis(x *graph.Node, axis, p int, mode string) *graph.Node {
	if p == 0 {
		return x
	}
	n := x.Shape().Dimensions[axis]
	if p > n {
		exceptions.Panicf("layers.RandomTranslation: a shift of %d needs at least %d pixels, got %d", p, p, n)
	}
	part := func(lo, hi int) *graph.Node {
		ranges := make([]graph.SliceAxisSpec, x.Rank())
		for i := range ranges {
			ranges[i] = graph.AxisRange()
		}
		ranges[axis] = graph.AxisRange(lo, hi)
		return graph.Slice(x, ranges...)
	}
	var before, after *graph.Node
	switch mode {
	case "reflect":
		before, after = graph.Reverse(part(0, p), axis), graph.Reverse(part(n-p, n), axis)
	case "wrap":
		before, after = part(n-p, n), part(0, p)
	case "nearest":
		first, last := part(0, 1), part(n-1, n)
		reps := make([]*graph.Node, p)
		for i := range reps {
			reps[i] = first
		}
		before = graph.Concatenate(reps, axis)
		for i := range reps {
			reps[i] = last
		}
		after = graph.Concatenate(reps, axis)
	}
	return graph.Concatenate([]*graph.Node{before, x, after}, axis)
}

// checkImages panics unless x is a float [batch, height, width, channels].
func checkImages(layer string, x *graph.Node) {
	if x.Rank() != 4 || !x.DType().IsFloat() {
		exceptions.Panicf("%s: input must be float [batch, height, width, channels], got %s", layer, x.Shape())
	}
}
