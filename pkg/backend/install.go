package backend

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"github.com/gomlx/go-xla/installer"
)

// Plugins lists the XLA PJRT plugins that [Install] knows: the CPU plugin
// and the CUDA plugins (with the NVIDIA libraries they need) for CUDA 12
// and 13.
var Plugins = []string{"cpu", "cuda12", "cuda13"}

// DefaultInstallDir returns where [Install] puts plugins by default:
// /usr/local/lib/go-xla for root, else ~/.local/lib/go-xla. Both are
// searched by [Choose] (see [PluginDirs]).
func DefaultInstallDir() (string, error) {
	if os.Geteuid() == 0 {
		return "/usr/local/lib/go-xla", nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("finding the home folder: %w", err)
	}
	return filepath.Join(home, ".local", "lib", "go-xla"), nil
}

// Install downloads an XLA PJRT plugin into dir with GoMLX's installer: the
// CPU plugin from github.com/gomlx/pjrt-cpu-binaries, or a CUDA plugin and
// its NVIDIA libraries from the JAX wheels on PyPI (into dir/nvidia).
// version "" means the latest. This is the only place where cnnlab
// downloads plugins; it is meant for image builds and one-time set-up
// (`cnnlab backend install`), never for ordinary runs.
func Install(plugin, version, dir string) error {
	if version == "" {
		version = "latest"
	}
	if dir == "" {
		var err error
		if dir, err = DefaultInstallDir(); err != nil {
			return err
		}
	}
	var err error
	switch plugin {
	case "cpu":
		err = installer.CPUInstall(runtime.GOOS+"_"+runtime.GOARCH, version, dir, true, installer.Normal)
	case "cuda12", "cuda13":
		err = cudaInstall(plugin, version, dir)
	default:
		return fmt.Errorf("unknown PJRT plugin %q (want one of %v)", plugin, Plugins)
	}
	if err != nil {
		return fmt.Errorf("installing PJRT plugin %q (version %s) into %s: %w", plugin, version, dir, err)
	}
	return nil
}
