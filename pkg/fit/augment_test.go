package fit

import (
	"math"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/ml/model"
)

func TestAlternatingFlipped(t *testing.T) {
	const n = 2000
	flipped := 0
	for i := range n {
		f0 := AlternatingFlipped(7, i, 0)
		if f0 {
			flipped++
		}
		// Every image alternates: flipped in exactly one epoch of each pair.
		for e := 1; e < 5; e++ {
			if AlternatingFlipped(7, i, e) == AlternatingFlipped(7, i, e-1) {
				t.Fatalf("image %d: same flip in epochs %d and %d", i, e-1, e)
			}
		}
	}
	// A random half in the first epoch: Binomial(2000, ½) has sd ~22.
	if flipped < n/2-150 || flipped > n/2+150 {
		t.Errorf("%d of %d images flipped in epoch 0, want about half", flipped, n)
	}
	same := 0
	for i := range n {
		if AlternatingFlipped(7, i, 0) == AlternatingFlipped(8, i, 0) {
			same++
		}
	}
	if same < n/2-150 || same > n/2+150 {
		t.Errorf("seeds 7 and 8 agree on %d of %d images, want about half (independent draws)", same, n)
	}
}

// TestAlternateFlipHandValues: the selected images are mirrored left-right,
// channels kept together; the others are untouched.
func TestAlternateFlipHandValues(t *testing.T) {
	// Two 2x3x2 images; find one index flipped in epoch 0 and one not.
	var yes, no = -1, -1
	for i := 0; yes < 0 || no < 0; i++ {
		if AlternatingFlipped(1, i, 0) {
			yes = i
		} else {
			no = i
		}
	}
	img := []float32{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
	mirrored := []float32{5, 6, 3, 4, 1, 2, 11, 12, 9, 10, 7, 8}
	b := Batch{X: slices.Concat(img, img), Indices: []int{yes, no}}
	alternateFlip(b, []int{2, 3, 2}, 1, 0)
	if want := slices.Concat(mirrored, img); !slices.Equal(b.X, want) {
		t.Errorf("epoch 0: %v, want %v", b.X, want)
	}
	alternateFlip(b, []int{2, 3, 2}, 1, 1) // epoch 1 flips the other one
	if want := slices.Concat(mirrored, mirrored); !slices.Equal(b.X, want) {
		t.Errorf("epoch 1: %v, want %v", b.X, want)
	}
}

// TestAlternatingFlipThroughFit: training with AlternatingFlip differs
// from training without, and a resumed run flips as the uninterrupted one.
func TestAlternatingFlipThroughFit(t *testing.T) {
	data := synthetic(64, 3)
	run := func(dir string, flip bool, resume string) *History {
		tr := newTiny(t, Options{Seed: 1})
		return fitResumable(t, tr, data, FitOptions{Epochs: 3, BatchSize: 16, AlternatingFlip: flip}, dir, resume)
	}
	dir := t.TempDir()
	full := run(filepath.Join(dir, "full"), true, "")
	plain := run(filepath.Join(dir, "plain"), false, "")
	if reflect.DeepEqual(stripTime(full), stripTime(plain)) {
		t.Error("AlternatingFlip changed nothing")
	}
	resumed := run(filepath.Join(dir, "resumed"), true, filepath.Join(dir, "full", "e1.ckpt"))
	if !reflect.DeepEqual(stripTime(resumed), stripTime(full)) {
		t.Errorf("resumed history differs:\n got %v\nwant %v", stripTime(resumed), stripTime(full))
	}
	tr := newTiny(t, Options{})
	tr.inputShape = []int{48}
	if _, err := tr.Fit(&Arrays{X: data.X, Shape: []int{48}, Y: data.Y}, FitOptions{AlternatingFlip: true}); err == nil {
		t.Error("AlternatingFlip on vectors: no error")
	}
}

// linearModel gives 2 logits per 4x4x1 image: Σ x[i,j]·(4i+j) and
// Σ x[i,j]·((4i+j)² mod 7), which change under mirroring and shifts.
func linearModel() Model {
	return ModelFunc(func(scope *model.Scope, x *graph.Node) (*graph.Node, *graph.Node) {
		w := make([]float32, 32)
		for p := range 16 {
			w[2*p], w[2*p+1] = float32(p), float32(p*p%7)
		}
		b := x.Shape().Dim(0)
		return graph.MatMul(graph.Reshape(x, b, 16), graph.Reshape(graph.Const(x.Graph(), w), 16, 2)), nil
	})
}

// TestTTA checks the test-time augmented probabilities of Predict and the
// loss and accuracy of Evaluate against the averages computed by hand:
// mirror x[i][3−j]; shifted down-right x[i−1][j−1] and up-left
// x[i+1][j+1], with PyTorch's reflect padding (row −1 is row 1, row 4 is
// row 2), as airbench's F.pad(x, (1,)*4, "reflect").
func TestTTA(t *testing.T) {
	x := make([]float32, 16)
	for p := range x {
		x[p] = float32((p*5)%11) - 4
	}
	at := func(i, j int) float64 {
		r := func(k int) int {
			if k < 0 {
				return -k
			}
			if k > 3 {
				return 6 - k
			}
			return k
		}
		return float64(x[r(i)*4+r(j)])
	}
	logits := func(f func(i, j int) float64) [2]float64 {
		var l [2]float64
		for i := range 4 {
			for j := range 4 {
				p := 4*i + j
				l[0] += f(i, j) * float64(p)
				l[1] += f(i, j) * float64(p*p%7)
			}
		}
		return l
	}
	mirrorAvg := func(f func(i, j int) float64) [2]float64 {
		a, b := logits(f), logits(func(i, j int) float64 { return f(i, 3-j) })
		return [2]float64{(a[0] + b[0]) / 2, (a[1] + b[1]) / 2}
	}
	plain := logits(at)
	mirror := mirrorAvg(at)
	down := mirrorAvg(func(i, j int) float64 { return at(i-1, j-1) })
	up := mirrorAvg(func(i, j int) float64 { return at(i+1, j+1) })
	translate := [2]float64{mirror[0]/2 + down[0]/4 + up[0]/4, mirror[1]/2 + down[1]/4 + up[1]/4}
	softmax1 := func(l [2]float64) float64 { return 1 / (1 + math.Exp(l[0]-l[1])) }

	tr, err := Compile(testBackend(t), linearModel(), Options{InputShape: []int{4, 4, 1}})
	if err != nil {
		t.Fatal(err)
	}
	data := &Arrays{X: x, Shape: []int{4, 4, 1}, Y: []int32{1}}
	for _, tc := range []struct {
		tta  TTA
		want [2]float64
	}{{NoTTA, plain}, {TTAMirror, mirror}, {TTAMirrorTranslate, translate}} {
		probs, n, err := tr.Predict(data, 0, WithTTA(tc.tta))
		if err != nil || n != 2 {
			t.Fatalf("%s: %v, %d classes", tc.tta, err, n)
		}
		if want := softmax1(tc.want); math.Abs(float64(probs[1])-want) > 1e-5 {
			t.Errorf("%s: p(class 1) = %v, want %v (logits %v)", tc.tta, probs[1], want, tc.want)
		}
		loss, acc, err := tr.Evaluate(data, 0, WithTTA(tc.tta))
		if err != nil {
			t.Fatal(err)
		}
		wantLoss := math.Log1p(math.Exp(tc.want[0] - tc.want[1]))
		wantAcc := 0.0
		if tc.want[1] > tc.want[0] {
			wantAcc = 1
		}
		if !near(loss, wantLoss, 1e-4) || acc != wantAcc {
			t.Errorf("%s: Evaluate = %v, %v; want %v, %v", tc.tta, loss, acc, wantLoss, wantAcc)
		}
	}
	if plain == mirror || mirror == translate {
		t.Fatal("the test image does not tell the augmentations apart")
	}
	if _, _, err := tr.Evaluate(data, 0, WithTTA(TTA(7))); err == nil {
		t.Error("TTA(7): no error")
	}
	for name, want := range map[string]TTA{"none": NoTTA, "mirror": TTAMirror, "mirror_translate": TTAMirrorTranslate} {
		if got, err := ParseTTA(name); err != nil || got != want || got.String() != name {
			t.Errorf("ParseTTA(%q) = %v, %v", name, got, err)
		}
	}
	if _, err := ParseTTA("flip"); err == nil {
		t.Error("ParseTTA(flip): no error")
	}
}
