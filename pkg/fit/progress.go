package fit

import (
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"
	"time"

	"golang.org/x/term"
)

// Progress reports training progress. [NewProgress] returns the Keras-like
// reporters; a notebook package may plug in its own.
type Progress interface {
	// EpochBegin is called before the first step of epoch (0-based) of
	// epochs, which has steps steps.
	EpochBegin(epoch, epochs, steps int)
	// Step is called after each step (1-based) with the running means of
	// the epoch so far ("loss", "accuracy").
	Step(step int, running Logs)
	// EpochEnd is called with the epoch's final logs, validation included.
	EpochEnd(epoch int, logs Logs)
	// Done is called once training ends.
	Done()
}

// NewProgress returns the reporter for a verbosity: nothing for Silent;
// for ProgressBar a Keras-style bar redrawn in place on a terminal (only
// the final line of each epoch when w is not a terminal); for OneLine one
// line per epoch. Notebooks have their own (pkg/nb's Progress).
func NewProgress(v Verbosity, w io.Writer) Progress {
	switch v {
	case ProgressBar:
		return &barProgress{w: w, live: isTerminal(w)}
	case OneLine:
		return &barProgress{w: w, oneLine: true}
	}
	return silent{}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

type silent struct{}

func (silent) EpochBegin(int, int, int) { /* silent */ }
func (silent) Step(int, Logs)           { /* silent */ }
func (silent) EpochEnd(int, Logs)       { /* silent */ }
func (silent) Done()                    { /* silent */ }

// barProgress prints Keras 3's progress lines:
//
//	Epoch 3/10
//	 50/625 ━━━━━━━━━━━━━━━━━━━━ 1:23 130ms/step - accuracy: 0.1936 - loss: 2.1732
type barProgress struct {
	w       io.Writer
	live    bool // redraw with \r while the epoch runs
	oneLine bool // verbose=2

	steps     int
	step      int
	began     time.Time
	lastDraw  time.Time
	lastWidth int
}

func (p *barProgress) EpochBegin(epoch, epochs, steps int) {
	fmt.Fprintf(p.w, "Epoch %d/%d\n", epoch+1, epochs)
	p.steps, p.step, p.began, p.lastDraw, p.lastWidth = steps, 0, time.Now(), time.Time{}, 0
}

func (p *barProgress) Step(step int, running Logs) {
	p.step = step
	if !p.live || step == p.steps {
		return
	}
	if now := time.Now(); now.Sub(p.lastDraw) >= 50*time.Millisecond {
		p.lastDraw = now
		elapsed := now.Sub(p.began)
		eta := time.Duration(float64(elapsed) / float64(step) * float64(p.steps-step))
		p.draw(fmt.Sprintf("%s %s %s%s", p.counter(step), Bar(step, p.steps, 20), FormatETA(eta),
			FormatPerStep(elapsed, step)), running)
	}
}

func (p *barProgress) counter(step int) string {
	width := len(fmt.Sprint(p.steps))
	return fmt.Sprintf("%*d/%d", width, step, p.steps)
}

func (p *barProgress) draw(head string, logs Logs) {
	line := head + FormatLogs(logs)
	pad := ""
	if n := p.lastWidth - len([]rune(line)); n > 0 {
		pad = strings.Repeat(" ", n)
	}
	p.lastWidth = len([]rune(line))
	fmt.Fprint(p.w, "\r"+line+pad)
}

func (p *barProgress) EpochEnd(_ int, logs Logs) {
	elapsed := time.Since(p.began)
	secs := fmt.Sprintf("%ds", int(math.Round(elapsed.Seconds())))
	if p.oneLine {
		fmt.Fprintf(p.w, "%d/%d - %s%s%s\n", p.steps, p.steps, secs, " -"+FormatPerStep(elapsed, p.steps), FormatLogs(logs))
		return
	}
	line := fmt.Sprintf("%s %s %s%s", p.counter(p.steps), Bar(p.steps, p.steps, 20), secs, FormatPerStep(elapsed, p.steps))
	if p.live {
		p.draw(line, logs)
		fmt.Fprintln(p.w)
		return
	}
	fmt.Fprintln(p.w, line+FormatLogs(logs))
}

func (p *barProgress) Done() {}

// Bar returns a bar of width cells, done of total filled, drawn as Keras 3
// does with "━" (the rest is drawn with "─").
func Bar(done, total, width int) string {
	n := width
	if total > 0 {
		n = done * width / total
	}
	n = max(0, min(n, width))
	return strings.Repeat("━", n) + strings.Repeat("─", width-n)
}

// FormatETA formats a remaining time as Keras's progress bar does: "45s",
// "1:23" or "1:02:03".
func FormatETA(d time.Duration) string {
	s := int(d.Seconds())
	switch {
	case s >= 3600:
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s%3600/60, s%60)
	case s >= 60:
		return fmt.Sprintf("%d:%02d", s/60, s%60)
	}
	return fmt.Sprintf("%ds", s)
}

// FormatPerStep returns the time per step of steps that took elapsed, as
// Keras's progress bar writes it after a space: " 131ms/step".
func FormatPerStep(elapsed time.Duration, steps int) string {
	if steps == 0 {
		return ""
	}
	t := elapsed.Seconds() / float64(steps)
	switch {
	case t >= 1:
		return fmt.Sprintf(" %.0fs/step", t)
	case t >= 1e-3:
		return fmt.Sprintf(" %.0fms/step", t*1e3)
	}
	return fmt.Sprintf(" %.0fus/step", t*1e6)
}

// FormatLogs formats logs as Keras's progress bar: " - key: value" in key
// order, values with 4 decimals (or 4 significant digits in exponent form
// when |value| < 1e-3), leaving out "epoch" and "time".
func FormatLogs(logs Logs) string {
	keys := make([]string, 0, len(logs))
	for k := range logs {
		if k != "epoch" && k != "time" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		v := logs[k]
		if math.Abs(v) > 1e-3 || v == 0 {
			fmt.Fprintf(&b, " - %s: %.4f", k, v)
		} else {
			fmt.Fprintf(&b, " - %s: %.4e", k, v)
		}
	}
	return b.String()
}
