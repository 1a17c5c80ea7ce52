# VM scenario: the module's events, parameter by parameter.
# The trigger (trigger.c) makes each captured syscall, succeeding and
# failing, while `vigil capture` records; the capture's `vigil dump --json`
# and the trigger's expectations go to the share, where check_driver.py
# (on the host) compares them. Also: the device node, and that an
# unprivileged open is refused even when file permissions would allow it.
S=$VIGIL_SHARE
if [ -z "${VIGIL_KO:-}" ]; then
	echo "SKIP: driver/all: no vigil.ko (kmod/ has no module sources)"; touch "$S/skipped"; exit 0
fi
if ! insmod "$VIGIL_KO"; then
	echo "FAIL: driver/insmod: insmod $VIGIL_KO failed: $(dmesg | tail -n 3 | tr '\n' ' ')"; touch "$S/skipped"; exit 1
fi
echo "PASS: driver/insmod"
if [ -c /dev/vigil ]; then echo "PASS: driver/device-node"; else echo "FAIL: driver/device-node: no /dev/vigil"; fi

out=$(ringcheck open 2>&1)
[ $? -eq 0 ] && echo "PASS: driver/open-root" || echo "FAIL: driver/open-root: $out"
out=$(su user -c 'ringcheck open' 2>&1); st=$?
[ $st -eq 1 ] && echo "PASS: driver/open-unprivileged-refused" ||
	echo "FAIL: driver/open-unprivileged-refused: uid 1000 got '$out' (exit $st)"
# Not only the file mode: the module itself must refuse without CAP_SYS_ADMIN.
mode=$(stat -c %a /dev/vigil)
chmod 0666 /dev/vigil
out=$(su user -c 'ringcheck open' 2>&1); st=$?
chmod "$mode" /dev/vigil
[ $st -eq 1 ] && echo "PASS: driver/open-unprivileged-mode-0666-refused" ||
	echo "FAIL: driver/open-unprivileged-mode-0666-refused: uid 1000 got '$out' (exit $st)"

# Capture while the trigger runs.
vigil capture -w /tmp/cap.vcap -d 60 --snaplen 256 >/tmp/capture.out 2>&1 &
cpid=$!
i=0
while [ ! -s /tmp/cap.vcap ] && [ $i -lt 50 ] && kill -0 $cpid 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
sleep 1
if ! kill -0 $cpid 2>/dev/null; then
	echo "FAIL: driver/capture: vigil capture ended early: $(tail -n 3 /tmp/capture.out | tr '\n' ' ')"
	rmmod vigil; exit 1
fi
trigger run /tmp/trig "$S/expect.jsonl"
sleep 1
kill -INT $cpid
wait $cpid; st=$?
cp /tmp/capture.out "$S/capture.out"
[ $st -eq 0 ] && echo "PASS: driver/capture" || echo "FAIL: driver/capture: vigil capture exited $st: $(tail -n 3 /tmp/capture.out | tr '\n' ' ')"
if vigil dump /tmp/cap.vcap --json >"$S/dump.jsonl" 2>/tmp/dump.err; then
	echo "PASS: driver/dump"
else
	echo "FAIL: driver/dump: $(head -n 3 /tmp/dump.err | tr '\n' ' ')"
fi
cp /tmp/cap.vcap "$S/cap.vcap" 2>/dev/null

if rmmod vigil; then echo "PASS: driver/rmmod"; else echo "FAIL: driver/rmmod: rmmod failed"; fi
grep -q '^vigil ' /proc/modules && echo "FAIL: driver/unloaded: vigil still in /proc/modules"
exit 0
