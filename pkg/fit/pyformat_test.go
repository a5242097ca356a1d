package fit

import (
	"math"
	"strings"
	"testing"
)

func TestFormatPath(t *testing.T) {
	// Expected strings are what CPython 3's str.format prints.
	tests := []struct {
		tmpl string
		v    any
		want string
	}{
		{"weights.{epoch:02d}-{val_loss:.2f}", nil, "weights.03-1.23"},
		{"{x}", 7, "7"},
		{"{x}", 0.1, "0.1"},
		{"{x}", 1e-05, "1e-05"},
		{"{x}", 1.5e-07, "1.5e-07"},
		{"{x}", 3.0, "3.0"},
		{"{x}", 1e16, "1e+16"},
		{"{x}", 123456789.0, "123456789.0"},
		{"{x}", 0.0001, "0.0001"},
		{"{x}", -2.5, "-2.5"},
		{"{x:.3e}", 12345.678, "1.235e+04"},
		{"{x:.1%}", 0.256, "25.6%"},
		{"{x:8.2f}", 3.14159, "    3.14"},
		{"{x: .2e}", 0.5, " 5.00e-01"},
		{"{x:07.2%}", 0.5, "050.00%"},
		{"{x:+04d}", 7, "+007"},
		{"{x:.1%}", math.NaN(), "nan%"},
		{"{name}-{epoch:02d}", "bn", "bn-03"},
		{"{x:6}", "bn", "bn    "},
		{"{x:+.1f}", 2, "+2.0"},
		{"{x:05.1f}", -1.5, "-01.5"},
		{"{x:03d}", 7, "007"},
		{"{x:.2f}", math.NaN(), "nan"},
		{"{x:.2f}", math.Inf(1), "inf"},
		{"{x:.2F}", math.Inf(-1), "-INF"},
		{"{{literal}}-{x}", 1, "{literal}-1"},
	}
	for _, tc := range tests {
		values := map[string]any{"x": tc.v, "name": tc.v, "epoch": 3, "val_loss": 1.23456}
		got, err := FormatPath(tc.tmpl, values)
		if err != nil {
			t.Errorf("FormatPath(%q, %v): %v", tc.tmpl, tc.v, err)
			continue
		}
		if got != tc.want {
			t.Errorf("FormatPath(%q, %v) = %q, want %q", tc.tmpl, tc.v, got, tc.want)
		}
	}
}

func TestFormatPathErrors(t *testing.T) {
	tests := []struct {
		tmpl    string
		v       any
		mention string
	}{
		{"{missing}", 1, `"missing"`},
		{"{x:d}", 1.5, "'d'"},
		{"{x:.2d}", 1, "precision"},
		{"a{x", 1, "'{'"},
		{"a}x", 1, "'}'"},
		{"{x!r}", 1, "plain name"},
		{"{x:.2q}", 1.0, `".2q"`},
		// Python's, but no checkpoint name needs them.
		{"{x:>8.2f}", 1.0, "unsupported"},
		{"{x:,d}", 1, "unsupported"},
		{"{x:g}", 1.0, "unsupported"},
		{"{x:.3}", 1.0, "needs a type"},
		{"{x:.2f}", "bn", "string"},
	}
	for _, tc := range tests {
		_, err := FormatPath(tc.tmpl, map[string]any{"x": tc.v})
		if err == nil || !strings.Contains(err.Error(), tc.mention) {
			t.Errorf("FormatPath(%q) error = %v, want one mentioning %s", tc.tmpl, err, tc.mention)
		}
	}
}
