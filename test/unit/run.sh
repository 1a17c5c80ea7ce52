#!/usr/bin/env bash
# test/unit/run.sh - builds and runs every Check suite test/unit/test_*.c
# against libvigil.a built with ASan+UBSan, and prints one PASS/FAIL line
# per Check test case (parsed from Check's verbose output).
set -u
cd "$(dirname "$0")/../.."
make -s -C userspace asan >/dev/null || { echo "FAIL: unit: build of libvigil (asan) failed"; exit 1; }
B=build/asan
CFLAGS="-std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all -Wall -Wextra -Werror -Iuserspace -Ikmod $(pkg-config --cflags check yaml-0.1 json-c libpcre2-8)"
LIBS="$(pkg-config --libs check yaml-0.1 json-c libpcre2-8 libcurl libsystemd) -lm -lpthread"
rc=0
mkdir -p $B/test/unit
for src in test/unit/test_*.c; do
  [ -f "$src" ] || continue
  name=$(basename "$src" .c)
  bin=$B/test/unit/$name
  # a suite may ask for link flags with a comment line " * unit-ldflags: ..."
  extra=$(sed -n 's|^ \* unit-ldflags: \(.*\)$|\1|p' "$src")
  if ! cc $CFLAGS -o "$bin" "$src" $B/libvigil.a $LIBS $extra 2>"$bin.build.log"; then
    echo "FAIL: $name: does not build"; sed 's/^/    /' "$bin.build.log" | head -20; rc=1; continue
  fi
  # CK_FORK=no keeps ASan reports in this process; verbose lists each case.
  out=$(cd test/unit && CK_FORK=no CK_VERBOSITY=verbose ASAN_OPTIONS=detect_leaks=1 "../../$bin" 2>&1); st=$?
  printf '%s\n' "$out" | awk -v n="$name" -F: '
    $3 == "P" { printf "PASS: %s/%s\n", n, $5 }
    $3 == "F" || $3 == "E" { m = $0; for (i = 0; i < 6; i++) sub(/^[^:]*:/, "", m);
                             printf "FAIL: %s/%s: %s\n", n, $5, m }'
  if [ $st -ne 0 ]; then
    printf '%s\n' "$out" | grep -E 'ERROR|Sanitizer|runtime error' | head -20 | sed 's/^/    /'
    printf '%s\n' "$out" | grep -qE ':[FE]:' || echo "FAIL: $name: exited $st"
    rc=1
  fi
done
exit $rc
