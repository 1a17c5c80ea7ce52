#@ rule: Link created over sensitive file
#@ priority: Warning
#@ field: proc.name=ln
ln -sf /etc/shadow /tmp/e2e-shadow-link
