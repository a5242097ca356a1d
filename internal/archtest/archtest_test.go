// Package archtest checks that cnnlab's packages import each other only in the
// directions docs/ARCHITECTURE.md allows.
package archtest

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/cnnlab/cnnlab/"

// allowed lists, for each package folder, the cnnlab packages its non-test
// files may import, besides internal/ helpers. Folders missing here may
// import nothing from cnnlab, except cmd/ which may import everything. Keep in sync with
// docs/ARCHITECTURE.md.
var allowed = map[string][]string{
	"cifar":            {},
	"pkg/backend":      {},
	"pkg/initializers": {},
	"pkg/regularizers": {},
	"pkg/layers":       {"pkg/backend"},
	"pkg/nn":           {"pkg/backend", "pkg/layers", "pkg/initializers", "pkg/regularizers"},
	"pkg/fit":          {"pkg/backend", "pkg/layers", "cifar"},
	"pkg/report":       {"pkg/fit"},
	"pkg/nb":           {"cifar", "pkg/backend", "pkg/fit", "pkg/report"},
}

func TestImportArrows(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	imports := map[string]map[string]bool{} // package folder -> cnnlab imports
	err = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "bin" || name == "notebooks") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly|parser.ParseComments)
		if err != nil {
			return err
		}
		for _, c := range f.Comments {
			if strings.Contains(c.Text(), "go:build tools") {
				return nil // internal/deps: never compiled
			}
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		rel = filepath.ToSlash(rel)
		// Sub-packages follow their parent's rules (pkg/fit/x is pkg/fit).
		for pkg := range allowed {
			if strings.HasPrefix(rel, pkg+"/") {
				rel = pkg
			}
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if !strings.HasPrefix(p, module) {
				continue
			}
			target := strings.TrimPrefix(p, module)
			if target == rel || strings.HasPrefix(target, rel+"/") {
				continue // own package or sub-package
			}
			if strings.HasPrefix(target, "internal/") && !strings.HasPrefix(rel, "internal/") {
				continue // internal helpers (e.g. atomicfile) serve every layer
			}
			if imports[rel] == nil {
				imports[rel] = map[string]bool{}
			}
			imports[rel][target] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(imports) == 0 {
		t.Fatal("found no cnnlab imports at all: is the walk rooted at the module?")
	}
	var pkgs []string
	for p := range imports {
		pkgs = append(pkgs, p)
	}
	sort.Strings(pkgs)
	for _, pkg := range pkgs {
		if strings.HasPrefix(pkg, "cmd/") {
			continue
		}
		ok := map[string]bool{}
		for _, a := range allowed[pkg] {
			ok[a] = true
		}
		for target := range imports[pkg] {
			if strings.HasPrefix(target, "cmd/") || !ok[target] && !isSubOfAllowed(target, ok) {
				t.Errorf("%s imports %s: not allowed by docs/ARCHITECTURE.md (allowed: %v)", pkg, target, allowed[pkg])
			}
		}
	}
}

func isSubOfAllowed(target string, ok map[string]bool) bool {
	for a := range ok {
		if strings.HasPrefix(target, a+"/") {
			return true
		}
	}
	return false
}
