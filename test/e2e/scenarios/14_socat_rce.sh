#@ rule: Netcat or socat remote code execution
#@ priority: Critical
#@ field: proc.name=socat
#@ field: proc.args=TCP-LISTEN:4447,reuseaddr EXEC:/bin/sh
# socat serving a shell to whoever connects (a bind shell). run.sh puts the
# host's socat in the guest, with its libraries, when the host has one.
if ! command -v socat >/dev/null 2>&1; then
	e2e_skip "socat is not in the guest (the host has none: apt-get install socat)"
	exit 0
fi
socat TCP-LISTEN:4447,reuseaddr EXEC:/bin/sh & sp=$!
sleep 1
kill $sp 2>/dev/null; wait $sp 2>/dev/null
