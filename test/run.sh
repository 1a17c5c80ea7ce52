#!/usr/bin/env bash
# test/run.sh - runs every test layer that exists, in data-path order, and
# prints one closing line: "N passed, N failed, N skipped".
#
# Each layer is test/<layer>/run.sh. It prints one line per test case:
#   PASS: <name>
#   FAIL: <name>: <why>
#   SKIP: <name>: <why>
# and exits non-zero if any case failed. Layers run in this order; set
# VIGIL_TEST_LAYERS="unit rules" to run a subset.
set -u
cd "$(dirname "$0")/.."
layers=${VIGIL_TEST_LAYERS:-"unit rules replay kbuild alert fuzz vm e2e"}
log_dir=build/test-logs
mkdir -p "$log_dir"
pass=0 fail=0 skip=0 bad_layers=()

for layer in $layers; do
  script=test/$layer/run.sh
  [ -f "$script" ] || continue
  echo "=== $layer"
  start=$(date +%s)
  bash "$script" 2>&1 | tee "$log_dir/$layer.log"
  rc=${PIPESTATUS[0]}
  p=$(grep -c '^PASS: ' "$log_dir/$layer.log")
  f=$(grep -c '^FAIL: ' "$log_dir/$layer.log")
  s=$(grep -c '^SKIP: ' "$log_dir/$layer.log")
  pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    echo "FAIL: $layer: layer exited $rc without naming a failed case"
    fail=$((fail + 1))
  fi
  [ "$rc" -ne 0 ] && bad_layers+=("$layer")
  echo "=== $layer: $p passed, $f failed, $s skipped ($(( $(date +%s) - start )) s)"
done

[ ${#bad_layers[@]} -gt 0 ] && echo "failed layers: ${bad_layers[*]}"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ] && [ ${#bad_layers[@]} -eq 0 ]
