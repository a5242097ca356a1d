#!/usr/bin/env bash
# Smoke test of the cnnlab image on a machine with Docker and an NVIDIA GPU:
# builds the image, checks that it picks the CUDA backend, and trains a few
# steps of the baseline on it (random data, no download).
#
#   docker/smoke-test.sh            # build as cnnlab:smoke and test
#   IMAGE=cnnlab docker/smoke-test.sh   # test an existing image
set -euo pipefail
cd "$(dirname "$0")/.."
image=${IMAGE:-}
if [ -z "$image" ]; then
  image=cnnlab:smoke
  docker build -f docker/Dockerfile -t "$image" .
fi
run() { docker run --rm --gpus all "$image" "$@"; }

echo "== backend"
info=$(run cnnlab backend info --json)
echo "$info"
grep -q '"config": "xla:cuda"' <<<"$info" || { echo "smoke-test: the image did not choose xla:cuda" >&2; exit 1; }

echo "== training and inference speed on the GPU"
run cnnlab bench --model baseline --batch 64 --steps 20 --json

echo "== the same on XLA's CPU plugin and on the pure Go backend"
docker run --rm -e GOMLX_BACKEND=xla:cpu "$image" cnnlab bench --model baseline --batch 64 --steps 5 --json
docker run --rm -e GOMLX_BACKEND=go:parallelism=-1 "$image" cnnlab bench --model baseline --batch 64 --steps 5 --json
echo "smoke-test: ok"
