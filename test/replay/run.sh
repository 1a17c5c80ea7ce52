#!/usr/bin/env bash
# test/replay/run.sh - the whole userspace pipeline on capture files.
#
# Builds the fixture generator (test/replay/gen_fixtures.c, real builder and
# capture writer), writes the fixtures into build/replay/, replays each with
# test/replay/rules.yaml and compares the JSON alerts with
# test/replay/expected/<fixture>.json, byte for byte. Each fixture is
# replayed twice: the two outputs must be identical (determinism).
#
#   UPDATE=1 bash test/replay/run.sh   rewrites the expected files (review
#                                      the diff before committing it)
set -u
cd "$(dirname "$0")/../.."
out=build/replay
mkdir -p "$out"
rc=0
if ! make -s -C userspace >"$out/build.log" 2>&1; then
  echo "FAIL: replay: userspace build failed"; sed 's/^/    /' "$out/build.log" | tail -20; exit 1
fi
if ! cc -std=c11 -D_GNU_SOURCE -O1 -g -Wall -Wextra -Werror -Iuserspace -Ikmod -Itest/unit \
     $(pkg-config --cflags json-c) -o "$out/gen_fixtures" test/replay/gen_fixtures.c \
     build/release/libvigil.a $(pkg-config --libs json-c) 2>"$out/gen.log"; then
  echo "FAIL: replay: gen_fixtures does not build"; sed 's/^/    /' "$out/gen.log" | head -20; exit 1
fi
if ! "$out/gen_fixtures" "$out" 2>"$out/gen.log"; then
  echo "FAIL: replay: gen_fixtures: $(head -1 "$out/gen.log")"; exit 1
fi
replay() {
  ./userspace/vigil replay "$1" -r test/replay/rules.yaml --json --hostname replay-host \
    --root test/replay/root 2>"$2"
}
for exp in test/replay/expected/*.json; do
  name=$(basename "$exp" .json)
  cap=$out/$name.vcap
  if [ ! -f "$cap" ]; then echo "FAIL: replay/$name: the generator made no $cap"; rc=1; continue; fi
  if ! replay "$cap" "$out/$name.err" >"$out/$name.out"; then
    echo "FAIL: replay/$name: vigil replay failed: $(tail -1 "$out/$name.err")"; rc=1; continue
  fi
  replay "$cap" /dev/null >"$out/$name.out2"
  if [ -n "${UPDATE:-}" ]; then cp "$out/$name.out" "$exp"; fi
  if ! cmp -s "$out/$name.out" "$out/$name.out2"; then
    echo "FAIL: replay/$name: two replays of the same file differ"; rc=1
  elif ! cmp -s "$out/$name.out" "$exp"; then
    echo "FAIL: replay/$name: alerts differ from $exp"
    diff "$exp" "$out/$name.out" | head -10 | sed 's/^/    /'; rc=1
  elif [ ! -s "$exp" ]; then
    echo "FAIL: replay/$name: no alert expected: a fixture must prove something"; rc=1
  else
    echo "PASS: replay/$name ($(wc -l <"$exp") alerts)"
  fi
done
# every fixture the generator makes has an expected file
for cap in "$out"/*.vcap; do
  name=$(basename "$cap" .vcap)
  [ -f "test/replay/expected/$name.json" ] || { echo "FAIL: replay/$name: no expected/$name.json"; rc=1; }
done
# --hostname is the only thing that changes the output
cap=$out/dup_fds.vcap
if [ -f "$cap" ]; then
  ./userspace/vigil replay "$cap" -r test/replay/rules.yaml --json --hostname other \
    --root test/replay/root 2>/dev/null | sed 's/"hostname":"other"/"hostname":"replay-host"/' >"$out/host.out"
  if cmp -s "$out/host.out" test/replay/expected/dup_fds.json; then
    echo "PASS: replay/hostname_option"
  else
    echo "FAIL: replay/hostname_option: output differs beyond the hostname"; rc=1
  fi
fi
exit $rc
