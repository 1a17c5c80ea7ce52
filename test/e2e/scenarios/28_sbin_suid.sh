#@ rule: Write below binary directory
#@ priority: Error
#@ field: proc.name=cp
#@ field: fd.name=/usr/sbin/e2e-suid
#@ rule: Write below binary directory
#@ priority: Error
#@ field: proc.name=chmod
#@ field~: evt.type=chmod
#@ field: fs.path.name=/usr/sbin/e2e-suid
#@ field: evt.arg.mode=04755
# A copy of a shell planted in /usr/sbin (open for writing), then made
# set-uid root (chmod 4755: a mode change, no write).
mkdir -p /usr/sbin
/bin/cp /bin/busybox /usr/sbin/e2e-suid
/bin/chmod 4755 /usr/sbin/e2e-suid
rm -f /usr/sbin/e2e-suid
