// Package archtest checks that cnnlab's packages import each other only in the
// directions docs/ARCHITECTURE.md allows.
package archtest

import (
	"go/parser"
	"go/token"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/cnnlab/cnnlab/"

// allowedImports reads the table of docs/ARCHITECTURE.md: for each row
// whose first cell is a package folder in backquotes, the backquoted
// folders of its "cnnlab imports" cell are the cnnlab packages its non-test
// files may import ("everything" allows all). The document is the rule, so
// it cannot drift from the code.
func allowedImports(t *testing.T, root string) map[string][]string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(root, "docs", "ARCHITECTURE.md"))
	if err != nil {
		t.Fatal(err)
	}
	code := regexp.MustCompile("`([^`]+)`")
	allowed := map[string][]string{}
	column := -1
	for _, line := range strings.Split(string(raw), "\n") {
		if !strings.HasPrefix(line, "|") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "| "), " | ")
		if column < 0 {
			for i, c := range cells {
				if strings.TrimSpace(c) == "cnnlab imports" {
					column = i
				}
			}
			continue
		}
		m := code.FindStringSubmatch(cells[0])
		if m == nil || len(cells) <= column || strings.HasPrefix(cells[0], "|") {
			continue
		}
		pkg := strings.TrimSuffix(m[1], "/")
		allowed[pkg] = []string{}
		if strings.TrimSpace(cells[column]) == "everything" {
			allowed[pkg] = []string{"*"}
			continue
		}
		for _, imp := range code.FindAllStringSubmatch(cells[column], -1) {
			allowed[pkg] = append(allowed[pkg], strings.TrimSuffix(imp[1], "/"))
		}
	}
	if column < 0 || len(allowed) == 0 {
		t.Fatal("docs/ARCHITECTURE.md has no package table with a \"cnnlab imports\" column")
	}
	return allowed
}

func TestImportArrows(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	allowed := allowedImports(t, root)
	imports := map[string]map[string]bool{} // package folder -> cnnlab imports
	err = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			// As the go command, skip "." and "_" folders (tools/nbgen's
			// cell check writes a temporary _nbcheck-* package while
			// tests run in parallel) and testdata.
			if path != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "bin" || name == "notebooks") {
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
		rules, listed := allowed[pkg]
		if !listed {
			t.Errorf("package %s is not in the table of docs/ARCHITECTURE.md", pkg)
			continue
		}
		if slices.Contains(rules, "*") {
			continue
		}
		ok := map[string]bool{}
		for _, a := range allowed[pkg] {
			ok[a] = true
		}
		for target := range imports[pkg] {
			if strings.HasPrefix(target, "cmd/") || !ok[target] && !isSubOfAllowed(target, ok) {
				t.Errorf("%s imports %s: not allowed by docs/ARCHITECTURE.md (allowed: %v)", pkg, target, rules)
			}
		}
	}
	for _, pkg := range slices.Sorted(maps.Keys(allowed)) {
		for _, stale := range staleArrows(allowed[pkg], imports[pkg]) {
			t.Errorf("docs/ARCHITECTURE.md allows %s to import %s, but no non-test file of it does: remove the arrow", pkg, stale)
		}
	}
}

// staleArrows returns the allowed imports (rules, from the table) that no
// import of the package uses: neither the package itself nor one of its
// sub-packages. "*" (everything) is never stale.
func staleArrows(rules []string, imports map[string]bool) []string {
	var stale []string
	for _, a := range rules {
		if a == "*" || imports[a] {
			continue
		}
		used := false
		for target := range imports {
			if strings.HasPrefix(target, a+"/") {
				used = true
			}
		}
		if !used {
			stale = append(stale, a)
		}
	}
	return stale
}

func isSubOfAllowed(target string, ok map[string]bool) bool {
	for a := range ok {
		if strings.HasPrefix(target, a+"/") {
			return true
		}
	}
	return false
}

func TestStaleArrows(t *testing.T) {
	for _, tc := range []struct {
		rules   []string
		imports map[string]bool
		want    []string
	}{
		{[]string{"cifar", "pkg/fit"}, map[string]bool{"cifar": true, "pkg/fit": true}, nil},
		{[]string{"cifar", "pkg/backend"}, map[string]bool{"cifar": true}, []string{"pkg/backend"}},
		{[]string{"pkg/fit"}, map[string]bool{"pkg/fit/sub": true}, nil}, // a sub-package uses the arrow
		{[]string{"*"}, nil, nil},
		{[]string{"cifar"}, nil, []string{"cifar"}},
	} {
		if got := staleArrows(tc.rules, tc.imports); !slices.Equal(got, tc.want) {
			t.Errorf("staleArrows(%v, %v) = %v, want %v", tc.rules, tc.imports, got, tc.want)
		}
	}
}
