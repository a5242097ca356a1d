# cnnlab build, test and benchmark targets.
#
# GoMLX v0.28 needs Go 1.27: the go command fetches this toolchain from the
# module proxy when the installed one is older.
export GOTOOLCHAIN := go1.27.3
# Fast build settings: GOEXPERIMENT=simd turns on the AVX2/AVX-512 matmul of
# GoMLX's pure Go backend (3-4x faster training on CPU). A plain `go build`
# works too, slower; `cnnlab backend info` says which settings are on.
export GOEXPERIMENT := simd
# cnnlab's patched GoMLX backend (bench/upstream/README.md): the implicit-GEMM
# convolution kernels (AVX-512, AVX2) and the SIMD tail fix, applied by
# scripts/patch-gomlx to a copy of the pinned github.com/gomlx/compute in
# .build/ (outside git). Every go command here runs in the go.work it prints,
# with the build tag that turns the kernels on. When the patches cannot
# apply, it says so in one line and the build uses released GoMLX.
PATCHED_WORK := $(shell scripts/patch-gomlx)
ifneq ($(PATCHED_WORK),)
export GOWORK := $(PATCHED_WORK)
export GOFLAGS := -tags=cnnlabkernels
endif

GO ?= go
BIN := bin/cnnlab

.PHONY: lesson all build cross test test-go test-simd fuzz test-notebooks notebooks jupyter deps lint fmt bench bench-upstream bench-load run clean image

all: build

build:
	$(GO) build -o $(BIN) ./cmd/cnnlab

# The fallbacks where the kernels cannot run, under qemu's user emulation:
# cnnlab for linux/arm64, and bin/cnnlab on x86-64 CPUs without AVX or
# without AVX-512 (scripts/cross-check; CI runs it).
cross: build
	scripts/cross-check $(PATCHED_TESTS)

# The main job: get CIFAR-10 (DATA=path, else $$CNNLAB_DATASET, else the cached
# official release, downloaded on first use) and train the course's first CNN
# (the baseline) on 12,000 training images for 8 epochs on the best backend
# available, then test it on all 10,000 test images: about 3 minutes on 2
# CPU cores for about 60% test accuracy (docs/RESULTS.md). It ends by
# printing where its curves are. `make lesson` runs a whole lesson:
# LESSON=first-cnn (default) PRESET=smoke|quick|standard|full.
DATA ?=
PRESET ?=
LESSON ?= first-cnn
DATAFLAG := $(if $(DATA),--data $(DATA))
PRESETFLAG := $(if $(PRESET),--preset $(PRESET))
RUN_OUT := out/first-cnn
run: build
	$(BIN) train --model baseline --limit 12000 --epochs 8 --test $(DATAFLAG) --out $(RUN_OUT)
	@echo "make run: the learning curves are in $(RUN_OUT)/curves.svg (history.json, run.json and the weights beside them); next: make lesson LESSON=first-cnn"

lesson: build
	$(BIN) lesson run $(LESSON) $(DATAFLAG) $(PRESETFLAG)

# The README's test command, and what CI runs: installs what a fresh machine
# lacks (Jupyter), runs the Go tests, then executes every notebook.
test: deps test-go test-notebooks

deps:
	scripts/install-deps

# The unit tests build as users do: SIMD on, against the patched backend,
# whose tail loads no longer read past short slices (Go 1.27.3's
# archsimd.LoadFloat32x16Part does; compute-simdpart.patch). Against released
# GoMLX they build without SIMD instead: that over-read killed 2 of 3
# fresh-clone CI runs on 2026-12-01 (repro: bench/upstream/simdpart.go).
# The patched compute packages' own tests run first.
PATCHED_TESTS := ./internal/simdpart ./internal/gobackend/ops ./internal/gobackend/dot/matmul/convgemm
test-go:
ifneq ($(PATCHED_WORK),)
	cd $(dir $(PATCHED_WORK))compute && $(GO) test -count=1 $(PATCHED_TESTS)
	$(GO) test -count=1 -timeout 40m ./...
else
	GOEXPERIMENT= $(GO) test -count=1 -timeout 40m ./...
endif

# Every reader of untrusted bytes fuzzed for 20 s (CI; longer by hand with
# FUZZTIME=10m). Go fuzzes one target per command. -fuzzminimizetime keeps a
# found input's minimization from stalling the run.
FUZZTIME ?= 20s
FUZZ = $(GO) test -run '^$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 2s -fuzz
fuzz:
	$(FUZZ) '^FuzzReadBinary$$' ./cifar
	$(FUZZ) '^FuzzReadPython$$' ./cifar
	$(FUZZ) '^FuzzReadArchive$$' ./cifar
	$(FUZZ) '^FuzzReadCheckpoint$$' ./pkg/fit
	$(FUZZ) '^FuzzReadRuns$$' ./pkg/lessons

# The unit tests with SIMD whatever the backend (against released GoMLX they
# may hit the over-read above).
test-simd:
	$(GO) test -count=1 -timeout 40m ./...

# Notebooks load $CNNLAB_DATASET when set; else the JPEG archive shared with
# this project's developers and CI, if present; else the cached official
# release (downloaded on first use).
SHARED_DATA := $(wildcard ../shared/datasets/cifar10-jpeg.tar.gz)
NB_DATA = CNNLAB_DATASET="$${CNNLAB_DATASET:-$(abspath $(SHARED_DATA))}"
# CI: every notebook in the smoke preset into out/notebooks/ (the committed
# ones are not touched), their outputs checked, then rendered to HTML and
# opened in headless Chromium (out/notebooks/screenshot.png).
test-notebooks:
	$(NB_DATA) CNNLAB_PRESET=smoke CNNLAB_OUT=$(CURDIR)/out/lessons notebooks/run
	notebooks/check/outputs.py out/notebooks/[0-9][0-9]-*.ipynb
	jupyter nbconvert --to html --log-level WARN --output-dir out/notebooks out/notebooks/[0-9][0-9]-*.ipynb
	node notebooks/check/browser.mjs out/notebooks/screenshot.png out/notebooks/[0-9][0-9]-*.html

# Refreshes the committed notebooks: writes them from the lessons and
# executes them in place with the quick preset. Lesson results already in
# out/lessons/quick (e.g. from `bin/cnnlab lesson run all --preset quick`)
# are reused, not trained again.
notebooks:
	$(GO) run ./tools/nbgen/write
	$(NB_DATA) CNNLAB_PRESET=quick CNNLAB_OUT=$(CURDIR)/out/lessons notebooks/run --in-place

# Starts Jupyter with the GoNB kernel on notebooks/ (installs Jupyter and
# GoNB first if needed).
jupyter: deps
	scripts/jupyter

# gofmt, go vet, shellcheck on the scripts, and a lint of docker/Dockerfile
# (no Docker engine needed).
SCRIPTS := .ci/run scripts/install-deps scripts/cross-check scripts/lint-dockerfile scripts/jupyter notebooks/run docker/smoke-test.sh docker/build-local.sh docker/gpu-check.sh docker/cnnlab-jupyter docker/cnnlab-healthcheck $(wildcard bench/*.sh) $(wildcard bench/*/*.sh) deploy/local-array.sh deploy/slurm/lesson-array.sbatch
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

# The Docker image (docker/Dockerfile) built here with podman from a local
# Debian base, then its smoke tests; see docker/README.md.
image:
	docker/build-local.sh

clean:
	rm -rf bin
