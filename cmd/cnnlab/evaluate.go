package main

import (
	"flag"
	"fmt"
	"strings"

	"github.com/cnnlab/cnnlab/cifar"
	"github.com/cnnlab/cnnlab/pkg/course"
	"github.com/cnnlab/cnnlab/pkg/fit"
	"github.com/cnnlab/cnnlab/pkg/split"
)

func init() {
	register(&command{
		name:    "evaluate",
		summary: "test accuracy of trained weights, optionally with BatchNorm statistics updated at those weights",
		usage:   "[--data PATH] --weights FILE [--model NAME --width F] [--batch-size B] [--tta none|mirror|mirror_translate] [--update-statistics N [--seed S]]",
		run:     runEvaluate,
	})
}

func runEvaluate(fs *flag.FlagSet, args []string) error {
	dataPath := dataFlag(fs)
	w := addWeightsFlags(fs)
	batchSize := fs.Int("batch-size", 256, "images per evaluation batch")
	update := fs.Int("update-statistics", 0, "then run N training images, shuffled with --seed, through the model in training mode "+
		"at the course's batch size with the weights frozen (BatchNorm's moving averages follow these weights), and evaluate again; 0: no")
	seed := fs.Int64("seed", course.Defaults.Seed, "seed of --update-statistics's order")
	ttaName := fs.String("tta", "none", "test-time augmentation: none, mirror or mirror_translate (airbench's levels 0, 1, 2)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	tta, err := parseTTA(*ttaName)
	if err != nil {
		return err
	}
	if err := w.check(); err != nil {
		return err
	}
	switch {
	case *batchSize <= 0:
		return usageError("--batch-size must be positive, got %d", *batchSize)
	case *update < 0:
		return usageError("--update-statistics must be 0 or more images, got %d", *update)
	}
	// The weights first: a wrong file fails before the data is read.
	tr, _, err := w.load(fit.Options{Seed: *seed})
	if err != nil {
		return err
	}
	data, err := loadData(*dataPath)
	if err != nil {
		return err
	}
	test := data.Test.Scaled(cifar.UnitScaling)
	loss, acc, err := tr.Evaluate(test, *batchSize, fit.WithTTA(tta))
	if err != nil {
		return err
	}
	printTest(loss, acc, data.Test.Len(), tta)
	if *update == 0 {
		return nil
	}
	if *update > data.Train.Len() {
		return usageError("--update-statistics %d is more than the %d training images of the data", *update, data.Train.Len())
	}
	n := *update
	train := data.Train.Subset(split.Permutation(data.Train.Len(), *seed)[:n])
	moving, err := tr.MovingAverages()
	if err != nil {
		return err
	}
	if err := tr.UpdateStatistics(train.Scaled(cifar.UnitScaling), course.Defaults.BatchSize); err != nil {
		return err
	}
	updated, err := tr.MovingAverages()
	if err != nil {
		return err
	}
	if len(updated) > 0 {
		shifts := make([]string, len(updated))
		for i, u := range updated {
			shifts[i] = fmt.Sprintf("%.3f", u.MeanShift(moving[i]))
		}
		fmt.Printf("moving means moved by (updated standard deviations, by BatchNorm layer): %s\n", strings.Join(shifts, " "))
	}
	if loss, acc, err = tr.Evaluate(test, *batchSize, fit.WithTTA(tta)); err != nil {
		return err
	}
	fmt.Printf("test with statistics updated on %d training images: loss %.4f, accuracy %.4f\n", n, loss, acc)
	return nil
}
