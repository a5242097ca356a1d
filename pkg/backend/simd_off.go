//go:build !goexperiment.simd

package backend

const simdEnabled = false
