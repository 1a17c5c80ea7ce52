# VM scenario: a 64 KiB ring under a flood from one writer per CPU, read
# slowly by ringcheck (an independent consumer written from vigil_abi.h):
# drops are counted, every delivered record is well-formed, flood payloads
# are intact and in order, and the module's counters add up.
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
exit 0
