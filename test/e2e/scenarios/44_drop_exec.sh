#@ rule: Drop and execute new binary in container
#@ priority: Critical
#@ field: container.name=e2e-dropexec
#@ field: proc.exepath=/tmp/true
# A binary written into the container's upper layer, then run.
e2e_bundle e2e-dropexec --overlay -- /bin/sh -c "cp /bin/busybox /tmp/true && /tmp/true" >/dev/null
e2e_run e2e-dropexec
umount "$E2E_BUNDLES/e2e-dropexec/rootfs" 2>/dev/null
