package nn

import (
	"fmt"
	"reflect"

	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/tensors"
)

// AddBatchAxis returns a copy of x with a leading batch axis of size 1:
// one image [32, 32, 3] becomes the batch [1, 32, 32, 3] a model takes.
func AddBatchAxis(x *tensors.Tensor) (*tensors.Tensor, error) {
	if x == nil {
		return nil, fmt.Errorf("adding a batch axis: nil tensor")
	}
	dims := append([]int{1}, x.Shape().Dimensions...)
	out := tensors.FromShape(shapes.Make(x.DType(), dims...))
	var copyErr error
	err := x.ConstFlatData(func(src any) {
		copyErr = out.MutableFlatData(func(dst any) {
			reflect.Copy(reflect.ValueOf(dst), reflect.ValueOf(src))
		})
	})
	if err == nil {
		err = copyErr
	}
	if err != nil {
		return nil, fmt.Errorf("adding a batch axis to %s: %w", x.Shape(), err)
	}
	return out, nil
}

// SingleInput returns one example img (row-major, e.g. [32, 32, 3] pixels
// as float32) as the batch of one [1, 32, 32, 3] the model takes. It checks
// the number of values against [Model.InputShape].
func (m *Model) SingleInput(img []float32) (*tensors.Tensor, error) {
	n := 1
	for _, d := range m.input {
		n *= d
	}
	if len(m.input) == 0 {
		return nil, fmt.Errorf("model %q has no input shape: %v", m.name, m.err)
	}
	if len(img) != n {
		return nil, fmt.Errorf("model %q takes %s examples (%d values), got %d values",
			m.name, shapeString(m.input), n, len(img))
	}
	data := append([]float32(nil), img...)
	return tensors.FromFlatDataAndDimensions(data, append([]int{1}, m.input...)...), nil
}
