#@ rule: Mount inside container
#@ priority: Warning
#@ field: container.name=e2e-mount
#@ field: proc.name=mount
e2e_bundle e2e-mount --privileged -- /bin/mount -t tmpfs none /mnt >/dev/null
e2e_run e2e-mount
