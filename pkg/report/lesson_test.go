package report

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cnnlab/cnnlab/cifar"
	"github.com/cnnlab/cnnlab/pkg/experiment"
	"github.com/cnnlab/cnnlab/pkg/lessons"
)

// tinyData is a synthetic CIFAR-10 for smoke runs.
func tinyData() *cifar.Data {
	mk := func(n int) *cifar.Dataset {
		d := &cifar.Dataset{Images: make([]uint8, n*cifar.ImageSize), Labels: make([]uint8, n)}
		for i := range n {
			d.Labels[i] = uint8(i % 10)
			for p := range cifar.ImageSize {
				d.Images[i*cifar.ImageSize+p] = uint8((25*(i%10) + p%7*13) % 256)
			}
		}
		return d
	}
	return &cifar.Data{Train: mk(300), Test: mk(120), Source: "synthetic", Format: "test"}
}

// network matches anything that would fetch from the network: scripts,
// stylesheets, fonts or images by URL.
var network = regexp.MustCompile(`(?i)<script|<link|@import|url\(|(src|href)\s*=\s*["']?(https?:)?//`)

// TestLessonReport renders the smoke results of two lessons (one with runs
// and a fact figure, one with an image fact) and checks the page: every run,
// the verdicts, embedded figures and images, nothing from the network.
func TestLessonReport(t *testing.T) {
	data := tinyData()
	for _, name := range []string{"weight-init", "data"} {
		l, err := lessons.Get(name)
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		r, err := experiment.Run(l, experiment.Options{Preset: experiment.Smoke, Data: data, Out: dir})
		if err != nil {
			t.Fatal(err)
		}
		if err := WriteLesson(dir, r); err != nil {
			t.Fatal(err)
		}
		raw, err := os.ReadFile(filepath.Join(dir, "report.html"))
		if err != nil {
			t.Fatal(err)
		}
		page := string(raw)
		if !strings.HasPrefix(page, "<!doctype html>") || !strings.Contains(page, l.Heading()) {
			t.Errorf("%s: not the lesson's page: %.200s", name, page)
		}
		if m := network.FindString(page); m != "" {
			t.Errorf("%s: the page reaches the network: %q", name, m)
		}
		for _, v := range r.Verdicts {
			if !strings.Contains(page, v.Outcome) {
				t.Errorf("%s: verdict %q missing", name, v.Claim)
			}
		}
		for _, label := range Labels(r) {
			if !strings.Contains(page, "<td>"+label+"</td>") {
				t.Errorf("%s: run %q missing from the tables", name, label)
			}
		}
		switch name {
		case "weight-init":
			// Runs: test accuracy bars, two curve panels, time bars; facts:
			// two spread figures.
			if n := strings.Count(page, "<svg"); n != 6 {
				t.Errorf("weight-init: %d inline SVG figures, want 6", n)
			}
			if !strings.Contains(page, "The best model") || !strings.Contains(page, "<th>airplane</th>") {
				t.Error("weight-init: no confusion matrix")
			}
		case "data":
			if !strings.Contains(page, `src="data:image/png;base64,`) {
				t.Error("data: the image grid is not embedded")
			}
		}
	}
}
