#@ rule: Cgroup release_agent modified
#@ priority: Critical
#@ field~: fd.name=release_agent
mkdir -p /tmp/cgv1
mount -t cgroup -o none,name=e2e cgroup /tmp/cgv1 && echo /tmp/x > /tmp/cgv1/release_agent
umount /tmp/cgv1 2>/dev/null
