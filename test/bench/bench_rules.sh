#!/usr/bin/env bash
# test/bench/bench_rules.sh - rule evaluation speed (index + VM + fields) on
# one core over 1M generated events, with Falco's stable rules (when
# ../shared/compat is there) plus vigil's rules/; then callgrind
# instruction counts of the hot path on 100k events.
set -u
cd "$(dirname "$0")/../.."
make -s -C userspace lib >/dev/null || { echo "bench_rules: build failed"; exit 1; }
B=build/release/test/bench
mkdir -p $B
PKGS="yaml-0.1 json-c libpcre2-8 libcurl libsystemd"
cc -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -Iuserspace -Ikmod $(pkg-config --cflags $PKGS) \
  -o $B/bench_rules test/bench/bench_rules.c build/release/libvigil.a $(pkg-config --libs $PKGS) -lm -lpthread || exit 1
files=()
F=../shared/compat/falco_rules.yaml
if [ -f "$F" ]; then files+=("$F"); else echo "note: $F absent, vigil rules only"; fi
files+=(rules/)
echo "--- evaluation, 1M events, one core (taskset -c 0)"
taskset -c 0 $B/bench_rules -n 1000000 "${files[@]}"
if command -v valgrind >/dev/null; then
  echo "--- callgrind, 100k events + 8192 warm-up (instructions per rules_eval call)"
  out=$B/callgrind.out
  valgrind --tool=callgrind --callgrind-out-file=$out $B/bench_rules -n 100000 "${files[@]}" >/dev/null 2>&1
  calls=108192
  callgrind_annotate --inclusive=yes $out 2>/dev/null |
    grep -E '(rules/engine.c:rules_eval|rules/vm.c:vm_run|rules/vm.c:run_cmp|rules/vm.c:slot_get|fields/fields.c:field_extract|rules/output.c:outfmt_render) \[' |
    awk -v c=$calls '{ ir = $1; gsub(",", "", ir); fn = $NF; for (i = 1; i <= NF; i++) if ($i ~ /:/ && $i ~ /\.c:/) fn = $i;
                       printf "  %-40s %8.0f Ir/event (inclusive)\n", fn, ir / c }'
fi
