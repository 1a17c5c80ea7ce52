# VM scenario: the harness itself works (kernel, 9p share, users, engine).
[ "$(uname -r)" = "$VIGIL_KVER" ] && echo "PASS: boot/uname" || echo "FAIL: boot/uname: $(uname -r) != $VIGIL_KVER"
if echo "boot $VIGIL_KVER" > "$VIGIL_SHARE/boot.txt" && [ "$(cat "$VIGIL_SHARE/boot.txt")" = "boot $VIGIL_KVER" ]; then
	echo "PASS: boot/share-9p"
else
	echo "FAIL: boot/share-9p: cannot write and read back $VIGIL_SHARE/boot.txt"
fi
u=$(su user -c 'id -u' 2>&1)
[ "$u" = 1000 ] && echo "PASS: boot/su-user" || echo "FAIL: boot/su-user: got '$u'"
v=$(vigil version 2>&1)
case $v in vigil*) echo "PASS: boot/engine-runs" ;; *) echo "FAIL: boot/engine-runs: vigil version said '$v'" ;; esac
n=$(grep -c ^processor /proc/cpuinfo)
[ "$n" -ge 2 ] && echo "PASS: boot/smp" || echo "FAIL: boot/smp: $n CPUs"
exit 0
