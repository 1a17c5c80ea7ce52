#@ rule: Namespace changed by process
#@ priority: Warning
#@ field: proc.name=unshare
#@ field: evt.type=unshare
unshare -u true
