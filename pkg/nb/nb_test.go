package nb

import (
	"strings"
	"testing"

	"github.com/cnnlab/cnnlab/cifar"
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
