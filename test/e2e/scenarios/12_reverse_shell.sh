#@ rule: Reverse shell redirects standard streams to a socket
#@ priority: Critical
#@ field: container.name=e2e-revshell
#@ field: evt.type=dup2
# A process in a container dups a TCP socket onto 0, 1, 2 and runs sh.
nc -l -p 4445 >/dev/null </dev/null & np=$!
sleep 0.3
e2e_bundle e2e-revshell --hostnet -- /bin/e2e_helper revshell 127.0.0.1 4445 >/dev/null
e2e_run e2e-revshell
kill $np 2>/dev/null; wait $np 2>/dev/null
