package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/cnnlab/cnnlab/pkg/backend"
)

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
	simd := "off (build with GOEXPERIMENT=simd, as `make build` does, for the fast matmul)"
	if info.SIMD {
		simd = "on"
	}
	fmt.Printf("backend:     %s\n", info.Name)
	fmt.Printf("config:      %s (from %s; set %s to change)\n", info.Config, info.Source, backend.EnvVar)
	fmt.Printf("description: %s\n", info.Description)
	fmt.Printf("simd:        %s\n", simd)
	fmt.Printf("go:          %s, %d CPUs\n", info.GoVersion, info.CPUs)
	return nil
}
