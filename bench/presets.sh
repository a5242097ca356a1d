#!/usr/bin/env bash
# Measures candidate lesson sizes: trains a model (default: the course's
# baseline) at each size with `cnnlab train` and prints, per size, the test
# accuracy, the overfitting gap (training minus validation accuracy, at the
# last epoch and at its largest) and the wall minutes of the run. The
# preset table in docs/RESULTS.md comes from this script.
#
#   bench/presets.sh [bin/cnnlab] [IMAGES:WIDTH:EPOCHS ...]
#
# Environment: MODEL (default baseline), SEED (default 1), OUT (default
# out/presets), CNNLAB_DATASET (the CIFAR-10 copy). Sizes already measured
# (their run.json is in OUT) are not trained again, so the script resumes.
set -euo pipefail
export GOTOOLCHAIN=go1.27.3
cd "$(dirname "$0")/.."
bin=${1:-bin/cnnlab}
shift || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000:1:20 20000:1:12 4000:1:4 8000:0.5:4)
model=${MODEL:-baseline}
seed=${SEED:-1}
out=${OUT:-out/presets}
mkdir -p "$out"
echo "bench/presets.sh: $model, seed $seed, on $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs"
for s in "${sizes[@]}"; do
  IFS=: read -r n w e <<<"$s"
  dir="$out/$model-n$n-w$w-e$e-s$seed"
  if [ ! -f "$dir/summary.txt" ]; then
    rm -rf "$dir.tmp"
    start=$(date +%s)
    "$bin" train --model "$model" --limit "$n" --width "$w" --epochs "$e" --seed "$seed" \
      --test --verbose 2 --out "$dir.tmp" >"$dir.log" 2>&1
    echo "$(( $(date +%s) - start ))" >"$dir.tmp/wall_seconds"
    /usr/bin/python3 - "$dir.tmp" "$n" "$w" "$e" "$dir.log" >"$dir.tmp/summary.txt" <<'PY'
import json, re, sys
d, n, w, e, logfile = sys.argv[1:]
h = json.load(open(d + "/history.json"))
acc = [ep["accuracy"] for ep in h]
val = [ep["val_accuracy"] for ep in h]
gaps = [a - v for a, v in zip(acc, val)]
log = open(logfile).read()
test = float(re.search(r"test: loss [0-9.]+, accuracy ([0-9.]+)", log).group(1))
wall = int(open(d + "/wall_seconds").read())
print(f"{n:>6} {w:>5} {e:>3}  test {test:.4f}  val {val[-1]:.4f}  gap last {gaps[-1]*100:5.1f} max {max(gaps)*100:5.1f} pts  "
      f"best val epoch {val.index(max(val))+1}  {wall/60:.1f} min")
PY
    mv "$dir.tmp" "$dir"
    mv "$dir.log" "$dir/train.log"
  fi
  cat "$dir/summary.txt"
done
