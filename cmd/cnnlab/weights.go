package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/cnnlab/cnnlab/pkg/backend"
	"github.com/cnnlab/cnnlab/pkg/fit"
	"github.com/cnnlab/cnnlab/pkg/nn"
)

// weightsFlags are the flags of the commands that use trained weights
// (predict, evaluate): the file and the model it belongs to.
type weightsFlags struct {
	weights, model *string
	width          *float64
}

func addWeightsFlags(fs *flag.FlagSet) weightsFlags {
	return weightsFlags{
		weights: fs.String("weights", "", "weights or checkpoint file written by \"cnnlab train\""),
		model:   fs.String("model", "", "preset model the weights belong to: "+strings.Join(nn.Names(), ", ")),
		width:   widthFlag(fs),
	}
}

// check reports a missing or bad flag as a usage error.
func (w weightsFlags) check() error {
	switch {
	case *w.weights == "":
		return usageError("--weights is required")
	case *w.model == "":
		return usageError("--model is required")
	}
	return checkWidth(*w.width)
}

// load builds the model on the backend GOMLX_BACKEND selects (printing
// which) and loads the weights into it.
func (w weightsFlags) load(opts fit.Options) (*fit.Trainer, error) {
	m, err := nn.Named(*w.model, *w.width)
	if err != nil {
		return nil, usageError("%v", err)
	}
	b, info, err := backend.New()
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "backend: %s\n", info.String())
	tr, err := fit.Compile(b, m, opts)
	if err != nil {
		return nil, err
	}
	if err := tr.LoadWeights(*w.weights); err != nil {
		return nil, fmt.Errorf("%w (are --model and --width those of the training run?)", err)
	}
	return tr, nil
}
