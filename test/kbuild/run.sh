#!/usr/bin/env bash
# test/kbuild/run.sh - the kernel build layer:
#   kbuild/<series>     kmod/ builds with W=1 and zero warnings against the
#                       headers of Debian's 6.1 (installed), 5.10 and 6.12
#                       (fetched and cached by scripts/kernels.sh; SKIP when
#                       they cannot be fetched)
#   kbuild/dkms-build   `dkms add` + `dkms build` of this tree into a scratch
#                       DKMS tree against the 6.1 headers yields vigil.ko
# Each build runs in its own copy of the sources under build/kbuild/.
set -u
cd "$(dirname "$0")/../.."
top=$PWD
out=$top/build/kbuild
mkdir -p "$out"
rc=0
pass() { echo "PASS: kbuild/$1"; }
fail() { echo "FAIL: kbuild/$1: $2"; rc=1; }
skip() { echo "SKIP: kbuild/$1: $2"; }

# copy_src DIR: the module sources (no build products) into DIR
copy_src() {
	rm -rf "$1"; mkdir -p "$1"
	cp kmod/*.c kmod/*.h kmod/Kbuild "$1/"
}

# check NAME LOG: zero warnings, vigil.ko present
check() {
	local name=$1 log=$2 ko=$3 n
	n=$(grep -ciE '(^|[^a-z])warning' "$log")
	if [ ! -f "$ko" ]; then
		fail "$name" "no vigil.ko; $(grep -m1 -E 'error|Error' "$log" | cut -c1-200) (log $log)"
	elif [ "$n" -ne 0 ]; then
		fail "$name" "$n warning(s): $(grep -m1 -iE 'warning' "$log" | cut -c1-200) (log $log)"
	else
		pass "$name"
	fi
}

# 6.1: bookworm's headers on the host
k61=$(ls -d /usr/src/linux-headers-6.1.*-amd64 2>/dev/null | sort -V | tail -n 1)
if [ -z "$k61" ]; then
	fail 6.1 "no /usr/src/linux-headers-6.1.*-amd64 (run scripts/deps.sh)"
else
	d=$out/6.1; copy_src "$d"
	start=$(date +%s%N)
	nice make -C "$k61" M="$d" W=1 modules >"$out/6.1.log" 2>&1
	check 6.1 "$out/6.1.log" "$d/vigil.ko"
	echo "    6.1: $(basename "$k61"), $(( ($(date +%s%N) - start) / 1000000 )) ms" >&2
fi

# 5.10 and 6.12: scripts/kernels.sh (cached after the first run)
if ! bash scripts/kernels.sh 5.10 6.12 >"$out/kernels.log" 2>&1; then
	echo "    scripts/kernels.sh failed: $(tail -n 2 "$out/kernels.log" | tr '\n' ' ')" >&2
fi
for series in 5.10 6.12; do
	line=$(bash scripts/kernels.sh --print 2>/dev/null | awk -v s=$series '$1 == s')
	if [ -z "$line" ]; then
		skip "$series" "headers not available (scripts/kernels.sh $series failed, see $out/kernels.log)"
		continue
	fi
	read -r _ kver kdir _ _ chroot <<<"$line"
	if [ "$chroot" = - ]; then
		d=$out/$series; copy_src "$d"
		nice make -C "$kdir" M="$d" CC=gcc W=1 modules >"$out/$series.log" 2>&1
		check "$series" "$out/$series.log" "$d/vigil.ko"
	else
		in=/build/vigil-kbuild-$series d=$chroot/build/vigil-kbuild-$series
		copy_src "$d"
		nice chroot "$chroot" make -C "$kdir" M="$in" W=1 modules >"$out/$series.log" 2>&1
		check "$series" "$out/$series.log" "$d/vigil.ko"
	fi
	echo "    $series: $kver" >&2
done

# dkms add + build into a scratch tree
if ! command -v dkms >/dev/null; then
	fail dkms-build "dkms is not installed (run scripts/deps.sh)"
elif [ -z "$k61" ]; then
	fail dkms-build "no 6.1 headers"
else
	name=$(sed -n 's/^PACKAGE_NAME="\(.*\)"$/\1/p' dkms.conf)
	ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' dkms.conf)
	kver=${k61#/usr/src/linux-headers-}
	s=$out/dkms; rm -rf "$s"; mkdir -p "$s/src/$name-$ver" "$s/tree"
	cp dkms.conf "$s/src/$name-$ver/"; copy_src "$s/src/$name-$ver/kmod"
	if (cd "$s" && dkms add -m "$name" -v "$ver" --dkmstree "$s/tree" --sourcetree "$s/src" &&
	    nice dkms build -m "$name" -v "$ver" -k "$kver" --dkmstree "$s/tree" --sourcetree "$s/src" \
		--kernelsourcedir "$k61") >"$out/dkms.log" 2>&1; then
		ko=$(find "$s/tree/$name/$ver/$kver" -name 'vigil.ko*' 2>/dev/null | head -n 1)
		if [ -n "$ko" ]; then pass dkms-build
		else fail dkms-build "dkms build succeeded but no vigil.ko under $s/tree (log $out/dkms.log)"; fi
	else
		fail dkms-build "$(grep -m1 -iE 'error' "$out/dkms.log" | cut -c1-200) (log $out/dkms.log)"
	fi
fi
exit $rc
