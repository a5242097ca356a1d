package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/cnnlab/cnnlab/pkg/backend"
)

// backendConvFlag defines --backend-conv (the opposite of
// layers.Options.NoBackendConv) on fs.
func backendConvFlag(fs *flag.FlagSet) *bool {
	return fs.Bool("backend-conv", true, "with the fast layers: Conv2D on the patched Go backend's convolution kernel where "+
		"the build has one (see cnnlab backend info); --backend-conv=false uses the im2col and Winograd formulations instead, for A/B measurements")
}

// fusedBNFlag defines --fused-bn (the opposite of
// layers.Options.NoFusedBatchNorm) on fs.
func fusedBNFlag(fs *flag.FlagSet) *bool {
	return fs.Bool("fused-bn", true, "BatchNorm's training graph on the backend's fused op where it has one (XLA; the patched Go backend); "+
		"--fused-bn=false builds it from elementwise ops instead, for A/B measurements")
}

func init() {
	register(&command{
		name:    "backend info",
		summary: "show which GoMLX backend runs and with which settings",
		usage:   "[--json]",
		run:     runBackendInfo,
	})
}

func runBackendInfo(fs *flag.FlagSet, args []string) error {
	asJSON := fs.Bool("json", false, "print one JSON object")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	_, info, err := backend.New()
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(info)
	}
	fmt.Printf("backend:     %s\n", info.Name)
	fmt.Printf("config:      %s (from %s; set %s to change)\n", info.Config, info.Source, backend.EnvVar)
	fmt.Printf("description: %s\n", info.Description)
	switch {
	case !info.IsGo():
	case info.ConvKernel != "":
		fmt.Printf("conv kernel: %s (GoMLX patched by cnnlab's build, bench/upstream)\n", info.ConvKernel)
	case info.Patched:
		fmt.Println("conv kernel: none for this CPU or settings (GoMLX patched by cnnlab's build; GOEXPERIMENT=simd and AVX2 or AVX-512 needed)")
	default:
		fmt.Println("conv kernel: none: built against released GoMLX (`make build` applies cnnlab's patches, bench/upstream/README.md)")
	}
	for _, s := range info.FastSettings() {
		state := "off"
		if s.On {
			state = "on"
		}
		fmt.Printf("setting:     %-18s %-3s %s\n", s.Name, state, s.Why)
	}
	if info.IsGo() && !info.FastPathReady() {
		fmt.Println("             (`make build` and the default backend turn every setting on)")
	}
	fmt.Printf("go:          %s, %d CPUs\n", info.GoVersion, info.CPUs)
	return nil
}

func init() {
	register(&command{
		name:    "backend install",
		summary: "download an XLA PJRT plugin (cpu, cuda12, cuda13) for GOMLX_BACKEND=xla:…; for image builds and one-time set-up",
		usage:   "--plugin cpu|cuda12|cuda13 [--version latest] [--dir DIR]",
		run:     runBackendInstall,
	})
}

func runBackendInstall(fs *flag.FlagSet, args []string) error {
	plugin := fs.String("plugin", "", "plugin to install: "+strings.Join(backend.Plugins, ", "))
	version := fs.String("version", "latest", "plugin version (a pjrt-cpu-binaries release for cpu, a JAX version for cuda)")
	dir := fs.String("dir", "", "install folder; default /usr/local/lib/go-xla for root, else ~/.local/lib/go-xla (both searched by cnnlab)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if !slices.Contains(backend.Plugins, *plugin) {
		return usageError("--plugin must be one of %s, got %q", strings.Join(backend.Plugins, ", "), *plugin)
	}
	if err := backend.Install(*plugin, *version, *dir); err != nil {
		return err
	}
	config, source := backend.Choose()
	fmt.Printf("installed %s; cnnlab now chooses %s (from %s)\n", *plugin, config, source)
	return nil
}
