# VM scenario: a 64 KiB ring under a flood from one writer per CPU, read
# slowly by ringcheck (an independent consumer written from vigil_abi.h):
# drops are counted, every delivered record is well-formed, flood payloads
# are intact and in order, and the module's counters add up; then the same
# drops through `vigil run`'s metrics.
if [ -z "${VIGIL_KO:-}" ]; then echo "SKIP: overflow/all: no vigil.ko (kmod/ has no module sources)"; exit 0; fi
insmod "$VIGIL_KO" || { echo "FAIL: overflow/insmod: insmod failed"; exit 1; }
ringcheck overflow 65536 4
rmmod vigil || echo "FAIL: overflow/rmmod: rmmod failed"

# The same through the engine: `vigil capture` with a 64 KiB ring while both
# CPUs flood; it must count drops, skip nothing as malformed, and every
# record it wrote must come back from `vigil dump`.
insmod "$VIGIL_KO" || { echo "FAIL: overflow/engine-insmod: insmod failed"; exit 1; }
ringcheck flood 5 & f1=$!
ringcheck flood 5 & f2=$!
vigil capture -w /tmp/o.vcap --ring-size 65536 -d 2 >/tmp/o.out 2>&1; st=$?
kill $f1 $f2 2>/dev/null; wait $f1 $f2 2>/dev/null
rmmod vigil || echo "FAIL: overflow/engine-rmmod: rmmod failed"
cat /tmp/o.out
written=$(grep -o -E '[0-9]+ events written' /tmp/o.out | awk '{print $1}')
full=$(grep -o -E 'full=[0-9]+' /tmp/o.out | head -n 1 | cut -d= -f2)
malformed=$(grep -o -E 'malformed=[0-9]+' /tmp/o.out | head -n 1 | cut -d= -f2)
desyncs=$(grep -o -E 'desyncs=[0-9]+' /tmp/o.out | head -n 1 | cut -d= -f2)
[ $st -eq 0 ] && [ -n "$written" ] || echo "FAIL: overflow/engine-capture: vigil capture exited $st: $(tail -n 2 /tmp/o.out | tr '\n' ' ')"
[ "${full:-0}" -gt 0 ] && echo "PASS: overflow/engine-drops-counted" ||
	echo "FAIL: overflow/engine-drops-counted: vigil capture reported full=${full:-?} with a 64 KiB ring under a flood"
[ "${malformed:-x}" = 0 ] && [ "${desyncs:-x}" = 0 ] && echo "PASS: overflow/engine-no-malformed" ||
	echo "FAIL: overflow/engine-no-malformed: malformed=${malformed:-?} desyncs=${desyncs:-?}"
if vigil dump /tmp/o.vcap --json >/tmp/o.json 2>/tmp/o.err; then
	# live records the module made (the engine adds "drop" records of its own)
	n=$(grep '"section":"live"' /tmp/o.json | grep -c -v -E '"type":"(drop|procinfo|fdinfo|container)"')
	d=$(grep -c '"type":"drop"' /tmp/o.json)
	echo "overflow: dump: $n module records, $d drop records"
	[ "$n" = "$written" ] && echo "PASS: overflow/engine-dump-all-records: $n" ||
		echo "FAIL: overflow/engine-dump-all-records: dump has $n live records, capture wrote ${written:-?}"
else
	echo "FAIL: overflow/engine-dump-all-records: vigil dump failed: $(head -n 2 /tmp/o.err | tr '\n' ' ')"
fi

# And through `vigil run` with metrics: a 64 KiB ring (ring_size: in
# vigil.yaml) under the same flood. The module's per-CPU drops must reach
# vigil_drops_total{cpu,cause="full"}; `vigil health` answers from the
# endpoint, and `vigil stats` (the device is busy) prints the engine's
# counters from it.
insmod "$VIGIL_KO" || { echo "FAIL: overflow/run-insmod: insmod failed"; exit 1; }
cat > /tmp/m.yaml <<EOF
ring_size: 64K
metrics: {enabled: true, port: 19376}
outputs:
  - {name: f, type: file, path: /tmp/m-alerts.json}
EOF
vigil run -c /tmp/m.yaml 2>/tmp/m.err & vp=$!
i=0
while ! grep -q capturing /tmp/m.err 2>/dev/null && kill -0 $vp 2>/dev/null && [ $i -lt 300 ]; do
	sleep 0.2; i=$((i + 1))
done
ringcheck flood 4 & f1=$!
ringcheck flood 4 & f2=$!
wait $f1 $f2
sleep 2	# a tick or two after the flood
# (busybox nc: the static busybox wget crashes resolving addresses here)
printf 'GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' | nc -w 10 127.0.0.1 19376 | tr -d '\r' >/tmp/m.txt
grep -q '^# TYPE vigil_drops_total counter' /tmp/m.txt; wst=$?
vigil health -c /tmp/m.yaml --min-events 1 >/tmp/h.out 2>&1; hst=$?
vigil stats -c /tmp/m.yaml >/tmp/s.out 2>&1; sst=$?
kill -TERM $vp; wait $vp; vst=$?
rmmod vigil || echo "FAIL: overflow/run-rmmod: rmmod failed"
grep -E '^vigil_(drops|ring_faults|ring_truncations)_total' /tmp/m.txt | head -n 12
tail -n 1 /tmp/m.err
full=$(sed -n 's/^vigil_drops_total{cpu="[0-9]*",cause="full"} \([0-9]*\)$/\1/p' /tmp/m.txt |
	awk '{s += $1} END {print s + 0}')
ncpu=$(grep -c '^vigil_ring_faults_total{cpu="[0-9]*"}' /tmp/m.txt)
if [ $wst -eq 0 ] && [ "$full" -gt 0 ] && [ "$ncpu" -ge 1 ] &&
   grep -q '^vigil_drops_total{cpu="0",cause="nested"} ' /tmp/m.txt; then
	echo "PASS: overflow/run-metrics-drops-by-cpu-and-cause: full=$full over $ncpu CPU(s)"
else
	echo "FAIL: overflow/run-metrics-drops-by-cpu-and-cause: scrape status $wst, full=$full, cpus=$ncpu: $(grep -v '^#' /tmp/m.txt | head -n 5 | tr '\n' ' ')"
fi
[ $hst -eq 0 ] && grep -q '^ok: ' /tmp/h.out && echo "PASS: overflow/run-health" ||
	echo "FAIL: overflow/run-health: vigil health exited $hst: $(cat /tmp/h.out)"
[ $sst -eq 0 ] && grep -q 'is busy' /tmp/s.out && grep -q "running engine's counters" /tmp/s.out &&
	echo "PASS: overflow/run-stats-busy-from-metrics" ||
	echo "FAIL: overflow/run-stats-busy-from-metrics: vigil stats exited $sst: $(head -n 4 /tmp/s.out | tr '\n' ' ')"
[ $vst -eq 0 ] || echo "FAIL: overflow/run-exit: vigil run exited $vst: $(tail -n 3 /tmp/m.err | tr '\n' ' ')"
exit 0
