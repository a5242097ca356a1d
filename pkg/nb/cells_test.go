package nb

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cnnlab/cnnlab/pkg/fit"
)

func TestSettings(t *testing.T) {
	for _, tc := range []struct {
		preset     string
		train      int
		bnMomentum float64
		wantErr    bool
	}{
		{preset: "smoke", train: 240, bnMomentum: 0.9},
		{preset: "quick", train: 4000, bnMomentum: 0.9},
		{preset: "full", train: 0, bnMomentum: 0.99},
		{preset: "huge", wantErr: true},
	} {
		t.Run(tc.preset, func(t *testing.T) {
			t.Setenv(EnvPreset, tc.preset)
			s, err := Settings()
			if tc.wantErr {
				if err == nil || !strings.Contains(err.Error(), "huge") {
					t.Fatalf("Settings with preset %q: got %v, want an error naming it", tc.preset, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(s.Preset) != tc.preset || s.Train != tc.train || s.BatchSize != 64 || s.HoldOut != 0.15 || s.DataSeed != 42 {
				t.Errorf("Settings() = %+v", s)
			}
			if got := BNMomentum(); got != tc.bnMomentum {
				t.Errorf("BNMomentum() = %g, want %g", got, tc.bnMomentum)
			}
			if note := SizeNote(s); !strings.Contains(note, "preset "+tc.preset) || !strings.Contains(note, " epoch") {
				t.Errorf("SizeNote = %q", note)
			}
		})
	}
}

// TestPathAndRuns: a history written to Path(name+".history.json") reads
// back as a run and draws; a missing one says which cell to run.
func TestPathAndRuns(t *testing.T) {
	out := t.TempDir()
	t.Setenv(EnvOut, out)
	t.Setenv(EnvPreset, "smoke")
	p := Path("a.history.json")
	if want := filepath.Join(out, "smoke", "notebooks", "a.history.json"); p != want {
		t.Fatalf("Path = %s, want %s", p, want)
	}
	if _, err := os.Stat(filepath.Dir(p)); err != nil {
		t.Fatalf("Path did not make its folder: %v", err)
	}
	h := &fit.History{Epochs: []fit.Logs{{"loss": 2, "accuracy": 0.2, "val_loss": 2.1, "val_accuracy": 0.1}}}
	if err := h.WriteFile(p); err != nil {
		t.Fatal(err)
	}
	r, err := ReadRun("a")
	if err != nil || r.Name != "a" || len(r.History.Epochs) != 1 {
		t.Fatalf("ReadRun = %+v, %v", r, err)
	}
	if err := ShowRunCurves("a"); err != nil {
		t.Errorf("ShowRunCurves: %v", err)
	}
	if err := ShowRunCurves("a", "b"); err == nil || !strings.Contains(err.Error(), `run "b"`) || !strings.Contains(err.Error(), "training cell") {
		t.Errorf("ShowRunCurves with a missing run: %v", err)
	}
}
