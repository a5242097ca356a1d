package cifar_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/cnnlab/cnnlab/cifar"
	"github.com/cnnlab/cnnlab/pkg/course"
	"github.com/cnnlab/cnnlab/pkg/split"
)

// A tiny dataset of n images, image i of class i%10, for the examples.
func tinyDataset(n int) *cifar.Dataset {
	d := &cifar.Dataset{Images: make([]uint8, n*cifar.ImageSize), Labels: make([]uint8, n)}
	for i := range n {
		d.Labels[i] = uint8(i % cifar.NumClasses)
		d.Images[i*cifar.ImageSize] = 255 // red of the top-left pixel
	}
	return d
}

// Load reads any of the supported formats; LoadDefault finds (or downloads)
// the official release.
func ExampleLoad() {
	data, err := cifar.Load("cifar-10-binary.tar.gz") // or cifar-10-batches-py, cifar10-jpeg.tar.gz, …
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(data.Format, data.Train.Len(), data.Test.Len())
}

func ExampleLoadDefault() {
	// Looks in $CNNLAB_DATA (or ~/.cache/cnnlab), then in ~/.keras/datasets,
	// and downloads the official release when neither has it.
	data, err := cifar.LoadDefault(context.Background(), cifar.DownloadOptions{Progress: os.Stderr})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(data.Source, data.Format)
}

func ExampleDataset_Split() {
	train := tinyDataset(100)
	// The course's train_test_split(test_size=0.15, random_state=42).
	tr, val, err := train.Split(course.Defaults.ValidationHoldOut, course.Defaults.Seed)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tr.Len(), val.Len())
	// Keras's fit(validation_split=0.15): the last 15%, unshuffled.
	tr, val, _ = train.SplitLast(0.15)
	fmt.Println(tr.Len(), val.Len())
	// Output:
	// 85 15
	// 85 15
}

// The index-level splits behind Dataset.Split and SplitLast, which package
// fit uses as well: the counts follow scikit-learn and Keras exactly.
func ExampleHoldOut() {
	train, val, err := split.HoldOut(100, 0.07, 1) // ceil(0.07·100 = 7.000000000000001)
	if err != nil {
		log.Fatal(err)
	}
	at, _ := split.At(10, 0.15) // floor(10·0.85 = 8.5)
	fmt.Println(len(train), len(val), at)
	// Output: 92 8 8
}

func ExampleWriteGrid() {
	d := tinyDataset(16)
	out := filepath.Join(os.TempDir(), "cifar-grid-example.png")
	defer os.Remove(out)
	// The course's show_images(images, labels, ncols=8): 16 images, 2 rows.
	if err := cifar.WriteGrid(out, d, nil, cifar.GridOptions{Cols: 8}); err != nil {
		log.Fatal(err)
	}
	img, _ := cifar.Grid(d, nil, cifar.GridOptions{Cols: 8})
	fmt.Println(img.Bounds().Dx(), img.Bounds().Dy())
	// Output: 832 236
}

func ExampleDownload() {
	path, err := cifar.Download(context.Background(), cifar.DownloadOptions{Progress: os.Stderr})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(path) // e.g. /home/me/.cache/cnnlab/cifar-10-binary.tar.gz
}
