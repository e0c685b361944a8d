#!/usr/bin/env bash
# Makes sure this machine has what `npm test` and `npm run demo` need, before they do any work:
#
#   scripts/setup.sh docker image postgres
#
#   docker    a Docker engine; a missing one is installed (Debian's docker.io) and started ALWAYS with
#             --iptables=false --ip-forward=false --bridge=none (no bridge, no NAT: sandboxes only get lo)
#   image     the sandbox image crucible/trainer-cpu:1, built offline and cached by a hash of its inputs
#   postgres  a PostgreSQL server for the test suites at 127.0.0.1:5432 (or CRUCIBLE_TEST_PG_URL)
#   kubectl   a kubectl whose `kubectl kustomize` renders k8s/base (the manifest tests); a missing one is
#             Debian's kubernetes-client (kubectl 1.20, kustomize v2: enough for k8s/base)
#   chromium  the system Chromium at /usr/bin/chromium that the dashboard's browser test drives
#             (Debian's chromium; nothing downloads a browser)
#
# What is already there and running is used as it is: never restarted, never reconfigured. Running it
# twice is a no-op. It installs only where it can do so without asking (root or passwordless sudo, with
# apt); anywhere else it stops before any work with the exact commands to run, and exits non-zero.
# CRUCIBLE_NO_SETUP=1 skips all of it (you manage the machine yourself).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

say() { echo "setup: $*" >&2; }

if [[ "${CRUCIBLE_NO_SETUP:-0}" == "1" ]]; then
  say "skipped (CRUCIBLE_NO_SETUP=1)"
  exit 0
fi

SUDO=""
if [[ "$(id -u)" != "0" ]]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo"; else SUDO="none"; fi
fi
can_install() { [[ "$SUDO" != "none" ]] && command -v apt-get >/dev/null; }
as_root() { if [[ -n "$SUDO" ]]; then sudo "$@"; else "$@"; fi; }

# Stops with the commands a person runs on this platform. $1: what is missing; the rest: per-platform lines.
cannot() {
  local what="$1"
  shift
  {
    echo
    echo "setup: $what is missing and this machine cannot install it without asking (needs root or"
    echo "       passwordless sudo, and apt). Run, then try again:"
    for line in "$@"; do echo "         $line"; done
    echo "       (or set CRUCIBLE_NO_SETUP=1 to skip these checks)"
    echo
  } >&2
  exit 1
}

APT_UPDATED=""
apt_install() {
  local eta="$1"
  shift
  say "installing $* from Debian's packages (usually $eta)"
  if [[ -z "$APT_UPDATED" ]]; then
    as_root apt-get update -qq
    APT_UPDATED=1
  fi
  # policy-rc.d keeps package scripts from starting daemons with their default flags (dockerd would
  # create a bridge); we start what we need ourselves.
  local guard=""
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' | as_root tee /usr/sbin/policy-rc.d >/dev/null
    as_root chmod +x /usr/sbin/policy-rc.d
    guard=1
  fi
  local log
  log="$(mktemp)"
  if ! as_root env DEBIAN_FRONTEND=noninteractive NEEDRESTART_MODE=l apt-get install -y -qq "$@" >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    if [[ -n "$guard" ]]; then as_root rm -f /usr/sbin/policy-rc.d; fi
    say "installing $* failed (apt's output above)"
    exit 1
  fi
  rm -f "$log"
  if [[ -n "$guard" ]]; then as_root rm -f /usr/sbin/policy-rc.d; fi
}

setup_docker() {
  if docker info >/dev/null 2>&1; then
    if pgrep -a dockerd 2>/dev/null | grep -q -- '--bridge=none'; then return 0; fi
    say "warning: a Docker engine is running without --bridge=none; using it as it is"
    return 0
  fi
  if ! command -v dockerd >/dev/null; then
    can_install || cannot "a Docker engine" \
      "Debian/Ubuntu: sudo apt-get install -y docker.io && sudo dockerd --iptables=false --ip-forward=false --bridge=none &" \
      "macOS:         install Docker Desktop (https://docs.docker.com/desktop/) and start it" \
      "other Linux:   install Docker Engine, then start it: sudo dockerd --iptables=false --ip-forward=false --bridge=none &"
    apt_install "15 s" docker.io
  fi
  [[ "$SUDO" != "none" ]] || cannot "a running Docker engine" \
    "Linux: sudo dockerd --iptables=false --ip-forward=false --bridge=none &   (and add yourself to the docker group)" \
    "macOS: start Docker Desktop"
  say "starting dockerd --iptables=false --ip-forward=false --bridge=none (log: /var/log/crucible-dockerd.log)"
  as_root sh -c 'nohup dockerd --iptables=false --ip-forward=false --bridge=none >/var/log/crucible-dockerd.log 2>&1 &'
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  say "dockerd did not start; see /var/log/crucible-dockerd.log"
  exit 1
}

# The image is tagged crucible/trainer-cpu:1 (what runs) and crucible/trainer-cpu:inputs-<hash> (which
# inputs built it): a change to the Dockerfile, the package list or the build script rebuilds it once.
setup_image() {
  local tag="${CRUCIBLE_SANDBOX_IMAGE:-crucible/trainer-cpu:1}"
  local inputs
  inputs="$(cat "$HERE/sandbox-images/trainer-cpu/Dockerfile" "$HERE/sandbox-images/trainer-cpu/packages.txt" "$HERE/scripts/build-trainer-image.sh" | sha256sum | cut -c1-16)"
  local cached="${tag%:*}:inputs-$inputs"
  if docker image inspect "$cached" >/dev/null 2>&1; then
    [[ "$(docker image inspect -f '{{.Id}}' "$cached")" == "$(docker image inspect -f '{{.Id}}' "$tag" 2>/dev/null)" ]] || docker tag "$cached" "$tag"
    return 0
  fi
  if ! command -v debootstrap >/dev/null; then
    can_install || cannot "debootstrap (to build the sandbox image offline)" "Debian/Ubuntu: sudo apt-get install -y debootstrap"
    apt_install "5 s" debootstrap
  fi
  say "building the sandbox image $tag from Debian packages (inputs $inputs; usually 3-5 minutes, once)"
  local started=$SECONDS
  FORCE=1 "$HERE/scripts/build-trainer-image.sh" "$tag" 2>&1 | progress
  docker tag "$tag" "$cached"
  say "sandbox image ready in $((SECONDS - started)) s"
}

# debootstrap prints thousands of lines: show one per stage and a heartbeat.
progress() {
  local last=$SECONDS stage=""
  while IFS= read -r line; do
    case "$line" in
      "I: Retrieving"*) stage="downloading packages" ;;
      "I: Validating"*) stage="checking packages" ;;
      "I: Extracting"*) stage="extracting" ;;
      "I: Unpacking"*) stage="unpacking" ;;
      "I: Configuring"*) stage="configuring" ;;
      "I: Base system installed"*) stage="importing into Docker" ;;
      "I: "* | "W: "*) continue ;;
      *) echo "  $line" >&2; continue ;;
    esac
    # debootstrap alternates between downloading and checking once per package: name a stage the
    # first time it comes, then only a heartbeat.
    if [[ " ${seen:-} " != *" $stage "* ]] || ((SECONDS - last >= 15)); then
      echo "  ... $stage ($((SECONDS - ${started:-0})) s)" >&2
      seen="${seen:-} $stage"
      last=$SECONDS
    fi
  done
}

setup_postgres() {
  if [[ -n "${CRUCIBLE_TEST_PG_URL:-}" ]]; then return 0; fi
  if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then return 0; fi
  if ! command -v pg_ctlcluster >/dev/null; then
    can_install || cannot "a PostgreSQL server for the tests" \
      "Debian/Ubuntu: sudo apt-get install -y postgresql && sudo pg_ctlcluster \$(ls /etc/postgresql) main start" \
      "macOS:         brew install postgresql@15 && brew services start postgresql@15" \
      "or point the tests at one: export CRUCIBLE_TEST_PG_URL=postgres://user:password@host:5432/postgres"
    apt_install "30 s" postgresql
    # A cluster this script just installed is ours to configure: trust local connections, as the
    # tests connect as postgres over 127.0.0.1 without a password.
    local hba
    hba="$(ls /etc/postgresql/*/main/pg_hba.conf | head -n1)"
    as_root sed -i -E 's/^(local|host)(\s+all\s+all\s+.*)\s(peer|scram-sha-256|md5)$/\1\2 trust/' "$hba"
    as_root sed -i -E 's/^(local\s+all\s+postgres\s+)peer$/\1trust/' "$hba"
  fi
  [[ "$SUDO" != "none" ]] || cannot "a running PostgreSQL server" "sudo pg_ctlcluster \$(ls /etc/postgresql | head -1) main start"
  local version
  version="$(ls /etc/postgresql | head -n1)"
  say "starting PostgreSQL $version (cluster main)"
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 -p 5432 && return 0
    sleep 0.5
  done
  say "PostgreSQL did not become ready on 127.0.0.1:5432"
  exit 1
}

setup_kubectl() {
  if command -v kubectl >/dev/null && kubectl kustomize "$HERE/k8s/base" >/dev/null 2>&1; then return 0; fi
  if command -v kubectl >/dev/null; then
    say "warning: $(command -v kubectl) cannot render k8s/base (kubectl kustomize failed); using it as it is"
    return 0
  fi
  can_install || cannot "kubectl (to render k8s/base in the manifest tests)" \
    "Debian/Ubuntu: sudo apt-get install -y kubernetes-client" \
    "macOS:         brew install kubectl" \
    "other:         https://kubernetes.io/docs/tasks/tools/"
  apt_install "10 s" kubernetes-client
}

setup_chromium() {
  if [[ -x /usr/bin/chromium ]]; then return 0; fi
  can_install || cannot "Chromium at /usr/bin/chromium (the dashboard's browser test)" \
    "Debian/Ubuntu: sudo apt-get install -y chromium" \
    "elsewhere:     install Chromium and link it to /usr/bin/chromium"
  apt_install "40 s" chromium
}

for what in "$@"; do
  case "$what" in
    docker) setup_docker ;;
    image) setup_docker && setup_image ;;
    postgres) setup_postgres ;;
    kubectl) setup_kubectl ;;
    chromium) setup_chromium ;;
    *)
      say "unknown component $what (docker, image, postgres, kubectl, chromium)"
      exit 2
      ;;
  esac
done
