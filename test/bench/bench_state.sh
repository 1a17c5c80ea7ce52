#!/usr/bin/env bash
# test/bench/bench_state.sh - memory (RSS) of the state with 10,000 processes
# x 50 fds, and events/s through state + fields (test/bench/bench_state.c).
# VIGIL_BENCH_PROCS / VIGIL_BENCH_FDS / VIGIL_BENCH_STATE_EVENTS change the sizes.
set -u
cd "$(dirname "$0")/../.."
make -s -C userspace lib >/dev/null || { echo "bench_state: build of libvigil failed"; exit 1; }
B=build/release
PKGS="yaml-0.1 json-c libpcre2-8 libcurl libsystemd"
mkdir -p $B/test/bench
cc -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -Iuserspace -Ikmod \
  -o $B/test/bench/bench_state test/bench/bench_state.c $B/libvigil.a \
  $(pkg-config --libs $PKGS) -lm -lpthread || { echo "bench_state: does not build"; exit 1; }
pin=()
command -v taskset >/dev/null && pin=(taskset -c 0)
"${pin[@]}" nice $B/test/bench/bench_state "${VIGIL_BENCH_PROCS:-10000}" "${VIGIL_BENCH_FDS:-50}" \
  "${VIGIL_BENCH_STATE_EVENTS:-1000000}"
