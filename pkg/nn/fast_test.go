package nn

import (
	"slices"
	"strings"
	"testing"
)

// TestFastModel pins the fast model's declaration: its layers, shapes and
// parameter count, and that its whitening layer waits for the data.
func TestFastModel(t *testing.T) {
	m, err := Named("fast", 1)
	if err != nil {
		t.Fatal(err)
	}
	tr, ntr := m.NumParams()
	if tr != 568728 || ntr != 1568 {
		t.Errorf("parameters %d trainable + %d non-trainable, want 568728 + 1568", tr, ntr)
	}
	var classes []string
	for _, l := range m.Layers() {
		classes = append(classes, l.Class)
	}
	block := []string{"Conv2D", "MaxPooling2D", "BatchNormalization", "Activation", "Conv2D", "BatchNormalization", "Activation"}
	want := append([]string{"RandomTranslation", "Whitening"}, slices.Concat(block, block, block)...)
	want = append(want, "MaxPooling2D", "Flatten", "Dense", "Rescaling")
	if !slices.Equal(classes, want) {
		t.Errorf("layers %v\nwant %v", classes, want)
	}
	ls := m.Layers()
	if got := ls[1].OutputShape; !slices.Equal(got, []int{31, 31, 24}) {
		t.Errorf("whitening output %v, want [31 31 24]", got)
	}
	if got := ls[len(ls)-4].OutputShape; !slices.Equal(got, []int{1, 1, 128}) {
		t.Errorf("final pooling output %v, want [1 1 128]", got)
	}
	if m.DataSamples() != 5000 {
		t.Errorf("DataSamples = %d, want 5000 before the kernel is computed", m.DataSamples())
	}
	decl := m.Declare()
	if decl.Preset != "fast" || !strings.Contains(decl.Layers[1], "from_images=5000") {
		t.Errorf("declaration %+v", decl)
	}
	if _, err := ArchOf("fast"); err == nil {
		t.Error("ArchOf(fast) does not fail")
	}
	if r, ok := RecipeOf("fast"); !ok || r.BatchSize != 1024 || !r.Whitening {
		t.Errorf("RecipeOf(fast) = %+v, %v", r, ok)
	}
	if _, ok := RecipeOf("baseline"); ok {
		t.Error("the baseline has a recipe")
	}
}

// TestRecipeVariants: every switch of the recipe gives a valid model, and
// the whitening's absence or a bad width is what the declaration says.
func TestRecipeVariants(t *testing.T) {
	tests := []struct {
		name    string
		change  func(r *Recipe)
		width   float64
		wantErr string
		second  string // the class of the layer after the translation
	}{
		{"full", func(r *Recipe) {}, 1, "", "Whitening"},
		{"no whitening", func(r *Recipe) { r.Whitening = false }, 1, "", "Conv2D"},
		{"small", func(r *Recipe) {}, 0.125, "", "Whitening"},
		{"bad width", func(r *Recipe) {}, 0, "width", ""},
		{"no blocks", func(r *Recipe) { r.Widths = nil }, 1, "no blocks", ""},
		{"bad eps", func(r *Recipe) { r.WhiteningEps = 0 }, 1, "eps", ""},
	}
	for _, tt := range tests {
		r := FastRecipe()
		tt.change(&r)
		m, err := r.Model("x", tt.width)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: error %v, want %q", tt.name, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if got := m.Layers()[1].Class; got != tt.second {
			t.Errorf("%s: layer 2 is %s, want %s", tt.name, got, tt.second)
		}
		if got := m.OutputShape(); !slices.Equal(got, []int{10}) {
			t.Errorf("%s: output %v", tt.name, got)
		}
	}
}

// TestInitFromData computes the whitening kernel once: DataSamples drops to
// 0, and a bad input or a layer before the whitening is an error.
func TestInitFromData(t *testing.T) {
	m := Sequential("w", Input(4, 4, 1), WhiteningFromData(3, 1e-3), Flatten(), Dense(2))
	if m.DataSamples() != 3 {
		t.Fatalf("DataSamples = %d, want 3", m.DataSamples())
	}
	if err := m.InitFromData(make([]float32, 5), 2); err == nil {
		t.Error("a short x is accepted")
	}
	x := make([]float32, 2*16)
	for i := range x {
		x[i] = float32(i%7) / 7
	}
	if err := m.InitFromData(x, 2); err != nil {
		t.Fatal(err)
	}
	if m.DataSamples() != 0 || len(m.layers[0].whitening) != 2*4*4 {
		t.Errorf("after InitFromData: DataSamples %d, kernel of %d values", m.DataSamples(), len(m.layers[0].whitening))
	}
	bad := Sequential("b", Input(4, 4, 1), Conv2D(1, 3, Padding("same")), WhiteningFromData(3, 1e-3), Flatten(), Dense(2))
	if err := bad.InitFromData(x, 2); err == nil || !strings.Contains(err.Error(), "comes before it") {
		t.Errorf("a conv before the whitening: %v", err)
	}
}
