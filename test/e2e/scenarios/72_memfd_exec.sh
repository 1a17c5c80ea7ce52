#@ rule: Fileless execution from memfd
#@ priority: Critical
#@ field: proc.is_exe_from_memfd=true
e2e_helper memfd-exec /bin/busybox true
