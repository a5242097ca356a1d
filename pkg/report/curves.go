// Package report draws training results: learning curves of one or more
// runs (loss and accuracy per epoch, training solid and validation dashed),
// as SVG or PNG, with gonum/plot.
package report

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/cnnlab/cnnlab/internal/atomicfile"
	"github.com/cnnlab/cnnlab/pkg/fit"
)

// Run is one training run to draw: its name in the legend and its History.
type Run struct {
	Name    string
	History *fit.History
}

// Panels are the metrics drawn by [Curves], one panel each: Keras's
// history keys, with "val_" + key drawn dashed beside key.
var Panels = []string{"loss", "accuracy"}

// Size of the figure drawn by [Curves]: one panel is PanelWidth wide.
const (
	PanelWidth = 4 * vg.Inch
	Height     = 3 * vg.Inch
)

// Curves returns the learning curves of the runs, one panel per metric in
// [Panels], as one figure encoded in format: "svg" or "png". Epochs are
// numbered from 1, as Keras prints them. Missing values (a run without
// validation) are left out.
func Curves(format string, runs ...Run) ([]byte, error) {
	if len(runs) == 0 {
		return nil, fmt.Errorf("report: no runs to draw")
	}
	for _, r := range runs {
		if r.History == nil || len(r.History.Epochs) == 0 {
			return nil, fmt.Errorf("report: run %q has no epochs", r.Name)
		}
	}
	plots := make([]*plot.Plot, len(Panels))
	for i, key := range Panels {
		p, err := panel(key, runs)
		if err != nil {
			return nil, err
		}
		plots[i] = p
	}
	tiles := draw.Tiles{Rows: 1, Cols: len(Panels), PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 2, PadLeft: vg.Millimeter, PadRight: vg.Millimeter * 2}
	return encode(format, vg.Length(len(Panels))*PanelWidth, Height, func(dc draw.Canvas) {
		for i, p := range plots {
			p.Draw(tiles.At(dc, i, 0))
		}
	})
}

// panel draws one metric: key (solid) and "val_"+key (dashed) for each run.
func panel(key string, runs []Run) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = key
	p.X.Label.Text = "epoch"
	// Loss falls and accuracy rises: the free corner is top right for loss,
	// top left for accuracy.
	p.Legend.Top = true
	p.Legend.Left = key != "loss"
	p.Legend.TextStyle.Font.Size = vg.Points(8)
	p.Add(plotter.NewGrid())
	for i, r := range runs {
		col := plotutil.Color(i)
		for _, k := range []string{key, "val_" + key} {
			xys := points(r.History.Get(k))
			if len(xys) == 0 {
				continue
			}
			line, err := plotter.NewLine(xys)
			if err != nil {
				return nil, fmt.Errorf("report: %s of run %q: %w", k, r.Name, err)
			}
			line.Color = col
			line.Width = vg.Points(1.5)
			name := k
			if len(runs) > 1 || r.Name != "" {
				name = strings.TrimSpace(r.Name + " " + k)
			}
			if strings.HasPrefix(k, "val_") {
				line.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
			}
			p.Add(line)
			p.Legend.Add(name, line)
		}
	}
	p.X.Min = 1
	return p, nil
}

// points turns per-epoch values into (epoch, value) pairs, epochs from 1,
// skipping NaN and infinite values.
func points(values []float64) plotter.XYs {
	var xys plotter.XYs
	for i, v := range values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		xys = append(xys, plotter.XY{X: float64(i + 1), Y: v})
	}
	return xys
}

// WriteCurves writes [Curves] to path, atomically; the format follows the
// extension (.svg or .png).
func WriteCurves(path string, runs ...Run) error {
	format := strings.TrimPrefix(filepath.Ext(path), ".")
	data, err := Curves(format, runs...)
	if err != nil {
		return err
	}
	if err := atomicfile.WriteBytes(path, data); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}
