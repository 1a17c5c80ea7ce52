#@ rule: Link created over sensitive file
#@ priority: Warning
#@ field: proc.name=ln
/bin/ln -sf /etc/shadow /tmp/e2e-shadow-link
