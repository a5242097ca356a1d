package cifar

import (
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestGrid(t *testing.T) {
	d := labelled(5)
	img, err := Grid(d, []int{4, 1, 2}, GridOptions{Cols: 2, Scale: 2})
	if err != nil {
		t.Fatal(err)
	}
	// Cells: max(32*2, 10*7) + 2*4 = 78 wide, 32*2 + 14 + 8 = 86 high.
	const cellW, cellH = 78, 86
	if b := img.Bounds(); b.Dx() != 2*cellW || b.Dy() != 2*cellH {
		t.Fatalf("grid is %dx%d, want %dx%d", b.Dx(), b.Dy(), 2*cellW, 2*cellH)
	}
	// Image k sits at column k%2, row k/2, centred, below the title; each
	// source pixel is a 2x2 block.
	for k, i := range []int{4, 1, 2} {
		x0 := (k%2)*cellW + (cellW-64)/2
		y0 := (k/2)*cellH + gridPad + gridTitleH
		for _, p := range [][2]int{{0, 0}, {5, 17}, {31, 31}} {
			y, x := p[0], p[1]
			src := d.Image(i)[(y*32+x)*3:]
			for _, dy := range []int{0, 1} {
				c := img.RGBAAt(x0+2*x+dy, y0+2*y+dy)
				if c.R != src[0] || c.G != src[1] || c.B != src[2] || c.A != 255 {
					t.Fatalf("image %d pixel (%d,%d): grid has %v, want %v", i, y, x, c, src[:3])
				}
			}
		}
		// The title line holds dark (text) pixels.
		dark := 0
		for y := (k / 2) * cellH; y < y0; y++ {
			for x := (k % 2) * cellW; x < (k%2+1)*cellW; x++ {
				if img.RGBAAt(x, y).R < 100 {
					dark++
				}
			}
		}
		if dark < 10 {
			t.Errorf("cell %d: no title text drawn", k)
		}
	}
	// The empty fourth cell is white.
	if c := img.RGBAAt(cellW+cellW/2, cellH+cellH/2); c.R != 255 || c.G != 255 || c.B != 255 {
		t.Errorf("empty cell is %v, want white", c)
	}
}

func TestGridErrors(t *testing.T) {
	d := labelled(3)
	tests := []struct {
		name    string
		indices []int
		opts    GridOptions
		want    string
	}{
		{"index out of range", []int{0, 3}, GridOptions{}, "index 3 out of range"},
		{"negative index", []int{-1}, GridOptions{}, "index -1 out of range"},
		{"no images", []int{}, GridOptions{}, "no images"},
		{"titles count", []int{0, 1}, GridOptions{Titles: []string{"a"}}, "1 titles for 2 images"},
	}
	for _, tt := range tests {
		if _, err := Grid(d, tt.indices, tt.opts); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want %q", tt.name, err, tt.want)
		}
	}
}

func TestWriteGrid(t *testing.T) {
	d := labelled(10)
	dir := t.TempDir()
	p := filepath.Join(dir, "grid.png")
	if err := WriteGrid(p, d, nil, GridOptions{Titles: nil}); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	// 10 images, 8 per row: 2 rows of (96+8) x (96+14+8).
	if b := img.Bounds(); b.Dx() != 8*104 || b.Dy() != 2*118 {
		t.Errorf("PNG is %dx%d, want %dx%d", b.Dx(), b.Dy(), 8*104, 2*118)
	}
	if es, _ := os.ReadDir(dir); len(es) != 1 {
		t.Errorf("folder holds %d files, want only grid.png", len(es))
	}
	if err := WriteGrid(filepath.Join(dir, "no", "such", "dir.png"), d, nil, GridOptions{}); err == nil {
		t.Error("no error writing into a missing folder")
	}
}

func TestWrapTitle(t *testing.T) {
	tests := []struct {
		title string
		width int
		want  []string
	}{
		{"cat", 10, []string{"cat"}},
		{"", 10, []string{""}},
		{"automobile (airplane)", 14, []string{"automobile", "(airplane)"}},
		{"automobile (automobile)", 10, []string{"automobile", "(automobil", "e)"}},
		{"a b c d e f g h", 3, []string{"a b", "c d", "e f"}}, // at most three lines
		{"abcdefghij", 4, []string{"abcd", "efgh", "ij"}},
	}
	for _, tc := range tests {
		if got := wrapTitle(tc.title, tc.width); !slices.Equal(got, tc.want) {
			t.Errorf("wrapTitle(%q, %d) = %q, want %q", tc.title, tc.width, got, tc.want)
		}
	}
}

func TestGridTwoLineTitles(t *testing.T) {
	d := synth(2)
	// At scale 3 a cell holds (96+8-2)/7 = 14 characters: the second title
	// needs two lines, so every cell grows by one title line (14 px).
	img, err := Grid(d, nil, GridOptions{Titles: []string{"cat", "automobile (airplane)"}})
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dy() != 96+2*14+8 {
		t.Errorf("grid height %d, want %d", b.Dy(), 96+2*14+8)
	}
}
