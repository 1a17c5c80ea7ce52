#!/bin/sh
# test/e2e/guest.sh - the end-to-end suite's side inside the VM (busybox sh,
# started by scripts/vm as the scenario). One boot runs everything:
#   1. load vigil.ko, start `vigil run --profile prod` writing JSON alerts;
#   2. every scenarios/*.sh, each between BEGIN/END marks (wall clock, ns);
#   3. SIGHUP with a broken rules file (old rules must stay), then a good one;
#   4. the benign workload (benign.sh): no alert may fall in its window;
#   5. latency: syscall -> alert line in the JSON file, 50 samples;
#   6. SIGTERM: vigil must drain and exit 0;
#   7. drops: a 64 KiB ring and a burst; lost records must be alerted.
# Results go to $VIGIL_SHARE/e2e/ for test/e2e/check.py on the host.
set -u
E=/e2e
. $E/lib.sh
out=${VIGIL_SHARE:-/tmp}/e2e
mkdir -p "$out"
W=$out/windows.txt
: > "$W"
mark() { echo "$1 $2 $(e2e_now)" >> "$W"; }
fail() { echo "FAIL: e2e/$1: $2"; }

# ---- the stage: module, cgroups, addresses, listeners, files
if ! insmod "$VIGIL_KO" 2>/tmp/insmod.err; then
	fail insmod "$(cat /tmp/insmod.err)"
	exit 1
fi
mount -t cgroup2 none /sys/fs/cgroup 2>/dev/null
for a in 198.51.100.7 169.254.169.254 10.96.0.1; do ip addr add "$a/32" dev lo; done
mkdir -p /tmp/www && echo ok > /tmp/www/index.html
httpd -p 8080 -h /tmp/www
httpd -p 443 -h /tmp/www
[ -f /etc/shadow ] || { echo 'root:*:19000:0:99999:7:::' > /etc/shadow; chmod 600 /etc/shadow; }
# the benign workload's DNS server (e2e_helper dns) answers on 127.0.0.1
echo 'nameserver 127.0.0.1' > /etc/resolv.conf
mkdir -p /tmp/e2e-rules.d /run/runc /tmp/bundles
cat > /tmp/e2e-rules.d/50-marker.yaml <<'R'
- rule: E2E marker A
  desc: reload test, first rule set
  condition: evt.type in (open, openat) and fd.name = /tmp/e2e-marker-a
  output: marker A opened (file=%fd.name proc=%proc.name)
  priority: NOTICE
  tags: [e2e]
R
e2e_rootfs /tmp/e2e-image

# ---- the sensor
vigil run -r builtin:rules -r /tmp/e2e-rules.d --profile prod --no-stdout --no-journald \
	-o /tmp/alerts.json 2>/tmp/vigil.err &
vpid=$!
i=0
while ! grep -q 'capturing' /tmp/vigil.err 2>/dev/null; do
	if ! kill -0 $vpid 2>/dev/null || [ $i -ge 600 ]; then
		fail vigil-start "vigil run did not start: $(tail -n 5 /tmp/vigil.err | tr '\n' ' ')"
		cp /tmp/vigil.err "$out/" 2>/dev/null
		exit 1
	fi
	sleep 0.2; i=$((i + 1))
done
echo "PASS: e2e/vigil-start"
sleep 2

# ---- scenarios
# (busybox runs applets named without a path in-process or through
# /proc/self/exe, so their proc.name would be "sh" or "exe": scenarios name
# the programs whose proc.name they assert by path, as /bin/rm.)
for s in $E/scenarios/*.sh; do
	n=$(basename "$s" .sh)
	if [ -n "${E2E_SCENARIOS:-}" ]; then
		case " $E2E_SCENARIOS " in *" $n "*) ;; *) continue ;; esac
	fi
	mark BEGIN "$n"
	echo "=== $n" >>/tmp/scenarios.log
	echo "=== $n" >>/tmp/containers.log
	# each scenario in its own shell, killed if it hangs
	rm -f /tmp/e2e-skip
	timeout -s KILL "${E2E_SCENARIO_TIMEOUT:-240}" /bin/sh -c ". $E/lib.sh; . $s" >>/tmp/scenarios.log 2>&1 ||
		echo "($n: exit status $?)" >>/tmp/scenarios.log
	sleep 2
	mark END "$n"
	[ -s /tmp/e2e-skip ] && echo "SKIP $n $(head -n 1 /tmp/e2e-skip)" >> "$W"
	cp /tmp/scenarios.log /tmp/containers.log /tmp/vigil.err "$out/" 2>/dev/null
done

# ---- reload: a broken file keeps the old set, a good one replaces it
mark BEGIN hup-bad
printf -- '- rule: broken\n  condition: evt.type = = open\n' > /tmp/e2e-rules.d/60-broken.yaml
kill -HUP $vpid; sleep 4
cat /tmp/e2e-marker-a 2>/dev/null; : > /tmp/e2e-marker-a; cat /tmp/e2e-marker-a
sleep 2
mark END hup-bad
mark BEGIN hup-good
rm -f /tmp/e2e-rules.d/60-broken.yaml
sed 's/marker A/marker B/; s/e2e-marker-a/e2e-marker-b/; s/first rule set/second rule set/' \
	/tmp/e2e-rules.d/50-marker.yaml > /tmp/e2e-rules.d/50-marker.yaml.new
mv /tmp/e2e-rules.d/50-marker.yaml.new /tmp/e2e-rules.d/50-marker.yaml
kill -HUP $vpid; sleep 4
: > /tmp/e2e-marker-b; cat /tmp/e2e-marker-b /tmp/e2e-marker-a
sleep 2
mark END hup-good

# ---- benign workload
mark BEGIN benign
rm -f /tmp/benign-summary.txt
timeout -s KILL "${E2E_BENIGN_TIMEOUT:-1200}" /bin/sh -c ". $E/lib.sh; . $E/benign.sh" >>/tmp/benign.log 2>&1
sleep 3
mark END benign
# the benign work that must really happen: C programs compiled and run, DNS
# lookups answered
if [ ! -f /tmp/benign-summary.txt ]; then
	fail benign-work "the benign workload did not finish (no summary)"
else
	while read -r what ok tries why; do
		if [ "$tries" -gt 0 ] && [ "$ok" = "$tries" ] && [ -z "$why" ]; then
			case $what in
			compile) echo "PASS: e2e/benign-compile ($ok C programs compiled with tcc and run)" ;;
			dns) echo "PASS: e2e/benign-dns ($ok lookups answered by the local DNS server)" ;;
			esac
		else
			fail "benign-$what" "$ok of $tries succeeded${why:+: $why}"
		fi
	done < /tmp/benign-summary.txt
fi

# ---- latency
mark BEGIN latency
e2e_helper latency "${E2E_LATENCY_SAMPLES:-50}" /tmp/alerts.json "$out/latency.txt" > "$out/latency-summary.txt" 2>&1
mark END latency

# ---- stop
kill -TERM $vpid
wait $vpid
rc=$?
echo "EXIT vigil $rc" >> "$W"
if [ $rc -eq 0 ]; then echo "PASS: e2e/sigterm-exit"; else fail sigterm-exit "vigil run exited $rc"; fi

# ---- drops: the smallest ring and a burst of events; what the rings lose
# must come out as (rate-limited) alerts. The engine is stopped while the
# burst runs (a stalled reader): a reader that keeps up loses nothing, and
# whether it keeps up must not decide whether this is tested.
mark BEGIN drops
vigil run --ring-size 65536 --drop-alert-rate 1 --no-stdout --no-journald \
	-o /tmp/drops.json 2>/tmp/vigil-drops.err &
v2=$!
i=0
while ! grep -q capturing /tmp/vigil-drops.err 2>/dev/null && [ $i -lt 600 ]; do sleep 0.2; i=$((i + 1)); done
kill -STOP $v2
e2e_helper burst 200000 & b1=$!
e2e_helper burst 200000 & b2=$!
wait $b1 $b2
kill -CONT $v2
sleep 3
kill -TERM $v2; wait $v2
mark END drops
cp /tmp/drops.json /tmp/vigil-drops.err "$out/" 2>/dev/null

cp /tmp/alerts.json /tmp/vigil.err /tmp/scenarios.log /tmp/containers.log /tmp/benign.log "$out/" 2>/dev/null
sync
exit 0
