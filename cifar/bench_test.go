package cifar

import (
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/cnnlab/cnnlab/internal/atomicfile"
	"github.com/cnnlab/cnnlab/pkg/split"
)

// BenchmarkLoadJPEGArchive loads the shared 60,000-image JPEG archive
// (../shared/datasets/cifar10-jpeg.tar.gz) into memory. Run with
//
//	go test -run '^$' -bench Load -benchtime 1x ./cifar
func BenchmarkLoadJPEGArchive(b *testing.B) {
	p := sharedJPEG(b)
	for b.Loop() {
		data, err := Load(p)
		if err != nil {
			b.Fatal(err)
		}
		if data.Train.Len() != 50000 || data.Test.Len() != 10000 {
			b.Fatalf("%d train, %d test images", data.Train.Len(), data.Test.Len())
		}
	}
	b.ReportMetric(float64(60000*b.N)/b.Elapsed().Seconds(), "images/s")
}

// benchImages returns 60,000 images: the shared JPEG archive's when it is
// present (real photographs, so that gzip compresses the archive about as
// much as the official one), else smooth colour gradients plus noise.
func benchImages(b *testing.B) *Dataset {
	p := filepath.Join(moduleRoot(b), "..", "shared", "datasets", "cifar10-jpeg.tar.gz")
	if data, err := Load(p); err == nil {
		return &Dataset{Images: append(data.Train.Images, data.Test.Images...), Labels: append(data.Train.Labels, data.Test.Labels...)}
	}
	all := &Dataset{Images: make([]uint8, 60000*ImageSize), Labels: make([]uint8, 60000)}
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 60000 {
		all.Labels[i] = uint8(i % NumClasses)
		base := [3]int{r.IntN(200), r.IntN(200), r.IntN(200)}
		img := all.Image(i)
		for y := range Height {
			for x := range Width {
				for c := range Channels {
					v := base[c] + (x*(c+1)+y*(3-c))/4 + r.IntN(8)
					img[(y*Width+x)*3+c] = uint8(v)
				}
			}
		}
	}
	return all
}

// TestMain removes the benchmark's archive once all benchmarks have run.
func TestMain(m *testing.M) {
	code := m.Run()
	if benchArchive.path != "" {
		os.RemoveAll(filepath.Dir(benchArchive.path))
	}
	os.Exit(code)
}

var benchArchive struct {
	once sync.Once
	path string
	err  error
}

// officialSizeArchive writes, once per process, a cifar-10-binary.tar.gz of
// the official size (50,000 + 10,000 records) into a temporary folder.
func officialSizeArchive(b *testing.B) string {
	benchArchive.once.Do(func() {
		all := benchImages(b)
		data := &Data{
			Train: &Dataset{Images: all.Images[:50000*ImageSize], Labels: all.Labels[:50000]},
			Test:  &Dataset{Images: all.Images[50000*ImageSize:], Labels: all.Labels[50000:]},
		}
		// Mix the classes, as the official batches are.
		data.Train = data.Train.Subset(split.Permutation(50000, 1))
		dir, err := os.MkdirTemp("", "cifar-bench-")
		if err != nil {
			benchArchive.err = err
			return
		}
		benchArchive.path = filepath.Join(dir, OfficialFile)
		benchArchive.err = atomicfile.Write(benchArchive.path, func(w io.Writer) error {
			return WriteBinaryArchive(w, data)
		})
	})
	if benchArchive.err != nil {
		b.Fatal(benchArchive.err)
	}
	return benchArchive.path
}

// BenchmarkLoadBinaryArchive loads an official-format cifar-10-binary.tar.gz
// of the official size (built once, not timed), SHA-256 included.
func BenchmarkLoadBinaryArchive(b *testing.B) {
	p := officialSizeArchive(b)
	fi, err := os.Stat(p)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(fi.Size())
	b.Logf("archive %s: %d bytes, %.0f%% of its content", p, fi.Size(), 100*float64(fi.Size())/float64(60000*RecordSize))
	b.ResetTimer()
	for b.Loop() {
		data, err := Load(p)
		if err != nil {
			b.Fatal(err)
		}
		if data.Train.Len() != 50000 || data.Test.Len() != 10000 || len(data.SHA256) != 64 {
			b.Fatalf("%d train, %d test images", data.Train.Len(), data.Test.Len())
		}
	}
	b.ReportMetric(float64(60000*b.N)/b.Elapsed().Seconds(), "images/s")
}
