package nbgen

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cnnlab/cnnlab/pkg/lessons"
)

// TestNotebooksUpToDate checks that notebooks/ holds exactly one notebook
// per lesson and that their cells are what Lesson writes (outputs aside):
// run `go run ./internal/nbgen/write` and `make notebooks` after changing
// a lesson.
func TestNotebooksUpToDate(t *testing.T) {
	dir := filepath.Join("..", "..", "notebooks")
	files, err := filepath.Glob(filepath.Join(dir, "*.ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, l := range lessons.All() {
		want = append(want, FileName(l))
		raw, err := os.ReadFile(filepath.Join(dir, FileName(l)))
		if err != nil {
			t.Errorf("lesson %s has no notebook: %v", l.Name, err)
			continue
		}
		var got Notebook
		if err := json.Unmarshal(raw, &got); err != nil {
			t.Fatalf("%s: %v", FileName(l), err)
		}
		if g, w := got.Sources(), Lesson(l).Sources(); !slices.Equal(g, w) {
			t.Errorf("%s is out of date (go run ./internal/nbgen/write, then make notebooks):\n got %q\nwant %q", FileName(l), g, w)
		}
	}
	for _, f := range files {
		if !slices.Contains(want, filepath.Base(f)) {
			t.Errorf("%s is not a lesson's notebook", f)
		}
	}
}

// TestCellsHoldNoLogic: every code cell only calls pkg/nb: no function
// declarations, loops or imports of their own.
func TestCellsHoldNoLogic(t *testing.T) {
	for _, l := range lessons.All() {
		for _, c := range Lesson(l).Cells {
			if c.CellType != "code" {
				continue
			}
			src := strings.Join(c.Source, "")
			for _, bad := range []string{"func ", "for ", "import ", "if "} {
				if strings.Contains(src, bad) {
					t.Errorf("%s cell %s holds %q:\n%s", l.Name, c.ID, bad, src)
				}
			}
		}
	}
}
