#@ rule: Kernel module loaded
#@ priority: Warning
#@ field: evt.type=init_module
e2e_helper initmod
