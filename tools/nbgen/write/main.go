// Command write writes the lesson notebooks into a folder (default
// notebooks/), without outputs, from the lessons, their teaching cells in
// notebooks/src and the results committed at the standard preset
// (results/standard). A notebook whose cells are already those is left as
// it is, outputs and all; the ones it writes are listed, for
// notebooks/run to execute.
//
//	go run ./tools/nbgen/write [-dir notebooks] [-src notebooks/src] [-root .]
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log"
	"path/filepath"
	"slices"

	"github.com/cnnlab/cnnlab/internal/atomicfile"
	"github.com/cnnlab/cnnlab/pkg/lessons"
	"github.com/cnnlab/cnnlab/tools/nbgen"
)

func main() {
	dir := flag.String("dir", "notebooks", "folder of the notebooks")
	src := flag.String("src", "notebooks/src", "folder of the lessons' teaching cells")
	root := flag.String("root", ".", "the checkout, whose results/standard the notebooks show")
	flag.Parse()
	for _, l := range lessons.All() {
		text, err := nbgen.ReadSource(*src, l)
		if err != nil {
			log.Fatal(err)
		}
		standard, err := nbgen.CommittedStandard(*root, l)
		if err != nil {
			log.Fatal(err)
		}
		book, err := nbgen.Lesson(l, text, standard)
		if err != nil {
			log.Fatal(err)
		}
		path := filepath.Join(*dir, nbgen.FileName(l))
		same, err := upToDate(path, book)
		if err != nil {
			log.Fatal(err)
		}
		if same {
			continue
		}
		data, err := json.MarshalIndent(book, "", " ")
		if err != nil {
			log.Fatal(err)
		}
		if err := atomicfile.WriteBytes(path, append(data, '\n')); err != nil {
			log.Fatal(err)
		}
		fmt.Println("wrote", path)
	}
}

// upToDate reports whether the notebook at path has book's cells.
func upToDate(path string, book *nbgen.Notebook) (bool, error) {
	old, err := nbgen.ReadNotebook(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	return slices.Equal(old.Sources(), book.Sources()), nil
}
