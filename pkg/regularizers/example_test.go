package regularizers_test

import (
	"fmt"

	"github.com/cnnlab/cnnlab/pkg/regularizers"
)

// Keras's L2 adds factor·Σw², without a ½.
func ExampleL2() {
	reg := regularizers.L2(1e-4)
	fmt.Println(reg, reg.Value([]float32{3, -4}))
	// Output: l2(0.0001) 0.0025
}
