#@ rule: Container with sensitive host mount started
#@ priority: Warning
#@ field: container.name=e2e-etcmount
e2e_bundle e2e-etcmount --mount /etc:/host-etc -- /bin/true >/dev/null
e2e_run e2e-etcmount
