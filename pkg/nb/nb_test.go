package nb

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/cnnlab/cnnlab/cifar"
	"github.com/cnnlab/cnnlab/pkg/experiment"
	"github.com/cnnlab/cnnlab/pkg/fit"
	"github.com/cnnlab/cnnlab/pkg/report"
)

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

func TestPresetAndDir(t *testing.T) {
	t.Setenv(EnvPreset, "smoke")
	if p, err := Preset(); err != nil || p != experiment.Smoke {
		t.Errorf("Preset() with %s=smoke: %v, %v", EnvPreset, p, err)
	}
	t.Setenv(EnvPreset, "huge")
	if _, err := Preset(); err == nil || !strings.Contains(err.Error(), "smoke, quick, standard, full") {
		t.Errorf("Preset() with a bad preset: %v", err)
	}
	t.Setenv(EnvPreset, "")
	if p, err := Preset(); err != nil || p != experiment.Quick {
		t.Errorf("Preset() on the Go backend: %v, %v; want quick", p, err)
	}
	t.Setenv(EnvOut, "/tmp/x")
	if d, _ := LessonDir("gap", experiment.Quick); d != "/tmp/x/quick/gap" {
		t.Errorf("LessonDir = %q", d)
	}
}

// TestRunLessonOutsideNotebook runs a lesson's smoke preset as a notebook
// cell does (here outside a notebook, where nothing is displayed) and
// reads its results back.
func TestRunLessonOutsideNotebook(t *testing.T) {
	src := t.TempDir() + "/cifar.tar.gz"
	d := &cifar.Data{Train: synthetic(300), Test: synthetic(100)}
	var buf bytes.Buffer
	if err := cifar.WriteBinaryArchive(&buf, d); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(src, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv(cifar.EnvDataset, src)
	t.Setenv(EnvPreset, "smoke")
	t.Setenv(EnvOut, t.TempDir())
	r := Must(RunLesson("gap"))
	if !r.Complete() || len(r.Verdicts) == 0 {
		t.Fatalf("%d of %d runs, %d verdicts", len(r.Runs), r.Planned, len(r.Verdicts))
	}
	back, err := LessonResults("gap")
	if err != nil || len(back.Runs) != len(r.Runs) {
		t.Fatalf("LessonResults: %v", err)
	}
	if err := ShowFact(back, "params"); err != nil {
		t.Error(err)
	}
	if err := ShowFact(back, "nope"); err == nil {
		t.Error("ShowFact of a missing fact: no error")
	}
	if err := ShowFigures(back); err != nil {
		t.Error(err)
	}
}

func synthetic(n int) *cifar.Dataset {
	d := &cifar.Dataset{Images: make([]uint8, n*cifar.ImageSize), Labels: make([]uint8, n)}
	for i := range n {
		d.Labels[i] = uint8(i % 10)
		for p := range cifar.ImageSize {
			d.Images[i*cifar.ImageSize+p] = uint8(25*(i%10) + p%5)
		}
	}
	return d
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

// TestCommittedResults reads the lessons committed at the standard preset
// from notebooks/, as a notebook does: the checkout's results/ is found
// above the working directory.
func TestCommittedResults(t *testing.T) {
	t.Chdir("../../notebooks")
	r, err := CommittedResults("gap", experiment.Standard)
	if err != nil {
		t.Fatal(err)
	}
	if r.Lesson != "gap" || r.Settings.Preset != experiment.Standard || len(r.Runs) != 6 || !r.Complete() {
		t.Errorf("gap at standard: lesson %q, preset %q, %d runs (complete %v); want gap, standard, 6, complete",
			r.Lesson, r.Settings.Preset, len(r.Runs), r.Complete())
	}
	if err := ShowCommitted("gap", experiment.Standard); err != nil {
		t.Errorf("ShowCommitted(gap): %v", err)
	}
	// Not run at that preset: a clear error, and ShowCommitted only says so.
	_, err = CommittedResults("gap", experiment.Full)
	if !errors.Is(err, ErrNotCommitted) || !strings.Contains(err.Error(), "cnnlab lesson run gap --preset full") {
		t.Errorf("gap at full: got %v, want ErrNotCommitted naming the command", err)
	}
	if err := ShowCommitted("gap", experiment.Full); err != nil {
		t.Errorf("ShowCommitted(gap, full): %v, want nil", err)
	}
	if _, err := CommittedResults("no-such-lesson", experiment.Standard); err == nil || errors.Is(err, ErrNotCommitted) {
		t.Errorf("an unknown lesson: got %v, want an error about the name", err)
	}
}
