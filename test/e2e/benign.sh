# test/e2e/benign.sh - a few minutes of ordinary work that must raise ZERO
# alerts under the prod profile. Sourced by guest.sh (lib.sh loaded).
# E2E_BENIGN_ROUNDS (default 25 from run.sh) sets the length; a round is ~7 s in TCG.
rounds=${E2E_BENIGN_ROUNDS:-25}

# A DNS server (the helper: every A query answered 127.0.0.1; guest.sh made
# /etc/resolv.conf point at it) and, below, its clients.
e2e_helper dns 53 & dns=$!
dns_ok=0 dns_tries=0
# A C compiler (tcc, which run.sh brings from the host with the headers and
# libc files it needs) and the program it builds every round.
cc_ok=0 cc_tries=0 cc_why=
command -v tcc >/dev/null 2>&1 || cc_why="no C compiler in the guest: tcc missing (run.sh shares the host's: apt-get install tcc)"
# A web server and its clients (static files only).
mkdir -p /var/www/html && echo '<h1>ok</h1>' > /var/www/html/index.html
httpd -p 127.0.0.1:8088 -h /var/www/html & web=$!
# An application's state and logs.
mkdir -p /var/lib/app/cache /var/log/app
# A package database, read the way inventory tools do.
mkdir -p /var/lib/dpkg && printf 'Package: busybox\nStatus: install ok installed\n\n' > /var/lib/dpkg/status
# A log rotator, as logrotate is: rotates by rename, removes old files.
mkdir -p /opt/app/bin
cat > /opt/app/bin/logrotate <<'ROT'
#!/bin/sh
cd /var/log/app || exit 0
[ -f app.log.2 ] && rm -f app.log.2
[ -f app.log.1 ] && mv app.log.1 app.log.2
[ -f app.log ] && mv app.log app.log.1
: >> app.log
ROT
chmod 755 /opt/app/bin/logrotate
# A container that runs its normal entrypoint (all namespaces, no extras).
e2e_bundle e2e-app -- /bin/sh -c 'i=0; while [ $i -lt 30 ]; do echo "tick $i" >> /tmp/app.log; wc -l /tmp/app.log >/dev/null; i=$((i + 1)); sleep 0.2; done' >/dev/null

r=0
while [ $r -lt "$rounds" ]; do
	# web traffic
	i=0; while [ $i -lt 10 ]; do
		wget -q -T 5 -O /tmp/page.html http://127.0.0.1:8088/index.html 2>/dev/null
		i=$((i + 1))
	done
	# file work in /tmp and /var/lib/app
	mkdir -p /tmp/work/$r
	for f in a b c d e; do echo "data $r $f" > /tmp/work/$r/$f.txt; done
	cat /tmp/work/$r/*.txt | sort | uniq > /tmp/work/$r/all.txt
	mv /tmp/work/$r/all.txt /var/lib/app/cache/all-$r.txt
	cp /var/lib/app/cache/all-$r.txt /var/lib/app/state.txt
	find /tmp/work -name '*.txt' >/dev/null
	tar -cf /tmp/work-$r.tar -C /tmp work 2>/dev/null && gzip -f /tmp/work-$r.tar
	rm -rf /tmp/work/$r /var/lib/app/cache
	mkdir -p /var/lib/app/cache
	# package database and system files, read
	dpkg -l >/dev/null 2>&1
	grep -c Package /var/lib/dpkg/status >/dev/null
	cat /etc/passwd /etc/group /etc/hostname >/dev/null 2>&1
	id >/dev/null; ps >/dev/null; df >/dev/null; uname -a >/dev/null
	# DNS lookups, answered by the local server (through resolv.conf, and
	# naming the server)
	for q in "app.e2e.internal" "db-$r.e2e.internal 127.0.0.1"; do
		dns_tries=$((dns_tries + 1))
		# shellcheck disable=SC2086
		nslookup $q 2>/dev/null | grep -q '^Name:' && dns_ok=$((dns_ok + 1))
	done
	getent_hosts=$(grep localhost /etc/hosts 2>/dev/null)
	# logs: appended, then rotated
	i=0; while [ $i -lt 20 ]; do echo "$(date) request $r.$i ok" >> /var/log/app/app.log; i=$((i + 1)); done
	/opt/app/bin/logrotate
	# the container's entrypoint, every other round
	[ $((r % 2)) -eq 0 ] && e2e_run e2e-app
	# a C program, compiled and run on the rotated log
	if [ -z "$cc_why" ]; then
		cc_tries=$((cc_tries + 1))
		mkdir -p /tmp/build
		if tcc -o /tmp/build/logsum /e2e/benign_prog.c 2>/tmp/build/tcc.err &&
		   /tmp/build/logsum /var/log/app/app.log.1 >/tmp/build/logsum.out &&
		   [ "$(cut -d' ' -f1 /tmp/build/logsum.out)" = 20 ]; then
			cc_ok=$((cc_ok + 1))
		else
			cc_why="round $r: $(head -c 200 /tmp/build/tcc.err /tmp/build/logsum.out 2>/dev/null | tr '\n' ' ')"
		fi
	fi
	sleep 2
	r=$((r + 1))
done
kill $web $dns 2>/dev/null; wait $web $dns 2>/dev/null
# for guest.sh's PASS/FAIL lines
{
	echo "compile $cc_ok $cc_tries ${cc_why:-}"
	echo "dns $dns_ok $dns_tries"
} > /tmp/benign-summary.txt
: "$getent_hosts"
