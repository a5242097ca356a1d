package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cnnlab/cnnlab/cifar"
	"github.com/cnnlab/cnnlab/pkg/split"
)

// fixtureData returns 20 training images, half with pixels (R,G,B) =
// (10,20,30) and half (30,20,50), so the training means are (20,20,40) and
// the standard deviations (10,0,10); and 10 test images. Image i has label
// i%10.
func fixtureData() *cifar.Data {
	mk := func(n int) *cifar.Dataset {
		d := &cifar.Dataset{Images: make([]uint8, n*cifar.ImageSize), Labels: make([]uint8, n)}
		for i := range n {
			d.Labels[i] = uint8(i % cifar.NumClasses)
			rgb := [3]uint8{10, 20, 30}
			if i%2 == 1 {
				rgb = [3]uint8{30, 20, 50}
			}
			for p := range cifar.Height * cifar.Width {
				copy(d.Images[i*cifar.ImageSize+3*p:], rgb[:])
			}
		}
		return d
	}
	return &cifar.Data{Train: mk(20), Test: mk(10)}
}

// fixtureArchive writes the fixture as an official-format tar.gz and
// returns its path and bytes.
func fixtureArchive(t *testing.T) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := cifar.WriteBinaryArchive(&buf, fixtureData()); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "fixture.tar.gz")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p, buf.Bytes()
}

func hexSHA(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func TestDataInfo(t *testing.T) {
	archive, body := fixtureArchive(t)
	code, stdout, stderr := runCLI(t, "data", "info", "--data", archive)
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	var info dataInfo
	if err := json.Unmarshal([]byte(stdout), &info); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, stdout)
	}
	if info.Format != cifar.FormatBinary || info.Source != archive || info.SHA256 != hexSHA(body) {
		t.Errorf("format %q, source %q, sha256 %q", info.Format, info.Source, info.SHA256)
	}
	if info.Train.Count != 20 || info.Test.Count != 10 {
		t.Errorf("counts %d/%d, want 20/10", info.Train.Count, info.Test.Count)
	}
	if info.Train.ClassCounts != (classCounts{2, 2, 2, 2, 2, 2, 2, 2, 2, 2}) || info.Test.ClassCounts != (classCounts{1, 1, 1, 1, 1, 1, 1, 1, 1, 1}) {
		t.Errorf("class counts %v / %v", info.Train.ClassCounts, info.Test.ClassCounts)
	}
	if *info.Train.PixelMean != [3]float64{20, 20, 40} || *info.Train.PixelStd != [3]float64{10, 0, 10} {
		t.Errorf("mean %v std %v, want [20 20 40] [10 0 10]", *info.Train.PixelMean, *info.Train.PixelStd)
	}
	// Class counts are an object in label order, not alphabetical.
	if i, j := strings.Index(stdout, `"horse"`), strings.Index(stdout, `"frog"`); i < j {
		t.Error("class_counts not in label order (frog, 6, before horse, 7)")
	}
}

func TestDataInfoDefaultCache(t *testing.T) {
	// Without --data: the cache folder ($CNNLAB_DATA) holds an extracted
	// binary release.
	cache := t.TempDir()
	t.Setenv(cifar.EnvDataDir, cache)
	t.Setenv("HOME", t.TempDir())
	t.Setenv("KERAS_HOME", "")
	data := fixtureData()
	dir := filepath.Join(cache, cifar.BinaryFolder)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name string, d *cifar.Dataset) {
		var buf bytes.Buffer
		if err := cifar.WriteBinary(&buf, d); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for b := range cifar.NumTrainBatches {
		write("data_batch_"+string(rune('1'+b))+".bin", data.Train.Subset([]int{4 * b, 4*b + 1, 4*b + 2, 4*b + 3}))
	}
	write("test_batch.bin", data.Test)
	code, stdout, stderr := runCLI(t, "data", "info")
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	var info dataInfo
	if err := json.Unmarshal([]byte(stdout), &info); err != nil {
		t.Fatal(err)
	}
	if info.Source != dir || info.SHA256 != "" || info.Train.Count != 20 {
		t.Errorf("source %q sha %q count %d; want %q, no sha, 20", info.Source, info.SHA256, info.Train.Count, dir)
	}
	if !strings.Contains(stderr, "using "+dir) {
		t.Errorf("stderr %q does not say which copy is used", stderr)
	}
}

func TestDataShow(t *testing.T) {
	archive, _ := fixtureArchive(t)
	out := filepath.Join(t.TempDir(), "grid.png")
	code, stdout, stderr := runCLI(t, "data", "show", "--data", archive, "--split", "test", "--n", "3", "--start", "8", "--out", out)
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	// --start 8 --n 3 on 10 images shows images 8 and 9 (ship, truck).
	if !strings.Contains(stdout, "test images 8..9: ship truck") {
		t.Errorf("stdout %q", stdout)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	// Two cells of (96+8) x (96+14+8) at scale 3.
	if b := img.Bounds(); b.Dx() != 2*104 || b.Dy() != 118 {
		t.Errorf("grid is %dx%d, want 208x118", b.Dx(), b.Dy())
	}

	// --seed draws a sample: the same one as split.Permutation with that seed.
	code, stdout, stderr = runCLI(t, "data", "show", "--data", archive, "--split", "test", "--n", "4", "--seed", "7", "--out", out)
	if code != 0 {
		t.Fatalf("--seed: exit %d, stderr %s", code, stderr)
	}
	var want []string
	for _, i := range split.Permutation(10, 7)[:4] {
		want = append(want, cifar.Classes[i]) // the fixture's test image i has label i
	}
	if !strings.Contains(stdout, "4 random images (seed 7): "+strings.Join(want, " ")) {
		t.Errorf("--seed 7: stdout %q, want the classes %v", stdout, want)
	}
}

func TestDataCommandErrors(t *testing.T) {
	archive, _ := fixtureArchive(t)
	missing := filepath.Join(t.TempDir(), "missing.tar.gz")
	png := filepath.Join(t.TempDir(), "g.png")
	tests := []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"data", "info", "--data", missing}, 1, missing},
		{[]string{"data", "info", "--bogus"}, 2, "flag provided but not defined: -bogus"},
		{[]string{"data", "info", "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"data", "show", "--data", archive, "--split", "val", "--out", png}, 2, `--split must be train or test, got "val"`},
		{[]string{"data", "show", "--data", archive, "--n", "0", "--out", png}, 2, "--n must be in 1..4096, got 0"},
		{[]string{"data", "show", "--data", archive, "--n", "many", "--out", png}, 2, "invalid value"},
		{[]string{"data", "show", "--data", archive, "--start", "-1", "--out", png}, 2, "--start must be >= 0"},
		{[]string{"data", "show", "--data", archive, "--start", "10", "--split", "test", "--out", png}, 2, "--start 10 is past the 10 test images"},
		{[]string{"data", "show", "--data", archive}, 2, "--out is required"},
		{[]string{"data", "show", "--data", archive, "--out", "g.jpg"}, 2, "--out must name a .png file"},
		{[]string{"data", "show", "--data", archive, "--out", filepath.Join(missing, "g.png")}, 1, "g.png"},
		{[]string{"data", "fetch", "--sha256", "abc"}, 2, "--sha256 must be 64 hex digits"},
		{[]string{"data", "fetch", "--url", "ftp://x/y.tar.gz"}, 2, "--url must be an http or https URL"},
	}
	for _, tt := range tests {
		code, _, stderr := runCLI(t, tt.args...)
		if code != tt.code || !strings.Contains(stderr, tt.stderr) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q", tt.args, code, stderr, tt.code, tt.stderr)
		}
		// One line; usage errors add a second pointing at -h.
		lines := strings.Split(strings.TrimSpace(stderr), "\n")
		wantLines := 1
		if tt.code == 2 {
			wantLines = 2
		}
		if len(lines) != wantLines || (wantLines == 2 && lines[1] != `run "cnnlab `+strings.Join(tt.args[:2], " ")+` -h" for the flags`) {
			t.Errorf("%v: error is not one line (and the -h pointer for a usage error): %q", tt.args, stderr)
		}
	}
}

func TestDataHelp(t *testing.T) {
	for _, name := range []string{"info", "show", "fetch"} {
		code, stdout, _ := runCLI(t, "data", name, "--help")
		if code != 0 || !strings.Contains(stdout, "usage: cnnlab data "+name) {
			t.Errorf("data %s --help: exit %d, stdout %q", name, code, stdout)
		}
	}
}

func TestDataFetch(t *testing.T) {
	_, body := fixtureArchive(t)
	requests := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests++
		if r.URL.Path != "/"+cifar.OfficialFile {
			http.NotFound(w, r)
			return
		}
		w.Write(body)
	}))
	defer srv.Close()
	url := srv.URL + "/" + cifar.OfficialFile
	dir := filepath.Join(t.TempDir(), "cache")

	code, _, stderr := runCLI(t, "data", "fetch", "--dir", dir, "--url", url, "--sha256", strings.Repeat("ab", 32))
	if code != 1 || !strings.Contains(stderr, "SHA-256 of the") {
		t.Fatalf("bad checksum: exit %d, stderr %q", code, stderr)
	}
	if es, _ := os.ReadDir(dir); len(es) != 0 {
		t.Fatalf("a failed download left %d files", len(es))
	}
	code, stdout, stderr := runCLI(t, "data", "fetch", "--dir", dir, "--url", url, "--sha256", hexSHA(body))
	want := filepath.Join(dir, cifar.OfficialFile)
	if code != 0 || strings.TrimSpace(stdout) != want {
		t.Fatalf("exit %d, stdout %q, stderr %q; want the path %s", code, stdout, stderr, want)
	}
	before := requests
	code, stdout, stderr = runCLI(t, "data", "fetch", "--dir", dir, "--url", url, "--sha256", hexSHA(body))
	if code != 0 || requests != before || !strings.Contains(stderr, "already present") {
		t.Fatalf("second fetch: exit %d, %d requests, stderr %q", code, requests-before, stderr)
	}
	// A damaged cached file is reported, not trusted.
	if err := os.WriteFile(want, body[:100], 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = runCLI(t, "data", "fetch", "--dir", dir, "--url", url, "--sha256", hexSHA(body))
	if code != 1 || !strings.Contains(stderr, "delete it") {
		t.Fatalf("damaged cache: exit %d, stderr %q", code, stderr)
	}
}

// TestDataExport writes a copy in the official binary format and reads it
// back: the same images and labels, in the same order.
func TestDataExport(t *testing.T) {
	src, _ := fixtureArchive(t)
	out := filepath.Join(t.TempDir(), "copy.tar.gz")
	code, stdout, stderr := runCLI(t, "data", "export", "--data", src, "--out", out)
	if code != 0 || !strings.Contains(stdout, "wrote "+out) {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	want, _ := cifar.Load(src)
	got, err := cifar.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	if got.Format != "binary" || !bytes.Equal(got.Train.Images, want.Train.Images) || !bytes.Equal(got.Test.Labels, want.Test.Labels) {
		t.Errorf("exported copy (format %s) differs from its source", got.Format)
	}
	for _, bad := range [][]string{{"data", "export", "--data", src}, {"data", "export", "--data", src, "--out", "x.zip"}} {
		if code, _, stderr := runCLI(t, bad...); code != 2 || !strings.Contains(stderr, "--out") {
			t.Errorf("%v: exit %d, stderr %q", bad, code, stderr)
		}
	}
}
