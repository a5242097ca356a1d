package nn

import (
	"testing"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"

	"github.com/cnnlab/cnnlab/pkg/backend"
)

// BenchmarkPredictBaseline measures inference of the course's baseline
// model (Apply plus softmax) on a batch of 64 images with the backend
// package backend chooses; it reports images per second. Run with
//
//	GOEXPERIMENT=simd go test -run '^$' -bench PredictBaseline ./pkg/nn
func BenchmarkPredictBaseline(b *testing.B) {
	const batch = 64
	m, err := Preset("baseline", 1)
	if err != nil {
		b.Fatal(err)
	}
	exec, err := model.NewExec(backend.MustNew(), model.NewStore(), func(scope *model.Scope, x *graph.Node) *graph.Node {
		logits, _ := m.Apply(scope, x)
		return ApplyActivation(m.OutputActivation(), logits)
	})
	if err != nil {
		b.Fatal(err)
	}
	img := make([]float32, batch*32*32*3)
	for i := range img {
		img[i] = float32(i%255) / 255
	}
	x := tensors.FromFlatDataAndDimensions(img, batch, 32, 32, 3)
	run := func() {
		out, err := exec.Exec(x)
		if err != nil {
			b.Fatal(err)
		}
		for _, t := range out {
			t.FinalizeAll()
		}
	}
	run() // compile and initialize the variables
	b.ResetTimer()
	for b.Loop() {
		run()
	}
	b.ReportMetric(float64(batch*b.N)/b.Elapsed().Seconds(), "img/s")
}
