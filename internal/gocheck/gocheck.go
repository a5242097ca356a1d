// Package gocheck type-checks Go source that is not in a package of the
// module: the code cells of the lesson notebooks and the Go samples of the
// documentation. It reads the imported packages' export data from the go
// command (go list -export, which the build cache serves), so a check
// costs a second or two once the module is built.
package gocheck

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
)

// Exports maps import paths to their export data files.
type Exports map[string]string

// ListExports runs `go list -export -deps` in dir (a folder of the module)
// for the packages and returns the export data of them and of everything
// they import.
func ListExports(dir string, pkgs ...string) (Exports, error) {
	args := append([]string{"list", "-export", "-deps", "-json=ImportPath,Export,Error"}, pkgs...)
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("gocheck: go list -export: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	ex := Exports{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p struct {
			ImportPath, Export string
			Error              *struct{ Err string }
		}
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, fmt.Errorf("gocheck: reading go list's output: %w", err)
		}
		if p.Error != nil {
			return nil, fmt.Errorf("gocheck: package %s: %s", p.ImportPath, p.Error.Err)
		}
		ex[p.ImportPath] = p.Export
	}
	return ex, nil
}

// Imports returns the import paths of Go source files, sorted, without
// duplicates. Files that do not parse are skipped (Check reports them).
func Imports(srcs ...string) []string {
	var paths []string
	for _, src := range srcs {
		f, err := parser.ParseFile(token.NewFileSet(), "", src, parser.ImportsOnly)
		if err != nil {
			continue
		}
		for _, im := range f.Imports {
			if p, err := strconv.Unquote(im.Path.Value); err == nil && !slices.Contains(paths, p) {
				paths = append(paths, p)
			}
		}
	}
	slices.Sort(paths)
	return paths
}

// Options says which of the type checker's soft errors to accept.
type Options struct {
	// Unused accepts variables declared and not used and imports not used:
	// samples and cells show statements whose results a program would go
	// on to use.
	Unused bool
}

// Check parses and type-checks the files (name → source) as one package
// with the export data ex, and returns every error, each naming its file
// and line, or nil.
func Check(ex Exports, files map[string]string, opts Options) error {
	fset := token.NewFileSet()
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	var parsed []*ast.File
	var errs []error
	for _, name := range names {
		f, err := parser.ParseFile(fset, name, files[name], parser.SkipObjectResolution)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		parsed = append(parsed, f)
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	imp := importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
		file, ok := ex[path]
		if !ok || file == "" {
			return nil, fmt.Errorf("no export data for %q (not listed by go list)", path)
		}
		return os.Open(file)
	})
	conf := types.Config{Importer: imp, Error: func(err error) {
		var te types.Error
		if errors.As(err, &te) && te.Soft && opts.Unused && isUnused(te.Msg) {
			return
		}
		errs = append(errs, err)
	}}
	_, _ = conf.Check("sample", fset, parsed, nil) // errors are collected by conf.Error
	return errors.Join(errs...)
}

// isUnused reports whether a type checker message is about an unused
// variable or import.
func isUnused(msg string) bool {
	return strings.Contains(msg, "declared and not used") || strings.Contains(msg, "imported and not used")
}
