#@ rule: Log files cleared
#@ priority: Warning
#@ field: fd.name=/var/log/e2e-auth.log
mkdir -p /var/log
echo "login ok" >> /var/log/e2e-auth.log
: > /var/log/e2e-auth.log
