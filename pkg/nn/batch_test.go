package nn

import (
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"
)

func TestAddBatchAxis(t *testing.T) {
	img := tensors.FromValue([][][]float32{{{1, 2}, {3, 4}}, {{5, 6}, {7, 8}}}) // [2, 2, 2]
	b, err := AddBatchAxis(img)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(b.Shape().Dimensions, []int{1, 2, 2, 2}) ||
		!slices.Equal(tensors.MustCopyFlatData[float32](b), []float32{1, 2, 3, 4, 5, 6, 7, 8}) {
		t.Errorf("AddBatchAxis = %s %v", b.Shape(), tensors.MustCopyFlatData[float32](b))
	}
	u8, err := AddBatchAxis(tensors.FromValue([]uint8{9, 10}))
	if err != nil || !slices.Equal(tensors.MustCopyFlatData[uint8](u8), []uint8{9, 10}) || u8.Rank() != 2 {
		t.Errorf("uint8: %v %v", u8, err)
	}
	if _, err := AddBatchAxis(nil); err == nil {
		t.Error("nil tensor: no error")
	}
}

func TestSingleInput(t *testing.T) {
	m, _ := Named("gap", 0.1)
	img := make([]float32, 32*32*3)
	img[5] = 0.5
	x, err := m.SingleInput(img)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(x.Shape().Dimensions, []int{1, 32, 32, 3}) || tensors.MustCopyFlatData[float32](x)[5] != 0.5 {
		t.Errorf("SingleInput: %s", x.Shape())
	}
	if _, err := m.SingleInput(img[:100]); err == nil || !strings.Contains(err.Error(), "takes [32, 32, 3] examples (3072 values), got 100") {
		t.Errorf("short image error = %v", err)
	}
}
