package cifar

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"strings"

	"golang.org/x/image/draw"
	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	"github.com/cnnlab/cnnlab/internal/atomicfile"
)

// GridOptions configures [Grid].
type GridOptions struct {
	Cols   int      // images per row; 0 means 8 (the course's show_images(ncols=8))
	Scale  int      // magnification of the 32x32 images; 0 means 3 (96x96 on screen)
	Titles []string // one title per image; nil means each image's class name
}

// Layout of the grid, in output pixels.
const (
	gridPad    = 4  // margin around each cell
	gridTitleH = 14 // height of the title line (basicfont.Face7x13)
)

// Grid renders the images of d at the given indices (all of d if indices is
// nil) as one image, Cols per row, each scaled up with nearest-neighbour
// sampling and titled above with its class name (or opts.Titles): the
// course's show_images(images, labels, ncols=8). Use [Dataset.Head] or a
// list of indices to show a few images of a large set.
func Grid(d *Dataset, indices []int, opts GridOptions) (*image.RGBA, error) {
	if indices == nil {
		indices = make([]int, d.Len())
		for i := range indices {
			indices[i] = i
		}
	}
	if len(indices) == 0 {
		return nil, fmt.Errorf("cifar: grid of no images")
	}
	for _, i := range indices {
		if i < 0 || i >= d.Len() {
			return nil, fmt.Errorf("cifar: grid: image index %d out of range [0, %d)", i, d.Len())
		}
	}
	if opts.Titles != nil && len(opts.Titles) != len(indices) {
		return nil, fmt.Errorf("cifar: grid: %d titles for %d images", len(opts.Titles), len(indices))
	}
	cols, scale := opts.Cols, opts.Scale
	if cols <= 0 {
		cols = 8
	}
	if scale <= 0 {
		scale = 3
	}
	cols = min(cols, len(indices))
	rows := (len(indices) + cols - 1) / cols
	face := basicfont.Face7x13
	cellW := max(Width*scale, 10*face.Advance) + 2*gridPad // "automobile" fits
	maxChars := (cellW - 2) / face.Advance
	titles := make([][]string, len(indices))
	lines := 1
	for k, i := range indices {
		title := Classes[d.Labels[i]]
		if opts.Titles != nil {
			title = opts.Titles[k]
		}
		titles[k] = wrapTitle(title, maxChars)
		lines = max(lines, len(titles[k]))
	}
	titleH := lines * gridTitleH
	cellH := Height*scale + titleH + 2*gridPad
	dst := image.NewRGBA(image.Rect(0, 0, cols*cellW, rows*cellH))
	draw.Draw(dst, dst.Bounds(), image.White, image.Point{}, draw.Src)
	src := image.NewRGBA(image.Rect(0, 0, Width, Height))
	for k, i := range indices {
		pix := d.Image(i)
		for p := range Height * Width {
			copy(src.Pix[4*p:4*p+3], pix[3*p:3*p+3])
			src.Pix[4*p+3] = 255
		}
		x0, y0 := (k%cols)*cellW, (k/cols)*cellH
		imgW := Width * scale
		ix := x0 + (cellW-imgW)/2
		iy := y0 + gridPad + titleH
		draw.NearestNeighbor.Scale(dst, image.Rect(ix, iy, ix+imgW, iy+Height*scale), src, src.Bounds(), draw.Src, nil)
		for l, line := range titles[k] {
			drawer := font.Drawer{Dst: dst, Src: image.NewUniform(color.Black), Face: face}
			w := drawer.MeasureString(line).Round()
			drawer.Dot = fixed.P(x0+(cellW-w)/2, y0+gridPad+l*gridTitleH+face.Ascent)
			drawer.DrawString(line)
		}
	}
	return dst, nil
}

// maxTitleLines caps the lines of one title in a [Grid].
const maxTitleLines = 3

// wrapTitle breaks title into at most maxTitleLines lines of at most width
// characters, at spaces where it can; the rest is cut.
func wrapTitle(title string, width int) []string {
	var lines []string
	for len(lines) < maxTitleLines {
		title = strings.TrimLeft(title, " ")
		if len(title) <= width {
			if title != "" || len(lines) == 0 {
				lines = append(lines, title)
			}
			break
		}
		cut := strings.LastIndexByte(title[:width+1], ' ')
		if cut <= 0 {
			cut = width
		}
		lines = append(lines, strings.TrimRight(title[:cut], " "))
		title = title[cut:]
	}
	return lines
}

// EncodeGrid writes the [Grid] of d as a PNG image to w.
func EncodeGrid(w io.Writer, d *Dataset, indices []int, opts GridOptions) error {
	img, err := Grid(d, indices, opts)
	if err != nil {
		return err
	}
	if err := png.Encode(w, img); err != nil {
		return fmt.Errorf("cifar: encoding grid PNG: %w", err)
	}
	return nil
}

// WriteGrid writes the [Grid] of d as a PNG file at path, atomically: a
// temporary file in the same folder is renamed into place once complete.
func WriteGrid(path string, d *Dataset, indices []int, opts GridOptions) error {
	err := atomicfile.Write(path, func(w io.Writer) error {
		return EncodeGrid(w, d, indices, opts)
	})
	if err != nil {
		return fmt.Errorf("cifar: %w", err)
	}
	return nil
}
