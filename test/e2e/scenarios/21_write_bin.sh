#@ rule: Write below binary directory
#@ priority: Error
#@ field: fd.name=/usr/bin/e2e-implant
#@ field: proc.name=cp
mkdir -p /usr/bin
/bin/cp /bin/busybox /usr/bin/e2e-implant
