package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	neturl "net/url"
	"os"
	"os/signal"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/cnnlab/cnnlab/cifar"
	"github.com/cnnlab/cnnlab/pkg/split"
)

func init() {
	register(&command{
		name:    "data info",
		summary: "describe a CIFAR-10 copy as JSON: format, counts, per-class counts, pixel statistics",
		usage:   "[--data PATH]",
		run:     runDataInfo,
	})
	register(&command{
		name:    "data show",
		summary: "write a PNG grid of images titled with their class names",
		usage:   "[--data PATH] [--split train|test] [--n 8] [--start I | --seed S] [--cols 8] [--scale 3] --out grid.png",
		run:     runDataShow,
	})
	register(&command{
		name:    "data fetch",
		summary: "download and verify the official CIFAR-10 binary release into the cache folder",
		usage:   "[--dir DIR] [--url URL --sha256 HEX]",
		run:     runDataFetch,
	})
}

// dataFlag declares the --data flag shared by the data commands.
func dataFlag(fs *flag.FlagSet) *string {
	return fs.String("data", "", "CIFAR-10 archive or folder: cifar-10-binary.tar.gz, cifar-10-python.tar.gz, their extracted folders, or an image folder (train/<class>/*.jpg) as a folder or .tar.gz; default: $"+cifar.EnvDataset+", else the cached official release ($"+cifar.EnvDataDir+" or ~/.cache/cnnlab, then ~/.keras/datasets), downloaded when missing")
}

// loadData loads path, or $CNNLAB_DATASET, or the default copy (see
// cifar.Open), and says on stderr which copy it used when none was named.
func loadData(path string) (*cifar.Data, error) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	data, err := cifar.Open(ctx, path, os.Stderr)
	if errors.Is(err, cifar.ErrNoCopy) {
		return nil, fmt.Errorf("%w; or pass --data PATH", err)
	}
	if err != nil {
		return nil, err
	}
	if path == "" {
		fmt.Fprintf(os.Stderr, "cnnlab: using %s (%s format)\n", data.Source, data.Format)
	}
	return data, nil
}

// allowImbalanceFlag declares --allow-imbalance, which checkClasses reads.
func allowImbalanceFlag(fs *flag.FlagSet) *bool {
	return fs.Bool("allow-imbalance", false, "train even when the training images lack a class or hold a class with fewer than half the images of the mean class")
}

// checkClasses fails, naming the classes, when the training images lack a
// class or hold one far below the others (see cifar.Dataset.CheckClasses),
// unless allow (--allow-imbalance).
func checkClasses(data *cifar.Data, allow bool) error {
	if allow {
		return nil
	}
	if err := data.Train.CheckClasses(); err != nil {
		return fmt.Errorf("the training images of %s: %w (pass --allow-imbalance to train on them anyway)", data.Source, err)
	}
	return nil
}

// sample returns limit images of d drawn with seed (all of them for 0); a
// limit above the images d holds is a usage error, never a silent clamp.
func sample(d *cifar.Dataset, limit int, seed int64) (*cifar.Dataset, error) {
	if limit > d.Len() {
		return nil, usageError("--limit %d is more than the %d training images of the data: use at most %d, or 0 for all", limit, d.Len(), d.Len())
	}
	return d.Sample(limit, seed), nil
}

// classCounts marshals per-class counts as a JSON object in label order.
type classCounts [cifar.NumClasses]int

func (c classCounts) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, n := range c {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%q:%d", cifar.Classes[i], n)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads the object that MarshalJSON writes.
func (c *classCounts) UnmarshalJSON(b []byte) error {
	var m map[string]int
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	*c = classCounts{}
	for name, n := range m {
		i := slices.Index(cifar.Classes[:], name)
		if i < 0 {
			return fmt.Errorf("unknown class %q", name)
		}
		c[i] = n
	}
	return nil
}

// splitInfo describes one split in "data info".
type splitInfo struct {
	Count       int         `json:"count"`
	ClassCounts classCounts `json:"class_counts"`
	PixelMean   *[3]float64 `json:"pixel_mean_rgb,omitempty"` // 0..255 scale
	PixelStd    *[3]float64 `json:"pixel_std_rgb,omitempty"`  // population standard deviation, 0..255 scale
}

// dataInfo is the JSON that "data info" prints.
type dataInfo struct {
	Source  string    `json:"source"`
	Format  string    `json:"format"`
	SHA256  string    `json:"sha256,omitempty"`
	Release string    `json:"release,omitempty"` // the known archive whose SHA-256 matches
	Classes []string  `json:"classes"`
	Train   splitInfo `json:"train"`
	Test    splitInfo `json:"test"`
}

// knownArchives names the archives whose SHA-256 "data info" recognizes.
var knownArchives = map[string]string{
	cifar.OfficialSHA256: "official CIFAR-10 binary release",
	cifar.PythonSHA256:   "official CIFAR-10 Python release",
	"0e9467361a3721b0cdaadd8259975ded88369b5d8ee16375719280c0b29251a3": "CIFAR-10-images JPEG re-encoding (cifar10-jpeg.tar.gz)",
}

func round3(v [3]float64) *[3]float64 {
	for i := range v {
		v[i] = math.Round(v[i]*1000) / 1000
	}
	return &v
}

func runDataInfo(fs *flag.FlagSet, args []string) error {
	dataPath := dataFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	data, err := loadData(*dataPath)
	if err != nil {
		return err
	}
	mean, std := cifar.ChannelStats(data.Train)
	info := dataInfo{
		Source:  data.Source,
		Format:  data.Format,
		SHA256:  data.SHA256,
		Release: knownArchives[data.SHA256],
		Classes: cifar.Classes[:],
		Train:   splitInfo{Count: data.Train.Len(), ClassCounts: data.Train.ClassCounts(), PixelMean: round3(mean), PixelStd: round3(std)},
		Test:    splitInfo{Count: data.Test.Len(), ClassCounts: data.Test.ClassCounts()},
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(info)
}

func runDataShow(fs *flag.FlagSet, args []string) error {
	dataPath := dataFlag(fs)
	set := fs.String("split", "train", "which set to show: train or test")
	n := fs.Int("n", 8, "number of images")
	start := fs.Int("start", 0, "index of the first image")
	seed := fs.Int64("seed", 0, "if not 0, show a random sample drawn with this seed instead of images --start.. (image-folder archives are sorted by class)")
	cols := fs.Int("cols", 8, "images per row (the course's ncols)")
	scale := fs.Int("scale", 3, "magnification of the 32x32 images")
	out := fs.String("out", "", "PNG file to write (required)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case *set != "train" && *set != "test":
		return usageError("--split must be train or test, got %q", *set)
	case *n <= 0 || *n > 4096:
		return usageError("--n must be in 1..4096, got %d", *n)
	case *start < 0:
		return usageError("--start must be >= 0, got %d", *start)
	case *cols <= 0:
		return usageError("--cols must be positive, got %d", *cols)
	case *scale <= 0 || *scale > 32:
		return usageError("--scale must be in 1..32, got %d", *scale)
	case *out == "":
		return usageError("--out is required")
	case !strings.EqualFold(filepath.Ext(*out), ".png"):
		return usageError("--out must name a .png file, got %q", *out)
	}
	data, err := loadData(*dataPath)
	if err != nil {
		return err
	}
	d := data.Train
	if *set == "test" {
		d = data.Test
	}
	if *start >= d.Len() {
		return usageError("--start %d is past the %d %s images", *start, d.Len(), *set)
	}
	count := min(*n, d.Len()-*start)
	indices := make([]int, count)
	what := fmt.Sprintf("images %d..%d", *start, *start+count-1)
	if *seed != 0 {
		count = min(*n, d.Len())
		indices = split.Permutation(d.Len(), *seed)[:count]
		what = fmt.Sprintf("%d random images (seed %d)", count, *seed)
	} else {
		for k := range indices {
			indices[k] = *start + k
		}
	}
	names := make([]string, count)
	for k, i := range indices {
		names[k] = cifar.Classes[d.Labels[i]]
	}
	if err := cifar.WriteGrid(*out, d, indices, cifar.GridOptions{Cols: *cols, Scale: *scale}); err != nil {
		return err
	}
	fmt.Printf("wrote %s: %s %s: %s\n", *out, *set, what, strings.Join(names, " "))
	return nil
}

func runDataFetch(fs *flag.FlagSet, args []string) error {
	dir := fs.String("dir", "", "cache folder; default $"+cifar.EnvDataDir+" or the user's cache folder (~/.cache/cnnlab)")
	url := fs.String("url", cifar.OfficialURL, "archive to download (a mirror of the official release)")
	sum := fs.String("sha256", cifar.OfficialSHA256, "expected SHA-256 of the archive, 64 hex digits")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if len(*sum) != 64 || strings.Trim(strings.ToLower(*sum), "0123456789abcdef") != "" {
		return usageError("--sha256 must be 64 hex digits, got %q", *sum)
	}
	if *dir == "" {
		d, err := cifar.DefaultDir()
		if err != nil {
			return err
		}
		*dir = d
	}
	u, err := neturl.Parse(*url)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return usageError("--url must be an http or https URL, got %q", *url)
	}
	_, statErr := os.Stat(filepath.Join(*dir, path.Base(u.Path)))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	p, err := cifar.Download(ctx, cifar.DownloadOptions{URL: *url, SHA256: *sum, Dir: *dir, Progress: os.Stderr, Verify: true})
	if err != nil {
		return err
	}
	if statErr == nil {
		fmt.Fprintf(os.Stderr, "cnnlab: %s was already present; its SHA-256 is the expected one\n", p)
	}
	fmt.Println(p)
	return nil
}
