# VM scenario: the module on its own (kmod engineer's). Loads vigil.ko,
# runs kmod_check (ioctls, mmap, ring protocol, records of known syscalls),
# unloads it. The harness checks the kernel log for BUG/WARNING/Oops.
if ! insmod "$VIGIL_KO"; then echo "FAIL: kmod/insmod: insmod $VIGIL_KO failed"; exit 1; fi
echo "PASS: kmod/insmod"
if [ -c /dev/vigil ] && [ "$(stat -c %a /dev/vigil)" = 600 ]; then echo "PASS: kmod/device"
else echo "FAIL: kmod/device: /dev/vigil missing or not mode 600"; fi
kmod_check; rc=$?
if rmmod vigil; then echo "PASS: kmod/rmmod"; else echo "FAIL: kmod/rmmod: rmmod failed"; rc=1; fi
grep -q '^vigil ' /proc/modules && { echo "FAIL: kmod/unloaded: still in /proc/modules"; rc=1; }
dmesg | grep -i vigil | tail -n 5
exit $rc
