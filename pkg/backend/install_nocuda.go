//go:build !(linux && amd64)

package backend

import (
	"fmt"
	"runtime"
)

// cudaInstall fails: GoMLX's installer has CUDA plugins for linux/amd64
// only, and leaves its CudaInstall out of builds for other platforms.
func cudaInstall(plugin, _, _ string) error {
	return fmt.Errorf("CUDA plugins exist for linux/amd64 only, not %s/%s", runtime.GOOS, runtime.GOARCH)
}
