#@ rule: Write below root home or ssh directory
#@ priority: Error
#@ field: fd.name=/root/.ssh/authorized_keys
#@ rule: Write below root home or ssh directory
#@ priority: Error
#@ field~: evt.type=mkdir
#@ field: fs.path.name=/root/.ssh
# A new .ssh directory (mkdir(2)) and a key planted in it.
rm -rf /root/.ssh
/bin/mkdir /root/.ssh
echo "ssh-ed25519 AAAAe2e attacker" >> /root/.ssh/authorized_keys
