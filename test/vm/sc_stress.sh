# VM scenario: while both CPUs flood captured syscalls, 20 rounds of
# insmod, two start/stop cycles (ringcheck cycle: open, start, read, stop,
# close; one of the two closed while still running), a reader killed with SIGKILL in
# the middle of a capture, and rmmod. The harness then checks the kernel
# log for BUG/WARNING/Oops/KASAN lines.
# vm-timeout: 900
if [ -z "${VIGIL_KO:-}" ]; then echo "SKIP: stress/all: no vigil.ko (kmod/ has no module sources)"; exit 0; fi
ROUNDS=${VIGIL_STRESS_ROUNDS:-20}
ringcheck flood 600 & f1=$!
ringcheck flood 600 & f2=$!
fail=0
i=1
while [ $i -le $ROUNDS ]; do
	if ! insmod "$VIGIL_KO"; then echo "FAIL: stress/insmod: round $i"; fail=1; break; fi
	if ! out=$(ringcheck cycle 2 2>&1); then echo "FAIL: stress/cycle: round $i: $out"; fail=1; fi
	ringcheck hold >/dev/null 2>&1 & h=$!
	sleep 0.$((i % 3 + 1))
	kill -9 $h; wait $h 2>/dev/null
	if ! rmmod vigil; then
		echo "FAIL: stress/rmmod: round $i: rmmod failed"; fail=1
		sleep 1; rmmod vigil 2>/dev/null || break
	fi
	echo "stress: round $i done at $(cut -d' ' -f1 /proc/uptime) s"
	i=$((i + 1))
done
kill $f1 $f2 2>/dev/null; wait $f1 $f2 2>/dev/null
[ $fail -eq 0 ] && echo "PASS: stress/insmod-cycle-kill-rmmod-x$ROUNDS"
grep -q '^vigil ' /proc/modules && echo "FAIL: stress/unloaded: vigil still loaded"
exit 0
