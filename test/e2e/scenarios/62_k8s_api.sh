#@ rule: Kubernetes API contacted from container
#@ priority: Warning
#@ field: container.name=e2e-k8sapi
#@ field: fd.sip=10.96.0.1
#@ field: fd.sport=443
e2e_bundle e2e-k8sapi --hostnet -- /bin/e2e_helper connect 10.96.0.1 443 >/dev/null
e2e_run e2e-k8sapi
