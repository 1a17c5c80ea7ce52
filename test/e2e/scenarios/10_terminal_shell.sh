#@ rule: Terminal shell in container
#@ priority: Critical
#@ field: proc.name=sh
#@ field: container.name=e2e-tty
#@ field: k8s.ns.name=e2e
#@ field: k8s.pod.name=e2e-tty-pod
#@ field~: container.image.repository=registry.example.com/e2e/e2e-tty
# `kubectl exec -it ... sh` as the runtime does it: a shell with a pty.
e2e_bundle e2e-tty --tty -- /bin/sh -c "exit 0" >/dev/null
e2e_run_tty e2e-tty
