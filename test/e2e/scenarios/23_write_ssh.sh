#@ rule: Write below root home or ssh directory
#@ priority: Error
#@ field: fd.name=/root/.ssh/authorized_keys
mkdir -p /root/.ssh
echo "ssh-ed25519 AAAAe2e attacker" >> /root/.ssh/authorized_keys
