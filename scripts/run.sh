#!/usr/bin/env bash
# scripts/run.sh [vigil run options...]   (`make run`)
#
# Loads the freshly built kmod/vigil.ko into THIS host's kernel and runs
# `userspace/vigil run` in the foreground with the rules from rules/ (the
# built-in defaults) and any options given. Ctrl-C stops vigil (it drains
# its queues), then the module is unloaded again (if this script loaded it).
# Needs root and a kernel that accepts modules (the build machines of this
# project do not: use `make demo`, which does the same inside QEMU).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
ko=$top/kmod/vigil.ko
[ "$(id -u)" -eq 0 ] || { echo "run: needs root (insmod, /dev/vigil)" >&2; exit 1; }
[ -f "$ko" ] || { echo "run: $ko not built (make kmod)" >&2; exit 1; }
[ -x "$top/userspace/vigil" ] || { echo "run: userspace/vigil not built (make userspace)" >&2; exit 1; }
kver=$(modinfo -F vermagic "$ko" 2>/dev/null | cut -d' ' -f1)
if [ -n "$kver" ] && [ "$kver" != "$(uname -r)" ]; then
	echo "run: $ko is built for $kver, this kernel is $(uname -r) (set KDIR, or use make demo)" >&2
	exit 1
fi
loaded=0
if ! grep -q '^vigil ' /proc/modules; then
	insmod "$ko" || { echo "run: insmod $ko failed (see dmesg)" >&2; exit 1; }
	loaded=1
fi
unload() { [ $loaded -eq 1 ] && rmmod vigil && echo "run: module unloaded"; }
trap unload EXIT
# The engine gets SIGINT/SIGTERM itself and drains; we wait for it.
trap '' INT
"$top/userspace/vigil" run "$@"
rc=$?
exit $rc
