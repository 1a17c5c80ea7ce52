#@ rule: Terminal shell in container
#@ priority: Critical
#@ field: proc.name=sh
#@ field: container.id={container_id:e2e-tty}
#@ field: container.name=e2e-tty
#@ field: container.image.repository=registry.example.com/e2e/e2e-tty
#@ field: k8s.ns.name=e2e
#@ field: k8s.pod.name=e2e-tty-pod
#@ field: proc.pname=runc
#@ field: proc.aname[2]=e2e_helper
# `kubectl exec -it ... sh` as the runtime does it: a shell with a pty. Its
# parent is runc (in the foreground, it relays the container's pty), and
# runc's parent, the shell's grandparent, is the helper that gave runc a
# terminal (as sshd or the kubelet's exec session would).
e2e_bundle e2e-tty --tty -- /bin/sh -c "exit 0" >/dev/null
e2e_run_tty e2e-tty
