#@ rule: SSH connection to non-standard port
#@ priority: Warning
#@ field: proc.name=ssh
#@ field: fd.sport=8080
# An ssh client (the helper under the name ssh) to a non-SSH port.
mkdir -p /tmp/sshbin && cp "$(command -v e2e_helper)" /tmp/sshbin/ssh
/tmp/sshbin/ssh 127.0.0.1 8080
