# test/e2e/benign.sh - a few minutes of ordinary work that must raise ZERO
# alerts under the prod profile. Sourced by guest.sh (lib.sh loaded).
# E2E_BENIGN_ROUNDS (default 25 from run.sh) sets the length; a round is ~7 s in TCG.
rounds=${E2E_BENIGN_ROUNDS:-25}

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
	# DNS lookups (no server in the VM: they fail, as a resolver would try)
	nslookup localhost 127.0.0.1 >/dev/null 2>&1
	getent_hosts=$(grep localhost /etc/hosts 2>/dev/null)
	# logs: appended, then rotated
	i=0; while [ $i -lt 20 ]; do echo "$(date) request $r.$i ok" >> /var/log/app/app.log; i=$((i + 1)); done
	/opt/app/bin/logrotate
	# the container's entrypoint, every other round
	[ $((r % 2)) -eq 0 ] && e2e_run e2e-app
	# a C program, compiled and run, when a compiler is in the VM
	if command -v tcc >/dev/null 2>&1; then
		printf 'int main(void){return 0;}\n' > /tmp/prog.c && tcc -o /tmp/prog /tmp/prog.c 2>/dev/null && /tmp/prog
	fi
	sleep 2
	r=$((r + 1))
done
kill $web 2>/dev/null; wait $web 2>/dev/null
: "$getent_hosts"
