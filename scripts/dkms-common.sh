# scripts/dkms-common.sh - sourced by the dkms-*.sh helpers.
# Sets DKMS_NAME and DKMS_VERSION from dkms.conf at the top of the tree
# (or from $1 = a tree with dkms.conf and kmod/).
dkms_tree=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
[ -f "$dkms_tree/dkms.conf" ] || {
	echo "dkms: no dkms.conf in $dkms_tree (the module's DKMS recipe)" >&2
	exit 1
}
DKMS_NAME=$(sed -n 's/^PACKAGE_NAME="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$dkms_tree/dkms.conf")
DKMS_VERSION=$(sed -n 's/^PACKAGE_VERSION="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$dkms_tree/dkms.conf")
[ -n "$DKMS_NAME" ] && [ -n "$DKMS_VERSION" ] || {
	echo "dkms: $dkms_tree/dkms.conf lacks PACKAGE_NAME or PACKAGE_VERSION" >&2
	exit 1
}
