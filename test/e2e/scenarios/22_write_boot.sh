#@ rule: Write below boot
#@ priority: Error
#@ field: fd.name=/boot/e2e-initrd.img
mkdir -p /boot
echo x > /boot/e2e-initrd.img
