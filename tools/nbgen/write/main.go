// Command write writes the lesson notebooks into a folder (default
// notebooks/), without outputs, from the lessons and their teaching cells
// in notebooks/src: notebooks/run executes them.
//
//	go run ./tools/nbgen/write [-dir notebooks] [-src notebooks/src]
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"path/filepath"

	"github.com/cnnlab/cnnlab/internal/atomicfile"
	"github.com/cnnlab/cnnlab/pkg/lessons"
	"github.com/cnnlab/cnnlab/tools/nbgen"
)

func main() {
	dir := flag.String("dir", "notebooks", "folder of the notebooks")
	src := flag.String("src", "notebooks/src", "folder of the lessons' teaching cells")
	flag.Parse()
	for _, l := range lessons.All() {
		text, err := nbgen.ReadSource(*src, l)
		if err != nil {
			log.Fatal(err)
		}
		book, err := nbgen.Lesson(l, text)
		if err != nil {
			log.Fatal(err)
		}
		data, err := json.MarshalIndent(book, "", " ")
		if err != nil {
			log.Fatal(err)
		}
		path := filepath.Join(*dir, nbgen.FileName(l))
		if err := atomicfile.WriteBytes(path, append(data, '\n')); err != nil {
			log.Fatal(err)
		}
		fmt.Println("wrote", path)
	}
}
