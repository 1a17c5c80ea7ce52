#@ rule: Read sensitive file by untrusted program
#@ priority: Warning
#@ field: fd.name=/etc/shadow
#@ field: proc.name=cat
/bin/cat /etc/shadow >/dev/null
