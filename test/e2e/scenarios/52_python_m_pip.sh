#@ rule: Package management process launched in container
#@ priority: Critical
#@ field: container.name=e2e-pymodpip
#@ field: proc.name=python3
#@ field: proc.args=-m pip install requests
# `python3 -m pip install` in a running container: the process is the
# interpreter, the package manager is in its arguments. (python3 here is
# busybox under that name: it starts, says it has no such applet, exits.)
e2e_bundle e2e-pymodpip -- /usr/bin/python3 -m pip install requests >/dev/null
ln -sf /bin/busybox "$E2E_BUNDLES/e2e-pymodpip/rootfs/usr/bin/python3"
e2e_run e2e-pymodpip
