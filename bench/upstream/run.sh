#!/bin/sh
# Measures what cnnlab's patches to GoMLX's Go backend buy, patch by patch:
# copies the pinned github.com/gomlx/compute from the module cache into a
# temporary directory, applies the given patches there, runs the patched
# packages' tests, and builds cnnlab twice, once against released GoMLX and
# once through a temporary go.work whose `replace` points at the patched copy
# (with -tags=cnnlabkernels, as `make build` does; go.mod and go.sum are not
# touched). Then it runs `cnnlab bench` with the two binaries alternately and
# prints training images/s, the medians and their ratio. (`make build`
# applies every patch through scripts/patch-gomlx; this script is for
# measuring a subset.)
#
# usage: bench/upstream/run.sh [patch ...]   (default: every bench/upstream/*.patch)
# env:   ROUNDS=6 STEPS=30 MODEL=baseline  ARGS="" (more `cnnlab bench` flags)
#        PATCHED_ARGS (flags for the patched binary only, e.g. --backend-conv=false)
#        METRIC=train (training images/s) or eval (Evaluate images/s)
#        OUT=bin/upstream (where the two binaries are kept)
set -eu
export GOTOOLCHAIN="${GOTOOLCHAIN:-go1.27.3}"
export GOEXPERIMENT="${GOEXPERIMENT:-simd}"
unset GOWORK GOFLAGS # the Makefile's patched workspace: this script builds its own
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
ROUNDS=${ROUNDS:-6}
STEPS=${STEPS:-30}
MODEL=${MODEL:-baseline}
ARGS=${ARGS:-}
METRIC=${METRIC:-train}
case $METRIC in
train) skip=--skip-eval ;;
eval) skip=--skip-train ;;
*)
	echo "bench/upstream/run.sh: METRIC must be train or eval, got $METRIC" >&2
	exit 2
	;;
esac
OUT=${OUT:-$ROOT/bin/upstream}
MODULE=github.com/gomlx/compute

if [ $# -eq 0 ]; then
	set -- "$ROOT"/bench/upstream/*.patch
fi
version=$(cd "$ROOT" && go list -m -f '{{.Version}}' "$MODULE")
src=$(cd "$ROOT" && go list -m -f '{{.Dir}}' "$MODULE")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$src" "$work/compute"
chmod -R u+w "$work/compute"
pkgs=""
for p in "$@"; do
	echo "== applying $(basename "$p") to $MODULE@$version" >&2
	patch -s -p1 -d "$work/compute" <"$p"
	pkgs="$pkgs $(sed -n 's|^+++ b/\(.*\)/[^/]*$|./\1|p' "$p")"
done
pkgs=$(echo "$pkgs" | tr ' ' '\n' | sort -u | tr '\n' ' ')
PATCHED_ARGS=${PATCHED_ARGS-}
cd "$ROOT"
echo "== testing the patched packages: $pkgs" >&2
# shellcheck disable=SC2086 # one argument per package
(cd "$work/compute" && go test $pkgs >&2)
cat >"$work/go.work" <<EOF
go 1.27.0

use $ROOT

replace $MODULE $version => $work/compute
EOF
mkdir -p "$OUT"
echo "== building $OUT/cnnlab (released GoMLX) and $OUT/cnnlab-patched" >&2
GOWORK=off go build -o "$OUT/cnnlab" ./cmd/cnnlab
GOWORK="$work/go.work" go build -tags cnnlabkernels -o "$OUT/cnnlab-patched" ./cmd/cnnlab

uptime >&2
results="$work/results"
for i in $(seq "$ROUNDS"); do
	for bin in cnnlab cnnlab-patched; do
		extra=""
		if [ "$bin" = cnnlab-patched ]; then
			extra=$PATCHED_ARGS
		fi
		# shellcheck disable=SC2086 # ARGS and extra hold several flags
		ips=$("$OUT/$bin" bench --model "$MODEL" --steps "$STEPS" --eval-steps "$STEPS" $skip --json --quiet $ARGS $extra 2>"$work/log" |
			sed -n "s/.*\"${METRIC}_images_per_sec\": *\([0-9.]*\).*/\1/p")
		if [ -z "$ips" ]; then
			cat "$work/log" >&2
			echo "bench/upstream/run.sh: $bin bench failed" >&2
			exit 1
		fi
		echo "round $i: $bin $ips images/s"
		echo "$bin $ips" >>"$results"
	done
done
# Medians: one disturbed run (the machine is shared) moves a mean a lot.
median() {
	sed -n "s/^$1 //p" "$results" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
a=$(median cnnlab)
b=$(median cnnlab-patched)
echo "median $METRIC images/s ($MODEL, $ROUNDS rounds): released $a, patched $b, ratio $(echo "$a $b" | awk '{ printf "%.3f", $2 / $1 }')"
