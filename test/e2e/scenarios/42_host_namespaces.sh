#@ rule: Container sharing host namespaces started
#@ priority: Warning
#@ field: container.name=e2e-hostns
#@ field: container.host_network=true
#@ field: container.host_pid=true
e2e_bundle e2e-hostns --hostnet --hostpid -- /bin/true >/dev/null
e2e_run e2e-hostns
