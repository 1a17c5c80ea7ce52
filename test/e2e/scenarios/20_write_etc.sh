#@ rule: Write below etc
#@ priority: Error
#@ field: fd.name=/etc/e2e-persist.conf
#@ field: proc.name=sh
/bin/sh -c "echo evil=1 > /etc/e2e-persist.conf"
