#!/usr/bin/env bash
# scripts/dkms-install.sh [--kernel KVER] [--src TREE] [--no-load]
#
# Copies the module sources (kmod/ + dkms.conf) to /usr/src/NAME-VERSION,
# then `dkms add`, `dkms build` and `dkms install` for KVER (default: the
# running kernel), and loads the module unless --no-load. Idempotent: an
# already added/built/installed version is kept. Used by install.sh and by
# the Kubernetes DaemonSet's init container (scripts/k8s/vigil-daemonset.yaml),
# where the node's /usr/src and /lib/modules are mounted from the host.
set -eu
kver=$(uname -r) src= load=1
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kver=$2; shift 2 ;;
	--src) src=$2; shift 2 ;;
	--no-load) load=0; shift ;;
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
dest=/usr/src/$DKMS_NAME-$DKMS_VERSION
echo "dkms-install: $DKMS_NAME/$DKMS_VERSION for kernel $kver"
mkdir -p "$dest"
cp "$src/dkms.conf" "$dest/"
cp -r "$src/kmod" "$dest/"
status=$(dkms status -m "$DKMS_NAME" -v "$DKMS_VERSION" -k "$kver" 2>/dev/null || true)
if ! dkms status -m "$DKMS_NAME" -v "$DKMS_VERSION" 2>/dev/null | grep -q .; then
	dkms add -m "$DKMS_NAME" -v "$DKMS_VERSION"
fi
case $status in
*installed*) echo "dkms-install: already installed for $kver" ;;
*) dkms build -m "$DKMS_NAME" -v "$DKMS_VERSION" -k "$kver"
   dkms install -m "$DKMS_NAME" -v "$DKMS_VERSION" -k "$kver" --force ;;
esac
if [ $load -eq 1 ] && [ "$kver" = "$(uname -r)" ]; then
	if ! grep -q "^$DKMS_NAME " /proc/modules; then
		modprobe "$DKMS_NAME"
	fi
	echo "dkms-install: module $DKMS_NAME loaded"
fi
