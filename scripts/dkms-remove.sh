#!/usr/bin/env bash
# scripts/dkms-remove.sh - unloads the module and removes every kernel's
# build of this version from DKMS, and its sources from /usr/src.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=dkms-common.sh
. "$top/scripts/dkms-common.sh"
if grep -q "^$DKMS_NAME " /proc/modules 2>/dev/null; then
	rmmod "$DKMS_NAME"
fi
if dkms status -m "$DKMS_NAME" -v "$DKMS_VERSION" 2>/dev/null | grep -q .; then
	dkms remove -m "$DKMS_NAME" -v "$DKMS_VERSION" --all
fi
rm -rf "/usr/src/$DKMS_NAME-$DKMS_VERSION"
echo "dkms-remove: $DKMS_NAME/$DKMS_VERSION removed"
