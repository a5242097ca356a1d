// Command write writes the lesson notebooks into a folder (default
// notebooks/), without outputs: notebooks/run executes them.
//
//	go run ./internal/nbgen/write [-dir notebooks]
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"path/filepath"

	"github.com/cnnlab/cnnlab/internal/atomicfile"
	"github.com/cnnlab/cnnlab/internal/nbgen"
	"github.com/cnnlab/cnnlab/pkg/lessons"
)

func main() {
	dir := flag.String("dir", "notebooks", "folder of the notebooks")
	flag.Parse()
	for _, l := range lessons.All() {
		data, err := json.MarshalIndent(nbgen.Lesson(l), "", " ")
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
