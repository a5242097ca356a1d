package nbgen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cnnlab/cnnlab/internal/gocheck"
	"github.com/cnnlab/cnnlab/pkg/experiment"
	"github.com/cnnlab/cnnlab/pkg/lessons"
)

// book is a lesson's notebook cut into what the tests look at.
type book struct {
	lesson  *experiment.Lesson
	imports []string // import paths of its import cells
	decls   []cell   // cells without %%: imports, vars
	mains   []cell   // %% cells, without the %% line
	models  []string // names of the vars declared as nn.Sequential(...)
	fset    *token.FileSet
	specs   []*ast.ValueSpec // the specs of those vars
	helpers []*ast.ValueSpec // the other vars of one name (e.g. an nn.Option the models share)
}

type cell struct{ id, src string }

// readBook reads l's generated notebook.
func readBook(t *testing.T, l *experiment.Lesson) *book {
	t.Helper()
	b := &book{lesson: l, fset: token.NewFileSet()}
	for _, c := range generated(t, l).Cells {
		if c.CellType != "code" {
			continue
		}
		src := strings.Join(c.Source, "")
		if body, ok := strings.CutPrefix(src, "%%"); ok {
			b.mains = append(b.mains, cell{c.ID, body})
			continue
		}
		b.decls = append(b.decls, cell{c.ID, src})
		f, err := parser.ParseFile(b.fset, c.ID, "package p\n"+src, parser.ParseComments)
		if err != nil {
			t.Fatalf("%s cell %s: %v", l.Name, c.ID, err)
		}
		for _, im := range f.Imports {
			p, _ := strconv.Unquote(im.Path.Value)
			b.imports = append(b.imports, p)
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.VAR {
				continue
			}
			for _, s := range g.Specs {
				vs := s.(*ast.ValueSpec)
				switch {
				case len(vs.Names) == 1 && len(vs.Values) == 1 && isCall(vs.Values[0], "nn", "Sequential"):
					b.models = append(b.models, vs.Names[0].Name)
					b.specs = append(b.specs, vs)
				case len(vs.Names) == 1 && len(vs.Values) == 1:
					b.helpers = append(b.helpers, vs)
				}
			}
		}
	}
	return b
}

// isCall reports whether e calls pkg.name.
func isCall(e ast.Expr, pkg, name string) bool {
	c, ok := e.(*ast.CallExpr)
	return ok && isSel(c.Fun, pkg, name)
}

// isSel reports whether e is pkg.name.
func isSel(e ast.Expr, pkg, name string) bool {
	s, ok := e.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	x, ok := s.X.(*ast.Ident)
	return ok && x.Name == pkg && s.Sel.Name == name
}

// autoImports are the packages a cell may use without an import cell:
// GoNB runs goimports, which finds them in the module.
var autoImports = []string{"fmt", "os",
	"github.com/cnnlab/cnnlab/cifar", "github.com/cnnlab/cnnlab/pkg/fit", "github.com/cnnlab/cnnlab/pkg/nb",
	"github.com/cnnlab/cnnlab/pkg/nn", "github.com/cnnlab/cnnlab/pkg/experiment", "github.com/cnnlab/cnnlab/pkg/lessons",
	"github.com/cnnlab/cnnlab/pkg/report", "github.com/cnnlab/cnnlab/pkg/split", "github.com/cnnlab/cnnlab/pkg/initializers"}

// importBlock imports paths, without duplicates.
func importBlock(paths []string) string {
	paths = slices.Clone(paths)
	slices.Sort(paths)
	paths = slices.Compact(paths)
	var s strings.Builder
	s.WriteString("import (\n")
	for _, p := range paths {
		fmt.Fprintf(&s, "\t%q\n", p)
	}
	s.WriteString(")\n\n")
	return s.String()
}

// moduleRoot is the repository root from this folder.
var moduleRoot = filepath.Join("..", "..")

// TestNotebookCellsCompile type-checks every code cell of every lesson
// notebook as GoNB compiles it (the declaration cells at the top level,
// each %% cell as a main function) against the module's packages: a cell
// that calls a renamed function or passes a wrong argument fails here,
// without running Jupyter. Unused variables and imports are accepted, as
// GoNB's goimports drops unused imports.
func TestNotebookCellsCompile(t *testing.T) {
	var books []*book
	var paths []string
	for _, l := range lessons.All() {
		b := readBook(t, l)
		b.imports = append(b.imports, autoImports...)
		books = append(books, b)
		paths = append(paths, b.imports...)
	}
	slices.Sort(paths)
	paths = slices.Compact(paths)
	ex, err := gocheck.ListExports(".", paths...)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range books {
		imports := importBlock(b.imports)
		files := map[string]string{}
		for _, c := range b.decls {
			f, err := parser.ParseFile(token.NewFileSet(), c.id, "package main\n"+c.src, 0)
			if err != nil {
				t.Fatalf("%s cell %s: %v", b.lesson.Name, c.id, err)
			}
			var rest bytes.Buffer // the cell without its imports, which every file gets
			for _, d := range f.Decls {
				if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.IMPORT {
					continue
				}
				if err := printer.Fprint(&rest, token.NewFileSet(), d); err != nil {
					t.Fatal(err)
				}
				rest.WriteString("\n")
			}
			files[c.id+".go"] = "package main\n\n" + imports + rest.String()
		}
		for _, c := range b.mains {
			files[c.id+".go"] = "package main\n\n" + imports + "func cell_" + strings.ReplaceAll(c.id, "-", "_") + "() {\n" + c.src + "\n}\n"
		}
		if err := gocheck.Check(ex, files, gocheck.Options{Unused: true}); err != nil {
			t.Errorf("%s: cells that do not compile:\n%v", FileName(b.lesson), err)
		}
	}
}

// declared is what the model program prints for one notebook var.
type declared struct {
	Config []string `json:"config"`
	Params int      `json:"params"`
	Err    string   `json:"err"`
}

// notebookModels builds a program that declares the nn.Sequential vars of
// every notebook (each notebook in a package of its own, with its
// imports) and runs it in each preset, returning preset → notebook file →
// var → declaration.
func notebookModels(t *testing.T, books []*book, presets []string) map[string]map[string]map[string]declared {
	t.Helper()
	dir, err := os.MkdirTemp(moduleRoot, "_nbcheck-") // "_": outside ./... patterns
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	var mainImports, mainBody strings.Builder
	for i, b := range books {
		if len(b.models) == 0 {
			continue
		}
		pkg := fmt.Sprintf("nb%02d", b.lesson.Number)
		used := map[string]bool{}   // package names the declarations use
		idents := map[string]bool{} // identifiers the models use
		var vars bytes.Buffer
		write := func(s *ast.ValueSpec) {
			ast.Inspect(s, func(n ast.Node) bool {
				if sel, ok := n.(*ast.SelectorExpr); ok {
					if x, ok := sel.X.(*ast.Ident); ok {
						used[x.Name] = true
					}
				}
				if id, ok := n.(*ast.Ident); ok {
					idents[id.Name] = true
				}
				return true
			})
			vars.WriteString("var ")
			if err := printer.Fprint(&vars, b.fset, s); err != nil {
				t.Fatal(err)
			}
			vars.WriteString("\n\n")
		}
		for _, s := range b.specs {
			write(s)
		}
		for _, h := range b.helpers { // the helper vars the models use (one level)
			if idents[h.Names[0].Name] {
				write(h)
			}
		}
		var paths []string
		for _, p := range append(slices.Clone(b.imports), autoImports...) { // GoNB's goimports finds the others
			if used[filepath.Base(p)] {
				paths = append(paths, p)
			}
		}
		var models strings.Builder
		for _, m := range b.models {
			fmt.Fprintf(&models, "\t\t%q: %s,\n", m, m)
		}
		src := "package " + pkg + "\n\n" + importBlock(append(paths, "github.com/cnnlab/cnnlab/pkg/nn")) +
			"var _ = nn.Input\n\n" + vars.String() +
			"func Models() map[string]*nn.Model {\n\treturn map[string]*nn.Model{\n" + models.String() + "\t}\n}\n"
		if err := os.MkdirAll(filepath.Join(dir, pkg), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, pkg, "models.go"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&mainImports, "\t%q\n", "github.com/cnnlab/cnnlab/"+filepath.Base(dir)+"/"+pkg)
		fmt.Fprintf(&mainBody, "\tout[%q] = describe(%s.Models())\n", FileName(books[i].lesson), pkg)
	}
	main := "package main\n\nimport (\n\t\"encoding/json\"\n\t\"os\"\n\n\t\"github.com/cnnlab/cnnlab/pkg/nn\"\n" + mainImports.String() + ")\n\n" +
		"type declared struct {\n\tConfig []string `json:\"config\"`\n\tParams int `json:\"params\"`\n\tErr string `json:\"err\"`\n}\n\n" +
		"func describe(ms map[string]*nn.Model) map[string]declared {\n\tout := map[string]declared{}\n\tfor name, m := range ms {\n" +
		"\t\td := declared{Config: m.Config()}\n\t\ttr, ntr := m.NumParams()\n\t\td.Params = tr + ntr\n" +
		"\t\tif err := m.Validate(); err != nil {\n\t\t\td.Err = err.Error()\n\t\t}\n\t\tout[name] = d\n\t}\n\treturn out\n}\n\n" +
		"func main() {\n\tout := map[string]map[string]declared{}\n" + mainBody.String() +
		"\tif err := json.NewEncoder(os.Stdout).Encode(out); err != nil {\n\t\tpanic(err)\n\t}\n}\n"
	if err := os.MkdirAll(filepath.Join(dir, "main"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main", "main.go"), []byte(main), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "models")
	build := exec.Command("go", "build", "-o", bin, "./"+filepath.Base(dir)+"/main")
	build.Dir = moduleRoot
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the notebooks' model declarations: %v\n%s", err, out)
	}
	res := map[string]map[string]map[string]declared{}
	for _, p := range presets {
		run := exec.Command(bin)
		run.Env = append(os.Environ(), "CNNLAB_PRESET="+p)
		var stderr bytes.Buffer
		run.Stderr = &stderr
		out, err := run.Output()
		if err != nil {
			t.Fatalf("declaring the notebooks' models in preset %s: %v\n%s", p, err, stderr.String())
		}
		var r map[string]map[string]declared
		if err := json.Unmarshal(out, &r); err != nil {
			t.Fatal(err)
		}
		res[p] = r
	}
	return res
}
