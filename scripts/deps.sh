#!/usr/bin/env bash
# scripts/deps.sh - installs every Debian package that building, running and
# testing vigil needs. Does nothing (quickly) when all are present.
# Kernels other than bookworm's (5.10 from bullseye, 6.12 from trixie) are
# fetched by scripts/kernels.sh, which the VM tests call (through
# scripts/vm/kernel.sh).
set -eu
pkgs=(
  build-essential pkg-config make gcc clang libclang-rt-14-dev
  linux-headers-amd64 linux-image-amd64 dkms kmod cpio
  libyaml-dev libjson-c-dev libpcre2-dev check libcurl4-openssl-dev libsystemd-dev
  qemu-system-x86 busybox-static runc systemd valgrind
  debootstrap file xz-utils zstd
  prometheus prometheus-alertmanager python3 openssl
  tcc socat
)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
