package nn

import (
	"reflect"
	"strings"
	"testing"

	"github.com/cnnlab/cnnlab/pkg/initializers"
)

// TestDeclaration: the presets that the issue confused (baseline and
// strided of the same variable shapes, bn and best) declare differently,
// the same preset and width declare the same, and a declaration survives
// its JSON.
func TestDeclaration(t *testing.T) {
	decl := func(name string, width float64) Declaration {
		t.Helper()
		m, err := Named(name, width)
		if err != nil {
			t.Fatal(err)
		}
		return m.Declare()
	}
	tests := []struct {
		a, b    string
		width   float64
		differ  bool
		mention string // in a layer line of a's that b lacks
	}{
		{"baseline", "baseline", 0.25, false, ""},
		{"baseline", "strided", 0.25, true, "MaxPooling2D(pool_size=2, strides=2, padding=valid)"},
		{"best", "bn", 1, true, "RandomFlip(mode=horizontal)"},
		{"baseline", "baseline5x5", 1, true, "kernel_size=3"},
	}
	for _, tt := range tests {
		a, b := decl(tt.a, tt.width), decl(tt.b, tt.width)
		if got := !reflect.DeepEqual(a, b); got != tt.differ {
			t.Errorf("%s and %s at width %g: differ %v, want %v", tt.a, tt.b, tt.width, got, tt.differ)
		}
		if tt.mention != "" && !strings.Contains(strings.Join(a.Layers, "\n"), tt.mention) {
			t.Errorf("%s's layers %q do not mention %q", tt.a, a.Layers, tt.mention)
		}
	}
	m, _ := Named("bn", 0.5)
	d, err := ParseDeclaration(m.Declaration())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(d, m.Declare()) || d.Preset != "bn" || d.Width != 0.5 || d.Name != "bn_w0.5" || d.String() != `"bn_w0.5" (preset bn, width 0.5)` {
		t.Errorf("round trip gave %+v (%s)", d, d)
	}
	if !strings.HasPrefix(d.Layers[0], "conv2d: Conv2D(filters=16, kernel_size=3, strides=1, padding=same, activation=linear, use_bias=false") {
		t.Errorf("first layer %q", d.Layers[0])
	}
	// A Sequential model has no preset.
	seq := Sequential("mine", Input(8, 8, 3), Flatten(), Dense(10, Activation("softmax")))
	if d := seq.Declare(); d.Preset != "" || d.String() != `"mine"` || len(d.Layers) != 2 {
		t.Errorf("Sequential declaration %+v", d)
	}
	for _, bad := range []string{`{}`, `[]`, `{"name":"x"}`, `nope`} {
		if _, err := ParseDeclaration([]byte(bad)); err == nil {
			t.Errorf("ParseDeclaration(%s) succeeded", bad)
		}
	}
}

// TestConfig: Config tells models apart that differ only in their
// initializers, which Declaration leaves out.
func TestConfig(t *testing.T) {
	glorot := Sequential("m", Input(32, 32, 3), Conv2D(4, 3), Flatten(), Dense(10))
	he := Sequential("m", Input(32, 32, 3), Conv2D(4, 3, KernelInitializer(initializers.HeNormal(initializers.NoSeed))), Flatten(), Dense(10))
	if string(glorot.Declaration()) != string(he.Declaration()) {
		t.Fatalf("declarations differ:\n%s\n%s", glorot.Declaration(), he.Declaration())
	}
	g, h := glorot.Config(), he.Config()
	if len(g) != 3 || len(h) != 3 {
		t.Fatalf("want 3 lines each, got %q and %q", g, h)
	}
	if g[0] == h[0] || !strings.Contains(h[0], "kernel_initializer=he_normal") || !strings.Contains(g[0], "kernel_initializer=glorot_uniform") {
		t.Errorf("conv lines: glorot %q, he %q", g[0], h[0])
	}
	if g[2] != h[2] || !strings.Contains(g[2], "bias_initializer=zeros") {
		t.Errorf("dense lines differ or lack the bias initializer: %q, %q", g[2], h[2])
	}
	if Sequential("bad").Config() != nil {
		t.Error("an invalid model has a config")
	}
}
