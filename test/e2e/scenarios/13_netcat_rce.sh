#@ rule: Netcat or socat remote code execution
#@ priority: Critical
#@ field: proc.name=nc
# nc -e: a shell served to whoever connects.
/bin/nc -l -p 4446 -e /bin/true & np=$!
sleep 0.5
kill $np 2>/dev/null; wait $np 2>/dev/null
