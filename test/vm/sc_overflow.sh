# VM scenario: a 64 KiB ring under a flood from one writer per CPU, read
# slowly by ringcheck (an independent consumer written from vigil_abi.h):
# drops are counted, every delivered record is well-formed, flood payloads
# are intact and in order, and the module's counters add up.
if [ -z "${VIGIL_KO:-}" ]; then echo "SKIP: overflow/all: no vigil.ko (kmod/ has no module sources)"; exit 0; fi
insmod "$VIGIL_KO" || { echo "FAIL: overflow/insmod: insmod failed"; exit 1; }
ringcheck overflow 65536 4
rmmod vigil || echo "FAIL: overflow/rmmod: rmmod failed"
exit 0
