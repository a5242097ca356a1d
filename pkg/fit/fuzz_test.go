package fit

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzReadCheckpoint feeds untrusted bytes to the weights and checkpoint
// reader, then loads what it accepts into a fresh model as LoadWeights and
// LoadCheckpoint do (variables, optimizer state, training state and
// callbacks' state). It must never panic or hang, and must reject bad files
// with an error. The seeds are a weights file and a full checkpoint (with
// a History and a callback's state) that this package wrote, with
// truncations and bit flips.
func FuzzReadCheckpoint(f *testing.F) {
	dir := f.TempDir()
	decl := `{"name":"tiny","layers":["dense1","dense2"]}`
	tr, err := Compile(testBackend(f), declaredModel{tinyModel(0), decl}, Options{InputShape: testShape, Seed: 1})
	if err != nil {
		f.Fatal(err)
	}
	stop := NewEarlyStopping()
	stop.Monitor, stop.Patience = "loss", 3
	ckpt := NewModelCheckpoint(filepath.Join(dir, "c.ckpt"))
	ckpt.Monitor = "loss"
	if _, err := tr.Fit(synthetic(32, 1), FitOptions{Epochs: 1, BatchSize: 16, Callbacks: []Callback{stop, ckpt}}); err != nil {
		f.Fatal(err)
	}
	if err := tr.SaveWeights(filepath.Join(dir, "w.ckpt")); err != nil {
		f.Fatal(err)
	}
	for _, name := range []string{"w.ckpt", "c.ckpt"} {
		seed, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(seed)
		for q := 1; q < 4; q++ {
			f.Add(seed[:len(seed)*q/4])
		}
		for _, at := range []int{8, 20, len(seed) / 3, len(seed) - 1} {
			flipped := bytes.Clone(seed)
			flipped[at] ^= 0x04
			f.Add(flipped)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		h, vars, err := parseCheckpoint("fuzz.ckpt", b)
		if err != nil {
			if h != nil || vars != nil {
				t.Fatal("a header with an error")
			}
			return
		}
		for _, v := range vars {
			if int64(len(v.data)) != int64(v.shape.ByteSize()) {
				t.Fatalf("variable %s: %d bytes for shape %s", v.path, len(v.data), v.shape)
			}
		}
		path := filepath.Join(t.TempDir(), "f.ckpt")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadWeightsInfo(path); err != nil {
			t.Fatalf("ReadWeightsInfo refused what parseCheckpoint accepted: %v", err)
		}
		fresh := func() *Trainer {
			tr, err := Compile(testBackend(t), declaredModel{tinyModel(0), decl}, Options{InputShape: testShape, Seed: 2})
			if err != nil {
				t.Fatal(err)
			}
			return tr
		}
		_ = fresh().LoadWeights(path)
		tr := fresh()
		state, err := tr.LoadCheckpoint(path)
		if err != nil {
			return
		}
		es := NewEarlyStopping()
		es.Monitor = "loss"
		_, _ = tr.Fit(synthetic(16, 3), FitOptions{Epochs: state.Epoch + 1, BatchSize: 16, Resume: state, Callbacks: []Callback{es, NewModelCheckpoint(filepath.Join(t.TempDir(), "x.ckpt"))}, Verbose: Silent})
	})
}
