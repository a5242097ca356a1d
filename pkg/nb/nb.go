// Package nb renders cnnlab results in GoNB notebooks: image grids with class
// names, learning curves, tables and notes, and live training progress
// ([Progress], handed to fit.Fit), through gonbui.
//
// Outside a notebook (gonbui.IsNotebook is false) every function does
// nothing and returns nil, so the same code runs in a notebook, a test or a
// program.
package nb

import (
	"bytes"
	"fmt"
	"html"
	"strings"

	"github.com/cnnlab/cnnlab/cifar"
	"github.com/cnnlab/cnnlab/pkg/report"
	"github.com/janpfeifer/gonb/gonbui"
)

// ShowImages displays the images of d at indices (all of d if nil) as one
// grid, cols per row, each titled with its class name: the course's
// show_images(images, labels, ncols=8). cols 0 means 8.
func ShowImages(d *cifar.Dataset, indices []int, cols int) error {
	return showGrid(d, indices, cifar.GridOptions{Cols: cols})
}

// ShowImagesTitled displays all images of d in a grid, cols per row (0
// means 8), each above its own title (e.g. "cat (dog)" for a prediction).
func ShowImagesTitled(d *cifar.Dataset, titles []string, cols int) error {
	if titles == nil {
		titles = []string{} // nil would mean class names; the count must match
	}
	return showGrid(d, nil, cifar.GridOptions{Cols: cols, Titles: titles})
}

// showGrid renders cifar.Grid as PNG and displays it in the notebook.
func showGrid(d *cifar.Dataset, indices []int, opts cifar.GridOptions) error {
	var buf bytes.Buffer
	if err := cifar.EncodeGrid(&buf, d, indices, opts); err != nil {
		return fmt.Errorf("nb: rendering image grid: %w", err)
	}
	if gonbui.IsNotebook {
		gonbui.DisplayPNG(buf.Bytes())
	}
	return nil
}

// TableHTML returns an HTML table with the given header and rows; cells are
// escaped. Numeric-looking cells are right-aligned.
func TableHTML(header []string, rows [][]string) string {
	var b strings.Builder
	b.WriteString(`<table style="border-collapse:collapse">`)
	if len(header) > 0 {
		b.WriteString("<tr>")
		for _, h := range header {
			fmt.Fprintf(&b, `<th style="padding:2px 8px;border-bottom:1px solid #888">%s</th>`, html.EscapeString(h))
		}
		b.WriteString("</tr>")
	}
	for _, row := range rows {
		b.WriteString("<tr>")
		for _, c := range row {
			align := "left"
			if isNumeric(c) {
				align = "right"
			}
			fmt.Fprintf(&b, `<td style="padding:2px 8px;text-align:%s">%s</td>`, align, html.EscapeString(c))
		}
		b.WriteString("</tr>")
	}
	b.WriteString("</table>")
	return b.String()
}

// Table displays [TableHTML] in the notebook.
func Table(header []string, rows [][]string) {
	if gonbui.IsNotebook {
		gonbui.DisplayHTML(TableHTML(header, rows))
	}
}

// Markdown displays markdown text in the notebook.
func Markdown(md string) {
	if gonbui.IsNotebook {
		gonbui.DisplayMarkdown(md)
	}
}

func isNumeric(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" {
		return false
	}
	for _, r := range s {
		if !strings.ContainsRune("0123456789.,-+e%", r) {
			return false
		}
	}
	return true
}

// ShowCurves displays the learning curves of one or more training runs
// (loss and accuracy per epoch, validation dashed) as SVG.
func ShowCurves(runs ...report.Run) error {
	svg, err := report.Curves("svg", runs...)
	if err != nil {
		return fmt.Errorf("nb: %w", err)
	}
	if gonbui.IsNotebook {
		gonbui.DisplaySVG(string(svg))
	}
	return nil
}
