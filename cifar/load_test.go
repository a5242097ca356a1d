package cifar

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// sameData reports how got differs from want, or "".
func sameData(got, want *Data) string {
	for _, s := range []struct {
		name      string
		got, want *Dataset
	}{{"train", got.Train, want.Train}, {"test", got.Test, want.Test}} {
		if s.got.Len() != s.want.Len() {
			return s.name + ": wrong number of images"
		}
		if !bytes.Equal(s.got.Labels, s.want.Labels) {
			return s.name + ": labels differ"
		}
		if !bytes.Equal(s.got.Images, s.want.Images) {
			return s.name + ": pixels differ"
		}
	}
	return ""
}

// sortedByLabel returns d's images stably sorted by label, the order of an
// image folder.
func sortedByLabel(d *Dataset) *Dataset {
	idx := make([]int, d.Len())
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return int(d.Labels[a]) - int(d.Labels[b]) })
	return d.Subset(idx)
}

func TestLoadFormats(t *testing.T) {
	want := synthData(23, 7)
	// Image folders are ordered by class, then file name; names are
	// aa.png, ab.png, … in index order, so the order is a stable sort.
	wantFolder := &Data{Train: sortedByLabel(want.Train), Test: sortedByLabel(want.Test)}
	reversed := slices.Clone(releaseFiles(want, false, nil))
	slices.Reverse(reversed)
	tests := []struct {
		name    string
		files   []tarFile
		layout  string // "tar.gz", "tar" or "dir"
		sub     string // for "dir": load this sub-folder of the written tree
		format  string
		want    *Data
		wantSHA bool
	}{
		{"binary tar.gz", releaseFiles(want, false, nil), "tar.gz", "", FormatBinary, want, true},
		{"binary tar.gz, any entry order", reversed, "tar.gz", "", FormatBinary, want, true},
		{"binary tar", releaseFiles(want, false, nil), "tar", "", FormatBinary, want, true},
		{"binary folder", releaseFiles(want, false, nil), "dir", BinaryFolder, FormatBinary, want, false},
		{"folder holding the binary folder", releaseFiles(want, false, nil), "dir", "", FormatBinary, want, false},
		{"python 2 pickles tar.gz", releaseFiles(want, true, py2Pickle), "tar.gz", "", FormatPython, want, true},
		{"python 3 pickles folder", releaseFiles(want, true, py3Pickle), "dir", PythonFolder, FormatPython, want, false},
		{"image folder", imageFolderFiles(t, want), "dir", "", FormatImageFolder, wantFolder, false},
		{"image folder tar.gz", imageFolderFiles(t, want), "tar.gz", "", FormatImageFolder, wantFolder, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "data")
			var archive []byte
			switch tt.layout {
			case "dir":
				writeFiles(t, p, tt.files)
				p = filepath.Join(p, tt.sub)
			default:
				archive = tarGz(t, tt.files, tt.layout == "tar.gz")
				if err := os.WriteFile(p, archive, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, err := Load(p)
			if err != nil {
				t.Fatal(err)
			}
			if got.Format != tt.format || got.Source != p {
				t.Errorf("Format, Source = %q, %q; want %q, %q", got.Format, got.Source, tt.format, p)
			}
			if diff := sameData(got, tt.want); diff != "" {
				t.Fatal(diff)
			}
			wantSHA := ""
			if tt.wantSHA {
				sum := sha256.Sum256(archive)
				wantSHA = hex.EncodeToString(sum[:])
			}
			if got.SHA256 != wantSHA {
				t.Errorf("SHA256 = %q, want %q", got.SHA256, wantSHA)
			}
		})
	}
}

func TestWriteBinaryArchive(t *testing.T) {
	want := synthData(12, 3)
	var buf bytes.Buffer
	if err := WriteBinaryArchive(&buf, want); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), OfficialFile)
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if diff := sameData(got, want); diff != "" {
		t.Fatal(diff)
	}
	if err := WriteBinaryArchive(&buf, synthData(4, 1)); err == nil {
		t.Error("no error for 4 training images (fewer than 5 batches)")
	}
}

func TestLoadErrors(t *testing.T) {
	data := synthData(10, 5)
	good := releaseFiles(data, false, nil)
	without := func(name string) []tarFile {
		return slices.DeleteFunc(slices.Clone(good), func(f tarFile) bool { return strings.HasSuffix(f.name, name) })
	}
	withData := func(name string, b []byte) []tarFile {
		files := slices.Clone(good)
		for i := range files {
			if strings.HasSuffix(files[i].name, name) {
				files[i].data = b
			}
		}
		return files
	}
	badLabel := bytes.Clone(binaryRecords(data.Test))
	badLabel[2*RecordSize] = 11
	goodArchive := tarGz(t, good, true)
	folder := imageFolderFiles(t, data)
	unknownClass := append(slices.Clone(folder), tarFile{"train/dragon/x.png", pngImage(t, data.Train, 0)})
	bigImage := append(slices.Clone(folder), tarFile{"test/cat/zz.png", grayPNG(t, 1, 33, 32)})
	mixed := append(slices.Clone(good), tarFile{"train/cat/x.png", pngImage(t, data.Train, 0)})
	tests := []struct {
		name    string
		archive []byte
		want    []string // substrings of the error
	}{
		{"missing batch", tarGz(t, without("data_batch_3.bin"), true), []string{"data_batch_3.bin is missing"}},
		{"missing test batch", tarGz(t, without("test_batch.bin"), true), []string{"test_batch.bin is missing"}},
		{"bad label", tarGz(t, withData("test_batch.bin", badLabel), true), []string{"cifar-10-batches-bin/test_batch.bin", "record 2 at byte offset 6146 has label 11"}},
		{"truncated file", tarGz(t, withData("data_batch_2.bin", binaryRecords(data.Train)[:RecordSize+7]), true), []string{"data_batch_2.bin", "truncated or corrupt record at byte offset 3073"}},
		{"truncated archive", goodArchive[:len(goodArchive)/2], []string{"archive.tgz", "truncated"}},
		{"corrupt gzip", append(goodArchive[:20:20], bytes.Repeat([]byte{0x55}, 200)...), []string{"archive.tgz"}},
		{"not an archive", []byte("hello, world"), []string{"unrecognized format"}},
		{"no cifar files", tarGz(t, []tarFile{{"README", []byte("hi")}}, true), []string{"no CIFAR-10 files found"}},
		{"unknown class", tarGz(t, unknownClass, true), []string{"train/dragon/x.png", `unknown class folder "dragon"`}},
		{"wrong image size", tarGz(t, bigImage, true), []string{"test/cat/zz.png", "image is 33x32, want 32x32"}},
		{"only train images", tarGz(t, folder[:10], true), []string{"10 train and 0 test images"}},
		{"mixed formats", tarGz(t, mixed, true), []string{"a dataset must hold one format"}},
		{"duplicate batch", tarGz(t, append(slices.Clone(good), tarFile{"other/test_batch.bin", binaryRecords(data.Test)}), true), []string{"duplicate of"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "archive.tgz")
			if err := os.WriteFile(p, tt.archive, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Load(p)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range append(tt.want, p) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
	t.Run("missing path", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "nowhere")
		if _, err := Load(p); err == nil || !strings.Contains(err.Error(), p) {
			t.Fatalf("error %v, want one naming %s", err, p)
		}
	})
}

func TestClassify(t *testing.T) {
	tests := []struct {
		name string
		want entryInfo
	}{
		{"cifar-10-batches-bin/data_batch_1.bin", entryInfo{kind: kindBinary, batch: 1}},
		{"data_batch_5.bin", entryInfo{kind: kindBinary, batch: 5}},
		{"cifar-10-batches-bin/test_batch.bin", entryInfo{kind: kindBinary, test: true}},
		{"cifar-10-batches-py/data_batch_2", entryInfo{kind: kindPython, batch: 2}},
		{"cifar-10-batches-py/test_batch", entryInfo{kind: kindPython, test: true}},
		{"x/data_batch_6.bin", entryInfo{}},
		{"cifar-10-batches-py/batches.meta", entryInfo{}},
		{"cifar-10-batches-bin/batches.meta.txt", entryInfo{}},
		{"train/cat/0001.jpg", entryInfo{kind: kindImage, class: "cat"}},
		{"cifar10/test/ship/a.PNG", entryInfo{kind: kindImage, test: true, class: "ship"}},
		{"train/cat/._0001.jpg", entryInfo{}},
		{"val/cat/0001.jpg", entryInfo{}},
		{"cat/0001.jpg", entryInfo{}},
	}
	for _, tt := range tests {
		if got := classify(tt.name); got != tt.want {
			t.Errorf("classify(%q) = %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

func TestDecodeImage(t *testing.T) {
	dst := make([]byte, ImageSize)
	if err := DecodeImage(dst, grayPNG(t, 77, 32, 32)); err != nil {
		t.Fatal(err)
	}
	for i, v := range dst {
		if v != 77 {
			t.Fatalf("byte %d = %d, want 77 (gray replicated to RGB)", i, v)
		}
	}
	// JPEG (YCbCr): a solid colour survives within the codec's rounding.
	src := image.NewNRGBA(image.Rect(0, 0, 32, 32))
	for p := 0; p < len(src.Pix); p += 4 {
		src.Pix[p], src.Pix[p+1], src.Pix[p+2], src.Pix[p+3] = 200, 100, 50, 255
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, src, &jpeg.Options{Quality: 100}); err != nil {
		t.Fatal(err)
	}
	if err := DecodeImage(dst, buf.Bytes()); err != nil {
		t.Fatal(err)
	}
	for p := 0; p < ImageSize; p += 3 {
		for c, want := range []int{200, 100, 50} {
			if d := int(dst[p+c]) - want; d < -3 || d > 3 {
				t.Fatalf("JPEG pixel %d channel %d = %d, want %d±3", p/3, c, dst[p+c], want)
			}
		}
	}
	if err := DecodeImage(dst, []byte("GIF89a")); err == nil {
		t.Error("no error for a GIF")
	}
}

// TestLoadSharedJPEG loads the shared 60,000-image archive end to end.
func TestLoadSharedJPEG(t *testing.T) {
	p := sharedJPEG(t)
	if testing.Short() {
		t.Skip("loading 60,000 JPEG images takes seconds; skipped with -short")
	}
	data, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if data.Format != FormatImageFolder {
		t.Errorf("Format = %q", data.Format)
	}
	if data.SHA256 != "0e9467361a3721b0cdaadd8259975ded88369b5d8ee16375719280c0b29251a3" {
		t.Errorf("SHA256 = %s, want the one in ../shared/datasets/README.md", data.SHA256)
	}
	for _, s := range []struct {
		name   string
		d      *Dataset
		n, per int
	}{{"train", data.Train, 50000, 5000}, {"test", data.Test, 10000, 1000}} {
		if s.d.Len() != s.n {
			t.Errorf("%s: %d images, want %d", s.name, s.d.Len(), s.n)
		}
		for c, n := range s.d.ClassCounts() {
			if n != s.per {
				t.Errorf("%s: class %s has %d images, want %d", s.name, Classes[c], n, s.per)
			}
		}
	}
	// Images are real photographs: not all one colour, mean near the
	// well-known CIFAR-10 training means (125.3, 123.0, 113.9).
	mean, _ := ChannelStats(data.Train)
	for c, want := range []float64{125.3, 123.0, 113.9} {
		if d := mean[c] - want; d < -2 || d > 2 {
			t.Errorf("channel %d mean %.1f, want about %.1f", c, mean[c], want)
		}
	}
}
