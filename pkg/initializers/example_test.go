package initializers_test

import (
	"fmt"

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
