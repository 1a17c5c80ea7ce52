# Guest side of bench_syscalls.sh (a scenario for scripts/vm/run.sh).
# Times three syscall kinds (sysbench) under each mode, pinned to CPU 0
# (readers run on CPU 1), and writes
#   R <mode> <kind> <ns/op>
#   D <mode> <events> <drops>      (what the reader said at the end of a round)
# to $VIGIL_SHARE/results.txt. Modes: none, floor (empty sys_enter+sys_exit
# probes), vigil (vigil capture, every event type), scap (scap.ko +
# sysdig -w /dev/null). The modes are interleaved: each of the RUNS rounds
# runs every mode once, so that a change in the host's load moves all of
# them alike instead of whichever mode happened to run then.
OUT=$VIGIL_SHARE/results.txt
: >"$OUT"
RUNS=${B_RUNS:-9}
SCAP=/opt/vigil/bin/scap.ko
iters() { case $1 in null) echo "${B_ITER_NULL:-40000}" ;; openclose) echo "${B_ITER_OPEN:-10000}" ;; *) echo "${B_ITER_READ:-40000}" ;; esac; }
bench() { # MODE
	for k in null openclose read1; do
		set -- $(taskset 1 sysbench $k "$(iters $k)")
		[ -n "${2:-}" ] && echo "R $mode $1 $2" >>"$OUT"
	done
}
say() { echo "bench: $*"; }

round_none() { mode=none; bench; }

round_floor() {
	mode=floor
	if insmod /opt/vigil/bin/vigil_floor.ko; then bench; rmmod vigil_floor
	else echo "FAIL: bench/floor: insmod vigil_floor.ko failed"; fi
}

round_vigil() {
	mode=vigil
	if [ -z "${VIGIL_KO:-}" ] || ! insmod "$VIGIL_KO"; then
		echo "FAIL: bench/vigil: no vigil.ko or insmod failed"; return
	fi
	taskset 2 vigil capture -w /tmp/bench.vcap >/tmp/vigil.out 2>&1 & cpid=$!
	sleep 5		# as long as sysdig's: both readers done starting up
	bench
	kill -INT $cpid; wait $cpid
	rm -f /tmp/bench.vcap
	# "N events written ..." and "drops: full=N badtail=N ...; faults=..."
	ev=$(grep -o -E '[0-9]+ events written' /tmp/vigil.out | head -n 1 | awk '{print $1}')
	dr=$(grep 'drops:' /tmp/vigil.out | sed 's/;.*//' | grep -o -E '=[0-9]+' | tr -d = | awk '{s += $1} END {print s + 0}')
	echo "D vigil ${ev:-?} ${dr:-?}" >>"$OUT"
	rmmod vigil
}

round_scap() {
	mode=scap
	[ -f $SCAP ] || return
	if ! insmod $SCAP; then echo "SKIP: bench/scap: insmod scap.ko failed"; return; fi
	taskset 2 sysdig -v -w /dev/null >/tmp/sysdig.out 2>&1 & spid=$!
	sleep 5
	bench
	kill -INT $spid; wait $spid
	ev=$(grep -i -o -E 'driver events:? *[0-9]+' /tmp/sysdig.out | grep -o -E '[0-9]+$' | head -n 1)
	dr=$(grep -i -o -E 'driver drops:? *[0-9]+' /tmp/sysdig.out | grep -o -E '[0-9]+$' | head -n 1)
	echo "D scap ${ev:-?} ${dr:-?}" >>"$OUT"
	rmmod scap
}

[ -f $SCAP ] || echo "SKIP: bench/scap: scap.ko not available"
r=1
while [ $r -le "$RUNS" ]; do
	round_none; round_floor; round_vigil; round_scap
	say "round $r done"
	r=$((r + 1))
done
cat /tmp/vigil.out
[ -f /tmp/sysdig.out ] && tail -n 20 /tmp/sysdig.out
exit 0
