package report

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/cnnlab/cnnlab/pkg/experiment"
)

// Figures of a lesson's results, encoded as "svg" (for report.html) or
// "png" (for notebooks: every viewer shows PNG outputs).

// render encodes p at the given size in format: "svg" or "png".
func render(p *plot.Plot, w, h vg.Length, format string) ([]byte, error) {
	return encode(format, w, h, p.Draw)
}

// encode draws a w×h figure with paint and encodes it in format: "svg" or
// "png" (at 110 dpi).
func encode(format string, w, h vg.Length, paint func(draw.Canvas)) ([]byte, error) {
	var c vg.CanvasWriterTo
	switch strings.ToLower(format) {
	case "svg":
		c = vgsvg.New(w, h)
	case "png":
		c = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(110))}
	default:
		return nil, fmt.Errorf("report: unknown image format %q (want svg or png)", format)
	}
	paint(draw.New(c))
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("report: encoding %s: %w", format, err)
	}
	return buf.Bytes(), nil
}

// Labels returns the run labels of r in plan order, each once.
func Labels(r *experiment.Results) []string {
	var labels []string
	for _, run := range r.Runs {
		if !slices.Contains(labels, run.Run.Label) {
			labels = append(labels, run.Run.Label)
		}
	}
	return labels
}

// byLabel returns the runs of r with the given label.
func byLabel(r *experiment.Results, label string) []*experiment.RunResult {
	var out []*experiment.RunResult
	for i := range r.Runs {
		if r.Runs[i].Run.Label == label {
			out = append(out, &r.Runs[i])
		}
	}
	return out
}

// stat returns the mean and sample standard deviation of m over runs,
// skipping NaN values.
func stat(runs []*experiment.RunResult, m experiment.Metric) (mean, sd float64, n int) {
	var v []float64
	for _, r := range runs {
		if x := m.Of(r); !math.IsNaN(x) {
			v = append(v, x)
		}
	}
	if len(v) == 0 {
		return math.NaN(), math.NaN(), 0
	}
	for _, x := range v {
		mean += x
	}
	mean /= float64(len(v))
	for _, x := range v {
		sd += (x - mean) * (x - mean)
	}
	if len(v) > 1 {
		sd = math.Sqrt(sd / float64(len(v)-1))
	}
	return mean, sd, len(v)
}

// errValues are bar values with their error bars.
type errValues struct {
	plotter.Values
	errs []float64
}

func (e errValues) XError(int) (float64, float64)   { return 0, 0 }
func (e errValues) YError(i int) (float64, float64) { return e.errs[i], e.errs[i] }
func (e errValues) XY(i int) (float64, float64)     { return float64(i), e.Values[i] }

// Bars returns a bar chart of metric m for each run label of r: the mean
// over seeds, with ± one standard deviation.
func Bars(r *experiment.Results, m experiment.Metric, format string) ([]byte, error) {
	labels := Labels(r)
	if len(labels) == 0 {
		return nil, fmt.Errorf("report: no runs to draw")
	}
	v := errValues{}
	for _, l := range labels {
		mean, sd, _ := stat(byLabel(r, l), m)
		if math.IsNaN(mean) {
			mean, sd = 0, 0
		}
		v.Values, v.errs = append(v.Values, mean), append(v.errs, sd)
	}
	p := plot.New()
	p.Title.Text = m.Name
	p.Add(plotter.NewGrid())
	width := vg.Length(max(4, 0.9*float64(len(labels)))) * vg.Inch
	bars, err := plotter.NewBarChart(v.Values, 0.5*width/vg.Length(len(labels)))
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	bars.Color = plotutil.Color(0)
	bars.LineStyle.Width = 0
	p.Add(bars)
	if r.Settings.Seeds > 1 {
		eb, err := plotter.NewYErrorBars(v)
		if err != nil {
			return nil, fmt.Errorf("report: %w", err)
		}
		p.Add(eb)
	}
	p.NominalX(labels...)
	if len(labels) > 4 {
		p.X.Tick.Label.Rotation = math.Pi / 6
		p.X.Tick.Label.XAlign = draw.XRight
	}
	p.Y.Min = 0
	return render(p, width, 3*vg.Inch, format)
}

// meanCurve returns, epoch by epoch, the mean of key over runs (as far as
// the shortest run goes, since early stopping ends runs at different
// epochs, each epoch averaged over the runs that reached it).
func meanCurve(runs []*experiment.RunResult, key string) plotter.XYs {
	var xys plotter.XYs
	for e := 0; ; e++ {
		sum, n := 0.0, 0
		for _, r := range runs {
			v := r.History.Get(key)
			if e < len(v) && !math.IsNaN(v[e]) {
				sum += v[e]
				n++
			}
		}
		if n == 0 {
			return xys
		}
		xys = append(xys, plotter.XY{X: float64(e + 1), Y: sum / float64(n)})
	}
}

// GroupCurves returns learning curves by run label, averaged over seeds:
// key (e.g. "val_accuracy") solid and, if train is set, the training
// value (key without "val_") dashed.
func GroupCurves(r *experiment.Results, key string, train bool, format string) ([]byte, error) {
	labels := Labels(r)
	if len(labels) == 0 {
		return nil, fmt.Errorf("report: no runs to draw")
	}
	p := plot.New()
	p.Title.Text = key + " by epoch (mean over seeds)"
	if train {
		p.Title.Text = strings.TrimPrefix(key, "val_") + " (dashed: training) by epoch, mean over seeds"
	}
	p.X.Label.Text = "epoch"
	p.Legend.Top = true
	p.Legend.Left = !strings.Contains(key, "loss")
	p.Legend.TextStyle.Font.Size = vg.Points(8)
	p.Add(plotter.NewGrid())
	for i, label := range labels {
		runs := byLabel(r, label)
		keys := []string{key}
		if train {
			keys = append(keys, strings.TrimPrefix(key, "val_"))
		}
		for j, k := range keys {
			xys := meanCurve(runs, k)
			if len(xys) == 0 {
				continue
			}
			line, err := plotter.NewLine(xys)
			if err != nil {
				return nil, fmt.Errorf("report: %w", err)
			}
			line.Color = plotutil.Color(i)
			line.Width = vg.Points(1.5)
			if j == 1 {
				line.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
			} else {
				p.Legend.Add(label, line)
			}
			p.Add(line)
			if len(xys) == 1 { // one epoch: a line of one point does not show
				pts, _ := plotter.NewScatter(xys)
				pts.Color = line.Color
				p.Add(pts)
			}
		}
	}
	p.X.Min = 1
	return render(p, 6*vg.Inch, 3.5*vg.Inch, format)
}

// FactFigure returns the figure of a fact's series.
func FactFigure(f experiment.Fact, format string) ([]byte, error) {
	if len(f.Series) == 0 {
		return nil, fmt.Errorf("report: fact %q has no series", f.Name)
	}
	p := plot.New()
	p.Title.Text = f.Title
	p.X.Label.Text = f.XLabel
	p.Y.Label.Text = f.YLabel
	p.Legend.Top = true
	p.Legend.TextStyle.Font.Size = vg.Points(8)
	p.Add(plotter.NewGrid())
	for i, s := range f.Series {
		var xys plotter.XYs
		for j := range s.X {
			if !math.IsNaN(s.Y[j]) && !math.IsInf(s.Y[j], 0) {
				xys = append(xys, plotter.XY{X: s.X[j], Y: s.Y[j]})
			}
		}
		if len(xys) == 0 {
			continue
		}
		line, pts, err := plotter.NewLinePoints(xys)
		if err != nil {
			return nil, fmt.Errorf("report: %w", err)
		}
		line.Color, pts.Color = plotutil.Color(i), plotutil.Color(i)
		pts.Shape = plotutil.Shape(i)
		p.Add(line, pts)
		p.Legend.Add(s.Name, line, pts)
	}
	return render(p, 6*vg.Inch, 3.5*vg.Inch, format)
}

// heat returns a background colour for a share in [0, 1]: white to blue.
func heat(share float64) color.RGBA {
	share = max(0, min(1, share))
	return color.RGBA{R: uint8(255 - 200*share), G: uint8(255 - 150*share), B: 255, A: 255}
}
