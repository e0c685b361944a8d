#!/usr/bin/env bash
# What `npm test` runs before jest: the build (the suites start evaluation workers and the CLI from
# dist/), the type check and lint. The three are independent and each is mostly single-threaded, so
# they run side by side; each one's output is shown whole once it ends, and the first failure fails
# the whole (the others are still waited for and shown).
set -uo pipefail
cd "$(dirname "$0")/.."
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
declare -A pids
for step in build typecheck lint; do
  npm run "$step" --silent > "$logs/$step" 2>&1 &
  pids[$step]=$!
done
failed=0
for step in build typecheck lint; do
  if wait "${pids[$step]}"; then status=ok; else status=FAILED; failed=1; fi
  echo "== $step: $status"
  # A passing step's output is kept short (a build's file list is not news); a failure is shown whole.
  if [ "$status" = ok ]; then tail -n 5 "$logs/$step"; else cat "$logs/$step"; fi
done
exit "$failed"
