package nbgen

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cnnlab/cnnlab/pkg/experiment"
	"github.com/cnnlab/cnnlab/pkg/lessons"
)

// srcDir is notebooks/src from this folder.
var srcDir = filepath.Join("..", "..", "notebooks", "src")

// generated returns the notebook that Lesson writes for l.
func generated(t *testing.T, l *experiment.Lesson) *Notebook {
	t.Helper()
	src, err := ReadSource(srcDir, l)
	if err != nil {
		t.Fatal(err)
	}
	standard, err := CommittedStandard(filepath.Join("..", ".."), l)
	if err != nil {
		t.Fatal(err)
	}
	nb, err := Lesson(l, src, standard)
	if err != nil {
		t.Fatal(err)
	}
	return nb
}

// TestNotebooksUpToDate checks that notebooks/ holds exactly one notebook
// per lesson and that their cells are what Lesson writes (outputs aside):
// run `go run ./tools/nbgen/write` and `notebooks/run --in-place` on the
// notebooks it wrote after changing a lesson or its teaching source, or
// committing a lesson's results at the standard preset.
func TestNotebooksUpToDate(t *testing.T) {
	dir := filepath.Join("..", "..", "notebooks")
	files, err := filepath.Glob(filepath.Join(dir, "*.ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, l := range lessons.All() {
		want = append(want, FileName(l))
		got, err := ReadNotebook(filepath.Join(dir, FileName(l)))
		if errors.Is(err, fs.ErrNotExist) {
			t.Errorf("lesson %s has no notebook: %v", l.Name, err)
			continue
		} else if err != nil {
			t.Fatal(err)
		}
		if g, w := got.Sources(), generated(t, l).Sources(); !slices.Equal(g, w) {
			t.Errorf("%s is out of date (go run ./tools/nbgen/write, then notebooks/run --in-place on what it wrote):\n got %q\nwant %q", FileName(l), g, w)
		}
	}
	for _, f := range files {
		if !slices.Contains(want, filepath.Base(f)) {
			t.Errorf("%s is not a lesson's notebook", f)
		}
	}
	srcs, err := filepath.Glob(filepath.Join(srcDir, "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range srcs {
		if !slices.ContainsFunc(lessons.All(), func(l *experiment.Lesson) bool { return SourceFile(l) == filepath.Base(f) }) {
			t.Errorf("%s is not a lesson's teaching source", f)
		}
	}
}

// TestCellsDeclareNoFunctions: no code cell declares a function (or a
// function literal): what a cell would need to define belongs in the
// library (pkg/nb), so that cells stay the course's code.
func TestCellsDeclareNoFunctions(t *testing.T) {
	for _, l := range lessons.All() {
		for _, c := range generated(t, l).Cells {
			if c.CellType != "code" {
				continue
			}
			src := strings.Join(c.Source, "")
			file := "package cell\n" + src
			if body, ok := strings.CutPrefix(src, "%%"); ok {
				file = "package cell\nfunc main() {\n" + body + "\n}"
			}
			f, err := parser.ParseFile(token.NewFileSet(), c.ID, file, 0)
			if err != nil {
				t.Errorf("%s cell %s does not parse: %v\n%s", l.Name, c.ID, err, src)
				continue
			}
			ast.Inspect(f, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.FuncDecl:
					if n.Name.Name != "main" || !strings.HasPrefix(src, "%%") {
						t.Errorf("%s cell %s declares func %s", l.Name, c.ID, n.Name.Name)
					}
				case *ast.FuncLit:
					t.Errorf("%s cell %s holds a function literal:\n%s", l.Name, c.ID, src)
				}
				return true
			})
		}
	}
}

func TestParseSource(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      []string // kind: text
		err       string
	}{
		{name: "markdown and code", src: "# A\n\ntext\n\n```go\nvar x = 1\n```\n\nmore\n---\nlast\n```go\n%%\nfmt.Println(x)\n```\n",
			want: []string{"markdown: # A\n\ntext", "code: var x = 1", "markdown: more", "markdown: last", "code: %%\nfmt.Println(x)"}},
		{name: "setup", src: "{{setup}}\n", want: nil},
		{name: "unclosed", src: "```go\nvar x = 1\n", err: "without its end"},
		{name: "empty", src: "```go\n```\n", err: "empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cells, err := ParseSource(tc.src)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("got %v, want an error with %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range cells {
				got = append(got, c.Kind()+": "+c.Text())
			}
			if tc.name == "setup" {
				if len(got) != 3 || !strings.Contains(got[1], "nb.Settings()") || !strings.HasPrefix(got[2], "code: %%") {
					t.Errorf("setup cells: %q", got)
				}
				return
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %q\nwant %q", got, tc.want)
			}
		})
	}
}

// TestCommittedStandard: a notebook shows the standard preset's results
// only when results/standard/NAME holds all the lesson's planned runs, and
// then ends with the cell that shows them.
func TestCommittedStandard(t *testing.T) {
	l, err := lessons.Get("gap")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		results string // results.json; "" for none
		want    bool
		wantErr bool
	}{
		{"none committed", "", false, false},
		{"all planned runs", `{"lesson": "gap", "planned_runs": 2, "runs": [{}, {}]}`, true, false},
		{"a partial run of the lesson", `{"lesson": "gap", "planned_runs": 2, "runs": [{}]}`, false, false},
		{"a lesson without runs", `{"lesson": "gap", "planned_runs": 0, "runs": []}`, true, false},
		{"unreadable", `{"lesson": `, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			if tt.results != "" {
				dir := filepath.Join(root, "results", "standard", "gap")
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, "results.json"), []byte(tt.results), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, err := CommittedStandard(root, l)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Fatalf("CommittedStandard = %v, %v; want %v, error %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
	for _, standard := range []bool{false, true} {
		book, err := Lesson(l, "", standard)
		if err != nil {
			t.Fatal(err)
		}
		src := book.Sources()
		shows := strings.Contains(src[len(src)-1], `nb.ShowCommitted("gap", "standard")`)
		if shows != standard {
			t.Errorf("Lesson(gap, standard=%v): last cell shows the committed standard results: %v", standard, shows)
		}
	}
}
