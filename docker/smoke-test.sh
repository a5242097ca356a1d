#!/usr/bin/env bash
# Smoke tests of the cnnlab image, with Docker or podman:
#   - it runs as the non-root user cnnlab, in its home, which owns the
#     notebooks, runs and data folders;
#   - `cnnlab backend info` reports the Go backend with simd on and the
#     patched backend's convolution kernel (in an image without plugins, on
#     an AVX2 or AVX-512 host), and a bad GOMLX_BACKEND is a clear error;
#   - the first-CNN lesson runs in its smoke preset and writes its report;
#   - Jupyter answers on 8888 only behind its token and lists the GoNB
#     kernel; every process in the container is the user's; the HEALTHCHECK
#     passes;
#   - a lesson notebook's first cell is timed in a fresh kernel, then the
#     notebook executes with nbconvert inside the container;
#   - with GPU=1 (Docker and the NVIDIA Container Toolkit): the image picks
#     xla:cuda and trains there (`cnnlab bench`), then on XLA's CPU plugin
#     and on the Go backend.
#
#   docker/smoke-test.sh                      # build cnnlab:smoke with docker, test it
#   IMAGE=cnnlab DATASET=cifar-10-binary.tar.gz docker/smoke-test.sh
#   ENGINE="podman --root DIR --runroot DIR" IMAGE=localhost/cnnlab:local docker/smoke-test.sh
#
# Environment: ENGINE (the container command; default docker, else podman),
# IMAGE (default: build cnnlab:smoke), DATASET (a CIFAR-10 copy on the host,
# mounted read-only; without one the lesson and notebook tests download the
# official release), PORT (host port for Jupyter, default 18888), OUTDIR
# (results: smoke.txt, the executed notebook; default out/image),
# GPU=1, COLD=1 (also time the first cell with an empty Go build cache).
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=go1.27.3

read -ra E <<<"${ENGINE:-}"
if [ ${#E[@]} -eq 0 ]; then
  if command -v docker >/dev/null 2>&1; then E=(docker); else E=(podman); fi
fi
engine=$(basename "${E[0]}")
image=${IMAGE:-}
if [ -z "$image" ]; then
  image=cnnlab:smoke
  "${E[@]}" build -f docker/Dockerfile -t "$image" .
fi
outdir=${OUTDIR:-out/image}
mkdir -p "$outdir"
port=${PORT:-18888}
token="smoke-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
report="$outdir/smoke.txt"
: >"$report"

say() { echo "smoke-test: $*" | tee -a "$report"; }
fail() { say "FAILED: $*"; exit 1; }
now() { date +%s; }

mounts=()
if [ -n "${DATASET:-}" ]; then
  [ -f "$DATASET" ] || fail "DATASET=$DATASET is not a file"
  mounts=(-v "$DATASET:/mnt/cifar10.tar.gz:ro" -e CNNLAB_DATASET=/mnt/cifar10.tar.gz)
fi
# One-off commands: no healthcheck (it is Jupyter's; podman would also try
# to schedule it with systemd).
run() { "${E[@]}" run --rm --no-healthcheck "${mounts[@]}" "$image" "$@"; }
# Jupyter in the background, with its healthcheck (podman without systemd
# says it cannot schedule it: `podman healthcheck run` runs it below).
start() { "${E[@]}" run -d "$@" 2> >(grep -v 'unable to get systemd connection' >&2); }
# One at a time: podman 4.3's `rm -f A B` removes neither when B is gone.
remove() { local c; for c in "$@"; do [ -z "$c" ] || "${E[@]}" rm -f "$c" >/dev/null 2>&1 || true; done; }

say "image $image with $engine"

# The user, its home, its folders.
who=$(run bash -c 'echo "$(id -un) $(id -u) $PWD"; stat -c %U ~/notebooks ~/runs ~/data ~/go | sort -u')
echo "$who"
read -r user uid cwd <<<"$(head -1 <<<"$who")"
[ "$user" = cnnlab ] && [ "$uid" != 0 ] && [ "$cwd" = /home/cnnlab ] || fail "runs as $user ($uid) in $cwd; want cnnlab, not root, in /home/cnnlab"
[ "$(tail -n +2 <<<"$who")" = cnnlab ] || fail "notebooks/, runs/, data/, go/ in the home are not all cnnlab's"
say "ok: user $user (uid $uid), working folder $cwd, owns notebooks/ runs/ data/"

# The backend.
info=$(run cnnlab backend info --json)
head -9 <<<"$info"
if [ "${GPU:-0}" != 1 ]; then
  grep -q '"config": "go' <<<"$info" && grep -q '"simd": true' <<<"$info" \
    || fail "cnnlab backend info: want the Go backend with simd on"
  grep -q '"patched": true' <<<"$info" || fail "cnnlab backend info: want the patched GoMLX backend (scripts/patch-gomlx)"
  kernel=$(sed -n 's/.*"conv_kernel": "\(.*\)".*/\1/p' <<<"$info")
  if grep -qw -e avx2 -e avx512f /proc/cpuinfo; then
    [ -n "$kernel" ] || fail "cnnlab backend info: no conv kernel on a host with AVX2"
  fi
  say "ok: backend $(sed -n 's/.*"config": "\(.*\)".*/\1/p' <<<"$info"), simd on, patched, conv kernel ${kernel:-none}"
fi
if msg=$("${E[@]}" run --rm --no-healthcheck --network none -e GOMLX_BACKEND=bogus "$image" cnnlab backend info 2>&1); then
  fail "GOMLX_BACKEND=bogus: cnnlab backend info succeeded"
fi
echo "$msg"
grep -q 'valid values' <<<"$msg" || fail "GOMLX_BACKEND=bogus: the error lists no valid values"
say "ok: a bad GOMLX_BACKEND is a clear error"

# The first-CNN lesson, smoke preset.
t=$(now)
out=$(run bash -c 'set -eo pipefail; cnnlab lesson run first-cnn --preset smoke --out ~/runs 2>&1 | tail -5; r=$(ls ~/runs/smoke/first-cnn/report.html); test -s "$r"')
echo "$out"
grep -q '^report: ' <<<"$out" || fail "lesson run first-cnn printed no report"
say "ok: lesson first-cnn (smoke) ran and wrote its report in $(( $(now) - t )) s"

# Jupyter, as users start it.
cid=$(start -p "127.0.0.1:$port:8888" -e JUPYTER_TOKEN="$token" -e CNNLAB_PRESET=smoke "${mounts[@]}" "$image")
cleanup() { remove "$cid"; }
trap cleanup EXIT
url="http://127.0.0.1:$port"
t=$(now)
until curl -fsS -m 2 -o /dev/null "$url/api" 2>/dev/null; do
  if [ $(( $(now) - t )) -gt 90 ]; then
    "${E[@]}" logs "$cid" | tail -20
    fail "Jupyter did not answer on $url within 90 s"
  fi
  sleep 1
done
say "ok: Jupyter answers on $url (container port 8888) after $(( $(now) - t )) s"
code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' "$url/api/kernelspecs")
[ "$code" = 403 ] || [ "$code" = 401 ] || fail "GET /api/kernelspecs without the token: HTTP $code, want 401/403"
code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' "$url/api/kernelspecs?token=wrong-$token")
[ "$code" = 403 ] || [ "$code" = 401 ] || fail "GET /api/kernelspecs with a wrong token: HTTP $code"
specs=$(curl -fsS -m 5 -H "Authorization: token $token" "$url/api/kernelspecs")
grep -q '"gonb"' <<<"$specs" || fail "the GoNB kernel is not listed: $specs"
login=$(curl -s -m 5 -o /dev/null -w '%{http_code} %{redirect_url}' "$url/tree")
case "$login" in 302*login*) ;; *) fail "GET /tree without the token: $login, want a redirect to the login page" ;; esac
say "ok: without the token the API answers $code-style refusals and /tree redirects to login; with it, kernels listed: gonb"
# (Outputs captured first: `cmd | grep -q` fails under pipefail when grep
# stops reading early.)
logs=$("${E[@]}" logs "$cid" 2>&1)
grep -q "cnnlab-jupyter: open http://127.0.0.1:8888/ and log in with the token from JUPYTER_TOKEN" <<<"$logs" \
  || fail "cnnlab-jupyter did not say how to log in"

# The other two ways in: a generated token (printed), and a password.
c2=$(start -p "127.0.0.1:$((port + 1)):8888" "$image")
c3=$(start -p "127.0.0.1:$((port + 2)):8888" -e JUPYTER_PASSWORD="pw-$token" "$image")
cleanup() { remove "$cid" "$c2" "$c3"; }
t=$(now)
until curl -fsS -m 2 -o /dev/null "http://127.0.0.1:$((port + 1))/api" 2>/dev/null \
  && curl -fsS -m 2 -o /dev/null "http://127.0.0.1:$((port + 2))/api" 2>/dev/null; do
  [ $(( $(now) - t )) -lt 90 ] || fail "the Jupyter containers with a generated token / a password did not start"
  sleep 1
done
gen=$("${E[@]}" logs "$c2" 2>&1 | sed -n 's|^cnnlab-jupyter: open http://127.0.0.1:8888/?token=\([0-9a-f]*\) .*|\1|p')
[ ${#gen} -ge 32 ] || fail "no generated token printed"
curl -fsS -m 5 -o /dev/null "http://127.0.0.1:$((port + 1))/api/kernelspecs?token=$gen" || fail "the printed token does not let in"
code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$((port + 1))/api/kernelspecs")
[ "$code" = 403 ] || [ "$code" = 401 ] || fail "generated token: the API answers HTTP $code without it"
jar=$(mktemp)
login() { # password -> HTTP code of the login POST
  rm -f "$jar"
  curl -s -m 5 -c "$jar" -b "$jar" -o /dev/null "http://127.0.0.1:$((port + 2))/login"
  curl -s -m 5 -c "$jar" -b "$jar" -o /dev/null -w '%{http_code}' \
    --data-urlencode "password=$1" --data-urlencode "_xsrf=$(awk '$6 == "_xsrf" {print $7}' "$jar")" \
    "http://127.0.0.1:$((port + 2))/login"
}
[ "$(login "wrong-$token")" = 401 ] || fail "a wrong password is not refused"
[ "$(login "pw-$token")" = 302 ] || fail "the password from JUPYTER_PASSWORD does not let in"
curl -fsS -m 5 -b "$jar" -o /dev/null "http://127.0.0.1:$((port + 2))/api/kernelspecs" || fail "logged in with the password, the API refuses"
rm -f "$jar"
env3=$("${E[@]}" exec "$c3" bash -c 'for p in /proc/[0-9]*; do [ "$(cat $p/comm)" = jupyter-noteboo ] && tr "\0" "\n" <$p/environ; done; true')
grep -q '^JUPYTER_TOKEN=' <<<"$env3" || fail "could not read Jupyter's environment"
if grep -q '^JUPYTER_PASSWORD=' <<<"$env3"; then fail "JUPYTER_PASSWORD is in Jupyter's environment"; fi
remove "$c2" "$c3"
say "ok: with no JUPYTER_TOKEN a generated token is printed and needed; JUPYTER_PASSWORD logs in (a wrong one does not) and is not in Jupyter's environment"

users=$("${E[@]}" exec "$cid" bash -c 'for p in /proc/[0-9]*; do stat -c %U "$p" 2>/dev/null; done | sort -u')
[ "$users" = cnnlab ] || fail "processes in the container run as: $users"
main=$("${E[@]}" exec "$cid" bash -c 'for p in /proc/[0-9]*; do tr "\0" " " <"$p/cmdline"; echo; done' | grep -c 'jupyter-notebook\|jupyter notebook' || true)
[ "$main" -ge 1 ] || fail "no Jupyter process found"
say "ok: every process in the container runs as cnnlab"

case "$engine" in
  podman)
    [ -n "$("${E[@]}" image inspect --format '{{.Config.Healthcheck}}' "$image" | grep cnnlab-healthcheck)" ] \
      || fail "the image has no HEALTHCHECK (was it built with --format docker?)"
    "${E[@]}" healthcheck run "$cid" >/dev/null 2> >(grep -v 'unable to get systemd connection' >&2) \
      || fail "the HEALTHCHECK failed"
    ;;
  *)
    t=$(now)
    until [ "$("${E[@]}" inspect --format '{{.State.Health.Status}}' "$cid")" = healthy ]; do
      [ $(( $(now) - t )) -lt 120 ] || fail "the container is not healthy after 120 s"
      sleep 5
    done
    ;;
esac
say "ok: the HEALTHCHECK passes"

# A lesson notebook: its first cell timed in a fresh kernel (what a user who
# opens it waits for), then the whole notebook executed with nbconvert.
nb=notebooks/01-data.ipynb
first=$("${E[@]}" exec "$cid" python3 /opt/cnnlab/docker/first-cell.py "$nb" 1) || fail "first cell of $nb: $first"
say "first cell of $nb (warm cache): $first"
if [ "${COLD:-0}" = 1 ]; then
  cold=$("${E[@]}" exec "$cid" python3 /opt/cnnlab/docker/first-cell.py --cold "$nb" 1) || fail "first cell, cold: $cold"
  say "first cell of $nb (empty Go build cache): $cold"
fi
t=$(now)
"${E[@]}" exec "$cid" jupyter nbconvert --to notebook --execute --ExecutePreprocessor.timeout=1800 \
  --log-level WARN --output-dir /tmp/nb "$nb" >"$outdir/nbconvert.log" 2>&1 \
  || { tail -30 "$outdir/nbconvert.log"; fail "$nb did not execute inside the container (log: $outdir/nbconvert.log)"; }
"${E[@]}" cp "$cid:/tmp/nb/$(basename "$nb")" "$outdir/" || true
say "ok: $nb executed inside the container with nbconvert in $(( $(now) - t )) s (copy in $outdir/)"

if [ "${GPU:-0}" = 1 ]; then
  gpu() { "${E[@]}" run --rm --no-healthcheck --gpus all "$image" "$@"; }
  info=$(gpu cnnlab backend info --json)
  echo "$info"
  grep -q '"config": "xla:cuda"' <<<"$info" || fail "with a GPU the image did not choose xla:cuda"
  gpu cnnlab bench --model baseline --batch 64 --steps 20 --json | tee -a "$report"
  "${E[@]}" run --rm --no-healthcheck -e GOMLX_BACKEND=xla:cpu "$image" cnnlab bench --model baseline --batch 64 --steps 5 --json | tee -a "$report"
  "${E[@]}" run --rm --no-healthcheck -e GOMLX_BACKEND=go:parallelism=-1 "$image" cnnlab bench --model baseline --batch 64 --steps 5 --json | tee -a "$report"
  say "ok: xla:cuda, xla:cpu and go benches ran"
fi
say "all passed"
