// Package backend chooses the GoMLX compute backend that cnnlab runs on.
//
// The choice never hard-codes a backend:
//
//  1. If $GOMLX_BACKEND is set (e.g. "go", "go:parallelism=-1", "xla:cpu",
//     "xla:cuda"), it is used as given.
//  2. Otherwise, if an XLA PJRT plugin is installed (see [PluginDirs]), XLA is
//     used: "xla:cuda" when the CUDA plugin is present and an NVIDIA GPU is
//     visible (/dev/nvidia0, …), else "xla:cpu" when the CPU plugin is.
//  3. Otherwise the pure Go backend runs with all cores ("go:parallelism=-1";
//     GoMLX's own default uses about one core).
//
// PJRT plugins are never downloaded: cnnlab imports the XLA backend without
// GoMLX's auto-installer, so a missing plugin is reported as an error instead
// of a network fetch. A $GOMLX_BACKEND that cannot be used is an error that
// lists the valid values ([ValidConfigs]).
package backend

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/gomlx/compute"
	_ "github.com/gomlx/compute/gobackend"  // registers "go"
	_ "github.com/gomlx/go-xla/compute/xla" // registers "xla" (no auto-install)
)

// EnvVar is the environment variable that selects the backend, as in GoMLX.
const EnvVar = compute.ConfigEnvVar

// GoDefault is the configuration used for the pure Go backend when
// $GOMLX_BACKEND is not set: all cores.
const GoDefault = "go:parallelism=-1"

// Info describes the backend that runs and how it was chosen.
type Info struct {
	Config      string `json:"config"`      // configuration passed to GoMLX, e.g. "go:parallelism=-1"
	Name        string `json:"name"`        // backend name, e.g. "go" or "xla"
	Description string `json:"description"` // backend's own description
	Source      string `json:"source"`      // why it was chosen: "env", "plugin" or "default"
	SIMD        bool   `json:"simd"`        // built with GOEXPERIMENT=simd (fast matmul in the Go backend)
	Patched     bool   `json:"patched"`     // built against cnnlab's patched GoMLX backend ([Patched])
	ConvKernel  string `json:"conv_kernel"` // the patched Go backend's convolution kernel on this CPU ([ConvKernel]); "" for none or XLA
	// FusedBatchNorm is whether the backend has the fused
	// BatchNormForTraining op that layers.BatchNorm trains with: XLA, and
	// the Go backend in cnnlab's patched build.
	FusedBatchNorm bool   `json:"fused_batchnorm"`
	GoVersion      string `json:"go_version"` // Go toolchain that built the binary
	CPUs           int    `json:"cpus"`       // runtime.NumCPU()
	CPU            CPU    `json:"cpu"`        // the processor: model and SIMD flags
}

// String returns a one-line summary such as
// "go (go:parallelism=-1, from default; simd on; conv kernel avx512; 2 CPUs)".
// On the Go backend it names the convolution kernel, or says "conv kernel
// none (released GoMLX)" or "conv kernel none" (patched, but none for this
// CPU or settings).
func (i Info) String() string {
	simd := "off"
	if i.SIMD {
		simd = "on"
	}
	conv := ""
	if i.IsGo() {
		switch {
		case i.ConvKernel != "":
			conv = "; conv kernel " + i.ConvKernel
		case !i.Patched:
			conv = "; conv kernel none (released GoMLX)"
		default:
			conv = "; conv kernel none"
		}
	}
	return fmt.Sprintf("%s (%s, from %s; simd %s%s; %d CPUs)", i.Name, i.Config, i.Source, simd, conv, i.CPUs)
}

// PluginDirs returns the folders searched for XLA PJRT plugins, in order:
// the entries of $PJRT_PLUGIN_LIBRARY_PATH if set, else ~/.local/lib/go-xla
// and /usr/local/lib/go-xla, each with its nvidia/ subfolder.
func PluginDirs() []string {
	if p := os.Getenv("PJRT_PLUGIN_LIBRARY_PATH"); p != "" {
		return filepath.SplitList(p)
	}
	var dirs []string
	if home, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(home, ".local", "lib", "go-xla"))
	}
	dirs = append(dirs, "/usr/local/lib/go-xla")
	var all []string
	for _, d := range dirs {
		all = append(all, d, filepath.Join(d, "nvidia"))
	}
	return all
}

// findPlugin reports whether a PJRT plugin for name exists in one of dirs:
// pjrt_c_api_<name>_plugin.so, or a versioned
// pjrt_c_api_<name>_<version>_plugin.so as GoMLX's installer names the CPU
// plugin.
func findPlugin(dirs []string, name string) bool {
	for _, d := range dirs {
		for _, pattern := range []string{"pjrt_c_api_" + name + "_plugin.so", "pjrt_c_api_" + name + "_*_plugin.so"} {
			matches, _ := filepath.Glob(filepath.Join(d, pattern))
			for _, m := range matches {
				if st, err := os.Stat(m); err == nil && !st.IsDir() {
					return true
				}
			}
		}
	}
	return false
}

// hasNvidiaGPU reports whether an NVIDIA GPU is visible: its device files
// exist (on the host with a driver, or in a container started with
// --gpus). A variable for tests.
var hasNvidiaGPU = func() bool {
	m, _ := filepath.Glob("/dev/nvidia[0-9]*")
	return len(m) > 0
}

// Choose returns the backend configuration that [New] would use and why:
// source is "env", "plugin" or "default".
func Choose() (config, source string) {
	if c, ok := os.LookupEnv(EnvVar); ok && strings.TrimSpace(c) != "" {
		return strings.TrimSpace(c), "env"
	}
	dirs := PluginDirs()
	if findPlugin(dirs, "cuda") && hasNvidiaGPU() {
		return "xla:cuda", "plugin"
	}
	if findPlugin(dirs, "cpu") {
		return "xla:cpu", "plugin"
	}
	return GoDefault, "default"
}

var (
	mu     sync.Mutex
	cached compute.Backend
	info   Info
)

// New returns the process-wide backend, creating it on first use from
// [Choose]. Later calls return the same backend.
func New() (compute.Backend, Info, error) {
	mu.Lock()
	defer mu.Unlock()
	if cached != nil {
		return cached, info, nil
	}
	config, source := Choose()
	b, err := open(config, source)
	if err != nil {
		return nil, Info{}, err
	}
	cached = b
	info = Info{
		Config:      config,
		Name:        b.Name(),
		Description: b.Description(),
		Source:      source,
		SIMD:        simdEnabled,
		Patched:     Patched(),
		GoVersion:   runtime.Version(),
		CPUs:        runtime.NumCPU(),
		CPU:         DetectCPU(),
	}
	if info.IsGo() {
		info.ConvKernel = ConvKernel()
	}
	info.FusedBatchNorm = b.Capabilities().Operations[compute.OpTypeBatchNormForTraining]
	return cached, info, nil
}

// xlaNames are the names GoMLX's XLA backend registers.
var xlaNames = []string{"xla", "stablehlo", "shlo", "hlo"}

// ValidConfigs lists the values $GOMLX_BACKEND takes in cnnlab, each XLA one
// marked with whether its plugin is installed (in [PluginDirs]); error
// messages print it.
func ValidConfigs() []string {
	dirs := PluginDirs()
	installed := func(name string) string {
		if findPlugin(dirs, name) {
			return "installed"
		}
		return "plugin not installed"
	}
	gpu := ""
	if findPlugin(dirs, "cuda") && !hasNvidiaGPU() {
		gpu = ", no NVIDIA GPU visible"
	}
	return []string{
		"go (GoMLX's pure Go backend)",
		"go:parallelism=N (N cores; -1: all, cnnlab's default)",
		"xla:cpu (" + installed("cpu") + ")",
		"xla:cuda (" + installed("cuda") + gpu + ")",
		"xla:/path/to/pjrt_c_api_NAME_plugin.so",
	}
}

// open creates the backend for config, chosen from source ("env", "plugin"
// or "default"). Its errors say where the configuration came from and list
// the valid values; an unknown backend name is caught before GoMLX sees it.
func open(config, source string) (compute.Backend, error) {
	name, rest, _ := strings.Cut(config, ":")
	var err error
	if !slices.Contains(compute.List(), name) {
		err = fmt.Errorf("unknown backend %q", name)
	} else {
		var b compute.Backend
		b, err = newQuiet(config)
		if err == nil {
			return b, nil
		}
		if slices.Contains(xlaNames, name) && !filepath.IsAbs(rest) {
			plugin, _, _ := strings.Cut(rest, ",")
			if plugin == "" {
				plugin = "cpu"
			}
			if !findPlugin(PluginDirs(), plugin) {
				// GoMLX's own message suggests its auto-installer, which
				// cnnlab leaves out on purpose.
				err = fmt.Errorf("no PJRT plugin %q is installed (looked in %s, and in LD_LIBRARY_PATH and ld.so.conf's folders; "+
					"nothing is downloaded at run time: `cnnlab backend install --plugin cpu|cuda12|cuda13` installs one)",
					plugin, strings.Join(PluginDirs(), ", "))
			}
		}
	}
	what := fmt.Sprintf("%s=%q", EnvVar, config)
	if source != "env" {
		what = fmt.Sprintf("backend %q (cnnlab's choice from %s; set %s to choose another)", config, source, EnvVar)
	}
	return nil, fmt.Errorf("%s: %w; valid values of %s: %s", what, err, EnvVar, strings.Join(ValidConfigs(), ", "))
}

// MustNew is like [New] but panics on error. It suits notebooks and tests.
func MustNew() compute.Backend {
	b, _, err := New()
	if err != nil {
		panic(err)
	}
	return b
}

// newQuiet creates the backend, keeping the Go backend's own start-up message
// ("Go backend: parallelism set to …") off stdout, where cnnlab may be
// writing JSON; GoMLX panics on some bad configurations, which are turned
// into errors here.
func newQuiet(config string) (b compute.Backend, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	stdout := os.Stdout
	if devnull, e := os.OpenFile(os.DevNull, os.O_WRONLY, 0); e == nil {
		os.Stdout = devnull
		defer func() {
			os.Stdout = stdout
			devnull.Close()
		}()
	}
	return compute.NewWithConfig(config)
}
