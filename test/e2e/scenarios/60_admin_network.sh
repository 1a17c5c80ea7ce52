#@ rule: Outbound connection to admin network
#@ priority: Warning
#@ field: fd.sip=198.51.100.7
e2e_helper connect 198.51.100.7 8080
