package main

import (
	"flag"
	"fmt"

	"github.com/cnnlab/cnnlab/internal/version"
)

func init() {
	register(&command{
		name:    "version",
		summary: "print cnnlab's module version and VCS revision (recorded in results.json, run.json, bench JSON and weights files)",
		usage:   "",
		run:     runVersion,
	})
}

func runVersion(fs *flag.FlagSet, args []string) error {
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	info, ok := version.Read()
	if !ok {
		fmt.Println("cnnlab unknown (the binary carries no build info)")
		return nil
	}
	fmt.Printf("cnnlab %s\n", info)
	if info.Revision != "" {
		fmt.Printf("revision %s", info.Revision)
		if info.Time != "" {
			fmt.Printf(" (%s)", info.Time)
		}
		if info.Modified {
			fmt.Print(", with uncommitted changes")
		}
		fmt.Println()
	}
	fmt.Printf("module %s, built with %s\n", info.Module, info.Go)
	return nil
}
