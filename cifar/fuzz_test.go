package cifar

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/cnnlab/cnnlab/internal/fuzzseed"
)

// The fuzz targets feed untrusted bytes to each reader: FuzzReadBinary
// (binary_test.go) the official binary records, FuzzReadPython
// (python_test.go) the Python pickles, FuzzReadArchive (here) whole
// archives (tar or tar.gz of any layout, images decoded). They must never
// panic or hang, and what they accept must be a well-formed dataset. Run
// one for longer with e.g.
//
//	go test -run '^$' -fuzz '^FuzzReadArchive$' -fuzztime 5m -fuzzminimizetime 2s ./cifar

// checkDataset fails t when d is not well formed.
func checkDataset(t *testing.T, d *Dataset) {
	t.Helper()
	if d == nil || len(d.Images) != d.Len()*ImageSize {
		t.Fatalf("accepted a dataset of %d images with %d pixel bytes", d.Len(), len(d.Images))
	}
	for i, l := range d.Labels {
		if l >= NumClasses {
			t.Fatalf("accepted label %d of image %d", l, i)
		}
	}
}

func FuzzReadArchive(f *testing.F) {
	data := synthData(10, 5)
	fuzzseed.AddMutations(f, tarGz(f, releaseFiles(data, false, nil), true))
	fuzzseed.AddMutations(f, tarGz(f, releaseFiles(data, false, nil), false))
	fuzzseed.AddMutations(f, tarGz(f, releaseFiles(data, true, py3Pickle), true))
	fuzzseed.AddMutations(f, tarGz(f, imageFolderFiles(f, data), true))
	if real := realJPEGs(f, 3); real != nil {
		fuzzseed.AddMutations(f, tarGz(f, real, true))
		fuzzseed.AddMutations(f, tarGz(f, real, false))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		c := newCollector()
		if err := c.readArchive(bufio.NewReader(bytes.NewReader(b)), "fuzz.tar.gz"); err != nil {
			c.images.abort()
			return
		}
		d, err := c.finish()
		if err != nil {
			return
		}
		checkDataset(t, d.Train)
		checkDataset(t, d.Test)
		if d.Train.Len() == 0 || d.Test.Len() == 0 {
			t.Fatalf("accepted %d training and %d test images", d.Train.Len(), d.Test.Len())
		}
	})
}

// realJPEGs returns, as image-folder files, the first n training and n test
// images of one class of the shared JPEG archive, or nil when it is absent.
func realJPEGs(f *testing.F, n int) []tarFile {
	p := filepath.Join(moduleRoot(f), "..", "shared", "datasets", "cifar10-jpeg.tar.gz")
	file, err := os.Open(p)
	if err != nil {
		return nil
	}
	defer file.Close()
	zr, err := gzip.NewReader(file)
	if err != nil {
		f.Fatal(err)
	}
	tr := tar.NewReader(zr)
	var files []tarFile
	counts := map[string]int{}
	for len(files) < 2*n {
		h, err := tr.Next()
		if err != nil {
			f.Fatalf("reading %s: %v", p, err)
		}
		split, _, _ := strings.Cut(strings.TrimPrefix(h.Name, "./"), "/")
		if h.Typeflag != tar.TypeReg || !strings.Contains(h.Name, "/airplane/") || counts[split] >= n {
			continue
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			f.Fatal(err)
		}
		counts[split]++
		files = append(files, tarFile{h.Name, b})
	}
	return files
}

// TestClaimedSizeNotTrusted: a tiny archive whose headers claim a batch
// file of 300 MB (and a pickled one) is refused as truncated without the
// reader allocating what the header claims.
func TestClaimedSizeNotTrusted(t *testing.T) {
	for _, name := range []string{BinaryFolder + "/data_batch_1.bin", BinaryFolder + "/data_batch_2.bin", PythonFolder + "/data_batch_1"} {
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		claimed := int64(maxBatchBytes - maxBatchBytes%RecordSize)
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: claimed, Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		_, _ = tw.Write(make([]byte, RecordSize)) // then the archive ends
		tw.Flush()
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		c := newCollector()
		err := c.readArchive(bufio.NewReader(bytes.NewReader(buf.Bytes())), "claims.tar")
		runtime.ReadMemStats(&after)
		if err == nil || !strings.Contains(err.Error(), "truncated") {
			t.Errorf("%s: %v, want a truncation error", name, err)
		}
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 2*maxTrustedBytes*NumTrainBatches/2 {
			t.Errorf("%s: reading a %d-byte archive allocated %d MB (claimed %d MB)", name, buf.Len(), grew>>20, claimed>>20)
		}
	}
}
