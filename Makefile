# cnnlab build, test and benchmark targets.
#
# GoMLX v0.28 needs Go 1.27: the go command fetches this toolchain from the
# module proxy when the installed one is older.
export GOTOOLCHAIN := go1.27.3
# Fast build settings: GOEXPERIMENT=simd turns on the AVX2/AVX-512 matmul of
# GoMLX's pure Go backend (3-4x faster training on CPU). A plain `go build`
# works too, slower; `cnnlab backend info` says which settings are on.
export GOEXPERIMENT := simd

GO ?= go
BIN := bin/cnnlab

.PHONY: all build test test-go test-notebooks deps lint fmt bench run clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/cnnlab

# The README's test command, and what CI runs: installs what a fresh machine
# lacks (Jupyter), runs the Go tests, then executes every notebook.
test: deps test-go test-notebooks

deps:
	scripts/install-deps

test-go:
	$(GO) test -count=1 -timeout 40m ./...

# Notebooks load $CNNLAB_DATASET when set; else the JPEG archive shared with
# this project's developers and CI, if present; else the cached official
# release (downloaded on first use).
SHARED_DATA := $(wildcard ../shared/datasets/cifar10-jpeg.tar.gz)
test-notebooks:
	CNNLAB_DATASET="$${CNNLAB_DATASET:-$(abspath $(SHARED_DATA))}" notebooks/run

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin
