package nb

import (
	"fmt"
	"html"
	"os"
	"strings"
	"time"

	"github.com/janpfeifer/gonb/gonbui"

	"github.com/cnnlab/cnnlab/pkg/fit"
)

// Progress returns the fit.Progress that shows training in the notebook:
// a [NotebookProgress] updating one cell in place. Outside a notebook it
// returns Keras's one-line-per-epoch progress on stdout, so the same code
// runs in a test or a program.
//
//	hist, err := tr.Fit(data, fit.FitOptions{Epochs: 5, Progress: nb.Progress()})
func Progress() fit.Progress {
	if !gonbui.IsNotebook {
		return fit.NewProgress(fit.OneLine, os.Stdout)
	}
	return NewNotebookProgress(gonbui.UpdateHTML)
}

// newCellID returns a new id for an output updated in place.
func newCellID(what string) string { return fmt.Sprintf("cnnlab_%s_%d", what, time.Now().UnixNano()) }

// NotebookProgress shows Fit's progress as one HTML cell updated in place:
// a line per finished epoch and a live bar for the current one.
type NotebookProgress struct {
	update   func(id, html string)
	id       string
	done     []string
	header   string
	steps    int
	began    time.Time
	lastDraw time.Time
}

// NewNotebookProgress returns a NotebookProgress that renders with update
// (gonbui.UpdateHTML in a notebook; tests pass a recorder).
func NewNotebookProgress(update func(id, html string)) *NotebookProgress {
	return &NotebookProgress{update: update, id: newCellID("fit")}
}

// EpochBegin implements fit.Progress.
func (p *NotebookProgress) EpochBegin(epoch, epochs, steps int) {
	p.header = fmt.Sprintf("Epoch %d/%d", epoch+1, epochs)
	p.steps, p.began, p.lastDraw = steps, time.Now(), time.Time{}
	p.render(fmt.Sprintf("%s <progress value=\"0\" max=\"%d\"></progress> 0/%d", html.EscapeString(p.header), steps, steps))
}

// Step implements fit.Progress.
func (p *NotebookProgress) Step(step int, running fit.Logs) {
	now := time.Now()
	if step < p.steps && now.Sub(p.lastDraw) < 100*time.Millisecond {
		return
	}
	p.lastDraw = now
	elapsed := now.Sub(p.began)
	eta := time.Duration(float64(elapsed) / float64(step) * float64(p.steps-step))
	p.render(fmt.Sprintf("%s <progress value=\"%d\" max=\"%d\"></progress> %d/%d ETA %s%s",
		html.EscapeString(p.header), step, p.steps, step, p.steps, fit.FormatETA(eta), html.EscapeString(fit.FormatLogs(running))))
}

// EpochEnd implements fit.Progress.
func (p *NotebookProgress) EpochEnd(_ int, logs fit.Logs) {
	elapsed := time.Since(p.began)
	p.done = append(p.done, html.EscapeString(fmt.Sprintf("%s %d/%d %.0fs%s%s", p.header, p.steps, p.steps,
		elapsed.Seconds(), fit.FormatPerStep(elapsed, p.steps), fit.FormatLogs(logs))))
	p.render("")
}

// Done implements fit.Progress. It waits until GoNB has the last update
// (gonbui.Sync, a no-op outside a notebook).
func (p *NotebookProgress) Done() {
	p.render("")
	gonbui.Sync()
}

func (p *NotebookProgress) render(current string) {
	var b strings.Builder
	b.WriteString(`<div style="font-family:monospace;white-space:pre">`)
	for _, l := range p.done {
		b.WriteString(l + "<br>")
	}
	b.WriteString(current)
	b.WriteString("</div>")
	p.update(p.id, b.String())
}
