package main

import (
	"bytes"
	"io"
	"os"
	"testing"
)

// runCLI runs the CLI with args, capturing os.Stdout and os.Stderr (where
// commands print) as well as the writers run is given.
// runCLI runs the CLI with args and returns its exit status and everything it
// printed: commands print to os.Stdout and os.Stderr, captured here through
// pipes, and run's own messages go to the buffers passed to it.
func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	capture := func(f **os.File) func() string {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		saved := *f
		*f = w
		done := make(chan []byte)
		go func() {
			b, _ := io.ReadAll(r)
			done <- b
		}()
		return func() string {
			*f = saved
			w.Close()
			b := <-done
			r.Close()
			return string(b)
		}
	}
	endOut, endErr := capture(&os.Stdout), capture(&os.Stderr)
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	o, e := endOut(), endErr()
	return code, out.String() + o, e + errb.String()
}
