#!/usr/bin/env bash
# Prints the kernel build directory to build kmod/ against: the running
# kernel's headers when installed, else the newest Debian linux-headers-*
# (this says so on stderr, since the module then cannot load on this host).
running="/lib/modules/$(uname -r)/build"
if [ -d "$running" ]; then echo "$running"; exit 0; fi
newest=$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n 1)
if [ -n "$newest" ]; then
  echo "kdir: no headers for the running kernel $(uname -r); using $newest" >&2
  echo "$newest"; exit 0
fi
echo "kdir: no kernel headers found; run scripts/deps.sh" >&2
echo /nonexistent
