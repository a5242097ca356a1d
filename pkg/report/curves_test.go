package report

import (
	"bytes"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cnnlab/cnnlab/pkg/fit"
)

func history(loss ...float64) *fit.History {
	h := &fit.History{}
	for i, l := range loss {
		h.Epochs = append(h.Epochs, fit.Logs{"loss": l, "val_loss": l + 0.1, "accuracy": 0.1 * float64(i+1), "val_accuracy": 0.1 * float64(i)})
	}
	return h
}

func TestCurvesSVG(t *testing.T) {
	svg, err := Curves("svg", Run{Name: "shuffle", History: history(2, 1.5, 1.2)}, Run{Name: "no shuffle", History: history(2.2, 2.1, math.NaN())})
	if err != nil {
		t.Fatal(err)
	}
	s := string(svg)
	if !strings.HasPrefix(s, "<?xml") || !strings.Contains(s, "<svg") {
		t.Fatalf("not an SVG document: %.80q", s)
	}
	// Both panels, both runs, train and validation in the legends.
	for _, want := range []string{">loss<", ">accuracy<", "shuffle loss", "no shuffle val_loss", "shuffle val_accuracy", ">epoch<"} {
		if !strings.Contains(s, want) {
			t.Errorf("SVG lacks %q", want)
		}
	}
}

func TestCurvesPNGSize(t *testing.T) {
	data, err := Curves("png", Run{History: history(1, 0.5)})
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	// Two 4x3-inch panels at 110 dpi.
	if b := img.Bounds(); b.Dx() != 880 || b.Dy() != 330 {
		t.Errorf("PNG is %dx%d, want 880x330", b.Dx(), b.Dy())
	}
}

func TestCurvesErrors(t *testing.T) {
	for _, tc := range []struct {
		format string
		runs   []Run
		want   string
	}{
		{"svg", nil, "no runs"},
		{"svg", []Run{{Name: "empty", History: &fit.History{}}}, `"empty" has no epochs`},
		{"gif", []Run{{History: history(1)}}, `unknown image format "gif"`},
	} {
		if _, err := Curves(tc.format, tc.runs...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Curves(%q, %d runs): got %v, want an error containing %q", tc.format, len(tc.runs), err, tc.want)
		}
	}
}

func TestWriteCurves(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "curves.svg")
	if err := WriteCurves(path, Run{History: history(1, 0.8)}); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(path); err != nil || st.Size() == 0 {
		t.Fatalf("curves.svg: %v", err)
	}
	// A failed write leaves neither the file nor a temporary behind.
	bad := filepath.Join(dir, "curves.bmp")
	if err := WriteCurves(bad, Run{History: history(1)}); err == nil {
		t.Fatal("WriteCurves(.bmp): want an error")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("folder holds %d entries after a failed write, want 1", len(entries))
	}
}
