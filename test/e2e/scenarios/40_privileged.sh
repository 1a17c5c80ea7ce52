#@ rule: Privileged container started
#@ priority: Warning
#@ field: container.name=e2e-priv
#@ field: container.privileged=true
e2e_bundle e2e-priv --privileged -- /bin/true >/dev/null
e2e_run e2e-priv
