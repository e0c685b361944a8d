#!/usr/bin/env bash
# Builds the Crucible service image (images/crucible) and tags it.
#
#   scripts/build-service-image.sh [TAG]       TAG defaults to $CRUCIBLE_IMAGE or crucible/crucible:0.1.0
#   npm run image                              the same
#
# Cached by a hash of its inputs (like the trainer image in scripts/setup.sh): the image is also tagged
# crucible/crucible:inputs-<hash>, and a second run with the same inputs only re-tags it (about 1 s).
# Inputs: this script, images/crucible/*, package.json, package-lock.json, .npmrc, tsconfig*.json, every
# non-spec file under src/ and migrations/, datasets/, base-models/, web/ (the dashboard), sandbox-images/seccomp.json
# and the Node version.
# FORCE=1 rebuilds anyway. `--print-inputs-tag` prints the inputs tag and exits (tests use it).
#
# Three layers, each cached on its own:
#   1. the base (Debian bookworm + images/crucible/packages.txt + Node + user crucible 1000:1000),
#      crucible/crucible-base:inputs-<hash>. With a registry (base image pullable): `docker build` of
#      images/crucible/base.Dockerfile. Offline (this project's machines): debootstrap a rootfs with the
#      same packages, copy in this machine's Node binary (bookworm's nodejs is 18; Crucible needs
#      >= 20.19) and `docker import` it. BUILD_MODE=dockerfile|debootstrap forces one.
#   2. the production dependencies from `npm ci --omit=dev` (cached per package-lock.json hash), on the
#      base: crucible/crucible-deps:inputs-<hash> (images/crucible/deps.Dockerfile).
#   3. the app: compiled here (tsc into a staging folder, never the shared dist/), then `docker build` of
#      images/crucible/Dockerfile FROM the dependencies image (works offline: both are local). A source
#      change rebuilds only this layer, whose build context is a few MB.
# The staged node_modules hold native binaries (onnxruntime-node's CPU library) for the machine that
# builds: build on Linux x64 with glibc (any Debian/Ubuntu), like the nodes that run it.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CONTEXT="$HERE/images/crucible"
TAG="${1:-${CRUCIBLE_IMAGE:-crucible/crucible:0.1.0}}"
[[ "$TAG" == "--print-inputs-tag" ]] && TAG="${CRUCIBLE_IMAGE:-crucible/crucible:0.1.0}"
REPO="${TAG%:*}"
NODE_BIN="${NODE_BIN:-$(command -v node)}"
CACHE="${CRUCIBLE_IMAGE_CACHE:-/var/tmp/crucible-image-cache}"

say() { echo "image: $*" >&2; }

node_version="$("$NODE_BIN" --version)"
if ! "$NODE_BIN" -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>20||(a===20&&b>=19)?0:1)'; then
  say "Node $node_version at $NODE_BIN is too old for the image (needs >= 20.19); set NODE_BIN"
  exit 1
fi

hash_of() { sha256sum | cut -c1-16; }
base_inputs="$( (cat "$CONTEXT/base.Dockerfile" "$CONTEXT/packages.txt" "$HERE/scripts/build-service-image.sh"; echo "$node_version") | hash_of)"
lock_inputs="$(cat "$HERE/package.json" "$HERE/package-lock.json" "$HERE/.npmrc" | hash_of)"
app_inputs="$(
  cd "$HERE"
  {
    echo "$base_inputs $lock_inputs"
    find src migrations datasets base-models web -type f ! -name '*.spec.ts' | LC_ALL=C sort | xargs sha256sum
    sha256sum tsconfig.json tsconfig.build.json sandbox-images/seccomp.json "$CONTEXT/Dockerfile" "$CONTEXT/deps.Dockerfile" "$CONTEXT/crucible"
  } | hash_of
)"
CACHED="$REPO:inputs-$app_inputs"
BASE_TAG="$REPO-base:inputs-$base_inputs"
DEPS_TAG="$REPO-deps:inputs-$( (echo "$base_inputs $lock_inputs"; cat "$CONTEXT/deps.Dockerfile") | hash_of)"

if [[ "${1:-}" == "--print-inputs-tag" ]]; then
  echo "$CACHED"
  exit 0
fi

if [[ "${FORCE:-0}" != "1" ]] && docker image inspect "$CACHED" >/dev/null 2>&1; then
  [[ "$(docker image inspect -f '{{.Id}}' "$CACHED")" == "$(docker image inspect -f '{{.Id}}' "$TAG" 2>/dev/null)" ]] || docker tag "$CACHED" "$TAG"
  say "$TAG is up to date ($CACHED)"
  exit 0
fi
started=$SECONDS

# 1. The base.
if [[ "${FORCE:-0}" == "1" ]] || ! docker image inspect "$BASE_TAG" >/dev/null 2>&1; then
  mode="${BUILD_MODE:-}"
  if [[ -z "$mode" ]]; then
    if docker image inspect debian:bookworm-slim >/dev/null 2>&1 && docker image inspect node:20.20-bookworm-slim >/dev/null 2>&1; then
      mode=dockerfile
    elif timeout 30 docker pull node:20.20-bookworm-slim >/dev/null 2>&1 && timeout 30 docker pull debian:bookworm-slim >/dev/null 2>&1; then
      mode=dockerfile
    else
      mode=debootstrap
    fi
  fi
  say "building the base $BASE_TAG ($mode)"
  if [[ "$mode" == "dockerfile" ]]; then
    # --network host: apt inside the build needs the network even when dockerd runs with --bridge=none.
    docker build --network host -f "$CONTEXT/base.Dockerfile" -t "$BASE_TAG" "$CONTEXT"
  else
    command -v debootstrap >/dev/null || { say "debootstrap missing: apt-get install -y debootstrap"; exit 1; }
    mirror="${DEBIAN_MIRROR:-$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n1)}"
    mirror="${mirror:-http://deb.debian.org/debian}"
    packages="$(grep -v '^#' "$CONTEXT/packages.txt" | xargs | tr ' ' ',')"
    rootfs="$(mktemp -d /var/tmp/crucible-service-rootfs.XXXXXX)"
    trap 'rm -rf "$rootfs"' EXIT
    debootstrap --variant=minbase --include="$packages" bookworm "$rootfs" "$mirror"
    # Mirror of base.Dockerfile's RUN and COPY steps.
    chroot "$rootfs" /bin/sh -c 'groupadd -g 1000 crucible && useradd -u 1000 -g 1000 -M -d /data -s /usr/sbin/nologin crucible \
      && mkdir -p /app /data && chown 1000:1000 /data \
      && apt-get clean && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /usr/share/doc/* /usr/share/man/* /usr/share/info/* /usr/share/locale/* \
      && find / -xdev -type f -perm /6000 -exec chmod ug-s {} +'
    install -m 0755 "$NODE_BIN" "$rootfs/usr/local/bin/node"
    tar -C "$rootfs" -c . | docker import --message "crucible service base (debootstrap bookworm: $packages; node $node_version from $NODE_BIN)" - "$BASE_TAG"
    rm -rf "$rootfs"
    trap - EXIT
  fi
fi

# 2. The production dependencies: an image of their own (deps.Dockerfile), keyed by the base and the lockfile.
if [[ "${FORCE:-0}" == "1" ]] || ! docker image inspect "$DEPS_TAG" >/dev/null 2>&1; then
  mkdir -p "$CACHE"
  modules="$CACHE/node_modules-$lock_inputs"
  if [[ ! -d "$modules" ]]; then
    say "installing production dependencies (npm ci --omit=dev)"
    tmp="$(mktemp -d "$CACHE/npm.XXXXXX")"
    cp "$HERE/package.json" "$HERE/package-lock.json" "$HERE/.npmrc" "$tmp/"
    (cd "$tmp" && npm ci --omit=dev --no-audit --no-fund --prefer-offline --loglevel=error)
    # onnxruntime-node ships every platform's library; the image is Linux x64 and needs only that one.
    find "$tmp/node_modules/onnxruntime-node/bin/napi-v6" -mindepth 2 -maxdepth 2 -type d ! -path '*/linux/x64' -exec rm -rf {} +
    # Type declarations and source maps are never loaded at run time (about a third of the bytes).
    find "$tmp/node_modules" -type f \( -name '*.map' -o -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' \) -delete
    mv "$tmp/node_modules" "$modules"
    rm -rf "$tmp"
  fi
  say "building the dependencies layer $DEPS_TAG"
  # The cached folder is the build context itself (no copy of its ~330 MB into a stage first).
  docker build -q -f "$CONTEXT/deps.Dockerfile" --build-arg "BASE=$BASE_TAG" -t "$DEPS_TAG" "$modules" >/dev/null
  docker images --format '{{.Repository}}:{{.Tag}}' "$REPO-deps" | grep -vx "$DEPS_TAG" | xargs -r docker rmi >/dev/null 2>&1 || true
fi

# 3. The app, staged outside the shared working tree: only what changes with the sources.
stage="$(mktemp -d /var/tmp/crucible-service-stage.XXXXXX)"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/app/sandbox-images"
cp "$HERE/package.json" "$stage/app/"
cp "$HERE/sandbox-images/seccomp.json" "$stage/app/sandbox-images/"
cp "$CONTEXT/crucible" "$stage/crucible"
say "compiling into the staging folder"
(cd "$HERE" && node node_modules/typescript/bin/tsc -p tsconfig.build.json --outDir "$stage/app/dist" --sourceMap false)
cp -r "$HERE/datasets" "$stage/app/dist/datasets"
cp -r "$HERE/base-models" "$stage/app/dist/base-models"
# The dashboard the API role serves at / (dist/web, as `npm run build` makes it).
(cd "$HERE" && node node_modules/vite/bin/vite.js build --config web/vite.config.mts --outDir "$stage/app/dist/web" --emptyOutDir >/dev/null)
cp "$CONTEXT/Dockerfile" "$stage/Dockerfile"

say "building $TAG from $DEPS_TAG"
docker build -q --build-arg "BASE=$DEPS_TAG" --label "crucible.inputs=$app_inputs" -t "$TAG" "$stage" >/dev/null
docker tag "$TAG" "$CACHED"
# Earlier builds' inputs tags are stale: drop them so each source change does not leave an image behind.
docker images --format '{{.Repository}}:{{.Tag}}' "$REPO" | grep ':inputs-' | grep -vx "$CACHED" | xargs -r docker rmi >/dev/null 2>&1 || true
say "$TAG built in $((SECONDS - started)) s ($CACHED, $(docker image inspect -f '{{.Size}}' "$TAG" | awk '{printf "%.0f MB", $1/1e6}'))"
