//go:build cnnlabkernels

package backend

import "github.com/gomlx/compute/gobackend"

func init() {
	patched = true
	convKernel = gobackend.ConvKernel
	convKernelCalls = gobackend.ConvKernelCalls
}
