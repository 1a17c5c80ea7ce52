#@ rule: Write below etc
#@ priority: Error
#@ field: proc.name=chown
#@ field~: evt.type=chown
#@ field: fs.path.name=/etc/e2e-owned
#@ rule: Write below binary directory
#@ priority: Error
#@ field: proc.name=e2e_helper
#@ field: evt.type=fchmod
#@ field: fd.name=/usr/bin/e2e-fdmode
#@ field: evt.arg.mode=04755
# Changes of owner and mode that write no byte: a file below /etc given to
# another user (chown, by path), and a file in /usr/bin made set-uid
# through an open fd (fchmod: the path is the fd's).
echo x > /etc/e2e-owned
/bin/chown 1000:1000 /etc/e2e-owned
rm -f /etc/e2e-owned
cp /bin/busybox /usr/bin/e2e-fdmode
e2e_helper fchmod /usr/bin/e2e-fdmode 4755
rm -f /usr/bin/e2e-fdmode
