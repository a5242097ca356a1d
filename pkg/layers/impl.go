package layers

import (
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/graph"
)

// Impl selects the graph formulation of the layers; see the package doc.
type Impl int32

const (
	// Auto uses Fast on GoMLX's pure Go backend ("go") and Native elsewhere.
	Auto Impl = iota
	// Native always uses GoMLX's own ops (graph.Convolve, graph.MaxPool).
	Native
	// Fast always uses the formulation tuned for the pure Go backend. It is
	// correct on every backend, only slower than Native on XLA.
	Fast
)

// String returns "auto", "native" or "fast".
func (i Impl) String() string {
	switch i {
	case Auto:
		return "auto"
	case Native:
		return "native"
	case Fast:
		return "fast"
	}
	return fmt.Sprintf("Impl(%d)", int32(i))
}

// ParseImpl parses "auto", "native" or "fast".
func ParseImpl(s string) (Impl, error) {
	switch s {
	case "auto", "":
		return Auto, nil
	case "native":
		return Native, nil
	case "fast":
		return Fast, nil
	}
	return Auto, fmt.Errorf("unknown layers implementation %q (want auto, native or fast)", s)
}

var implSetting atomic.Int32

// SetImpl sets the implementation used by graphs built from now on, in the
// whole process, and returns the previous setting. Graphs already built keep
// theirs. The default is [Auto].
func SetImpl(i Impl) (previous Impl) {
	if i < Auto || i > Fast {
		panic(fmt.Sprintf("layers.SetImpl: invalid %v", i))
	}
	return Impl(implSetting.Swap(int32(i)))
}

// CurrentImpl returns the setting made by [SetImpl] (Auto by default).
func CurrentImpl() Impl { return Impl(implSetting.Load()) }

// FastPathActive reports whether layers built in g use the fast formulation:
// the setting is Fast, or it is Auto and g runs on the pure Go backend.
func FastPathActive(g *graph.Graph) bool {
	switch CurrentImpl() {
	case Fast:
		return true
	case Native:
		return false
	}
	return isGoBackend(g.Backend())
}

// isGoBackend reports whether b is GoMLX's pure Go backend (registered as
// "go"; its Name is "Go Backend").
func isGoBackend(b compute.Backend) bool {
	if b == nil {
		return false
	}
	name := strings.ToLower(b.Name())
	return name == "go" || strings.HasPrefix(name, "go backend")
}
