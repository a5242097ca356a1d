#!/bin/sh
# Runs `cnnlab bench` and its PyTorch twin (bench/pytorch_bench.py) one after
# the other for each model, and prints the images/s ratios (cnnlab / PyTorch)
# with the CPU they ran on.
#
#   MODE=steps (default): training steps and inference batches on random data;
#     PyTorch runs twice: with its malloc tuning (the stronger baseline, see
#     pytorch_bench.py) and with glibc's defaults (as a plain `python3` runs it).
#   MODE=epoch: one real epoch of the course's setup on CIFAR-10 (training
#     images/s and the epoch's wall time, validation included), on the same
#     data: DATA (any copy cnnlab reads; default $CNNLAB_DATASET, else the
#     shared JPEG archive) exported once to the official binary format for
#     PyTorch.
#
# usage: bench/run.sh [path/to/cnnlab]     (default bin/cnnlab, built by `make build`)
# env:   MODELS="baseline bn gap"  STEPS=40  WARMUP=10  BATCH=64  EVAL_BATCH=256
#        MODE=steps|epoch  DATA=path  PYTHON=/usr/bin/python3 (Debian python3-torch)  OUT=bin/bench
#        PIN=1: run both on one core (taskset -c 1; GOMAXPROCS=1 and
#        go:parallelism=1 for cnnlab, --threads 1 for PyTorch), a comparison that
#        stays meaningful when other processes load the machine
#        NICE=-10: run both at this niceness (needs root for negative values)
#        ARGS="": more `cnnlab bench` flags, e.g. --backend-conv=false (without the conv kernel)
#        bench/upstream/run.sh builds (bin/upstream/cnnlab-patched)
set -eu
CNNLAB=${1:-bin/cnnlab}
MODELS=${MODELS:-baseline bn gap}
STEPS=${STEPS:-40}
WARMUP=${WARMUP:-10}
BATCH=${BATCH:-64}
EVAL_BATCH=${EVAL_BATCH:-256}
MODE=${MODE:-steps}
PYTHON=${PYTHON:-/usr/bin/python3}
OUT=${OUT:-bin/bench}
DIR=$(dirname "$0")
PIN=${PIN:-0}
NICE=${NICE:-0}
ARGS=${ARGS:-}
THREADS=2
PREFIX="nice -n $NICE"
if [ "$PIN" = 1 ]; then
	THREADS=1
	PREFIX="$PREFIX taskset -c 1"
	export GOMAXPROCS=1 GOMLX_BACKEND=go:parallelism=1
fi
mkdir -p "$OUT"
if ! "$PYTHON" -c 'import torch' 2>/dev/null; then
	echo "bench/run.sh: $PYTHON cannot import torch (apt-get install python3-torch)" >&2
	exit 1
fi
case $MODE in
steps) ;;
epoch)
	DATA=${DATA:-${CNNLAB_DATASET:-$DIR/../../shared/datasets/cifar10-jpeg.tar.gz}}
	BINARY="$OUT/cifar-10-binary.tar.gz"
	if [ ! -f "$BINARY" ]; then
		"$CNNLAB" data export --data "$DATA" --out "$BINARY" >&2
	fi
	;;
*)
	echo "bench/run.sh: MODE must be steps or epoch, got $MODE" >&2
	exit 2
	;;
esac
uptime >&2
"$CNNLAB" backend info >&2
for m in $MODELS; do
	echo "== $m: cnnlab ($MODE)" >&2
	if [ "$MODE" = epoch ]; then
		# shellcheck disable=SC2086 # ARGS holds several flags
		$PREFIX "$CNNLAB" bench --epoch --data "$DATA" --model "$m" --batch "$BATCH" --json --quiet $ARGS >"$OUT/go_$m.json"
		echo "== $m: pytorch ($MODE)" >&2
		$PREFIX "$PYTHON" "$DIR/pytorch_bench.py" --epoch --data "$BINARY" --model "$m" --batch "$BATCH" \
			--threads "$THREADS" --json >"$OUT/torch_$m.json"
		rm -f "$OUT/torch_sys_$m.json"
		continue
	fi
	# shellcheck disable=SC2086 # ARGS holds several flags
	$PREFIX "$CNNLAB" bench --model "$m" --batch "$BATCH" --steps "$STEPS" --warmup "$WARMUP" \
		--eval-batch "$EVAL_BATCH" --json --quiet $ARGS >"$OUT/go_$m.json"
	echo "== $m: pytorch" >&2
	$PREFIX "$PYTHON" "$DIR/pytorch_bench.py" --model "$m" --batch "$BATCH" --steps "$STEPS" --warmup "$WARMUP" \
		--eval-batch "$EVAL_BATCH" --threads "$THREADS" --json >"$OUT/torch_$m.json"
	echo "== $m: pytorch, glibc's default malloc" >&2
	$PREFIX "$PYTHON" "$DIR/pytorch_bench.py" --model "$m" --batch "$BATCH" --steps "$STEPS" --warmup "$WARMUP" \
		--eval-batch "$EVAL_BATCH" --threads "$THREADS" --system-malloc --json >"$OUT/torch_sys_$m.json"
done
"$PYTHON" "$DIR/compare.py" "$OUT" $MODELS
