package nn

import (
	"flag"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cnnlab/cnnlab/pkg/initializers"
	"github.com/cnnlab/cnnlab/pkg/regularizers"
)

var update = flag.Bool("update", false, "rewrite the golden summaries in testdata (check them by hand)")

func TestNamedParams(t *testing.T) {
	tests := []struct {
		name                    string
		width                   float64
		trainable, nonTrainable int
		output                  []int
	}{
		// 896+9,248+18,496+36,928+73,856+147,584 convs; 2048·300+300; 300·10+10.
		{"baseline", 1, 904718, 0, []int{10}},
		// Same convs; 128·50+50; 50·10+10.
		{"gap", 1, 293968, 0, []int{10}},
		// Convs without bias: 287,008-448; BN: 2·448 trainable (gamma, beta), 2·448 moving stats.
		{"bn", 1, 286560 + 896 + 614700 + 3010, 896, []int{10}},
		// Strided convs keep the parameter count (4x4x128 before Flatten).
		{"strided", 1, 904718, 0, []int{10}},
		// 5x5: (75+1)·32 + (800+1)·32 + (800+1)·64 + (1600+1)·64 + (1600+1)·128 + (3200+1)·128 + head.
		{"baseline5x5", 1, 2432 + 25632 + 51264 + 102464 + 204928 + 409728 + 614700 + 3010, 0, []int{10}},
		// Width 0.5: filters 16, 32, 64, Dense 150:
		// (27+1)·16 + (144+1)·16 + (144+1)·32 + (288+1)·32 + (288+1)·64 + (576+1)·64 + (1024+1)·150 + (150+1)·10.
		{"baseline", 0.5, 448 + 2320 + 4640 + 9248 + 18496 + 36928 + 153750 + 1510, 0, []int{10}},
		// Width 0.001: every scaled count rounds to 0 and becomes 1: first conv
		// 27+1, five 1→1 convs 9+1 each, Flatten 4·4·1 = 16, Dense 1: 16+1, Dense 10: 10+10.
		{"baseline", 0.001, 28 + 5*10 + 17 + 20, 0, []int{10}},
	}
	for _, tc := range tests {
		m, err := Named(tc.name, tc.width)
		if err != nil {
			t.Fatalf("Named(%q, %g): %v", tc.name, tc.width, err)
		}
		tr, ntr := m.NumParams()
		if tr != tc.trainable || ntr != tc.nonTrainable {
			t.Errorf("%s width %g: params %d trainable + %d non-trainable, want %d + %d",
				tc.name, tc.width, tr, ntr, tc.trainable, tc.nonTrainable)
		}
		if got := m.OutputShape(); !slices.Equal(got, tc.output) {
			t.Errorf("%s: output shape %v, want %v", tc.name, got, tc.output)
		}
		if got := m.OutputActivation(); got != "softmax" {
			t.Errorf("%s: output activation %q, want softmax", tc.name, got)
		}
	}
	if m, _ := Named("baseline", 1); m.Name() != "baseline" {
		t.Errorf("name %q", m.Name())
	}
	if m, _ := Named("gap", 0.25); m.Name() != "gap_w0.25" {
		t.Errorf("name %q", m.Name())
	}
	for _, name := range Names() {
		if _, err := Named(name, 1); err != nil || Describe(name) == "" {
			t.Errorf("preset %q: %v, description %q", name, err, Describe(name))
		}
	}
	for _, bad := range []struct {
		name  string
		width float64
		want  string
	}{{"vgg", 1, `"vgg"`}, {"baseline", 0, "width"}, {"baseline", -1, "width"}} {
		if _, err := Named(bad.name, bad.width); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("Named(%q, %g) error %v, want one mentioning %s", bad.name, bad.width, err, bad.want)
		}
	}
}

// TestSummaryGolden compares the summaries with testdata/*.golden, which
// were checked by hand against the layout Keras 3 prints on an 80-column
// terminal (column widths 31/22/13, Param # right-aligned with thousands
// separators, long names wrapped at the space before "(Type)").
func TestSummaryGolden(t *testing.T) {
	for _, name := range []string{"baseline", "bn", "gap"} {
		m, err := Named(name, 1)
		if err != nil {
			t.Fatal(err)
		}
		got := m.String()
		path := filepath.Join("testdata", name+"_summary.golden")
		if *update {
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if got != string(want) {
			t.Errorf("%s summary differs from %s:\n%s", name, path, got)
		}
	}
}

func TestSummaryTotals(t *testing.T) {
	m, _ := Named("bn", 1)
	s := m.String()
	for _, want := range []string{
		`Model: "bn"`,
		"┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃",
		"│ conv2d (Conv2D)                 │ (None, 32, 32, 32)     │           864 │",
		"│ batch_normalization             │ (None, 32, 32, 32)     │           128 │\n│ (BatchNormalization)            │                        │               │",
		" Total params: 906,062 (3.46 MB)\n",
		" Trainable params: 905,166 (3.45 MB)\n",
		" Non-trainable params: 896 (3.50 KB)\n",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}
}

func TestFormatting(t *testing.T) {
	for _, tc := range []struct {
		n          int
		commas, mb string
	}{
		{0, "0", "0.00 B"}, {255, "255", "1020.00 B"}, {256, "256", "1.00 KB"}, {904718, "904,718", "3.45 MB"},
		{1234567890, "1,234,567,890", "4.60 GB"},
	} {
		if got := commas(tc.n); got != tc.commas {
			t.Errorf("commas(%d) = %q, want %q", tc.n, got, tc.commas)
		}
		if got := memorySize(tc.n); got != tc.mb {
			t.Errorf("memorySize(%d) = %q, want %q", tc.n, got, tc.mb)
		}
	}
	for _, tc := range []struct {
		text  string
		width int
		want  []string
	}{
		{"conv2d (Conv2D)", 31, []string{"conv2d (Conv2D)"}},
		{"global_average_pooling2d (GlobalAveragePooling2D)", 31, []string{"global_average_pooling2d", "(GlobalAveragePooling2D)"}},
		{"abcdefghij klm", 4, []string{"abcd", "efgh", "ij", "klm"}},
		{"", 5, []string{""}},
	} {
		if got := wrap(tc.text, tc.width); !slices.Equal(got, tc.want) {
			t.Errorf("wrap(%q, %d) = %q, want %q", tc.text, tc.width, got, tc.want)
		}
	}
}

func TestLayerNamesAndShapes(t *testing.T) {
	m := Sequential("names",
		Input(28, 28, 1),
		Conv2D(8, [2]int{5, 5}), // valid: 24
		Conv2D(8, 3, Name("mine"), Strides(2), Padding("same")), // 12
		Activation("relu"),
		MaxPooling2D(3, Strides(2), Padding("same")), // ceil(12/2) = 6
		Conv2D(4, 1),
		BatchNormalization(Center(false)),
		Dense(7), // applies to the last axis: [6, 6, 7]
		GlobalAveragePooling2D(),
		Dense(3, Activation("sigmoid")),
	)
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	want := []LayerInfo{
		{Name: "conv2d", Class: "Conv2D", OutputShape: []int{24, 24, 8}, Trainable: 25*8 + 8, Activation: "linear"},
		{Name: "mine", Class: "Conv2D", OutputShape: []int{12, 12, 8}, Trainable: 9*8*8 + 8, Activation: "linear"},
		{Name: "activation", Class: "Activation", OutputShape: []int{12, 12, 8}, Activation: "relu"},
		{Name: "max_pooling2d", Class: "MaxPooling2D", OutputShape: []int{6, 6, 8}, Activation: "linear"},
		{Name: "conv2d_1", Class: "Conv2D", OutputShape: []int{6, 6, 4}, Trainable: 8*4 + 4, Activation: "linear"},
		{Name: "batch_normalization", Class: "BatchNormalization", OutputShape: []int{6, 6, 4}, Trainable: 4, NonTrainable: 8, Activation: "linear"},
		{Name: "dense", Class: "Dense", OutputShape: []int{6, 6, 7}, Trainable: 4*7 + 7, Activation: "linear"},
		{Name: "global_average_pooling2d", Class: "GlobalAveragePooling2D", OutputShape: []int{7}, Activation: "linear"},
		{Name: "dense_1", Class: "Dense", OutputShape: []int{3}, Trainable: 7*3 + 3, Activation: "sigmoid"},
	}
	got := m.Layers()
	if len(got) != len(want) {
		t.Fatalf("%d layers, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].Name != want[i].Name || got[i].Class != want[i].Class || !slices.Equal(got[i].OutputShape, want[i].OutputShape) ||
			got[i].Trainable != want[i].Trainable || got[i].NonTrainable != want[i].NonTrainable || got[i].Activation != want[i].Activation {
			t.Errorf("layer %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	if m.OutputActivation() != "sigmoid" {
		t.Errorf("OutputActivation %q", m.OutputActivation())
	}
	// A user name equal to an automatic one makes the automatic one skip it.
	m2 := Sequential("skip", Input(4), Dense(2, Name("dense")), Dense(2))
	if l := m2.Layers(); l == nil || l[1].Name != "dense_1" {
		t.Errorf("layers %+v, want the second named dense_1", l)
	}
}

// TestPoolSpellings checks that Keras's spellings of a 2x2 pool agree.
func TestPoolSpellings(t *testing.T) {
	var shapes [][]int
	for _, pool := range []Layer{
		MaxPooling2D(2),
		MaxPooling2D([2]int{2, 2}),
		MaxPooling2D(2, Strides(2)),
		MaxPooling2D([2]int{2, 2}, Strides([2]int{2, 2}), Padding("VALID")),
	} {
		m := Sequential("pool", Input(9, 9, 3), pool)
		if err := m.Validate(); err != nil {
			t.Fatal(err)
		}
		shapes = append(shapes, m.OutputShape())
	}
	for _, s := range shapes {
		if !slices.Equal(s, []int{4, 4, 3}) {
			t.Errorf("pool output shapes %v, want all [4 4 3]", shapes)
			break
		}
	}
	// Strides 1 overlap: 9-2+1 = 8.
	if got := Sequential("p", Input(9, 9, 3), MaxPooling2D(2, Strides(1))).OutputShape(); !slices.Equal(got, []int{8, 8, 3}) {
		t.Errorf("strides 1: %v", got)
	}
}

func TestDeclarationErrors(t *testing.T) {
	in := Input(32, 32, 3)
	tests := []struct {
		name   string
		layers []Layer
		want   string
	}{
		{"kernel 4", []Layer{in, Conv2D(8, 4)}, "kernel size must be 1, 3 or 5, got 4"},
		{"negative filters", []Layer{in, Conv2D(-8, 3)}, "filters must be positive, got -8"},
		{"non-square", []Layer{in, Conv2D(8, [2]int{3, 5})}, "only square"},
		{"stride 3", []Layer{in, Conv2D(8, 3, Strides(3))}, "strides must be 1 or 2"},
		{"stride 0", []Layer{in, Conv2D(8, 3, Strides(0))}, "strides must be 1 or 2, got 0"},
		{"pool stride 0", []Layer{in, MaxPooling2D(2, Strides(0))}, "strides must be positive, got 0"},
		{"padding", []Layer{in, Conv2D(8, 3, Padding("full"))}, `padding must be "same" or "valid", got "full"`},
		{"activation", []Layer{in, Conv2D(8, 3, Activation("rleu"))}, `unknown activation "rleu"`},
		{"activation layer", []Layer{in, Activation("soft_max")}, `unknown activation "soft_max"`},
		{"option not taken", []Layer{in, MaxPooling2D(2, Activation("relu"))}, "option Activation does not apply to MaxPooling2D"},
		{"momentum on dense", []Layer{in, Flatten(), Dense(3, Momentum(0.9))}, "option Momentum does not apply to Dense"},
		{"dropout 1", []Layer{in, Dropout(1)}, "rate must be in [0, 1), got 1"},
		{"dropout negative", []Layer{in, Dropout(-0.1)}, "rate must be in [0, 1)"},
		{"units", []Layer{in, Flatten(), Dense(0)}, "units must be positive, got 0"},
		{"rescaling", []Layer{in, Rescaling(math.Inf(1), 0)}, "scale +Inf and offset 0 must be finite"},
		{"momentum", []Layer{in, BatchNormalization(Momentum(1.5))}, "momentum must be in [0, 1]"},
		{"epsilon", []Layer{in, BatchNormalization(Epsilon(0))}, "epsilon must be positive"},
		{"pool too big", []Layer{Input(2, 2, 1), MaxPooling2D(3)}, "smaller than the 3x3 window"},
		{"conv after flatten", []Layer{in, Flatten(), Conv2D(4, 3)}, "needs a [height, width, channels] input, got shape [3072]"},
		{"gap on vector", []Layer{Input(10), GlobalAveragePooling2D()}, "needs a [height, width, channels] input"},
		{"no input", []Layer{Conv2D(4, 3)}, "first layer must be nn.Input"},
		{"no layers", []Layer{in}, "no layers after nn.Input"},
		{"bad input", []Layer{Input(32, 0, 3), Flatten()}, "dimensions must be positive"},
		{"two inputs", []Layer{in, Flatten(), Input(4)}, "nn.Input may only be the first layer"},
		{"duplicate names", []Layer{in, Conv2D(4, 3, Name("c")), Conv2D(4, 3, Name("c"))}, `two layers are named "c"`},
		{"bad name", []Layer{in, Conv2D(4, 3, Name("a/b"))}, `bad layer name "a/b"`},
		{"initializer", []Layer{in, Conv2D(4, 3, KernelInitializer(initializers.RandomNormal(0, -1, 0)))}, "stddev must be >= 0"},
		{"dirac on dense", []Layer{in, Flatten(), Dense(3, KernelInitializer(initializers.Dirac(initializers.GlorotUniform(1))))}, "Conv2D kernels only"},
		{"regularizer", []Layer{in, Conv2D(4, 3, KernelRegularizer(regularizers.L2(-1)))}, "must be a finite number >= 0"},
		{"nil option", []Layer{in, Conv2D(4, 3, nil)}, "nil option"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := Sequential("bad", tc.layers...)
			err := m.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Validate() = %v, want an error containing %q", err, tc.want)
			}
			if !strings.HasPrefix(err.Error(), `model "bad"`) {
				t.Errorf("error %q does not name the model", err)
			}
			if m.OutputShape() != nil || m.Layers() != nil {
				t.Errorf("invalid model reports shapes")
			}
			if s := m.String(); !strings.HasPrefix(s, "invalid model: ") {
				t.Errorf("String() = %q", s)
			}
		})
	}
	// The error names the layer.
	err := Sequential("m", in, Conv2D(8, 3), Conv2D(8, 4)).Validate()
	if err == nil || !strings.Contains(err.Error(), `layer 2 "conv2d_1" (Conv2D)`) {
		t.Errorf("error %v does not name the layer", err)
	}
}

func TestSharedLayerValues(t *testing.T) {
	// The same Layer value in two models gets each model's own name.
	conv := Conv2D(4, 3)
	a := Sequential("a", Input(8, 8, 1), conv)
	b := Sequential("b", Input(8, 8, 1), Conv2D(2, 3), conv)
	if a.Layers()[0].Name != "conv2d" || b.Layers()[1].Name != "conv2d_1" {
		t.Errorf("names %q and %q", a.Layers()[0].Name, b.Layers()[1].Name)
	}
}

func TestFLOPs(t *testing.T) {
	// The baseline by hand: six 3x3 convolutions (32x32 with 3->32 and
	// 32->32, 16x16 with 32->64 and 64->64, 8x8 with 64->128 and
	// 128->128), then Dense 2048->300 and 300->10; 2 FLOPs per multiply-add.
	want := int64(2*9*(32*32*(3*32+32*32)+16*16*(32*64+64*64)+8*8*(64*128+128*128))) + 2*(2048*300+300*10)
	m, _ := Named("baseline", 1)
	if got := m.FLOPs(); got != want {
		t.Errorf("baseline FLOPs = %d, want %d", got, want)
	}
	// Stride 2 halves the output of the second conv of each block: 4x fewer
	// FLOPs there.
	s, _ := Named("strided", 1)
	if !(s.FLOPs() < m.FLOPs()) {
		t.Errorf("strided FLOPs %d not below the baseline's %d", s.FLOPs(), m.FLOPs())
	}
}

func TestArchString(t *testing.T) {
	a, _ := ArchOf("bn")
	a.Width = 0.5
	if got, want := a.String(), "conv [32 64 128] x2 3x3 + BN, pool, flatten head, width 0.5"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if got := (Arch{}).String(); got != "conv [32 64 128] x2 3x3, pool, flatten head" {
		t.Errorf("baseline String() = %q", got)
	}
}
