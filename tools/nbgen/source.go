package nbgen

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/cnnlab/cnnlab/pkg/experiment"
)

// ReadSource reads a lesson's teaching source from dir (notebooks/src):
// "" when the lesson has none.
func ReadSource(dir string, l *experiment.Lesson) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, SourceFile(l)))
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("nbgen: %w", err)
	}
	return string(b), nil
}

// SourceCell is one cell of a lesson's teaching source.
type SourceCell struct {
	kind string // "markdown" or "code"
	text string
}

// Kind returns "markdown" or "code".
func (c SourceCell) Kind() string { return c.kind }

// Text returns the cell's source.
func (c SourceCell) Text() string { return c.text }

// Setup is what a line "{{setup}}" of a teaching source stands for: the
// imports, the notebook's size and data, shared by the lessons that train.
const Setup = "## Setup: imports, the notebook's size, the data\n\n" +
	"Each code cell runs as a new Go program ([GoNB](https://github.com/janpfeifer/gonb)): the declarations of a " +
	"cell without `%%` (imports, `var`s) are kept for every later cell, values are not. So the models are `var`s, " +
	"and a training cell saves its weights and history to files (`nb.Path`) that the cells below read. Cells call " +
	"only the public packages (`cifar`, `pkg/nn`, `pkg/fit`, `pkg/backend`, `pkg/nb`): any cell can be copied " +
	"into a Go program.\n\n" +
	"**The notebook's size** is the lesson preset named by `CNNLAB_PRESET`: `quick` by default on a CPU " +
	"(4,000 training images of which 15% are held out for validation, 2,000 test images, 4 epochs: a training " +
	"cell of the baseline takes about a minute on a 2-core CPU; 5x5 kernels, four times the filters, or the lessons " +
	"that train two or three times the epochs take two to three), `smoke` in CI (240 images, 1 epoch), `full` " +
	"for the course's size (all 50,000 images, 30 epochs: for a GPU). To train larger, start Jupyter with " +
	"`CNNLAB_PRESET=full`, or edit the `var` cell below, e.g. `train = data.Train` (all the images) and " +
	"`epochs = 30`, and run the cells below it again. The models are declared at the course's full width " +
	"at every size.\n\n" +
	"```go\n" +
	"import (\n" +
	"\t\"fmt\"\n" +
	"\t\"os\"\n" +
	"\n" +
	"\t\"github.com/cnnlab/cnnlab/cifar\"\n" +
	"\t\"github.com/cnnlab/cnnlab/pkg/backend\"\n" +
	"\t\"github.com/cnnlab/cnnlab/pkg/fit\"\n" +
	"\t\"github.com/cnnlab/cnnlab/pkg/nb\"\n" +
	"\t\"github.com/cnnlab/cnnlab/pkg/nn\"\n" +
	")\n" +
	"\n" +
	"var (\n" +
	"\tsize   = nb.Must(nb.Settings())                       // the notebook's size: $CNNLAB_PRESET (smoke, quick, full)\n" +
	"\tdata   = nb.Must(nb.LoadData())                       // CIFAR-10: $CNNLAB_DATASET, else the cached official release\n" +
	"\ttrain  = data.Train.Sample(size.Train, size.DataSeed) // the training images (all of them when size.Train is 0)\n" +
	"\ttest   = data.Test.Sample(size.Test, size.DataSeed)   // the test images\n" +
	"\tepochs = size.Epochs                                  // epochs of every training cell\n" +
	")\n" +
	"```\n\n" +
	"```go\n" +
	"%%\n" +
	"fmt.Println(nb.SizeNote(size))\n" +
	"fmt.Printf(\"training images %d, test images %d, from %s\\n\", train.Len(), test.Len(), data.Source)\n" +
	"```\n"

// ParseSource reads a lesson's teaching source: Markdown whose ```go
// blocks are code cells (a block starting with "%%" is GoNB's main cell;
// others hold declarations) and whose text between blocks is a markdown
// cell; a line "---" splits a markdown cell in two, and a line
// "{{setup}}" stands for [Setup].
func ParseSource(src string) ([]SourceCell, error) {
	src = strings.ReplaceAll(src, "\n{{setup}}\n", "\n"+Setup+"\n")
	if strings.HasPrefix(src, "{{setup}}\n") {
		src = Setup + src[len("{{setup}}"):]
	}
	var cells []SourceCell
	var md []string
	flush := func() {
		if text := strings.TrimSpace(strings.Join(md, "\n")); text != "" {
			cells = append(cells, SourceCell{"markdown", text})
		}
		md = nil
	}
	lines := strings.Split(src, "\n")
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		switch {
		case strings.TrimSpace(line) == "---":
			flush()
		case strings.HasPrefix(line, "```go"):
			flush()
			start := i + 1
			for i++; i < len(lines) && !strings.HasPrefix(lines[i], "```"); i++ {
			}
			if i == len(lines) {
				return nil, fmt.Errorf("line %d: a ```go block without its end", start)
			}
			code := strings.TrimRight(strings.Join(lines[start:i], "\n"), "\n ")
			if code == "" {
				return nil, fmt.Errorf("line %d: an empty ```go block", start)
			}
			cells = append(cells, SourceCell{"code", code})
		default:
			md = append(md, line)
		}
	}
	flush()
	return cells, nil
}
