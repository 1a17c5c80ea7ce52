#!/usr/bin/env bash
# test/bench/bench_decode.sh - events/s of decode, the ring consumer path
# (merge of 4 rings), rendering, and capture write/read, on one core
# (test/bench/bench_decode.c against build/release/libvigil.a).
# VIGIL_BENCH_EVENTS sets the record count (default 2000000).
set -u
cd "$(dirname "$0")/../.."
make -s -C userspace lib >/dev/null || { echo "bench_decode: build of libvigil failed"; exit 1; }
B=build/release
PKGS="yaml-0.1 json-c libpcre2-8 libcurl libsystemd"
mkdir -p $B/test/bench
cc -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -Iuserspace -Ikmod \
  -o $B/test/bench/bench_decode test/bench/bench_decode.c $B/libvigil.a \
  $(pkg-config --libs $PKGS) -lm -lpthread || { echo "bench_decode: does not build"; exit 1; }
tmp=$(mktemp /tmp/vigil-bench-XXXXXX.vcap)
trap 'rm -f "$tmp"' EXIT
pin=()
command -v taskset >/dev/null && pin=(taskset -c 0)	# one core
"${pin[@]}" nice $B/test/bench/bench_decode "${VIGIL_BENCH_EVENTS:-2000000}" "$tmp"
