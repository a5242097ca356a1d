package nb

import (
	"strings"
	"testing"

	"github.com/cnnlab/cnnlab/cifar"
	"github.com/cnnlab/cnnlab/pkg/fit"
	"github.com/cnnlab/cnnlab/pkg/report"
)

func TestTableHTML(t *testing.T) {
	got := TableHTML([]string{"class", "count"}, [][]string{{"cat<dog>", "5,000"}})
	want := `<table style="border-collapse:collapse"><tr>` +
		`<th style="padding:2px 8px;border-bottom:1px solid #888">class</th>` +
		`<th style="padding:2px 8px;border-bottom:1px solid #888">count</th></tr>` +
		`<tr><td style="padding:2px 8px;text-align:left">cat&lt;dog&gt;</td>` +
		`<td style="padding:2px 8px;text-align:right">5,000</td></tr></table>`
	if got != want {
		t.Errorf("TableHTML:\n got %s\nwant %s", got, want)
	}
}

func TestShowImagesOutsideNotebook(t *testing.T) {
	d := &cifar.Dataset{Images: make([]uint8, 2*cifar.ImageSize), Labels: []uint8{3, 5}}
	if err := ShowImages(d, nil, 0); err != nil {
		t.Fatalf("ShowImages: %v", err)
	}
	// A bad index must be reported, not rendered.
	err := ShowImages(d, []int{7}, 0)
	if err == nil || !strings.Contains(err.Error(), "nb:") {
		t.Fatalf("ShowImages with index 7 of 2 images: got %v, want an error", err)
	}
}

func TestLoadDataFromEnv(t *testing.T) {
	t.Setenv(cifar.EnvDataset, t.TempDir()+"/missing.tar.gz")
	_, err := LoadData()
	if err == nil || !strings.Contains(err.Error(), "missing.tar.gz") {
		t.Fatalf("LoadData with a missing $%s: got %v, want an error naming the file", cifar.EnvDataset, err)
	}
}

func TestShowCurves(t *testing.T) {
	h := &fit.History{Epochs: []fit.Logs{{"loss": 2, "accuracy": 0.2}, {"loss": 1.5, "accuracy": 0.4}}}
	if err := ShowCurves(report.Run{Name: "a", History: h}); err != nil {
		t.Fatalf("ShowCurves: %v", err)
	}
	if err := ShowCurves(); err == nil || !strings.Contains(err.Error(), "nb: report: no runs") {
		t.Fatalf("ShowCurves(): got %v, want an error", err)
	}
}

func TestFull(t *testing.T) {
	t.Setenv(EnvFull, "1")
	if !Full() {
		t.Error("Full() with CNNLAB_FULL=1: false")
	}
	t.Setenv(EnvFull, "0")
	if Full() {
		t.Error("Full() with CNNLAB_FULL=0: true")
	}
	// Tests run on the Go backend: quick.
	t.Setenv(EnvFull, "")
	if Full() {
		t.Error("Full() on the Go backend: true")
	}
}

func TestShowImagesTitledCount(t *testing.T) {
	d := &cifar.Dataset{Images: make([]uint8, 2*cifar.ImageSize), Labels: []uint8{3, 5}}
	if err := ShowImagesTitled(d, []string{"a", "b"}, 0); err != nil {
		t.Fatalf("two titles for two images: %v", err)
	}
	for _, titles := range [][]string{{"a"}, nil} {
		if err := ShowImagesTitled(d, titles, 0); err == nil || !strings.Contains(err.Error(), "titles for 2 images") {
			t.Errorf("%d titles for 2 images: got %v, want an error", len(titles), err)
		}
	}
}
