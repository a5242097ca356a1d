package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/cnnlab/cnnlab/cifar"
	"github.com/cnnlab/cnnlab/pkg/fit"
)

func init() {
	register(&command{
		name:    "predict",
		summary: "classify a 32x32 PNG or JPEG image with trained weights",
		usage:   "--weights FILE [--model NAME --width F] --image PNG_OR_JPG [--json]",
		run:     runPredict,
	})
}

// predictionJSON is the --json output of "cnnlab predict".
type predictionJSON struct {
	Image         string             `json:"image"`
	Class         string             `json:"class"`
	ClassIndex    int                `json:"class_index"`
	Probabilities map[string]float64 `json:"probabilities"`
}

func runPredict(fs *flag.FlagSet, args []string) error {
	w := addWeightsFlags(fs)
	imagePath := fs.String("image", "", "32x32 PNG or JPEG image (pixels are divided by 255, as in training)")
	asJSON := fs.Bool("json", false, "print one JSON object")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := w.check(); err != nil {
		return err
	}
	if *imagePath == "" {
		return usageError("--image is required")
	}
	raw, err := os.ReadFile(*imagePath)
	if err != nil {
		return fmt.Errorf("reading image: %w", err)
	}
	pix := make([]byte, cifar.ImageSize)
	if err := cifar.DecodeImage(pix, raw); err != nil {
		return fmt.Errorf("decoding %s: %w", *imagePath, err)
	}
	x := make([]float32, cifar.ImageSize)
	cifar.UnitScaling.Apply(x, pix)

	tr, m, err := w.load(fit.Options{})
	if err != nil {
		return err
	}
	probs, n, err := tr.Predict(&fit.Arrays{X: x, Shape: []int{cifar.Height, cifar.Width, cifar.Channels}}, 1)
	if err != nil {
		return err
	}
	if n != cifar.NumClasses {
		return fmt.Errorf("model %s has %d outputs, want %d", m.Name(), n, cifar.NumClasses)
	}
	class := fit.Argmax(probs, n)[0]
	if *asJSON {
		out := predictionJSON{Image: *imagePath, Class: cifar.Classes[class], ClassIndex: class, Probabilities: map[string]float64{}}
		for i, p := range probs {
			out.Probabilities[cifar.Classes[i]] = float64(p)
		}
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	fmt.Printf("class: %s (%d), probability %.4f\n", cifar.Classes[class], class, probs[class])
	for i, p := range probs {
		fmt.Printf("  %d %-10s %.4f\n", i, cifar.Classes[i], p)
	}
	return nil
}
