#@ rule: Write below etc
#@ priority: Error
#@ field: proc.name=ln
#@ field~: evt.type=link
#@ field: fs.path.source=/var/tmp/e2e-shadow
#@ field: fs.path.target=/etc/shadow
# A password file of the attacker's hard-linked into place as /etc/shadow
# (ln -f: unlink, then link(2)): nothing opens /etc/shadow for writing.
# /var/tmp is on the root filesystem, as /etc is (a hard link cannot cross).
mkdir -p /var/tmp
cp /etc/shadow /var/tmp/e2e-shadow.orig
echo 'root:$6$e2e$attacker:19000:0:99999:7:::' > /var/tmp/e2e-shadow
/bin/ln -f /var/tmp/e2e-shadow /etc/shadow
# put the original back (the latency step reads /etc/shadow)
rm -f /etc/shadow /var/tmp/e2e-shadow
cp /var/tmp/e2e-shadow.orig /etc/shadow && chmod 600 /etc/shadow
rm -f /var/tmp/e2e-shadow.orig
