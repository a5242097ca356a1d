package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/cnnlab/cnnlab/cifar"
	"github.com/cnnlab/cnnlab/pkg/backend"
	"github.com/cnnlab/cnnlab/pkg/course"
	"github.com/cnnlab/cnnlab/pkg/fit"
	"github.com/cnnlab/cnnlab/pkg/nn"
)

func init() {
	register(&command{
		name:    "evaluate",
		summary: "test accuracy of trained weights, optionally with BatchNorm statistics updated at those weights",
		usage:   "[--data PATH] --weights FILE --model NAME [--width F] [--batch-size B] [--update-statistics N [--seed S]]",
		run:     runEvaluate,
	})
}

func runEvaluate(fs *flag.FlagSet, args []string) error {
	dataPath := dataFlag(fs)
	weights := fs.String("weights", "", "weights or checkpoint file written by \"cnnlab train\"")
	modelName := fs.String("model", "", "preset model the weights belong to: "+strings.Join(nn.Names(), ", "))
	width := widthFlag(fs)
	batchSize := fs.Int("batch-size", 256, "images per evaluation batch")
	update := fs.Int("update-statistics", 0, "then run N training images, shuffled with --seed, through the model in training mode "+
		"at the course's batch size with the weights frozen (BatchNorm's moving averages follow these weights), and evaluate again; 0: no")
	seed := fs.Int64("seed", course.Defaults.Seed, "seed of --update-statistics's order")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case *weights == "":
		return usageError("--weights is required")
	case *modelName == "":
		return usageError("--model is required")
	case *batchSize <= 0:
		return usageError("--batch-size must be positive, got %d", *batchSize)
	case *update < 0:
		return usageError("--update-statistics must be 0 or more images, got %d", *update)
	}
	if err := checkWidth(*width); err != nil {
		return err
	}
	m, err := nn.Named(*modelName, *width)
	if err != nil {
		return usageError("%v", err)
	}
	data, err := loadData(*dataPath)
	if err != nil {
		return err
	}
	b, info, err := backend.New()
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "backend: %s\n", info.String())
	tr, err := fit.Compile(b, m, fit.Options{Seed: *seed})
	if err != nil {
		return err
	}
	if err := tr.LoadWeights(*weights); err != nil {
		return fmt.Errorf("%w (are --model and --width those of the training run?)", err)
	}
	test := fit.CIFAR(data.Test, cifar.UnitScaling)
	loss, acc, err := tr.Evaluate(test, *batchSize)
	if err != nil {
		return err
	}
	fmt.Printf("test: loss %.4f, accuracy %.4f (%d images)\n", loss, acc, data.Test.Len())
	if *update == 0 {
		return nil
	}
	n := min(*update, data.Train.Len())
	train := data.Train.Subset(cifar.Permutation(data.Train.Len(), *seed)[:n])
	if err := tr.UpdateStatistics(fit.CIFAR(train, cifar.UnitScaling), course.Defaults.BatchSize); err != nil {
		return err
	}
	if loss, acc, err = tr.Evaluate(test, *batchSize); err != nil {
		return err
	}
	fmt.Printf("test with statistics updated on %d training images: loss %.4f, accuracy %.4f\n", n, loss, acc)
	return nil
}
