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

.PHONY: all build test test-go test-notebooks deps lint fmt bench bench-upstream bench-load run clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/cnnlab

# The main job: get CIFAR-10 (DATA=path, else $$CNNLAB_DATASET, else the cached
# official release, downloaded on first use), describe it, draw a grid of
# training images, and train the course's baseline at half width on 5,000
# images with the course's callbacks. Outputs go to out/.
DATA ?=
DATAFLAG := $(if $(DATA),--data $(DATA))
run: build
	@mkdir -p out
	$(BIN) backend info
	$(BIN) data info $(DATAFLAG) > out/data-info.json
	@cat out/data-info.json
	$(BIN) data show $(DATAFLAG) --split train --n 16 --seed 42 --out out/grid.png
	$(BIN) model summary --model baseline --width 0.5
	$(BIN) train $(DATAFLAG) --model baseline --width 0.5 --limit 5000 --epochs 4 --batch-size 64 \
		--reduce-lr-patience 1 --early-stop-patience 2 --restore-best \
		--checkpoint 'weights.{epoch:02d}-{val_loss:.2f}.ckpt' --save-best-only --test --out out/run
	@echo "run: wrote out/data-info.json, out/grid.png, out/run/history.json and checkpoints in out/run/"

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

# gofmt, go vet, shellcheck on the scripts, and a lint of docker/Dockerfile
# (no Docker engine needed).
SCRIPTS := .ci/run scripts/install-deps scripts/lint-dockerfile notebooks/run docker/smoke-test.sh $(wildcard bench/*.sh) $(wildcard bench/*/*.sh)
# Training and inference speed of the course's models, cnnlab against the
# identical PyTorch model (Debian python3-torch), one after the other, and the
# ratios. MODELS="baseline" make bench for one model. See docs/PERFORMANCE.md.
bench: build
	bench/run.sh $(BIN)

# What a proposed change to GoMLX's Go backend (a patch in bench/upstream/)
# would buy: cnnlab built against a patched copy of github.com/gomlx/compute
# through a temporary go.work, against cnnlab as shipped (go.mod untouched).
bench-upstream:
	bench/upstream/run.sh

# Time to load the 60,000-image JPEG archive and an official binary archive.
bench-load:
	$(GO) test -run '^$$' -bench Load -benchtime 1x -count 3 ./cifar

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	@if command -v shellcheck >/dev/null; then shellcheck -S warning $(SCRIPTS); else echo "lint: shellcheck not installed, scripts not checked"; fi
	scripts/lint-dockerfile

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin
