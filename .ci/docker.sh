#!/usr/bin/env bash
# Makes a Docker engine and the CPU trainer image available for the sandbox suites.
#   .ci/docker.sh            install docker.io + debootstrap if missing, start dockerd, build the image
# dockerd is ALWAYS started with --iptables=false --ip-forward=false --bridge=none: no bridge, no NAT,
# containers get only `lo` (the sandbox runs with --network none anyway).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

need=()
command -v dockerd >/dev/null || need+=(docker.io)
command -v debootstrap >/dev/null || need+=(debootstrap)
if ((${#need[@]})); then
  # Keep the package's init scripts from starting dockerd with default flags (that would create a bridge).
  guard=""
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && guard=1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
  if [[ -n "$guard" ]]; then rm -f /usr/sbin/policy-rc.d; fi
fi

if ! docker info >/dev/null 2>&1; then
  mkdir -p /var/log
  nohup dockerd --iptables=false --ip-forward=false --bridge=none >/var/log/crucible-dockerd.log 2>&1 &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 0.5
  done
  docker info >/dev/null 2>&1 || { echo "dockerd did not start; see /var/log/crucible-dockerd.log" >&2; exit 1; }
elif ! pgrep -a dockerd | grep -q -- '--bridge=none'; then
  echo "warning: a dockerd is already running without --bridge=none; not touching it" >&2
fi

"$HERE/scripts/build-trainer-image.sh" "${CRUCIBLE_SANDBOX_IMAGE:-crucible/trainer-cpu:1}"
