#!/usr/bin/env bash
# Builds the CPU trainer image (sandbox-images/trainer-cpu) and tags it.
#
#   scripts/build-trainer-image.sh [TAG]        TAG defaults to $CRUCIBLE_SANDBOX_IMAGE or crucible/trainer-cpu:1
#
# Idempotent: does nothing when TAG already exists in the local engine (FORCE=1 rebuilds).
# Two paths, chosen automatically, same result (Debian bookworm, Python 3, PyTorch, ONNX, NumPy from
# Debian's packages, user trainer 1000:1000, /tmp 1777, dirs /task /data /output /scratch, no setuid or
# setgid file):
#   - registry reachable (base image present or pullable): plain `docker build` of the Dockerfile;
#   - offline (this project's machines): debootstrap a rootfs with the same packages and
#     `docker import` it with the Dockerfile's USER/WORKDIR/ENV. BUILD_MODE=dockerfile|debootstrap forces one.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CONTEXT="$HERE/sandbox-images/trainer-cpu"
TAG="${1:-${CRUCIBLE_SANDBOX_IMAGE:-crucible/trainer-cpu:1}}"
BASE="$(sed -n 's/^FROM \([^ ]*\).*/\1/p' "$CONTEXT/Dockerfile" | head -n1)"
# Same package set as the Dockerfile (kept in one file so both paths agree).
PACKAGES="$(grep -v '^#' "$CONTEXT/packages.txt" | tr '\n' ' ' | xargs)"

if [[ "${FORCE:-0}" != "1" ]] && docker image inspect "$TAG" >/dev/null 2>&1; then
  echo "image $TAG exists; skipping build"
  exit 0
fi

mode="${BUILD_MODE:-}"
if [[ -z "$mode" ]]; then
  if docker image inspect "$BASE" >/dev/null 2>&1 || timeout 30 docker pull "$BASE" >/dev/null 2>&1; then
    mode=dockerfile
  else
    mode=debootstrap
  fi
fi
echo "building $TAG ($mode)"

if [[ "$mode" == "dockerfile" ]]; then
  # --network host: apt inside the build needs the network even when dockerd runs with --bridge=none.
  docker build --network host -t "$TAG" "$CONTEXT"
  exit 0
fi

command -v debootstrap >/dev/null || { echo "debootstrap missing: apt-get install -y debootstrap" >&2; exit 1; }
MIRROR="${DEBIAN_MIRROR:-$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n1)}"
MIRROR="${MIRROR:-http://deb.debian.org/debian}"
ROOTFS="$(mktemp -d /var/tmp/crucible-trainer-rootfs.XXXXXX)"
trap 'rm -rf "$ROOTFS"' EXIT

debootstrap --variant=minbase --include="$(echo "$PACKAGES" | tr ' ' ',')" bookworm "$ROOTFS" "$MIRROR"
# Mirror of the Dockerfile's RUN step.
chroot "$ROOTFS" /bin/sh -c 'groupadd -g 1000 trainer && useradd -u 1000 -g 1000 -M -d /workspace -s /usr/sbin/nologin trainer \
  && mkdir -p /task /data/train /output /scratch /workspace && chmod 1777 /tmp /scratch \
  && chown 1000:1000 /output /workspace && apt-get clean && rm -rf /var/lib/apt/lists/* /var/cache/apt/* \
  && find / -xdev -type f -perm /6000 -exec chmod ug-s {} +'
tar -C "$ROOTFS" -c . | docker import \
  --change 'USER 1000:1000' \
  --change 'WORKDIR /workspace' \
  --change 'ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 HOME=/tmp OMP_NUM_THREADS=1 LANG=C.UTF-8' \
  --change 'CMD ["/bin/sh"]' \
  --message "crucible trainer-cpu (debootstrap bookworm: $PACKAGES)" \
  - "$TAG"
docker image inspect "$TAG" --format 'built {{.Id}}'
