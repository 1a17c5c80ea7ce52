#!/usr/bin/env bash
# scripts/vm/kernel.sh VERSION - says where the pieces of one Debian kernel
# are, for the VM harness. VERSION is 6.1, 5.10 or 6.12 (a major.minor).
# Prints shell assignments (eval them):
#   KVER=6.1.0-57-amd64           the kernel release (uname -r in the guest)
#   VMLINUZ=/boot/vmlinuz-...     the image QEMU boots
#   MODDIR=/lib/modules/KVER      its modules tree (modules.dep, kernel/...)
#   KDIR=/usr/src/linux-headers-KVER   headers to build kmod/ against
#   KROOT=                        a chroot to build in ("" = build on the host)
# 6.1 is bookworm's, installed on the host (scripts/deps.sh). 5.10 and 6.12
# are fetched by scripts/kernels.sh (the kmod engineer's; cached under
# /var/cache/vigil/kernels), whose --print line this reads.
# Exits non-zero with a message on stderr when the kernel is not available.
set -eu
ver=${1:?usage: kernel.sh 6.1|5.10|6.12}
top=$(cd "$(dirname "$0")/../.." && pwd)

# newest release matching VERSION in a directory of vmlinuz-* files
pick() { ls "$1"/vmlinuz-"$ver".* 2>/dev/null | sed 's|.*/vmlinuz-||' | sort -V | tail -n 1; }

emit() {
	local kver=$1 vmlinuz=$2 moddir=$3 kdir=$4 kroot=${5:-}
	[ -f "$vmlinuz" ] || { echo "kernel.sh: $ver: no image $vmlinuz" >&2; exit 1; }
	# A kernel unpacked with dpkg -x has no modules.dep: make it (depmod -b
	# wants BASE/lib/modules/KVER).
	if [ ! -f "$moddir/modules.dep" ] && [ -d "$moddir/kernel" ]; then
		local real base
		real=$(cd "$moddir" && pwd -P)
		base=${real%/lib/modules/*}
		[ "$base" != "$real" ] && depmod -b "$base" "$kver" 2>/dev/null
	fi
	[ -f "$moddir/modules.dep" ] || { echo "kernel.sh: $ver: no modules.dep in $moddir" >&2; exit 1; }
	printf 'KVER=%q\nVMLINUZ=%q\nMODDIR=%q\nKDIR=%q\nKROOT=%q\n' \
		"$kver" "$vmlinuz" "$moddir" "$kdir" "$kroot"
}

# 1. the host's own /boot (bookworm's 6.1, or any kernel installed there)
kver=$(pick /boot)
if [ -n "$kver" ] && [ -d "/lib/modules/$kver" ]; then
	emit "$kver" "/boot/vmlinuz-$kver" "/lib/modules/$kver" "/usr/src/linux-headers-$kver"
	exit 0
fi

# 2. scripts/kernels.sh (fetches and caches other Debian kernels; idempotent)
#    prints: <series> <kver> <kdir> <vmlinuz> <moddir> <chroot|->
if [ -f "$top/scripts/kernels.sh" ]; then
	bash "$top/scripts/kernels.sh" "$ver" >/dev/null || {
		echo "kernel.sh: scripts/kernels.sh $ver failed" >&2; exit 1; }
	line=$(bash "$top/scripts/kernels.sh" --print | awk -v s="$ver" '$1 == s')
	[ -n "$line" ] || { echo "kernel.sh: scripts/kernels.sh has no kernel $ver" >&2; exit 1; }
	read -r _ kver kdir vmlinuz moddir kroot <<<"$line"
	[ "$kroot" = - ] && kroot=
	# trixie ships modules in /usr/lib/modules (merged /usr)
	if [ ! -d "$moddir" ] && [ -d "$(dirname "$vmlinuz")/image/usr/lib/modules/$kver" ]; then
		moddir=$(dirname "$vmlinuz")/image/usr/lib/modules/$kver
	fi
	emit "$kver" "$vmlinuz" "$moddir" "$kdir" "$kroot"
	exit 0
fi
echo "kernel.sh: kernel $ver is not installed and scripts/kernels.sh does not exist" >&2
exit 1
