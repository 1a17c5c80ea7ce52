#@ rule: Packet socket created in container
#@ priority: Warning
#@ field: container.name=e2e-packet
e2e_bundle e2e-packet -- /bin/e2e_helper packet >/dev/null
e2e_run e2e-packet
