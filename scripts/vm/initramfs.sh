#!/usr/bin/env bash
# scripts/vm/initramfs.sh - builds the VM harness's initramfs (uncompressed
# newc cpio: TCG decompresses slowly).
#   initramfs.sh --out FILE --moddir DIR --scenario FILE
#                [--module NAME]...   kernel modules to insmod at boot, with
#                                     their dependencies (from DIR/modules.dep)
#                [--ko FILE]          vigil.ko, put at /lib/vigil/vigil.ko
#                [--extra SRC[:DEST]]...  files or folders to add; an ELF that
#                                     is dynamically linked brings its shared
#                                     libraries (via ldd). DEST defaults to
#                                     /opt/vigil/bin/<name> (on the PATH).
#                [--env NAME=VALUE]...    exported to the scenario
# Always contains busybox-static, and userspace/vigil (with its libraries)
# at /opt/vigil/bin/vigil when it is built.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
out= moddir= scenario= ko= mods=() extras=() envs=()
while [ $# -gt 0 ]; do
	case $1 in
	--out) out=$2; shift 2 ;;
	--moddir) moddir=$2; shift 2 ;;
	--scenario) scenario=$2; shift 2 ;;
	--module) mods+=("$2"); shift 2 ;;
	--ko) ko=$2; shift 2 ;;
	--extra) extras+=("$2"); shift 2 ;;
	--env) envs+=("$2"); shift 2 ;;
	*) echo "initramfs.sh: unknown option $1" >&2; exit 2 ;;
	esac
done
[ -n "$out" ] && [ -n "$moddir" ] && [ -f "$scenario" ] || {
	echo "initramfs.sh: --out, --moddir and an existing --scenario are required" >&2; exit 2; }
bb=$(command -v busybox) || true
[ -n "$bb" ] && file -L "$bb" | grep -q 'statically linked' || bb=/bin/busybox
file -L "$bb" | grep -q 'statically linked' || {
	echo "initramfs.sh: busybox-static is not installed (scripts/deps.sh)" >&2; exit 1; }

root=$(mktemp -d "${TMPDIR:-/tmp}/vigil-initramfs.XXXXXX")
trap 'rm -rf "$root"' EXIT
chmod 755 "$root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,run,mnt,lib/modules/vm,lib/vigil,opt/vigil/bin,root,home/user}
cp "$bb" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$top/scripts/vm/init" "$root/init"
chmod 755 "$root/init"
cp "$scenario" "$root/scenario.sh"
printf 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' > "$root/etc/passwd"
printf 'root:x:0:\nuser:x:1000:\nnogroup:x:65534:\n' > "$root/etc/group"
chown 1000:1000 "$root/home/user"
chmod 1777 "$root/tmp"

# copy_elf SRC DEST: the file, plus every shared library ldd names, at the
# same absolute path (and the loader).
copy_file() { mkdir -p "$(dirname "$root$2")"; cp -L "$1" "$root$2"; }
copy_elf() {
	copy_file "$1" "$2"
	file -L "$1" | grep -q 'dynamically linked' || return 0
	ldd "$1" | awk '/=> \//{print $3} /^\t\/[^ ]+ \(/{print $1}' | while read -r lib; do
		[ -e "$root$lib" ] || copy_file "$lib" "$lib"
	done
}
add_extra() {
	local src=${1%%:*} dest
	if [ "$src" != "$1" ]; then dest=${1#*:}; else dest=/opt/vigil/bin/$(basename "$src"); fi
	[ -e "$src" ] || { echo "initramfs.sh: --extra $src does not exist" >&2; exit 1; }
	if [ -d "$src" ]; then
		mkdir -p "$root$dest"; cp -a "$src/." "$root$dest/"
	elif file -L "$src" | grep -q ELF; then
		copy_elf "$src" "$dest"
	else
		copy_file "$src" "$dest"
	fi
}
[ -x "$top/userspace/vigil" ] && copy_elf "$top/userspace/vigil" /opt/vigil/bin/vigil
for e in "${extras[@]}"; do add_extra "$e"; done
[ -n "$ko" ] && cp "$ko" "$root/lib/vigil/vigil.ko"

# Kernel modules: each requested one after its dependencies, as modules.dep
# lists them (a module's line names all it needs; load them last to first).
# Compressed modules are unpacked: busybox insmod may not read .xz/.zst.
deps_of() { awk -v m="$1" -F': *' '{ n = $1; sub(/.*\//, "", n); sub(/\.ko(\.[a-z]+)?$/, "", n); gsub(/-/, "_", n) }
	n == m { print $1; c = split($2, d, " "); for (i = c; i >= 1; i--) print "D " d[i]; exit }' "$moddir/modules.dep"; }
declare -A loaded=()
load_one() {   # path relative to moddir
	local rel=$1 base
	base=$(basename "$rel"); base=${base%.xz}; base=${base%.zst}; base=${base%.gz}
	[ -n "${loaded[$base]:-}" ] && return 0
	loaded[$base]=1
	case $rel in
	*.xz) xz -dc "$moddir/$rel" > "$root/lib/modules/vm/$base" ;;
	*.zst) zstd -qdc "$moddir/$rel" > "$root/lib/modules/vm/$base" ;;
	*.gz) gzip -dc "$moddir/$rel" > "$root/lib/modules/vm/$base" ;;
	*) cp "$moddir/$rel" "$root/lib/modules/vm/$base" ;;
	esac
	echo "$base" >> "$root/lib/modules/vm/load.list"
}
for m in "${mods[@]}"; do
	m=${m//-/_}
	lines=$(deps_of "$m")
	if [ -z "$lines" ]; then
		grep -qE "/${m//_/[_-]}\.ko" "$moddir/modules.builtin" 2>/dev/null && continue
		echo "initramfs.sh: module $m is neither in $moddir/modules.dep nor built in" >&2; exit 1
	fi
	self=$(printf '%s\n' "$lines" | head -n 1)
	printf '%s\n' "$lines" | sed -n 's/^D //p' | while read -r d; do echo "$d"; done > "$root/.deps"
	while read -r d; do load_one "$d"; done < "$root/.deps"
	load_one "$self"
	rm -f "$root/.deps"
done

{
	for e in "${envs[@]}"; do printf 'export %q\n' "$e"; done
	[ -n "$ko" ] && echo "export VIGIL_KO=/lib/vigil/vigil.ko"
	true
} > "$root/etc/vigil-vm.env"
(cd "$root" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet) > "$out"
