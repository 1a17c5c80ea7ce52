#@ rule: Package management process launched in container
#@ priority: Critical
#@ field: container.name=e2e-pkg
#@ field: proc.name=dpkg
e2e_bundle e2e-pkg -- /bin/dpkg -l >/dev/null
e2e_run e2e-pkg
