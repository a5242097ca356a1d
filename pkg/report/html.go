package report

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html"
	"math"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/cnnlab/cnnlab/cifar"
	"github.com/cnnlab/cnnlab/internal/atomicfile"
	"github.com/cnnlab/cnnlab/pkg/experiment"
)

// The lesson report: one self-contained HTML page (inline SVG and PNG
// figures, inline style, no script, nothing from the network).

// style is the page's stylesheet, inline.
const style = `body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:62rem;margin:2rem auto;padding:0 1rem;color:#222;line-height:1.45}
h1{font-size:1.6rem}h2{margin-top:2rem;border-bottom:1px solid #ddd}h3{font-size:1.05rem}
table{border-collapse:collapse;margin:.5rem 0}th,td{padding:.2rem .6rem;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}code{background:#f4f4f4;padding:0 .2rem}
.meta{color:#555;font-size:.9rem}.agrees{color:#176b2c;font-weight:600}.contrary{color:#a61b1b;font-weight:600}
.unclear,.not{color:#8a6100;font-weight:600}.small{color:#666;font-style:italic}figure{margin:1rem 0}svg{max-width:100%;height:auto}img{image-rendering:pixelated}`

// WriteLesson writes dir/report.html for r, atomically.
func WriteLesson(dir string, r *experiment.Results) error {
	page, err := LessonHTML(r)
	if err != nil {
		return err
	}
	if err := atomicfile.WriteBytes(filepath.Join(dir, "report.html"), page); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// LessonHTML returns the lesson's report as a self-contained HTML page.
func LessonHTML(r *experiment.Results) ([]byte, error) {
	var b bytes.Buffer
	title := fmt.Sprintf("Lesson %d — %s (%s)", r.Number, r.Title, r.Korean)
	fmt.Fprintf(&b, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>%s</title><style>%s</style></head><body>\n",
		html.EscapeString(title), style)
	fmt.Fprintf(&b, "<h1>%s</h1>\n<p class=\"meta\">%s</p>\n<p>%s</p>\n", html.EscapeString(title), html.EscapeString(MetaLine(r)), Markdown(r.About))
	if !r.Complete() {
		fmt.Fprintf(&b, "<p class=\"unclear\">Partial results: %d of %d runs finished.</p>\n", len(r.Runs), r.Planned)
	}
	if len(r.Verdicts) > 0 {
		b.WriteString("<h2>Verdicts</h2>\n" + VerdictsHTML(r))
	}
	if len(r.Runs) > 0 {
		b.WriteString("<h2>Runs</h2>\n" + RunsHTML(r))
		for _, fig := range []func() ([]byte, error){
			func() ([]byte, error) { return Bars(r, experiment.TestAccuracy, "svg") },
			func() ([]byte, error) { return GroupCurves(r, "val_accuracy", true, "svg") },
			func() ([]byte, error) { return GroupCurves(r, "val_loss", false, "svg") },
			func() ([]byte, error) { return Bars(r, experiment.EpochTime, "svg") },
		} {
			svg, err := fig()
			if err != nil {
				return nil, err
			}
			b.WriteString(Figure(svg))
		}
	}
	if len(r.Facts) > 0 {
		b.WriteString("<h2>What the lesson shows</h2>\n")
		for _, f := range r.Facts {
			s, err := FactHTML(f)
			if err != nil {
				return nil, err
			}
			b.WriteString(s)
		}
	}
	if len(r.Runs) > 0 {
		b.WriteString("<h2>The best model</h2>\n" + ConfusionHTML(r))
	}
	b.WriteString("<h2>Settings</h2>\n" + SettingsHTML(r))
	fmt.Fprintf(&b, "<p class=\"meta\">Written %s by cnnlab %s.</p>\n</body></html>\n",
		time.Now().UTC().Format(time.RFC3339), html.EscapeString(r.Version))
	return b.Bytes(), nil
}

// MetaLine describes a lesson's preset and machine in one line.
func MetaLine(r *experiment.Results) string {
	s := r.Settings
	train, test := "all 50,000", "all 10,000"
	if s.Train > 0 {
		train = fmt.Sprint(s.Train)
	}
	if s.Test > 0 {
		test = fmt.Sprint(s.Test)
	}
	return fmt.Sprintf("Preset %s: %s training images (%.0f%% validate), %s test images, width %g, %d epochs, batch %d, %d seed(s) · %s · CPU %s",
		s.Preset, train, 100*s.HoldOut, test, s.Width, s.Epochs, s.BatchSize, s.Seeds, r.Machine.Backend, r.Machine.CPU)
}

var codeSpan = regexp.MustCompile("`([^`]+)`")

// Markdown renders the little Markdown that lesson texts use: escaped
// text with `code` spans.
func Markdown(s string) string {
	return codeSpan.ReplaceAllString(html.EscapeString(s), "<code>$1</code>")
}

// Figure wraps an SVG document for inline use in HTML.
func Figure(svg []byte) string {
	s := string(svg)
	if i := strings.Index(s, "<svg"); i > 0 {
		s = s[i:] // drop the XML prolog
	}
	return "<figure>" + s + "</figure>\n"
}

// PNG returns an <img> holding png as a data URI.
func PNG(png []byte, alt string) string {
	return fmt.Sprintf("<figure><img alt=\"%s\" src=\"data:image/png;base64,%s\"></figure>\n",
		html.EscapeString(alt), base64.StdEncoding.EncodeToString(png))
}

// TableHTML renders a table; cells that look numeric are right-aligned.
func TableHTML(t *experiment.Table) string {
	var b strings.Builder
	b.WriteString("<table><tr>")
	for _, h := range t.Header {
		fmt.Fprintf(&b, "<th>%s</th>", html.EscapeString(h))
	}
	b.WriteString("</tr>\n")
	for _, row := range t.Rows {
		b.WriteString("<tr>")
		for _, c := range row {
			class := ""
			if numeric(c) {
				class = ` class="n"`
			}
			fmt.Fprintf(&b, "<td%s>%s</td>", class, html.EscapeString(c))
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</table>\n")
	return b.String()
}

func numeric(s string) bool {
	s = strings.TrimSpace(s)
	return s != "" && strings.Trim(s, "0123456789.,-+e%± ") == ""
}

// outcomeClass maps a verdict's outcome to its CSS class.
func outcomeClass(o string) string {
	switch o {
	case experiment.Agrees:
		return "agrees"
	case experiment.Contrary:
		return "contrary"
	case experiment.NotMeasured:
		return "not"
	case experiment.TooSmall:
		return "small"
	}
	return "unclear"
}

// VerdictsHTML renders the verdicts: the course's claim, what was
// measured and the outcome.
func VerdictsHTML(r *experiment.Results) string {
	var b strings.Builder
	b.WriteString("<table><tr><th>the course says</th><th>measured</th><th>verdict</th></tr>\n")
	for _, v := range r.Verdicts {
		fmt.Fprintf(&b, "<tr><td>%s</td><td>%s</td><td class=\"%s\">%s</td></tr>\n", html.EscapeString(v.Claim),
			html.EscapeString(measured(v)), outcomeClass(v.Outcome), html.EscapeString(v.Result()))
	}
	b.WriteString("</table>\n<p class=\"meta\">A difference counts when it passes max(2·sd/√seeds, the metric's minimum effect), " +
		"with sd the spread of the seed-by-seed difference; accuracies are compared in whole images. A comparison of runs is " +
		"too small to judge in the smoke preset, with one seed, or when every run it reads is at chance (test accuracy " +
		"within two binomial standard errors of 1/10).</p>\n")
	return b.String()
}

// measured describes what a verdict measured, in words
// ([experiment.Verdict.Measured]).
func measured(v experiment.Verdict) string { return v.Measured() }

// RunsTable summarizes the runs by label: mean ± sd over seeds.
func RunsTable(r *experiment.Results) *experiment.Table {
	t := &experiment.Table{Header: []string{"run", "seeds", "test accuracy", "final val_accuracy", "overfitting gap", "s/epoch", "parameters", "model"}}
	pm := func(runs []*experiment.RunResult, m experiment.Metric, format string) string {
		mean, sd, n := stat(runs, m)
		if n == 0 {
			return "—"
		}
		if n == 1 {
			return fmt.Sprintf(format, mean)
		}
		return fmt.Sprintf(format+" ± "+format, mean, sd)
	}
	for _, label := range Labels(r) {
		runs := byLabel(r, label)
		t.Rows = append(t.Rows, []string{label, fmt.Sprint(len(runs)), pm(runs, experiment.TestAccuracy, "%.4f"),
			pm(runs, experiment.ValAccuracy, "%.4f"), pm(runs, experiment.OverfitGap, "%.4f"), pm(runs, experiment.EpochTime, "%.1f"),
			fmt.Sprint(runs[0].Params), runs[0].Run.Model})
	}
	return t
}

// RunsHTML renders [RunsTable].
func RunsHTML(r *experiment.Results) string { return TableHTML(RunsTable(r)) }

// FactHTML renders a fact: its text, table, figure and image.
func FactHTML(f experiment.Fact) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "<h3>%s</h3>\n", html.EscapeString(f.Title))
	if f.Text != "" {
		fmt.Fprintf(&b, "<p>%s</p>\n", Markdown(f.Text))
	}
	if f.Table != nil {
		b.WriteString(TableHTML(f.Table))
	}
	if len(f.Series) > 0 {
		svg, err := FactFigure(f, "svg")
		if err != nil {
			return "", err
		}
		b.WriteString(Figure(svg))
	}
	if len(f.PNG) > 0 {
		b.WriteString(PNG(f.PNG, f.Title))
	}
	return b.String(), nil
}

// Best returns the run of r with the highest test accuracy.
func Best(r *experiment.Results) *experiment.RunResult {
	var best *experiment.RunResult
	for i := range r.Runs {
		if best == nil || r.Runs[i].TestAccuracy > best.TestAccuracy {
			best = &r.Runs[i]
		}
	}
	return best
}

// ConfusionHTML renders the confusion matrix and per-class accuracy of
// the best run, cells shaded by their share of the row.
func ConfusionHTML(r *experiment.Results) string {
	best := Best(r)
	if best == nil {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "<p>%s, seed %d: test accuracy %.4f on %d images. Rows: true class; columns: predicted.</p>\n",
		html.EscapeString(best.Run.Label), best.Seed, float64(best.TestAccuracy), best.Test)
	b.WriteString("<table><tr><th></th>")
	for _, c := range cifar.Classes {
		fmt.Fprintf(&b, "<th>%s</th>", c[:min(4, len(c))])
	}
	b.WriteString("<th>accuracy</th></tr>\n")
	for i, row := range best.Confusion {
		total := 0
		for _, n := range row {
			total += n
		}
		fmt.Fprintf(&b, "<tr><th>%s</th>", cifar.Classes[i])
		for _, n := range row {
			share := 0.0
			if total > 0 {
				share = float64(n) / float64(total)
			}
			c := heat(share)
			fmt.Fprintf(&b, "<td class=\"n\" style=\"background:#%02x%02x%02x\">%d</td>", c.R, c.G, c.B, n)
		}
		acc := math.NaN()
		if total > 0 {
			acc = float64(row[i]) / float64(total)
		}
		fmt.Fprintf(&b, "<td class=\"n\">%.3f</td></tr>\n", acc)
	}
	b.WriteString("</table>\n")
	return b.String()
}

// SettingsHTML renders the preset's settings and every run's declaration.
func SettingsHTML(r *experiment.Results) string {
	s := r.Settings
	t := &experiment.Table{Header: []string{"setting", "value"}, Rows: [][]string{
		{"preset", string(s.Preset)}, {"training images", fmt.Sprint(s.Train)}, {"test images", fmt.Sprint(s.Test)},
		{"width", fmt.Sprint(s.Width)}, {"epochs", fmt.Sprint(s.Epochs)}, {"batch size", fmt.Sprint(s.BatchSize)},
		{"validation hold-out", fmt.Sprint(s.HoldOut)}, {"learning rate (Adam)", fmt.Sprint(s.LearningRate)},
		{"seeds", fmt.Sprint(s.Seeds)}, {"data seed", fmt.Sprint(s.DataSeed)},
		{"BatchNorm momentum", fmt.Sprint(s.BatchNormMomentum())},
		{"backend", r.Machine.Backend}, {"CPU", r.Machine.CPU}, {"cnnlab", r.Version}}}
	if s.Train == 0 {
		t.Rows[1][1] = "all"
	}
	if s.Test == 0 {
		t.Rows[2][1] = "all"
	}
	runs := &experiment.Table{Header: []string{"run", "seed", "model", "batch", "epochs run", "order", "scaling", "callbacks", "minutes"}}
	for _, run := range r.Runs {
		cb := ""
		if c := run.Run.ReduceLR; c != nil {
			cb += fmt.Sprintf("ReduceLROnPlateau(factor %g, patience %d) ", c.Factor, c.Patience)
		}
		if c := run.Run.EarlyStop; c != nil {
			cb += fmt.Sprintf("EarlyStopping(patience %d) ", c.Patience)
		}
		if run.Run.CheckpointBest {
			cb += "ModelCheckpoint(save_best_only)"
		}
		scaling := run.Run.Scaling
		if scaling == "" {
			scaling = "/255"
		}
		batch := run.Run.BatchSize
		if batch == 0 {
			batch = s.BatchSize
		}
		runs.Rows = append(runs.Rows, []string{run.Run.Label, fmt.Sprint(run.Seed), run.Run.Model, fmt.Sprint(batch),
			fmt.Sprint(len(run.History.Epochs)), run.Order, scaling, strings.TrimSpace(cb), fmt.Sprintf("%.1f", run.Seconds/60)})
	}
	return TableHTML(t) + TableHTML(runs)
}
