// Package nbgen writes the lesson notebooks: one GoNB notebook per lesson
// of package lessons. A notebook starts with the lesson's teaching cells,
// read from notebooks/src/NN-name.md (Markdown whose ```go blocks are code
// cells; see [ParseSource]): the course's code in Go, cell by cell, with
// the public API only. Then come the lesson's experiment over seeds and
// its figures, which call pkg/nb, and, once the lesson's results at the
// standard preset are committed, a cell that shows them. The notebooks in
// notebooks/ are its output, executed (see notebooks/run); tests keep
// their cells equal to what it writes, type-check every cell, and check
// that the models the cells declare are the lesson's.
package nbgen

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/cnnlab/cnnlab/pkg/experiment"
)

// Notebook is the nbformat 4 document of a notebook.
type Notebook struct {
	Cells         []Cell         `json:"cells"`
	Metadata      map[string]any `json:"metadata"`
	NBFormat      int            `json:"nbformat"`
	NBFormatMinor int            `json:"nbformat_minor"`
}

// Cell is one notebook cell. Outputs and ExecutionCount are those of code
// cells (nbformat requires both there, and neither in markdown cells).
type Cell struct {
	CellType       string            `json:"cell_type"`
	ID             string            `json:"id"`
	Metadata       map[string]any    `json:"metadata"`
	Source         []string          `json:"source"`
	ExecutionCount *int              `json:"execution_count"`
	Outputs        []json.RawMessage `json:"outputs"`
}

// MarshalJSON writes a code cell with its outputs and execution count
// (null when not run), a markdown cell without them.
func (c Cell) MarshalJSON() ([]byte, error) {
	type plain Cell
	if c.CellType == "code" {
		if c.Outputs == nil {
			c.Outputs = []json.RawMessage{}
		}
		return json.Marshal(plain(c))
	}
	return json.Marshal(struct {
		CellType string         `json:"cell_type"`
		ID       string         `json:"id"`
		Metadata map[string]any `json:"metadata"`
		Source   []string       `json:"source"`
	}{c.CellType, c.ID, c.Metadata, c.Source})
}

// FileName returns the notebook's file name: "05-batchnorm.ipynb".
func FileName(l *experiment.Lesson) string { return fmt.Sprintf("%02d-%s.ipynb", l.Number, l.Name) }

// SourceFile returns the name of a lesson's teaching cells in
// notebooks/src: "05-batchnorm.md".
func SourceFile(l *experiment.Lesson) string { return fmt.Sprintf("%02d-%s.md", l.Number, l.Name) }

// CommittedStandard reports whether the checkout at root holds the
// lesson's results at the standard preset with every planned run
// (results/standard/NAME/results.json): its notebook then shows them.
func CommittedStandard(root string, l *experiment.Lesson) (bool, error) {
	r, err := experiment.ReadResults(experiment.LessonDir(filepath.Join(root, "results"), experiment.Standard, l.Name))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("nbgen: %w", err)
	}
	return r.Complete(), nil
}

// Lesson returns the notebook of a lesson, without outputs: its heading,
// the teaching cells of src (the text of its SourceFile; "" for none),
// then the experiment, and last, when standard is true (see
// [CommittedStandard]), a section that shows the lesson's committed
// results at the standard preset.
func Lesson(l *experiment.Lesson, src string, standard bool) (*Notebook, error) {
	nb := &Notebook{NBFormat: 4, NBFormatMinor: 5, Metadata: map[string]any{
		"kernelspec": map[string]any{"display_name": "Go (gonb)", "language": "go", "name": "gonb"},
		"language_info": map[string]any{"codemirror_mode": "", "file_extension": ".go", "mimetype": "",
			"name": "go", "nbconvert_exporter": "", "pygments_lexer": "", "version": "go1.27.3"},
	}}
	name := fmt.Sprintf("%q", l.Name)
	md := func(text string) { nb.add("markdown", text) }
	code := func(lines ...string) { nb.add("code", "%%\n"+strings.Join(lines, "\n")) }

	md("# " + l.Heading() + "\n\n" + l.About)
	teaching, err := ParseSource(src)
	if err != nil {
		return nil, fmt.Errorf("nbgen: %s: %w", SourceFile(l), err)
	}
	for _, c := range teaching {
		nb.add(c.kind, c.text)
	}
	experiment := "The lesson's runs train the models declared above (a test checks that they are the same models " +
		"with the same training settings) with several seeds, on the same images, and judge the course's claims. "
	if l.Runs == nil {
		experiment = "The lesson computes its facts and judges the course's claims. "
	}
	md("## The experiment over seeds\n\n" + experiment +
		"The next cell runs the lesson with `nb.RunLesson` in the preset named by `CNNLAB_PRESET` " +
		"(`smoke`, `quick` or `full`; quick by default on a CPU, full on a GPU backend) on the CIFAR-10 copy named by " +
		"`CNNLAB_DATASET` (else the cached official release, downloaded on first use). Results are kept in " +
		"`CNNLAB_OUT` (default: the cache folder's `lessons/`), so a finished run is never repeated and the later " +
		"cells only read them. The same lesson runs from the shell as `cnnlab lesson run " + l.Name + "`. " +
		"The outputs saved in this notebook come from a quick run; its first line says where it ran.")
	code("r := nb.Must(nb.RunLesson("+name+"))", "nb.ShowVerdicts(r)")
	if len(l.Facts) > 0 {
		md("## What the lesson shows")
		for _, f := range l.Facts {
			md("### " + f.Title)
			code("r := nb.Must(nb.LessonResults("+name+"))", fmt.Sprintf("nb.Check(nb.ShowFact(r, %q))", f.Name))
		}
	}
	if l.Runs != nil {
		md("## The runs\n\nEvery run, as the mean ± standard deviation over its seeds; then the test accuracy of each run, " +
			"its validation accuracy by epoch (training dashed) and its time per epoch.")
		code("r := nb.Must(nb.LessonResults("+name+"))", "nb.ShowRuns(r)", "nb.Check(nb.ShowFigures(r))")
		md("## The best model\n\nThe confusion matrix and per-class accuracy of the run with the best test accuracy.")
		code("r := nb.Must(nb.LessonResults("+name+"))", "nb.ShowBest(r)")
		md("## Settings")
		code("r := nb.Must(nb.LessonResults("+name+"))", "nb.ShowSettings(r)")
	}
	if standard {
		md("## At the standard size\n\nThe quick preset above shows the mechanics in minutes, at a size where little has " +
			"converged. The course's claims are about models trained until they fit and then overfit. The `standard` " +
			"preset (15,000 training images at full width, 15 epochs, 3 seeds, all 10,000 test images; docs/RESULTS.md " +
			"says how it was chosen) does that on 2 CPU cores in a quarter of an hour to two hours a lesson " +
			"(`cnnlab lesson list --preset standard`). Its results are committed with the repository in " +
			"`results/standard/" + l.Name + "`; this cell reads them and trains nothing. " +
			"`cnnlab lesson run " + l.Name + " --preset standard` makes them again.")
		code("nb.Check(nb.ShowCommitted(" + name + ", \"standard\"))")
	}
	return nb, nil
}

// add appends a cell with a stable id.
func (nb *Notebook) add(kind, text string) {
	nb.Cells = append(nb.Cells, Cell{CellType: kind, ID: fmt.Sprintf("cell-%02d", len(nb.Cells)+1),
		Metadata: map[string]any{}, Source: lines(text)})
}

// lines splits text as Jupyter stores sources: lines keeping their "\n",
// the last without.
func lines(text string) []string {
	parts := strings.SplitAfter(text, "\n")
	if parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	return parts
}

// Sources returns the cell types and sources of a notebook, which the
// up-to-date check compares.
func (nb *Notebook) Sources() []string {
	var out []string
	for _, c := range nb.Cells {
		out = append(out, c.CellType+": "+strings.Join(c.Source, ""))
	}
	return out
}

// ReadNotebook reads the notebook file at path.
func ReadNotebook(path string) (*Notebook, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("nbgen: %w", err)
	}
	var nb Notebook
	if err := json.Unmarshal(raw, &nb); err != nil {
		return nil, fmt.Errorf("nbgen: %s: %w", path, err)
	}
	return &nb, nil
}
