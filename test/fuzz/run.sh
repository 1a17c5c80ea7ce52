#!/usr/bin/env bash
# test/fuzz/run.sh - builds every test/fuzz/fuzz_*.c as a libFuzzer binary
# (clang -fsanitize=fuzzer,address,undefined) against build/fuzz/libvigil.a
# (`make -C userspace fuzz`) and runs each for ${VIGIL_FUZZ_SECONDS:-20} s,
# one PASS/FAIL line per target.
#
# Target fuzz_<name>.c gets its seeds from test/fuzz/corpus/<name>/ (committed,
# small; read only). New inputs go to build/fuzz/test/fuzz/corpus-<name>/ so
# runs accumulate without touching the tree; a crash leaves its input as
# build/fuzz/test/fuzz/<target>-crash-* (reproduce: run the binary on it).
# VIGIL_FUZZ_ONLY=name runs just that target.
set -u
cd "$(dirname "$0")/../.."
secs=${VIGIL_FUZZ_SECONDS:-20}
B=build/fuzz
out=$B/test/fuzz
mkdir -p "$out"
if ! command -v clang >/dev/null; then
  echo "SKIP: fuzz: clang not installed (scripts/deps.sh installs it)"; exit 0
fi
if ! nice make -s -C userspace fuzz >"$out/build.log" 2>&1; then
  echo "FAIL: fuzz: build of libvigil (fuzz variant) failed"; sed 's/^/    /' "$out/build.log" | tail -20
  exit 1
fi
PKGS="yaml-0.1 json-c libpcre2-8 libcurl libsystemd"
CFLAGS="-std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -Wall -Wextra -Werror -Iuserspace -Ikmod $(pkg-config --cflags $PKGS)"
LIBS="$(pkg-config --libs $PKGS) -lm -lpthread"
rc=0
for src in test/fuzz/fuzz_*.c; do
  [ -f "$src" ] || continue
  target=$(basename "$src" .c)
  name=${target#fuzz_}
  [ -n "${VIGIL_FUZZ_ONLY:-}" ] && [ "$VIGIL_FUZZ_ONLY" != "$name" ] && continue
  bin=$out/$target
  if ! clang $CFLAGS -o "$bin" "$src" $B/libvigil.a $LIBS 2>"$bin.build.log"; then
    echo "FAIL: $target: does not build"; sed 's/^/    /' "$bin.build.log" | head -20; rc=1; continue
  fi
  work=$out/corpus-$name
  mkdir -p "$work"
  seeds=test/fuzz/corpus/$name
  dirs=("$work")
  [ -d "$seeds" ] && dirs+=("$seeds")
  log=$out/$target.log
  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
    nice "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$out/$target-" "${dirs[@]}" >"$log" 2>&1
  st=$?
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  if [ $st -eq 0 ]; then
    echo "PASS: $target: ${runs:-?} inputs in ${secs} s, corpus $(ls "$work" | wc -l) files"
  else
    art=$(sed -n 's/.*Test unit written to \([^ ]*\).*/\1/p' "$log" | head -1)
    why=$(grep -m1 -E 'ERROR: |SUMMARY: |runtime error' "$log" | sed 's/^==[0-9]*==//')
    echo "FAIL: $target: exit $st: ${why:-see $log}${art:+ (input: $art)}"
    grep -A12 -m1 -E 'ERROR: |runtime error' "$log" | sed 's/^/    /'
    rc=1
  fi
done
exit $rc
