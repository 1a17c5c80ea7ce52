#@ rule: Connection to cloud metadata service
#@ priority: Warning
#@ field: fd.sip=169.254.169.254
e2e_helper connect 169.254.169.254 8080
