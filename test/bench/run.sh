#!/usr/bin/env bash
# test/bench/run.sh - runs every benchmark test/bench/bench_*.sh (host side;
# guest_*.sh are scenarios they boot in a VM) and prints
# their figures. Benchmarks print numbers; they do not pass or fail.
set -u
cd "$(dirname "$0")/../.."
for b in test/bench/bench_*.sh; do
  [ -f "$b" ] || continue
  echo "=== $(basename "$b" .sh)"
  bash "$b" || echo "bench $(basename "$b") exited $?"
done
