// Package nb renders cnnlab results in GoNB notebooks: image grids with class
// names, learning curves, tables and notes, and live training progress
// ([Progress], handed to fit.Fit), through gonbui.
//
// It also holds what the lesson notebooks' teaching cells need besides
// cifar, nn and fit, since cells declare no functions: the notebook's size
// ([Settings], [BNMomentum]), files that carry weights and histories from
// a training cell to the cells below it ([Path], [ReadRun]; each GoNB cell
// runs as a new program, so values do not persist), and the curves of
// several runs in one figure ([ShowRunCurves]). A training cell reads:
//
//	tr := nb.Must(fit.Compile(b, baseline, fit.Options{Optimizer: fit.Adam(1e-3), Seed: 42}))
//	hist := nb.Must(tr.Fit(train.Scaled(cifar.UnitScaling), fit.FitOptions{
//		Epochs: epochs, BatchSize: 64, ValidationHoldOut: 0.15, Progress: nb.Progress(),
//	}))
//	nb.Check(tr.SaveWeights(nb.Path("02-baseline.weights.ckpt")))
//	nb.Check(hist.WriteFile(nb.Path("02-baseline.history.json")))
//
// Outside a notebook (gonbui.IsNotebook is false) every function does
// nothing and returns nil, so the same code runs in a notebook, a test or a
// program.
package nb

import (
	"bytes"
	"fmt"

	"github.com/janpfeifer/gonb/gonbui"

	"github.com/cnnlab/cnnlab/cifar"
	"github.com/cnnlab/cnnlab/pkg/experiment"
	"github.com/cnnlab/cnnlab/pkg/report"
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
	displayPNG(buf.Bytes())
	return nil
}

// Table displays a table in the notebook (report.TableHTML: cells
// escaped, numbers right-aligned).
func Table(header []string, rows [][]string) {
	displayHTML(report.TableHTML(&experiment.Table{Header: header, Rows: rows}))
}

// Markdown displays markdown text in the notebook.
func Markdown(md string) {
	display(func() { gonbui.DisplayMarkdown(md) })
}

// display sends one output to the notebook and waits until GoNB has it
// (gonbui.Sync): a cell's program can exit right after its last output,
// and an output still in the pipe then would be lost, which happened to
// images, the largest outputs, on a slower machine.
func display(send func()) {
	if gonbui.IsNotebook {
		send()
		gonbui.Sync()
	}
}

func displayHTML(s string) { display(func() { gonbui.DisplayHTML(s) }) }

// displayPNG shows a PNG image output (image/png), which every notebook
// viewer renders (GitHub included).
func displayPNG(png []byte) { display(func() { gonbui.DisplayPNG(png) }) }

// ShowCurves displays the learning curves of one or more training runs
// (loss and accuracy per epoch, validation dashed) as a PNG image.
func ShowCurves(runs ...report.Run) error {
	png, err := report.Curves("png", runs...)
	if err != nil {
		return fmt.Errorf("nb: %w", err)
	}
	displayPNG(png)
	return nil
}
