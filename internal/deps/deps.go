//go:build tools

// Package deps pins modules that cnnlab packages use, so that go mod tidy keeps
// their versions while packages are being written. Never compiled.
package deps

import (
	_ "github.com/gomlx/gomlx/core/graph"
	_ "github.com/gomlx/gomlx/ml/layers"
	_ "github.com/gomlx/gomlx/ml/model/checkpoint"
	_ "github.com/gomlx/gomlx/ml/train"
	_ "github.com/janpfeifer/gonb/gonbui"
	_ "github.com/nlpodyssey/gopickle/pickle"
	_ "github.com/schollz/progressbar/v3"
	_ "golang.org/x/image/draw"
	_ "golang.org/x/term"
	_ "gonum.org/v1/plot"
)
