#@ rule: Namespace changed by process
#@ priority: Warning
#@ field: proc.name=unshare
#@ field: evt.type=unshare
/bin/unshare -u /bin/true
