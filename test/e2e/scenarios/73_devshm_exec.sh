#@ rule: Execution from /dev/shm
#@ priority: Warning
#@ field: proc.exepath=/dev/shm/true
cp /bin/busybox /dev/shm/true && /dev/shm/true
rm -f /dev/shm/true
