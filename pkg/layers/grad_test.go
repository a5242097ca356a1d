package layers

import (
	"math/rand/v2"
	"testing"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/cnnlab/cnnlab/pkg/backend"
)

// noFusedDense is the Go backend claiming it has no FusedDense op, like XLA.
type noFusedDense struct{ compute.Backend }

func (b noFusedDense) Capabilities() compute.Capabilities {
	c := b.Backend.Capabilities().Clone()
	delete(c.Operations, compute.OpTypeFusedDense)
	return c
}

// TestPatchDenseWithoutFusedOp checks patchDense's fallback for backends
// without the fused Dense op (used when Options.Impl is Fast on XLA): same
// values and gradients as with the fused op.
func TestPatchDenseWithoutFusedOp(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	rnd := func(n int) []float64 {
		d := make([]float64, n)
		for i := range d {
			d[i] = rng.Float64()*2 - 1
		}
		return d
	}
	pd, wd, bd, rd := rnd(7*5), rnd(3*5), rnd(3), rnd(7*3)
	run := func(be compute.Backend) [][]float64 {
		exec := graph.MustNewExec(be, func(p, w, b, r *graph.Node) []*graph.Node {
			z := patchDense(p, w, b)
			loss := graph.ReduceAllSum(graph.Mul(z, r))
			return append([]*graph.Node{z}, graph.Gradient(loss, p, w, b)...)
		})
		// Fresh tensors per backend instance (a tensor cannot move between them).
		outs, err := exec.Exec(tensors.FromFlatDataAndDimensions(pd, 7, 5), tensors.FromFlatDataAndDimensions(wd, 3, 5),
			tensors.FromFlatDataAndDimensions(bd, 3), tensors.FromFlatDataAndDimensions(rd, 7, 3))
		if err != nil {
			t.Fatal(err)
		}
		res := make([][]float64, len(outs))
		for i, o := range outs {
			res[i] = tensors.MustCopyFlatData[float64](o)
		}
		return res
	}
	be := backend.MustNew()
	if !be.Capabilities().Operations[compute.OpTypeFusedDense] {
		t.Skip("backend has no FusedDense: the fallback is what runs everywhere")
	}
	want := run(be)
	got := run(noFusedDense{be})
	for i, name := range []string{"output", "d/dpatches", "d/dweight", "d/dbias"} {
		if d := maxAbsDiff(got[i], want[i]); d > tolImpl {
			t.Errorf("%s: without the fused op differs by %g", name, d)
		}
	}
	// Hand check of one output: z[0][0] = Σ_k p[0][k]·w[0][k] + b[0].
	z00 := bd[0]
	for k := range 5 {
		z00 += pd[k] * wd[k]
	}
	if d := got[0][0] - z00; d > 1e-12 || d < -1e-12 {
		t.Errorf("z[0][0] = %g, want %g", got[0][0], z00)
	}
}
