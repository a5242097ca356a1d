package gocheck

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// samplePackages are the packages a documentation sample may use without
// importing them: a sample is a fragment of a function body.
var samplePackages = []string{
	"context", "fmt", "log", "os",
	"github.com/cnnlab/cnnlab/cifar",
	"github.com/cnnlab/cnnlab/pkg/backend",
	"github.com/cnnlab/cnnlab/pkg/course",
	"github.com/cnnlab/cnnlab/pkg/experiment",
	"github.com/cnnlab/cnnlab/pkg/fit",
	"github.com/cnnlab/cnnlab/pkg/initializers",
	"github.com/cnnlab/cnnlab/pkg/lessons",
	"github.com/cnnlab/cnnlab/pkg/nb",
	"github.com/cnnlab/cnnlab/pkg/nn",
	"github.com/cnnlab/cnnlab/pkg/regularizers",
	"github.com/cnnlab/cnnlab/pkg/report",
}

// Sample is one ```go block of a Markdown file.
type Sample struct {
	File string
	Line int // of the opening fence
	Code string
}

var fence = regexp.MustCompile("(?m)^```go\\s*\n")

// Samples returns the ```go blocks of Markdown text.
func Samples(file, text string) []Sample {
	var out []Sample
	for _, loc := range fence.FindAllStringIndex(text, -1) {
		body := text[loc[1]:]
		end := strings.Index(body, "\n```")
		if end < 0 {
			end = len(body)
		}
		out = append(out, Sample{File: file, Line: strings.Count(text[:loc[0]], "\n") + 1, Code: body[:end+1]})
	}
	return out
}

// source returns the sample as a Go file: as it is when it is one (it
// starts with "package"), else as the body of a function in a file that
// imports samplePackages.
func (s Sample) source() (string, Options) {
	if strings.HasPrefix(strings.TrimSpace(s.Code), "package ") {
		return s.Code, Options{}
	}
	var b strings.Builder
	b.WriteString("package sample\n\nimport (\n")
	for _, p := range samplePackages {
		fmt.Fprintf(&b, "\t%q\n", p)
	}
	b.WriteString(")\n\nfunc sample() {\n" + s.Code + "}\n")
	return b.String(), Options{Unused: true}
}

// docFiles are README.md and docs/*.md, relative to this folder.
func docFiles(t *testing.T) []string {
	files, err := filepath.Glob(filepath.Join("..", "..", "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	return append([]string{filepath.Join("..", "..", "README.md")}, files...)
}

// TestDocSamples type-checks every Go sample of README.md and docs/*.md
// against the module's packages: a sample that would not compile (a wrong
// signature, a renamed function) fails here. Fragments may leave
// variables unused.
func TestDocSamples(t *testing.T) {
	ex, err := ListExports(".", samplePackages...)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, file := range docFiles(t) {
		text, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range Samples(file, string(text)) {
			n++
			src, opts := s.source()
			if err := Check(ex, map[string]string{"sample.go": src}, opts); err != nil {
				t.Errorf("%s:%d: the Go sample does not compile:\n%v", s.File, s.Line, err)
			}
		}
	}
	if n == 0 {
		t.Error("no Go samples found: README.md has some")
	}
}

// inlineSequential finds nn.Sequential calls in inline code; fenced
// blocks, which TestDocSamples checks, are removed first.
var (
	inlineSequential = regexp.MustCompile("`[^`]*nn\\.Sequential\\(([^`]*)`")
	fenced           = regexp.MustCompile("(?s)```.*?```")
)

// TestDocInlineSequential: nn.Sequential in inline code names the model
// first, as its signature does (the README once showed
// nn.Sequential(nn.Input(…), …), which does not compile).
func TestDocInlineSequential(t *testing.T) {
	for _, file := range docFiles(t) {
		text, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range inlineSequential.FindAllStringSubmatch(fenced.ReplaceAllString(string(text), ""), -1) {
			if args := strings.TrimSpace(m[1]); args != "" && args != ")" && !strings.HasPrefix(args, `"`) {
				t.Errorf("%s: %s: nn.Sequential takes the model's name first", file, m[0])
			}
		}
	}
}

func TestSamples(t *testing.T) {
	text := "# T\n\n```go\nx := 1\n```\n\ntext\n\n```sh\nls\n```\n```go\npackage main\n```\n"
	got := Samples("f.md", text)
	if len(got) != 2 || got[0].Line != 3 || got[0].Code != "x := 1\n" || got[1].Code != "package main\n" {
		t.Fatalf("Samples = %+v", got)
	}
	if src, opts := got[0].source(); !opts.Unused || !strings.Contains(src, "func sample() {\nx := 1\n}") {
		t.Errorf("fragment source %q", src)
	}
}
