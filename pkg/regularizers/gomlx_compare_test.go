package regularizers

import (
	"math"
	"slices"
	"testing"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/layers/regularizer"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train"

	"github.com/cnnlab/cnnlab/pkg/backend"
)

// TestGoMLXRegularizers applies GoMLX's own regularizers
// (ml/layers/regularizer) to TestPenalty's weights: their penalties are
// Keras's (no ½ in L2), but GoMLX's L1 also registers a per-step update
// that sets every weight with |w| < l1 to zero after each training step,
// which Keras does not do; and GoMLX adds the penalty to the trainer's
// graph parameters instead of returning it. So package regularizers keeps
// its own. A changed verdict fails the test: update docs/ARCHITECTURE.md.
func TestGoMLXRegularizers(t *testing.T) {
	flat := slices.Concat(w...)
	tests := []struct {
		name      string
		gomlx     regularizer.Regularizer
		keras     Regularizer
		keepsAll  bool // the per-step update leaves the weights unchanged (Keras)
		wantAfter []float32
	}{
		{"L2(0.01)", regularizer.L2(0.01), L2(0.01), true, flat},
		{"L2(1e-4)", regularizer.L2(1e-4), L2(1e-4), true, flat},
		{"L1(0.01)", regularizer.L1(0.01), L1(0.01), true, flat},
		// 0.6 > |0.5| and |0|: GoMLX's per-step update zeroes them.
		{"L1(0.6)", regularizer.L1(0.6), L1(0.6), false, []float32{1, -2, 0, -3, 0, 4}},
		{"L1L2(0.1, 0.001)", regularizer.Combine(regularizer.L1(0.1), regularizer.L2(0.001)), L1L2(0.1, 0.001), true, flat},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			store := model.NewStore()
			v, err := store.CreateVariable("/dense/kernel", tensors.FromValue(w))
			if err != nil {
				t.Fatal(err)
			}
			out, err := model.ExecOnceN(backend.MustNew(), store, func(_ *model.Scope, g *graph.Graph) []*graph.Node {
				tc.gomlx(g, v)
				penalty := train.TotalLoss(g)
				train.ExecPerStepUpdateGraphFn(g)
				return []*graph.Node{penalty, v.NodeValue(g)}
			})
			if err != nil {
				t.Fatal(err)
			}
			got := float64(tensors.MustCopyFlatData[float32](out[0])[0])
			if want := tc.keras.Value(flat); math.Abs(got-want) > 1e-6 {
				t.Errorf("GoMLX's penalty %.7g, Keras's %.7g", got, want)
			}
			after := tensors.MustCopyFlatData[float32](out[1])
			if !slices.Equal(after, tc.wantAfter) {
				t.Errorf("weights after GoMLX's per-step update %v, want %v", after, tc.wantAfter)
			}
			if keeps := slices.Equal(after, flat); keeps != tc.keepsAll {
				t.Errorf("GoMLX's update keeps the weights: %v, recorded %v", keeps, tc.keepsAll)
			}
		})
	}
}
