package initializers_test

import (
	"fmt"

	"github.com/cnnlab/cnnlab/pkg/backend"
	"github.com/cnnlab/cnnlab/pkg/initializers"
)

// Keras's he_normal for a 3x3 convolution from 32 to 64 channels: a normal
// truncated at 2σ whose standard deviation after truncation is
// sqrt(2/fan_in), fan_in = 3·3·32.
func ExampleHeNormal() {
	he := initializers.HeNormal(42)
	fanIn, fanOut := initializers.Fans([]int{3, 3, 32, 64})
	p := he.ParamsFor([]int{3, 3, 32, 64})
	fmt.Println(he, fanIn, fanOut)
	fmt.Printf("%s, stddev before truncation %.5f\n", p.Dist, p.Stddev)
	// Output:
	// he_normal(seed=42) 288 576
	// truncated_normal, stddev before truncation 0.09474
}

// Initializers are found by their Keras names or class names.
func ExampleGet() {
	for _, name := range []string{"glorot_uniform", "RandomNormal", "xavier"} {
		init, err := initializers.Get(name, initializers.NoSeed)
		if err != nil {
			fmt.Println("error:", err)
			continue
		}
		fmt.Println(init)
	}
	// Output:
	// glorot_uniform
	// random_normal(mean=0, stddev=0.05)
	// error: unknown initializer "xavier" (known: zeros, ones, constant, random_normal, random_uniform, truncated_normal, variance_scaling, glorot_uniform, glorot_normal, he_normal, he_uniform, lecun_normal, lecun_uniform)
}

// airbench starts each convolution as PyTorch's dirac_ does: a 3x3 kernel
// from 2 to 3 channels has filters 0 and 1 equal to the identity (1 at the
// window's centre of their own channel) and filter 2 drawn from the rest
// initializer, here the constant 0.5. The kernel is [kh, kw, in, out].
func ExampleDirac() {
	init := initializers.Dirac(initializers.Constant(0.5))
	kernel, err := init.Draw(backend.MustNew(), 3, 3, 2, 3)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(init)
	for i := range 2 {
		fmt.Printf("centre, input channel %d: %v\n", i, kernel[(4*2+i)*3:(4*2+i)*3+3])
	}
	fmt.Println("corner, input channel 0:", kernel[0:3])
	// Output:
	// dirac(constant(value=0.5))
	// centre, input channel 0: [1 0 0.5]
	// centre, input channel 1: [0 1 0.5]
	// corner, input channel 0: [0 0 0.5]
}
