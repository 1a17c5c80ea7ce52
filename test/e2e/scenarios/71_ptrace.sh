#@ rule: Ptrace attached to process
#@ priority: Warning
#@ field: proc.name=e2e_helper
e2e_helper ptrace
