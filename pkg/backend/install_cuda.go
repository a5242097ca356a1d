//go:build linux && amd64

package backend

import "github.com/gomlx/go-xla/installer"

// cudaInstall installs a CUDA PJRT plugin and its NVIDIA libraries with
// GoMLX's installer, which has them for linux/amd64 only.
func cudaInstall(plugin, version, dir string) error {
	return installer.CudaInstall(plugin, version, dir, true, installer.Normal)
}
