// Package cifartest makes small synthetic CIFAR-10 data sets for tests.
package cifartest

import "github.com/cnnlab/cnnlab/cifar"

// Data returns a synthetic CIFAR-10 of nTrain training and nTest test
// images whose classes have distinct colours, sorted by class like the
// shared archive (the same images for the same sizes).
func Data(nTrain, nTest int) *cifar.Data {
	return &cifar.Data{Train: Dataset(nTrain), Test: Dataset(nTest), Source: "synthetic", Format: "test"}
}

// Dataset returns n synthetic images sorted by class: image i is of class
// i·10/n, its pixels a colour of its class plus a pattern of i.
func Dataset(n int) *cifar.Dataset {
	d := &cifar.Dataset{Images: make([]uint8, n*cifar.ImageSize), Labels: make([]uint8, n)}
	for i := range n {
		c := i * cifar.NumClasses / n
		d.Labels[i] = uint8(c)
		for p := range cifar.ImageSize {
			d.Images[i*cifar.ImageSize+p] = uint8((25*c + 37*(p%3) + (i*7+p)%50) % 256)
		}
	}
	return d
}
