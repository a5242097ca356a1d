#!/usr/bin/env bash
# GPU check for a machine lent with an NVIDIA GPU but without Docker or
# internet: finds a CUDA PJRT plugin there and, if one is found, measures
# cnnlab on it. Results go to docs/gpu/<date>-<host>/ as JSON, with the
# machine's description; summary.json says what was found and run.
#
#   docker/gpu-check.sh                 # uses bin/cnnlab, else builds it (make build)
#   CNNLAB=path/to/cnnlab DATA=cifar10.tar.gz docker/gpu-check.sh
#
# The CUDA plugin is looked for, in order, in:
#   1. $PJRT_PLUGIN_LIBRARY_PATH (pjrt_c_api_cuda_plugin.so in each entry);
#   2. go-xla's standard folders, ~/.local/lib/go-xla{,/nvidia} and
#      /usr/local/lib/go-xla{,/nvidia} (what `cnnlab backend install` and the
#      image use);
#   3. a JAX install's plugin, jax_plugins/xla_cuda{13,12}/xla_cuda_plugin.so,
#      in python3's site-packages and under /usr, /opt, /home, /root
#      (its NVIDIA libraries are then the site-packages' nvidia/ wheels).
# If none is found, summary.json lists every path looked at and nothing is
# run. Otherwise: `cnnlab backend info` on each backend, `cnnlab bench` of the
# baseline at batch 64 and 256 on xla:cuda and on the Go backend, of the BN
# model at batch 64 on xla:cuda (XLA's fused BatchNorm ops), and the
# first-CNN lesson in the quick preset on xla:cuda (when a CIFAR-10 copy is
# found: $DATA, $CNNLAB_DATASET, out/gpu-data/*.tar.gz,
# ../shared/datasets/cifar10-jpeg.tar.gz; nothing is downloaded).
#
# Environment: CNNLAB (the binary), DATA, OUT (default docs/gpu/<date>-<host>),
# GO_STEPS (timed steps on the Go backend, default 10), CUDA_STEPS (default 40),
# SKIP_LESSON=1.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
export GOTOOLCHAIN=go1.27.3
export GOMLX_NO_AUTO_INSTALL=1

stamp=$(date -u +%Y%m%dT%H%M%SZ)
host=$(hostname 2>/dev/null || echo host)
out=${OUT:-docs/gpu/$stamp-$host}
mkdir -p "$out"
log() { echo "gpu-check: $*" | tee -a "$out/log.txt"; }

# The binary: $CNNLAB, bin/cnnlab, else a build (needs Go; the go command
# fetches go1.27.3 only where the module proxy is reachable).
cnnlab=${CNNLAB:-}
if [ -z "$cnnlab" ] && [ -x bin/cnnlab ]; then cnnlab=bin/cnnlab; fi
if [ -z "$cnnlab" ]; then
  if command -v go >/dev/null 2>&1 && command -v make >/dev/null 2>&1; then
    log "building bin/cnnlab (make build)"
    make build >>"$out/log.txt" 2>&1 || { log "make build failed"; exit 1; }
    cnnlab=bin/cnnlab
  else
    log "no cnnlab binary (set CNNLAB or put it in bin/cnnlab) and no Go toolchain to build one"
    exit 1
  fi
fi
log "cnnlab: $cnnlab ($("$cnnlab" backend info --json 2>/dev/null | tr -d '\n ' | head -c 200))"

# The machine.
{
  echo "date: $stamp"
  echo "host: $host"
  echo "kernel: $(uname -sr)"
  echo "cpu: $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1), $(nproc) CPUs"
  echo "memory: $(free -g 2>/dev/null | awk '/^Mem:/ {print $2 " GiB"}')"
  if command -v nvidia-smi >/dev/null 2>&1; then
    echo "gpu: $(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>&1 | paste -sd ';')"
    echo "cuda (driver): $(nvidia-smi 2>/dev/null | sed -n 's/.*CUDA Version: *\([0-9.]*\).*/\1/p' | head -1)"
  else
    echo "gpu: nvidia-smi not found"
  fi
  echo "devices: $(ls /dev/nvidia* 2>/dev/null | paste -sd ' ')"
} >"$out/machine.txt"
cat "$out/machine.txt" | tee -a "$out/log.txt"

# The search.
looked=()
found=""
kind=""
check() { # path, kind
  looked+=("$1")
  if [ -z "$found" ] && [ -f "$1" ]; then found=$1; kind=$2; fi
}
if [ -n "${PJRT_PLUGIN_LIBRARY_PATH:-}" ]; then
  IFS=: read -ra dirs <<<"$PJRT_PLUGIN_LIBRARY_PATH"
  for d in "${dirs[@]}"; do check "$d/pjrt_c_api_cuda_plugin.so" pjrt_plugin_library_path; done
fi
for d in "$HOME/.local/lib/go-xla" /usr/local/lib/go-xla; do
  check "$d/pjrt_c_api_cuda_plugin.so" go-xla
  check "$d/nvidia/pjrt_c_api_cuda_plugin.so" go-xla
done
sites=()
if command -v python3 >/dev/null 2>&1; then
  mapfile -t sites < <(python3 -c 'import site, sys; print("\n".join(site.getsitepackages() + [site.getusersitepackages()] + sys.path[1:]))' 2>/dev/null | sort -u)
fi
for s in "${sites[@]}"; do
  [ -n "$s" ] || continue
  for v in 13 12; do check "$s/jax_plugins/xla_cuda$v/xla_cuda_plugin.so" jax; done
done
for r in /usr /opt /home /root; do
  looked+=("find $r -path '*jax_plugins/xla_cuda1[23]/xla_cuda_plugin.so'")
  if [ -z "$found" ] && [ -d "$r" ]; then
    f=$(find "$r" -maxdepth 9 -path '*jax_plugins/xla_cuda1[23]/xla_cuda_plugin.so' 2>/dev/null | sort -r | head -1)
    if [ -n "$f" ]; then found=$f; kind=jax; fi
  fi
done
printf '%s\n' "${looked[@]}" >"$out/looked-for.txt"

json_str() { python3 -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$1" 2>/dev/null || printf '"%s"' "${1//\"/\\\"}"; }
summary() { # found(bool) note
  {
    echo "{"
    echo "  \"date\": $(json_str "$stamp"),"
    echo "  \"machine\": $(json_str "$(cat "$out/machine.txt")"),"
    echo "  \"cnnlab\": $(json_str "$cnnlab"),"
    echo "  \"plugin_found\": $1,"
    echo "  \"plugin\": $(json_str "$found"),"
    echo "  \"plugin_kind\": $(json_str "$kind"),"
    echo "  \"looked_for\": ["
    local n=${#looked[@]} i=0
    for l in "${looked[@]}"; do
      i=$((i + 1))
      if [ "$i" -lt "$n" ]; then echo "    $(json_str "$l"),"; else echo "    $(json_str "$l")"; fi
    done
    echo "  ],"
    echo "  \"note\": $(json_str "$2"),"
    echo "  \"files\": $(json_str "$(cd "$out" && ls | paste -sd ' ')")"
    echo "}"
  } >"$out/summary.json"
}

if [ -z "$found" ]; then
  log "no CUDA PJRT plugin found; looked for: ${looked[*]}"
  summary false "no CUDA PJRT plugin found: nothing was run"
  log "wrote $out/summary.json"
  exit 0
fi
log "CUDA plugin: $found ($kind)"

# The backend configuration for that plugin.
cuda_env=()
if [ "$kind" = jax ]; then
  # A JAX plugin is loaded by its path; its NVIDIA libraries are the nvidia/
  # wheels next to it in site-packages.
  sp=$(dirname "$(dirname "$(dirname "$found")")")
  libs=$(find "$sp/nvidia" -maxdepth 3 -type d -name lib 2>/dev/null | paste -sd :)
  ptxas=$(find "$sp/nvidia" -maxdepth 4 -name ptxas -type f 2>/dev/null | head -1)
  cuda_env=(GOMLX_BACKEND="xla:$found" LD_LIBRARY_PATH="${libs}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}")
  [ -n "$ptxas" ] && cuda_env+=(XLA_FLAGS="--xla_gpu_cuda_data_dir=$(dirname "$(dirname "$ptxas")")")
  log "JAX plugin: site-packages $sp, NVIDIA lib folders: ${libs:-none}, ptxas: ${ptxas:-none}"
else
  d=$(dirname "$found")
  cuda_env=(GOMLX_BACKEND=xla:cuda PJRT_PLUGIN_LIBRARY_PATH="$d")
fi
printf '%s\n' "${cuda_env[@]}" >"$out/cuda-env.txt"

status=0
step() { # name, command...
  local name=$1
  shift
  local t0
  t0=$(date +%s)
  if "$@" >"$out/$name.json" 2>"$out/$name.stderr"; then
    log "$name: ok ($(( $(date +%s) - t0 )) s)"
  else
    log "$name: FAILED ($(( $(date +%s) - t0 )) s): $(tail -3 "$out/$name.stderr" | tr '\n' ' ')"
    status=1
  fi
}
step backend-cuda env "${cuda_env[@]}" "$cnnlab" backend info --json
step backend-go env GOMLX_BACKEND=go:parallelism=-1 "$cnnlab" backend info --json
for b in 64 256; do
  step "bench-cuda-b$b" env "${cuda_env[@]}" "$cnnlab" bench --model baseline --batch "$b" --steps "${CUDA_STEPS:-40}" --json --quiet
  step "bench-go-b$b" env GOMLX_BACKEND=go:parallelism=-1 "$cnnlab" bench --model baseline --batch "$b" \
    --steps "${GO_STEPS:-10}" --warmup 2 --eval-steps 5 --json --quiet
done
# The BN model on XLA: layers.BatchNorm builds XLA's BatchNormTraining (and
# its gradient) there, a path the Go-backend tests do not reach.
step bench-cuda-bn-b64 env "${cuda_env[@]}" "$cnnlab" bench --model bn --batch 64 --steps "${CUDA_STEPS:-40}" --json --quiet

data=${DATA:-${CNNLAB_DATASET:-}}
if [ -z "$data" ]; then
  for f in out/gpu-data/*.tar.gz ../shared/datasets/cifar10-jpeg.tar.gz shared/datasets/cifar10-jpeg.tar.gz; do
    [ -f "$f" ] && { data=$f; break; }
  done
fi
note="benches run"
if [ "${SKIP_LESSON:-0}" = 1 ]; then
  note="$note; lesson skipped (SKIP_LESSON=1)"
elif [ -z "$data" ]; then
  note="$note; lesson skipped: no CIFAR-10 copy found (DATA=...), and nothing is downloaded"
  log "lesson skipped: no dataset"
else
  t0=$(date +%s)
  if env "${cuda_env[@]}" "$cnnlab" lesson run first-cnn --preset quick --data "$data" --out "$out/lessons" --verbose 2 \
    >"$out/lesson-first-cnn-quick.log" 2>&1; then
    log "lesson first-cnn (quick) on xla:cuda: ok ($(( $(date +%s) - t0 )) s)"
    cp "$out/lessons/quick/first-cnn/results.json" "$out/lesson-first-cnn-quick.json" 2>/dev/null || true
    note="$note; lesson first-cnn quick ran in $(( $(date +%s) - t0 )) s"
  else
    log "lesson first-cnn (quick) on xla:cuda: FAILED: $(tail -3 "$out/lesson-first-cnn-quick.log" | tr '\n' ' ')"
    note="$note; lesson FAILED"
    status=1
  fi
fi
[ "$status" = 0 ] || note="$note; some steps FAILED (see log.txt)"
summary true "$note"
log "wrote $out/summary.json"
exit "$status"
