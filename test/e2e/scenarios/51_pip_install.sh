#@ rule: Package management process launched in container
#@ priority: Critical
#@ field: container.name=e2e-pip
#@ field: proc.name=pip
#@ field~: proc.args=install requests
# `pip install` in a running container. pip is a script (#!/usr/bin/python3
# on a real image, a busybox sh script here), so the process is named pip
# and its arguments start with the script's path.
e2e_bundle e2e-pip -- /usr/bin/pip install requests >/dev/null
printf '#!/bin/sh\necho "Collecting $2"\n' > "$E2E_BUNDLES/e2e-pip/rootfs/usr/bin/pip"
chmod 755 "$E2E_BUNDLES/e2e-pip/rootfs/usr/bin/pip"
e2e_run e2e-pip
