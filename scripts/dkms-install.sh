#!/usr/bin/env bash
# scripts/dkms-install.sh [--kernel KVER] [--src TREE] [--no-load] [--reload]
#
# Copies the module sources (kmod/ + dkms.conf) to /usr/src/NAME-VERSION,
# then `dkms add`, `dkms build` and `dkms install` for KVER (default: the
# running kernel), and loads the module unless --no-load. Used by install.sh
# and by the Kubernetes DaemonSet's init container
# (scripts/k8s/vigil-daemonset.yaml), where the node's /usr/src,
# /lib/modules and /var/lib/dkms are mounted from the host.
#
# Idempotent, and upgrade-safe without a new PACKAGE_VERSION: a checksum of
# the module sources is kept as /usr/src/NAME-VERSION/.vigil-sources.sha256.
#   - same sources, already installed for KVER: nothing is rebuilt;
#   - other sources (an upgrade with the same PACKAGE_VERSION): every build
#     of this version is removed from DKMS (they are all stale; other
#     kernels get rebuilt by DKMS's autoinstall when they boot), the
#     sources are replaced, and the module is built and installed again.
# Loading (running kernel only, unless --no-load): a module that is not
# loaded is modprobe'd. A loaded one is reloaded (rmmod + modprobe) when
# this run rebuilt it, or with --reload, but only when nothing holds it
# (refcnt 0: no `vigil run`/`vigil capture` has /dev/vigil open);
# otherwise the script says so and exits 3 (stop vigil, then run it again
# with --reload).
set -eu
kver=$(uname -r) src='' load=1 reload=0
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kver=$2; shift 2 ;;
	--src) src=$2; shift 2 ;;
	--no-load) load=0; shift ;;
	--reload) reload=1; shift ;;
	*) echo "dkms-install: unknown option $1" >&2; exit 2 ;;
	esac
done
top=$(cd "$(dirname "$0")/.." && pwd)
src=${src:-$top}
# shellcheck source=dkms-common.sh
. "$top/scripts/dkms-common.sh" "$src"
command -v dkms >/dev/null || { echo "dkms-install: dkms is not installed (apt-get install dkms)" >&2; exit 1; }
[ -d "/lib/modules/$kver/build" ] || {
	echo "dkms-install: no kernel headers for $kver in /lib/modules/$kver/build (install linux-headers-$kver)" >&2
	exit 1
}
dest=${VIGIL_DKMS_SRCROOT:-/usr/src}/$DKMS_NAME-$DKMS_VERSION
sumfile=$dest/.vigil-sources.sha256
# the module's sources, not build products (*.o, *.ko, .*.cmd ... may sit
# in a developer's kmod/)
sources_sum() {
	(cd "$1" && find dkms.conf kmod -type f \( -name dkms.conf -o -name '*.c' -o -name '*.h' \
		-o -name Kbuild -o -name Makefile \) | LC_ALL=C sort | xargs sha256sum) | sha256sum | cut -d' ' -f1
}
echo "dkms-install: $DKMS_NAME/$DKMS_VERSION for kernel $kver"
new_sum=$(sources_sum "$src")
old_sum=$(cat "$sumfile" 2>/dev/null || true)
if [ "$new_sum" != "$old_sum" ] && dkms status -m "$DKMS_NAME" -v "$DKMS_VERSION" 2>/dev/null | grep -q .; then
	echo "dkms-install: the sources of $DKMS_NAME/$DKMS_VERSION changed${old_sum:+ (${old_sum:0:12} -> ${new_sum:0:12})}: removing its stale builds"
	dkms remove -m "$DKMS_NAME" -v "$DKMS_VERSION" --all
fi
if [ "$new_sum" != "$old_sum" ]; then
	rm -rf "$dest"
	mkdir -p "$dest"
	cp "$src/dkms.conf" "$dest/"
	cp -r "$src/kmod" "$dest/"
	echo "$new_sum" >"$sumfile"
fi
status=$(dkms status -m "$DKMS_NAME" -v "$DKMS_VERSION" -k "$kver" 2>/dev/null || true)
if ! dkms status -m "$DKMS_NAME" -v "$DKMS_VERSION" 2>/dev/null | grep -q .; then
	dkms add -m "$DKMS_NAME" -v "$DKMS_VERSION"
fi
built=0
case $status in
*installed*) echo "dkms-install: already installed for $kver (same sources)" ;;
*) dkms build -m "$DKMS_NAME" -v "$DKMS_VERSION" -k "$kver"
   dkms install -m "$DKMS_NAME" -v "$DKMS_VERSION" -k "$kver" --force
   built=1 ;;
esac
if [ $load -eq 1 ] && [ "$kver" = "$(uname -r)" ]; then
	if ! grep -q "^$DKMS_NAME " /proc/modules; then
		modprobe "$DKMS_NAME"
		echo "dkms-install: module $DKMS_NAME loaded"
	elif [ $built -eq 1 ] || [ $reload -eq 1 ]; then
		refcnt=$(cat "/sys/module/$DKMS_NAME/refcnt" 2>/dev/null || echo 0)
		if [ "$refcnt" != 0 ]; then
			echo "dkms-install: the loaded $DKMS_NAME module is in use (refcnt $refcnt: a vigil run or capture holds /dev/vigil) and was not reloaded; stop vigil, then run $0 --reload" >&2
			exit 3
		fi
		rmmod "$DKMS_NAME"
		modprobe "$DKMS_NAME"
		echo "dkms-install: module $DKMS_NAME reloaded (new build)"
	else
		echo "dkms-install: module $DKMS_NAME already loaded (--reload replaces it)"
	fi
fi
