package main

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/cnnlab/cnnlab/cifar"
	"github.com/cnnlab/cnnlab/internal/atomicfile"
)

func init() {
	register(&command{
		name:    "data export",
		summary: "write a CIFAR-10 copy in the official binary format (cifar-10-binary.tar.gz), e.g. for the PyTorch benchmark",
		usage:   "[--data PATH] --out FILE.tar.gz",
		run:     runDataExport,
	})
}

func runDataExport(fs *flag.FlagSet, args []string) error {
	dataPath := dataFlag(fs)
	out := fs.String("out", "", "the .tar.gz file to write (required); written atomically")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return usageError("--out is required")
	}
	if !strings.HasSuffix(strings.ToLower(*out), ".tar.gz") {
		return usageError("--out must name a .tar.gz file, got %q", *out)
	}
	data, err := loadData(*dataPath)
	if err != nil {
		return err
	}
	if err := atomicfile.Write(*out, func(w io.Writer) error { return cifar.WriteBinaryArchive(w, data) }); err != nil {
		return fmt.Errorf("writing %s: %w", *out, err)
	}
	fmt.Printf("wrote %s: %d training and %d test images in the official binary format (%s)\n",
		*out, data.Train.Len(), data.Test.Len(), filepath.Base(*out))
	return nil
}
