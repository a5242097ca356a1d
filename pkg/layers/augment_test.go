package layers

import (
	"slices"
	"testing"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/cnnlab/cnnlab/pkg/backend"
)

// augment runs fn on images x [B,H,W,C] in training or inference mode and
// returns the output values.
func augment(t *testing.T, x []float32, dims []int, training bool, fn func(scope *model.Scope, x *graph.Node) *graph.Node) []float32 {
	t.Helper()
	store := model.NewStore()
	if err := store.SetRNGStateFromSeed(3); err != nil {
		t.Fatal(err)
	}
	out, err := model.ExecOnce(backend.MustNew(), store, func(scope *model.Scope, x *graph.Node) *graph.Node {
		scope.SetTraining(x.Graph(), training)
		return fn(scope, x)
	}, tensors.FromFlatDataAndDimensions(x, dims...))
	if err != nil {
		t.Fatal(err)
	}
	return tensors.MustCopyFlatData[float32](out)
}

// images returns b distinct h×w×1 images: pixel (i, y, x) = 100i + 10y + x.
func images(b, h, w int) []float32 {
	x := make([]float32, b*h*w)
	for i := range b {
		for y := range h {
			for c := range w {
				x[(i*h+y)*w+c] = float32(100*i + 10*y + c)
			}
		}
	}
	return x
}

// mirror flips one h×w image left-right.
func mirror(img []float32, h, w int) []float32 {
	out := make([]float32, len(img))
	for y := range h {
		for c := range w {
			out[y*w+c] = img[y*w+w-1-c]
		}
	}
	return out
}

func TestRandomFlip(t *testing.T) {
	const b, h, w = 32, 3, 4
	x := images(b, h, w)
	out := augment(t, x, []int{b, h, w, 1}, true, func(scope *model.Scope, x *graph.Node) *graph.Node {
		return RandomFlip(scope, x, "horizontal")
	})
	flipped := 0
	for i := range b {
		in, got := x[i*h*w:(i+1)*h*w], out[i*h*w:(i+1)*h*w]
		switch {
		case slices.Equal(got, in):
		case slices.Equal(mirror(got, h, w), in): // flipping it again gives the input back
			flipped++
		default:
			t.Fatalf("image %d is neither itself nor its mirror: %v", i, got)
		}
	}
	if flipped < 6 || flipped > 26 {
		t.Errorf("%d of %d images flipped, want about half", flipped, b)
	}
	// Identity at inference.
	if got := augment(t, x, []int{b, h, w, 1}, false, func(scope *model.Scope, x *graph.Node) *graph.Node {
		return RandomFlip(scope, x, "horizontal_and_vertical")
	}); !slices.Equal(got, x) {
		t.Error("RandomFlip changed images at inference")
	}
}

// TestPadAxisHandValues pins the fill modes on one row [a b c d] = [1 2 3 4]
// padded by 2 (Keras's drawings: reflect d c b a | a b c d | d c b a).
func TestPadAxisHandValues(t *testing.T) {
	want := map[string][]float32{
		"reflect": {2, 1, 1, 2, 3, 4, 4, 3},
		"wrap":    {3, 4, 1, 2, 3, 4, 1, 2},
		"nearest": {1, 1, 1, 2, 3, 4, 4, 4},
	}
	for mode, w := range want {
		got := augment(t, []float32{1, 2, 3, 4}, []int{1, 1, 4, 1}, true, func(_ *model.Scope, x *graph.Node) *graph.Node {
			return padAxis(x, 2, 2, mode)
		})
		if !slices.Equal(got, w) {
			t.Errorf("%s: %v, want %v", mode, got, w)
		}
	}
	got := augment(t, []float32{1, 2, 3, 4}, []int{1, 1, 4, 1}, true, func(_ *model.Scope, x *graph.Node) *graph.Node {
		return padImages(x, 0, 1, "constant", -1)
	})
	if !slices.Equal(got, []float32{-1, 1, 2, 3, 4, -1}) {
		t.Errorf("constant: %v", got)
	}
}

// TestRandomTranslation: every output image is its input shifted by whole
// pixels within the factor, with the reflected pixels shifted in; factor 0
// and inference are the identity.
func TestRandomTranslation(t *testing.T) {
	const b, h, w = 16, 4, 5
	x := images(b, h, w)
	dims := []int{b, h, w, 1}
	out := augment(t, x, dims, true, func(scope *model.Scope, x *graph.Node) *graph.Node {
		return RandomTranslation(scope, x, 0.25, 0.2, "reflect", 0) // up to 1 pixel each way
	})
	reflect := func(i, n int) int { // Keras's reflect: -1 -> 0, n -> n-1
		if i < 0 {
			return -i - 1
		}
		if i >= n {
			return 2*n - 1 - i
		}
		return i
	}
	moved := 0
	for i := range b {
		found := false
		for dy := -1; dy <= 1 && !found; dy++ {
			for dx := -1; dx <= 1 && !found; dx++ {
				ok := true
				for y := range h {
					for c := range w {
						if out[(i*h+y)*w+c] != x[(i*h+reflect(y-dy, h))*w+reflect(c-dx, w)] {
							ok = false
						}
					}
				}
				if ok {
					found = true
					if dy != 0 || dx != 0 {
						moved++
					}
				}
			}
		}
		if !found {
			t.Fatalf("image %d is not a shift of at most one pixel: %v", i, out[i*h*w:(i+1)*h*w])
		}
	}
	if moved == 0 {
		t.Error("no image moved")
	}
	for _, training := range []bool{true, false} {
		f := 0.25
		if training {
			f = 0 // a translation by 0 is the identity
		}
		if got := augment(t, x, dims, training, func(scope *model.Scope, x *graph.Node) *graph.Node {
			return RandomTranslation(scope, x, f, f, "reflect", 0)
		}); !slices.Equal(got, x) {
			t.Errorf("training %v, factor %g: not the identity", training, f)
		}
	}
}

// TestRandomCrop: a crop of the image padded by zeros is a shift with zero
// fill; at inference the image of the crop's size is returned unchanged.
func TestRandomCrop(t *testing.T) {
	const b, h, w = 8, 4, 4
	x := images(b, h, w)
	dims := []int{b, h, w, 1}
	out := augment(t, x, dims, true, func(scope *model.Scope, x *graph.Node) *graph.Node {
		return RandomCrop(scope, x, h, w, 1)
	})
	if len(out) != len(x) {
		t.Fatalf("%d values, want %d", len(out), len(x))
	}
	for i := range b {
		img := out[i*h*w : (i+1)*h*w]
		ok := false
		for dy := -1; dy <= 1; dy++ {
			for dx := -1; dx <= 1; dx++ {
				match := true
				for y := range h {
					for c := range w {
						want := float32(0)
						if sy, sx := y-dy, c-dx; sy >= 0 && sy < h && sx >= 0 && sx < w {
							want = x[(i*h+sy)*w+sx]
						}
						match = match && img[y*w+c] == want
					}
				}
				ok = ok || match
			}
		}
		if !ok {
			t.Fatalf("image %d is not a zero-filled shift of at most 1: %v", i, img)
		}
	}
	if got := augment(t, x, dims, false, func(scope *model.Scope, x *graph.Node) *graph.Node {
		return RandomCrop(scope, x, h, w, 1)
	}); !slices.Equal(got, x) {
		t.Error("RandomCrop changed images at inference")
	}
}
