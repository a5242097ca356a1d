#!/usr/bin/env bash
# Builds the project's image with podman on a machine without a Docker engine
# or Docker Hub (this project's development and CI machines), from the same
# docker/Dockerfile that users build with Docker, then runs
# docker/smoke-test.sh on it (`make image`; .ci/run calls it).
#
#   docker/build-local.sh              # bases if missing, the image, smoke tests
#   docker/build-local.sh --no-smoke   # build only
#   docker/build-local.sh --bases      # only the two local bases
#   docker/build-local.sh --check      # exit 0 if it can build here, else 3
#
# Docker Hub being out of reach, the Dockerfile's `FROM golang:1.27-bookworm`
# resolves to a local stand-in (docker/golang-standin.Dockerfile) tagged
# localhost/golang:1.27-bookworm, built on a Debian bookworm made here with
# debootstrap (localhost/bookworm-base); both are kept and reused.
#
# Environment:
#   CNNLAB_PODMAN_DIR  podman's storage and work folder (default
#                      /var/tmp/cnnlab-podman; kept outside the checkout, whose
#                      Go tests walk every folder)
#   IMAGE              the tag to build (default localhost/cnnlab:local)
#   PJRT_PLUGINS       build argument (default "": the plugins' hosts, GitHub
#                      and PyPI, are not reachable here)
#   CNNLAB_DATASET     CIFAR-10 copy for the smoke tests (default the shared
#                      JPEG archive ../shared/datasets/cifar10-jpeg.tar.gz)
#
# Needs root (or sudo) and Debian's podman, runc and debootstrap, which it
# installs with apt-get when missing. Exits 3 when it cannot build here (no
# root, no apt-get); any other failure exits 1.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export GOTOOLCHAIN=go1.27.3

smoke=1
bases_only=0
check=0
for a in "$@"; do
  case "$a" in
    --no-smoke) smoke=0 ;;
    --bases) bases_only=1 ;;
    --check) check=1 ;;
    *) echo "usage: docker/build-local.sh [--no-smoke|--bases|--check]" >&2; exit 2 ;;
  esac
done

if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    exec sudo -E "$0" "$@"
  fi
  echo "build-local: needs root (rootful podman) or passwordless sudo" >&2
  exit 3
fi
if [ "$check" = 1 ]; then
  for c in podman runc debootstrap; do
    command -v "$c" >/dev/null 2>&1 || command -v apt-get >/dev/null 2>&1 \
      || { echo "build-local: no $c and no apt-get to install it" >&2; exit 3; }
  done
  exit 0
fi

log() { echo "build-local: $*"; }
now() { date +%s; }
t0=$(now)

# Debian packages: podman with runc (crun cannot set rlimits in some VMs),
# debootstrap for the base.
pkgs=()
for c in podman runc debootstrap; do command -v "$c" >/dev/null 2>&1 || pkgs+=("$c"); done
if [ ${#pkgs[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "build-local: need ${pkgs[*]} and there is no apt-get here" >&2
    exit 3
  fi
  log "installing podman runc debootstrap (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends podman runc debootstrap uidmap \
    fuse-overlayfs slirp4netns netavark aardvark-dns iptables >/dev/null
fi

w=${CNNLAB_PODMAN_DIR:-/var/tmp/cnnlab-podman}
mkdir -p "$w"
# Explicit ulimits (podman's default nofile of 1048576 is refused in some
# VMs) and runc, through a containers.conf of our own.
nofile=$(ulimit -Hn)
[ "$nofile" = unlimited ] && nofile=1048576
cat >"$w/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=32768:32768"]

[engine]
runtime = "runc"

[network]
network_backend = "netavark"
EOF
export CONTAINERS_CONF="$w/containers.conf"
P=(podman --root "$w/storage" --runroot "$w/run")
log "$(podman --version), packages ready after $(( $(now) - t0 )) s"

# 1. A Debian bookworm base made here.
if ! "${P[@]}" image exists localhost/bookworm-base; then
  t=$(now)
  log "debootstrap bookworm (minbase)"
  rm -rf "$w/rootfs"
  debootstrap --variant=minbase bookworm "$w/rootfs" http://deb.debian.org/debian >"$w/debootstrap.log" 2>&1 \
    || { tail -20 "$w/debootstrap.log" >&2; exit 1; }
  tar -C "$w/rootfs" --numeric-owner -c . | "${P[@]}" import --quiet --change 'CMD ["/bin/bash"]' - localhost/bookworm-base >/dev/null
  rm -rf "$w/rootfs"
  log "localhost/bookworm-base in $(( $(now) - t )) s"
fi

# 2. The stand-in for golang:1.27-bookworm, with the Go 1.27.3 toolchain the
# go command fetched here (GOTOOLCHAIN) and the host's extra CA certificates.
if ! "${P[@]}" image exists localhost/golang:1.27-bookworm; then
  t=$(now)
  goroot=$(go env GOROOT)
  case "$(go env GOVERSION)" in
    go1.27.3) ;;
    *) echo "build-local: go env GOVERSION is $(go env GOVERSION), want go1.27.3" >&2; exit 1 ;;
  esac
  ctx="$w/ctx-golang"
  rm -rf "$ctx"
  mkdir -p "$ctx/certs"
  cp docker/golang-standin.Dockerfile "$ctx/Dockerfile"
  for c in /usr/local/share/ca-certificates/*.crt; do [ -f "$c" ] && cp "$c" "$ctx/certs/"; done
  cp -al "$goroot" "$ctx/go" 2>/dev/null || cp -a "$goroot" "$ctx/go"
  "${P[@]}" build --format docker --pull=never -t localhost/golang:1.27-bookworm "$ctx" >"$w/golang-standin.log" 2>&1 \
    || { tail -30 "$w/golang-standin.log" >&2; exit 1; }
  rm -rf "$ctx"
  log "localhost/golang:1.27-bookworm in $(( $(now) - t )) s"
fi
[ "$bases_only" = 1 ] && exit 0

# 3. The project's image: docker/Dockerfile as users build it.
image=${IMAGE:-localhost/cnnlab:local}
plugins=${PJRT_PLUGINS-}
mkdir -p out/image
t=$(now)
log "building $image (PJRT_PLUGINS=\"$plugins\"); log in out/image/build.log"
if ! "${P[@]}" build --format docker --pull=never -f docker/Dockerfile \
  --build-arg PJRT_PLUGINS="$plugins" -t "$image" . >out/image/build.log 2>&1; then
  tail -40 out/image/build.log >&2
  echo "build-local: the image build FAILED (out/image/build.log)" >&2
  exit 1
fi
build_s=$(( $(now) - t ))
size=$("${P[@]}" image inspect --format '{{.Size}}' "$image")
log "built $image in $build_s s; size $size bytes ($(( size / 1000000 )) MB)"
{
  echo "image=$image"
  echo "build_seconds=$build_s"
  echo "size_bytes=$size"
  echo "cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) CPUs"
} >out/image/build.txt

# 4. Smoke tests inside the image.
if [ "$smoke" = 1 ]; then
  data=${CNNLAB_DATASET:-}
  if [ -z "$data" ] && [ -f ../shared/datasets/cifar10-jpeg.tar.gz ]; then
    data="$(cd ../shared/datasets && pwd)/cifar10-jpeg.tar.gz"
  fi
  t=$(now)
  ENGINE="podman --root $w/storage --runroot $w/run" IMAGE="$image" DATASET="$data" \
    OUTDIR="$root/out/image" docker/smoke-test.sh
  log "smoke tests in $(( $(now) - t )) s"
fi
log "done in $(( $(now) - t0 )) s"
