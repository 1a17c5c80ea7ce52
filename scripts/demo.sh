#!/usr/bin/env bash
# scripts/demo.sh   (`make demo`)
#
# vigil end to end without touching this host's kernel: boots Debian's
# kernel in QEMU (scripts/vm/), loads vigil.ko there, starts
# `vigil run --profile prod`, plays a short scripted attack (a shell in a
# Kubernetes-style runc container, a package install in it, a read of
# /etc/shadow, a planted SSH key, a netcat shell, a fileless binary) and
# prints the alerts vigil raised, as text and as the first JSON alert.
#   VIGIL_DEMO_KERNEL=5.10|6.1|6.12 (default 6.1)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
kernel=${VIGIL_DEMO_KERNEL:-6.1}
out=$top/build/demo
rm -rf "$out"; mkdir -p "$out/share"
gcc -O2 -static -o "$out/e2e_helper" "$top/test/e2e/e2e_helper.c"
cat > "$out/guest.sh" <<'GUEST'
#!/bin/sh
. /e2e/lib.sh
o=$VIGIL_SHARE
step() { echo ">>> $*" >> "$o/steps.txt"; }
insmod "$VIGIL_KO" || { echo "FAIL: demo/insmod"; exit 1; }
mount -t cgroup2 none /sys/fs/cgroup
mkdir -p /run/runc /tmp/bundles
[ -f /etc/shadow ] || { echo 'root:*:19000:0:99999:7:::' > /etc/shadow; chmod 600 /etc/shadow; }
e2e_rootfs /tmp/e2e-image
vigil run --profile prod --no-journald -o /tmp/alerts.json >"$o/alerts.txt" 2>"$o/vigil.err" &
v=$!
while ! grep -q capturing "$o/vigil.err" 2>/dev/null; do sleep 0.2; done
step "kubectl exec -it web -- sh      (a shell with a terminal in a container)"
e2e_bundle web --tty -- /bin/sh -c "id" >/dev/null; e2e_run_tty web
step "apk/dpkg inside the container   (package manager in a running container)"
e2e_bundle web2 -- /bin/dpkg -l >/dev/null; e2e_run web2
step "cat /etc/shadow                 (credential file read)"
/bin/cat /etc/shadow >/dev/null
step "echo key >> ~/.ssh/authorized_keys  (SSH persistence)"
mkdir -p /root/.ssh; echo "ssh-ed25519 AAAA attacker" >> /root/.ssh/authorized_keys
step "nc -l -p 4444 -e /bin/sh        (netcat shell)"
/bin/nc -l -p 4444 -e /bin/sh & n=$!; sleep 1; kill $n
step "fexecve of a memfd              (fileless execution)"
e2e_helper memfd-exec /bin/busybox true
sleep 2
kill -TERM $v; wait $v
cp /tmp/alerts.json "$o/alerts.json"
cp /tmp/containers.log "$o/containers.log" 2>/dev/null
echo "PASS: demo/ran"
GUEST
bash "$top/scripts/vm/run.sh" --kernel "$kernel" --scenario "$out/guest.sh" --share "$out/share" \
	--extra "$out/e2e_helper" --extra "$(command -v runc)" --extra "$top/test/e2e:/e2e" \
	--prefix "demo/" --timeout 900 --log "$out/console.log"
echo
echo "=== the attack"
cat "$out/share/steps.txt" 2>/dev/null
echo
echo "=== vigil's alerts (stdout, text)"
cat "$out/share/alerts.txt" 2>/dev/null
echo
echo "=== the first alert as JSON (Falco's shape)"
head -n 1 "$out/share/alerts.json" 2>/dev/null
echo
if [ -s "$out/share/containers.log" ]; then
	echo "=== container runtime messages"
	cat "$out/share/containers.log"
	echo
fi
echo "=== vigil's log"
cat "$out/share/vigil.err" 2>/dev/null
