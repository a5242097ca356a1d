package fit

import (
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestReadHistory: what WriteFile writes reads back, a diverged loss as
// NaN; a missing or malformed file is an error naming the problem.
func TestReadHistory(t *testing.T) {
	dir := t.TempDir()
	h := &History{Epochs: []Logs{{"loss": 2.5, "accuracy": 0.25}, {"loss": math.Inf(1), "accuracy": 0.5}}}
	path := filepath.Join(dir, "h.json")
	if err := h.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	got, err := ReadHistory(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Get("accuracy"), []float64{0.25, 0.5}) || got.Get("loss")[0] != 2.5 || !math.IsInf(got.Get("loss")[1], 1) { // internal/jsonfloat keeps ±Inf
		t.Errorf("read back %v", got.Epochs)
	}
	if _, err := ReadHistory(filepath.Join(dir, "missing.json")); err == nil {
		t.Error("a missing file reads")
	}
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"loss": 1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadHistory(bad); err == nil {
		t.Error("an object instead of a list of epochs reads")
	}
}
