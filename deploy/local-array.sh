#!/usr/bin/env bash
# Runs what deploy/slurm and deploy/kubernetes run, on this machine: the
# shards of a lesson as SHARDS local processes at once (array tasks 0..N-1,
# each `cnnlab lesson run LESSON --shard i/N --out ROOT`), merges them with
# `cnnlab lesson report --dir`, runs the lesson again in one process into
# another root, and checks that the merged runs are that process's runs
# (keys, seeds, test accuracy and loss, confusion, histories; times
# aside). Smoke size by default: seconds to a minute.
#
#   deploy/local-array.sh                       # batchnorm, 3 shards, smoke, $CNNLAB_DATASET
#   LESSON=depth-stride SHARDS=4 DATA=cifar.tar.gz deploy/local-array.sh
#
# CNNLAB (default bin/cnnlab; `make build`), PRESET (default smoke), OUT
# (default a temporary folder, removed at the end unless KEEP=1). Needs jq.
set -euo pipefail
cnnlab=${CNNLAB:-bin/cnnlab}
lesson=${LESSON:-batchnorm}
shards=${SHARDS:-3}
preset=${PRESET:-smoke}
data=${DATA:-${CNNLAB_DATASET:-}}
out=${OUT:-$(mktemp -d)}
datafl=()
if [ -n "$data" ]; then
	datafl=(--data "$data")
fi
if [ -z "${OUT:-}" ] && [ -z "${KEEP:-}" ]; then
	trap 'rm -rf "$out"' EXIT
fi
command -v jq >/dev/null || { echo "local-array: needs jq" >&2; exit 2; }

pids=()
for ((i = 0; i < shards; i++)); do
	"$cnnlab" lesson run "$lesson" --preset "$preset" --shard "$i/$shards" --out "$out/sharded" --verbose 0 "${datafl[@]}" \
		>"$out/shard-$i.log" 2>&1 &
	pids+=($!)
done
for ((i = 0; i < shards; i++)); do
	if ! wait "${pids[$i]}"; then
		echo "local-array: shard $i/$shards failed:" >&2
		cat "$out/shard-$i.log" >&2
		exit 1
	fi
done
"$cnnlab" lesson report --dir "$out/sharded/$preset/$lesson" "${datafl[@]}" >"$out/report.log"
"$cnnlab" lesson run "$lesson" --preset "$preset" --out "$out/single" --verbose 0 "${datafl[@]}" >"$out/single.log" 2>&1

# The runs without what differs between two trainings of one run.
runs='[.runs[] | {key, seed, test_accuracy, test_loss, confusion, history: [.history[] | del(.time)]}]'
merged=$(jq -S "$runs" "$out/sharded/$preset/$lesson/results.json")
one=$(jq -S "$runs" "$out/single/$preset/$lesson/results.json")
n=$(jq length <<<"$merged")
if [ "$merged" != "$one" ]; then
	echo "local-array: the merged shards differ from one process:" >&2
	diff <(echo "$merged") <(echo "$one") >&2 || true
	exit 1
fi
if [ "$n" -eq 0 ] || ! jq -e '.planned_runs == (.runs | length)' "$out/sharded/$preset/$lesson/results.json" >/dev/null; then
	echo "local-array: the merged results are incomplete" >&2
	exit 1
fi
echo "local-array: $lesson ($preset): $shards shards in parallel, merged: the same $n runs as one process"
