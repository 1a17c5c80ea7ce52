#!/usr/bin/env bash
# scripts/kernels.sh - fetches the Debian kernels other than bookworm's that
# vigil is built and tested against: 5.10 (bullseye) and 6.12 (trixie).
# Idempotent: a kernel already unpacked is not fetched again.
#
# Usage: scripts/kernels.sh [5.10] [6.12]      (default: both)
#        scripts/kernels.sh --print             list what is cached, one line each:
#                                                <series> <kver> <kdir> <vmlinuz> <moddir> <chroot|->
#
# Output layout (VIGIL_KERNELS, default /var/cache/vigil/kernels):
#   $VIGIL_KERNELS/<series>/kver          the kernel release, e.g. 5.10.0-46-amd64
#   $VIGIL_KERNELS/<series>/vmlinuz       the bootable kernel image
#   $VIGIL_KERNELS/<series>/modules/      lib/modules/<kver>/ of that kernel
#                                         (virtio, 9p, ... for the VM harness)
#   $VIGIL_KERNELS/<series>/kdir          a text file: the path to build modules against
#   $VIGIL_KERNELS/<series>/chroot        (6.12 only) a text file: the trixie chroot in
#                                         which to run make (its headers need gcc-14);
#                                         kdir is then a path inside that chroot
#   $VIGIL_KERNELS/trixie-root/           that chroot (debootstrap, ~0.5 GB)
#   $VIGIL_KERNELS/apt-<suite>/           private apt state (the host's apt is untouched)
# 5.10 headers build with the host's gcc: make -C "$(cat .../5.10/kdir)" CC=gcc M=...
# 6.12: copy the module sources into the chroot and run make there with chroot(8).
set -euo pipefail
root=${VIGIL_KERNELS:-/var/cache/vigil/kernels}
mkdir -p "$root"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

log() { echo "kernels: $*" >&2; }

# apt_suite SUITE: private apt configuration for SUITE; prints the -o options.
apt_opts() {
  local d=$root/apt-$1
  echo "-o Dir::Etc::SourceList=$d/sources.list -o Dir::Etc::SourceParts=/dev/null" \
       "-o Dir::State::Lists=$d/lists -o Dir::Cache=$d -o Dir::State::status=/dev/null" \
       "-o Debug::NoLocking=1"
}
apt_setup() {
  local suite=$1 d=$root/apt-$1
  mkdir -p "$d/lists/partial" "$d/archives/partial"
  if [ ! -f "$d/sources.list" ]; then
    {
      echo "deb [signed-by=$keyring] http://deb.debian.org/debian $suite main"
      echo "deb [signed-by=$keyring] http://deb.debian.org/debian-security $suite-security main"
    } >"$d/sources.list"
  fi
  if [ -z "$(ls "$d/lists" | grep -v partial || true)" ]; then
    # shellcheck disable=SC2046
    apt-get $(apt_opts "$suite") update -qq >&2
  fi
}
# newest SUITE META: the versioned package the metapackage META depends on.
newest() {
  # shellcheck disable=SC2046
  apt-cache $(apt_opts "$1") show "$2" |
    awk '/^Version:/{v=$2} /^Depends:/{print v, $2}' | sort -V | tail -n 1 | cut -d' ' -f2
}
# download SUITE DIR PKG...: apt-get download into DIR.
download() {
  local suite=$1 dir=$2; shift 2
  mkdir -p "$dir"
  # shellcheck disable=SC2046
  (cd "$dir" && apt-get $(apt_opts "$suite") download "$@" >&2)
}

# fetch SERIES SUITE TARGET_ROOT: headers + kbuild unpacked into TARGET_ROOT,
# image unpacked into the series folder.
fetch() {
  local series=$1 suite=$2 target=$3 out=$root/$1
  if [ -f "$out/kver" ] && [ -f "$out/vmlinuz" ] && [ -f "$out/kdir" ]; then
    log "$series: cached ($(cat "$out/kver"))"; return 0
  fi
  apt_setup "$suite"
  local hdr img kver common kbuild
  hdr=$(newest "$suite" linux-headers-amd64)        # linux-headers-<kver>
  kver=${hdr#linux-headers-}
  img=linux-image-$kver-unsigned
  common=$(apt-cache $(apt_opts "$suite") show "$hdr" | awk -F'[ ,]+' '/^Depends:/{for(i=2;i<=NF;i++) if($i ~ /^linux-headers-.*-common/) {print $i; exit}}')
  kbuild=$(apt-cache $(apt_opts "$suite") show "$hdr" | awk -F'[ ,]+' '/^Depends:/{for(i=2;i<=NF;i++) if($i ~ /^linux-kbuild-/) {print $i; exit}}')
  log "$series: $kver ($hdr $common $kbuild $img)"
  local debs=$root/debs-$series
  download "$suite" "$debs" "$hdr" "$common" "$kbuild" "$img"
  mkdir -p "$target" "$out/image"
  for p in "$hdr" "$common" "$kbuild"; do dpkg -x "$debs/${p}_"*.deb "$target"; done
  dpkg -x "$debs/${img}_"*.deb "$out/image"
  cp "$out/image/boot/vmlinuz-$kver" "$out/vmlinuz"
  ln -sfn "image/lib/modules/$kver" "$out/modules"
  echo "$kver" >"$out/kver"
  if [ "$target" = "$out/headers" ]; then
    # the arch Makefile includes the common one by absolute path
    sed -i "s#^include /usr/src/#include $target/usr/src/#" "$target/usr/src/linux-headers-$kver/Makefile"
    echo "$target/usr/src/linux-headers-$kver" >"$out/kdir"
  else
    echo "$target" >"$out/chroot"
    echo "/usr/src/linux-headers-$kver" >"$out/kdir"
  fi
  rm -rf "$debs"
}

trixie_root() {
  local r=$root/trixie-root
  if [ ! -x "$r/usr/bin/gcc-14" ]; then
    command -v debootstrap >/dev/null || { log "debootstrap missing: run scripts/deps.sh"; return 1; }
    log "debootstrap trixie into $r (about a minute)"
    rm -rf "$r"
    debootstrap --variant=minbase --include=gcc-14,make,libc6-dev,libelf-dev,pahole,bc,kmod,perl \
      trixie "$r" http://deb.debian.org/debian >"$root/debootstrap.log" 2>&1 ||
      { log "debootstrap failed, see $root/debootstrap.log"; return 1; }
    ln -sf gcc-14 "$r/usr/bin/gcc"
  fi
  # W=1 runs kernel-doc, which needs perl's Pod::Usage
  if [ ! -f "$r/usr/share/perl/5.40/Pod/Usage.pm" ] && ! ls "$r"/usr/share/perl/*/Pod/Usage.pm >/dev/null 2>&1; then
    chroot "$r" apt-get install -y -qq --no-install-recommends perl >&2
  fi
  echo "$r"
}

print() {
  for s in 5.10 6.12; do
    local d=$root/$s
    [ -f "$d/kver" ] || continue
    echo "$s $(cat "$d/kver") $(cat "$d/kdir") $d/vmlinuz $d/modules $(cat "$d/chroot" 2>/dev/null || echo -)"
  done
}

if [ "${1:-}" = "--print" ]; then print; exit 0; fi
series=("$@"); [ ${#series[@]} -eq 0 ] && series=(5.10 6.12)
for s in "${series[@]}"; do
  case $s in
    5.10) fetch 5.10 bullseye "$root/5.10/headers" ;;
    6.12) r=$(trixie_root) && fetch 6.12 trixie "$r" ;;
    *) log "unknown kernel series $s (known: 5.10 6.12)"; exit 2 ;;
  esac
done
print
