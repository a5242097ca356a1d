package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/cnnlab/cnnlab/pkg/nn"
)

func init() {
	register(&command{
		name:    "model summary",
		summary: "print the Keras-style summary of a preset model",
		usage:   "--model " + strings.Join(nn.Names(), "|") + " [--width F] [--json]",
		run:     runModelSummary,
	})
	register(&command{
		name:    "model list",
		summary: "list the preset models with their parameter counts",
		usage:   "[--width F]",
		run:     runModelList,
	})
}

// modelJSON is the --json form of a model summary.
type modelJSON struct {
	Name         string         `json:"name"`
	Input        []int          `json:"input_shape"`
	Output       []int          `json:"output_shape"`
	Activation   string         `json:"output_activation"`
	Trainable    int            `json:"trainable_params"`
	NonTrainable int            `json:"non_trainable_params"`
	Layers       []nn.LayerInfo `json:"layers"`
}

// widthFlag declares --width on fs.
func widthFlag(fs *flag.FlagSet) *float64 {
	return fs.Float64("width", 1, "multiply every conv's filters and hidden Dense's units by this factor (1: the course's model)")
}

func checkWidth(w float64) error {
	if !(w > 0) || w > 64 {
		return usageError("--width must be in (0, 64], got %g", w)
	}
	return nil
}

func runModelSummary(fs *flag.FlagSet, args []string) error {
	name := fs.String("model", "baseline", "preset model: "+strings.Join(nn.Names(), ", "))
	width := widthFlag(fs)
	asJSON := fs.Bool("json", false, "print the layers as one JSON object")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := checkWidth(*width); err != nil {
		return err
	}
	if !slices.Contains(nn.Names(), *name) {
		return usageError("unknown --model %q (known: %s)", *name, strings.Join(nn.Names(), ", "))
	}
	m, err := nn.Named(*name, *width)
	if err != nil {
		return fmt.Errorf("declaring model %q: %w", *name, err)
	}
	if *asJSON {
		tr, ntr := m.NumParams()
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(modelJSON{Name: m.Name(), Input: m.InputShape(), Output: m.OutputShape(),
			Activation: m.OutputActivation(), Trainable: tr, NonTrainable: ntr, Layers: m.Layers()})
	}
	return m.Summary(os.Stdout)
}

func runModelList(fs *flag.FlagSet, args []string) error {
	width := widthFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := checkWidth(*width); err != nil {
		return err
	}
	fmt.Printf("%-12s %12s  %s\n", "model", "params", "description")
	for _, name := range nn.Names() {
		m, err := nn.Named(name, *width)
		if err != nil {
			return fmt.Errorf("declaring model %q: %w", name, err)
		}
		tr, ntr := m.NumParams()
		fmt.Printf("%-12s %12d  %s\n", name, tr+ntr, nn.Describe(name))
	}
	return nil
}
