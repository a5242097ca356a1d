package fit_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/cnnlab/cnnlab/cifar"
	"github.com/cnnlab/cnnlab/pkg/backend"
	"github.com/cnnlab/cnnlab/pkg/course"
	"github.com/cnnlab/cnnlab/pkg/fit"
	"github.com/cnnlab/cnnlab/pkg/nn"
)

// The course's experiment in Go: the baseline CNN trained on CIFAR-10 with
// the course's settings (a seeded 15% hold-out, Adam 1e-3, batches of 64),
// ReduceLROnPlateau, EarlyStopping and ModelCheckpoint, then evaluated on
// the test set. (README.md shows this code; it is compiled here but not
// run, since it needs the dataset.)
func Example_course() {
	data, err := cifar.Open(context.Background(), "", os.Stderr) // $CNNLAB_DATASET, or the cached/downloaded release
	if err != nil {
		log.Fatal(err)
	}
	model, err := nn.Named("baseline", 1) // conv 32,32 pool, 64,64 pool, 128,128 pool; Flatten, Dense 300, Dense 10
	if err != nil {
		log.Fatal(err)
	}
	model.Summary(os.Stdout)

	b, info, err := backend.New() // $GOMLX_BACKEND, an installed XLA plugin, or the Go backend
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("backend:", info)
	settings := course.Defaults
	tr, err := fit.Compile(b, model, fit.Options{Optimizer: fit.Adam(settings.LearningRate), Seed: settings.Seed})
	if err != nil {
		log.Fatal(err)
	}
	reduce := fit.NewReduceLROnPlateau() // monitor val_loss, factor 0.1, patience 10: Keras's defaults
	reduce.Patience, reduce.Factor = 3, 0.5
	stop := fit.NewEarlyStopping()
	stop.Patience, stop.RestoreBestWeights = 5, true
	save := fit.NewModelCheckpoint("out/weights.{epoch:02d}-{val_loss:.2f}.ckpt")
	save.SaveBestOnly = true
	hist, err := tr.Fit(data.Train.Scaled(cifar.UnitScaling), fit.FitOptions{
		Epochs:            settings.Epochs,
		BatchSize:         settings.BatchSize,
		ValidationHoldOut: settings.ValidationHoldOut, // the course's train_test_split(test_size=0.15)
		Callbacks:         []fit.Callback{reduce, stop, save},
		Verbose:           fit.ProgressBar,
	})
	if err != nil {
		log.Fatal(err)
	}
	loss, acc, err := tr.Evaluate(data.Test.Scaled(cifar.UnitScaling), 256)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d epochs on %d images (%d validate); test loss %.3f, accuracy %.3f\n",
		len(hist.Epochs), hist.Split.Train, hist.Split.Val, loss, acc)
}
