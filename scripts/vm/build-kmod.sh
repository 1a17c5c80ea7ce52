#!/usr/bin/env bash
# scripts/vm/build-kmod.sh VERSION - builds kmod/ for one Debian kernel
# (6.1, 5.10, 6.12) in its own copy of the sources, build/vm/<KVER>/kmod/,
# so that builds for several kernels never clobber each other or kmod/.
# Prints the path of vigil.ko. Exits 3 (with a message) when kmod/ has no
# module sources yet, non-zero otherwise on failure (build log on stderr).
set -eu
ver=${1:?usage: build-kmod.sh 6.1|5.10|6.12}
top=$(cd "$(dirname "$0")/../.." && pwd)
eval "$(bash "$top/scripts/vm/kernel.sh" "$ver")"
if ! ls "$top"/kmod/*.c >/dev/null 2>&1; then
	echo "build-kmod.sh: kmod/ has no module sources yet" >&2; exit 3
fi
dir=$top/build/vm/$KVER/kmod
mkdir -p "$dir"
# Mirror the sources (not the build products) so make sees real mtimes.
for f in "$top"/kmod/*; do
	case $f in *.o|*.ko|*.mod|*.mod.c|*.cmd|*.order|*.symvers) continue ;; esac
	[ -f "$f" ] && { cmp -s "$f" "$dir/$(basename "$f")" || cp -p "$f" "$dir/"; }
done
for f in "$dir"/*.c "$dir"/*.h; do   # sources removed from kmod/
	[ -e "$f" ] && [ ! -e "$top/kmod/$(basename "$f")" ] && rm -f "$f"
done
log=$dir/build.log
if [ -n "$KROOT" ]; then
	# Build inside a chroot (6.12 needs trixie's gcc-14), in a copy there.
	in=/build/vigil-kmod-$KVER
	rm -rf "$KROOT$in"; mkdir -p "$KROOT$in"
	cp -p "$dir"/*.c "$dir"/*.h "$dir"/Kbuild "$KROOT$in/" 2>/dev/null
	[ -f "$dir/Makefile" ] && cp -p "$dir/Makefile" "$KROOT$in/"
	nice chroot "$KROOT" make -C "$KDIR" M="$in" modules >"$log" 2>&1 || {
		cat "$log" >&2; echo "build-kmod.sh: build for $KVER failed" >&2; exit 1; }
	cp "$KROOT$in/vigil.ko" "$dir/vigil.ko"
else
	nice make -C "$KDIR" M="$dir" CC=gcc modules >"$log" 2>&1 || {
		cat "$log" >&2; echo "build-kmod.sh: build for $KVER failed" >&2; exit 1; }
fi
[ -f "$dir/vigil.ko" ] || { echo "build-kmod.sh: no vigil.ko after the build" >&2; exit 1; }
echo "$dir/vigil.ko"
