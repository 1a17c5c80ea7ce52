#!/usr/bin/env bash
# scripts/vm/run.sh - boots a Debian kernel under QEMU (TCG) with an
# initramfs of busybox-static, vigil.ko built for that kernel, the engine
# (userspace/vigil) and a scenario script, and reports the scenario's verdict.
#
#   scripts/vm/run.sh --scenario FILE [options]
#     --kernel 6.1|5.10|6.12   kernel to boot (default 6.1; scripts/vm/kernel.sh)
#     --share DIR              host folder mounted over 9p at /mnt/host in the
#                              guest ($VIGIL_SHARE); results leave the VM here
#     --extra SRC[:DEST]       file/folder to add (repeatable; see initramfs.sh);
#                              dynamic ELF binaries bring their libraries
#     --env NAME=VALUE         exported to the scenario (repeatable)
#     --ko FILE | --no-kmod    use this vigil.ko / include none (default: build
#                              kmod/ for the kernel with build-kmod.sh)
#     --module NAME            extra kernel module to insmod at boot (repeatable)
#     --smp N (2)  --mem MiB (1024)  --timeout S (300)  --append "ARGS"
#     --tcg single|multi       TCG threading (default single: see below)
#     --qemu-arg ARG           extra QEMU argument (repeatable), e.g. -icount
#     --prefix P               prefix of the case names (default "<kernel>/")
#     --log FILE               console log (default build/vm/logs/<kernel>-<scenario>.log)
#
# Guest side: the scenario runs as `sh /scenario.sh` (busybox) in /tmp, with
# VIGIL_KERNEL, VIGIL_KO (/lib/vigil/vigil.ko, not loaded: the scenario does
# insmod/rmmod itself), VIGIL_SHARE (when --share) and --env values set, and
# vigil plus --extra binaries on the PATH (/opt/vigil/bin). A user `user`
# (uid 1000) exists. It prints `PASS: name`, `FAIL: name: why`,
# `SKIP: name: why` lines; its exit status is reported too.
#
# Host side: those lines are forwarded (names prefixed), and the harness adds
#   PASS|FAIL: <prefix>kernel-log   no BUG/WARNING/Oops/KASAN/... on the console
#   FAIL: <prefix>vm: ...           timeout, no verdict (panic?), scenario exit
# Exit status 0 only if the verdict arrived, the scenario exited 0, no case
# failed and the kernel log is clean. VIGIL_VM_VERBOSE=1 streams the console
# to stderr while the VM runs.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
kernel=6.1 scenario= share= ko= no_kmod=0 tcg=single smp=2 mem=1024 timeout=300 append= prefix= log=
extras=() envs=() mods=() qargs=()
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernel=$2; shift 2 ;;
	--scenario) scenario=$2; shift 2 ;;
	--share) share=$2; shift 2 ;;
	--extra) extras+=(--extra "$2"); shift 2 ;;
	--env) envs+=(--env "$2"); shift 2 ;;
	--ko) ko=$2; shift 2 ;;
	--no-kmod) no_kmod=1; shift ;;
	--module) mods+=(--module "$2"); shift 2 ;;
	--smp) smp=$2; shift 2 ;;
	--tcg) tcg=$2; shift 2 ;;
	--qemu-arg) qargs+=("$2"); shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--append) append=$2; shift 2 ;;
	--prefix) prefix=$2; shift 2 ;;
	--log) log=$2; shift 2 ;;
	-h|--help) sed -n '2,/^set -u/p' "$0" | sed 's/^# \{0,1\}//;$d'; exit 0 ;;
	*) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
done
prefix=${prefix-}
[ -z "$prefix" ] && prefix="$kernel/"
sname=$(basename "${scenario:-none}" .sh); sname=${sname#sc_}
vmfail() { echo "FAIL: ${prefix}${sname}/vm: $*"; exit 1; }
[ -f "$scenario" ] || vmfail "no scenario file '${scenario}'"

mkdir -p "$top/build/vm/logs"
kinfo=$(bash "$top/scripts/vm/kernel.sh" "$kernel" 2>"$top/build/vm/logs/kernel-$kernel.err") ||
	vmfail "kernel $kernel unavailable: $(tail -n 3 "$top/build/vm/logs/kernel-$kernel.err" | tr '\n' ' ')"
eval "$kinfo"

if [ -z "$ko" ] && [ $no_kmod -eq 0 ]; then
	ko=$(bash "$top/scripts/vm/build-kmod.sh" "$kernel" 2>"$top/build/vm/.kmod-$$.err"); st=$?
	if [ $st -eq 3 ]; then ko=   # no module sources yet: boot without it
	elif [ $st -ne 0 ]; then
		sed 's/^/    /' "$top/build/vm/.kmod-$$.err" | tail -n 30
		rm -f "$top/build/vm/.kmod-$$.err"
		vmfail "building vigil.ko for $KVER failed"
	fi
	rm -f "$top/build/vm/.kmod-$$.err"
fi
[ -z "$ko" ] || [ -f "$ko" ] || vmfail "--ko $ko does not exist"

mkdir -p "$top/build/vm/logs"
[ -n "$log" ] || log=$top/build/vm/logs/$kernel-$sname.log
result=${log%.log}.result
work=$(mktemp -d "${TMPDIR:-/tmp}/vigil-vm.XXXXXX")
qemu_pid=
cleanup() { [ -n "$qemu_pid" ] && kill "$qemu_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

share_args=()
if [ -n "$share" ]; then
	mkdir -p "$share"
	share_args=(-virtfs "local,path=$(cd "$share" && pwd),mount_tag=host,security_model=none,id=host")
	mods+=(--module 9p --module 9pnet_virtio --module virtio_pci)
	envs+=(--env VIGIL_SHARE=/mnt/host)
fi
ko_args=()
[ -n "$ko" ] && ko_args=(--ko "$ko")
bash "$top/scripts/vm/initramfs.sh" --out "$work/initramfs.cpio" --moddir "$MODDIR" \
	--scenario "$scenario" "${ko_args[@]}" "${extras[@]}" "${mods[@]}" "${envs[@]}" \
	--env "VIGIL_KERNEL=$kernel" --env "VIGIL_KVER=$KVER" >"$work/initramfs.log" 2>&1 ||
	{ sed 's/^/    /' "$work/initramfs.log"; vmfail "building the initramfs failed"; }

# The soft-lockup, RCU-stall and hung-task detectors measure guest time
# between timer ticks; under TCG on a busy host a vCPU thread can go
# unscheduled for seconds, and they then report lockups that are not there.
# A real hang still fails, by the timeout (no verdict). VIGIL_VM_WATCHDOGS=1
# keeps them on.
watchdogs="nosoftlockup nowatchdog rcupdate.rcu_cpu_stall_suppress=1 sysctl.kernel.hung_task_timeout_secs=0"
[ "${VIGIL_VM_WATCHDOGS:-0}" = 1 ] && watchdogs=
: >"$log"; : >"$result"
start=$(date +%s)
# TCG threading: with one host thread per vCPU (multi), a vCPU can run a
# stale translation of kernel text that another vCPU has just patched
# (text_poke_bp: static keys flipped when any tracepoint probe is attached
# or detached), which gives "Oops: int3" (6.12) or a livelock (5.10) under a
# syscall flood even with an empty probe (test/bench/floor). Single-threaded
# TCG keeps code modification coherent (vCPUs still interleave, so SMP races
# are still exercised) and loads the shared host less. Benchmarks that need
# parallel vCPUs pass --tcg multi.
nice -n 5 timeout -k 10 "$timeout" qemu-system-x86_64 -accel "tcg,thread=$tcg" -cpu max -m "$mem" -smp "$smp" \
	-kernel "$VMLINUZ" -initrd "$work/initramfs.cpio" \
	-append "console=ttyS0 ignore_loglevel panic=-1 nokaslr $watchdogs $append" \
	-display none -monitor none -nic none -no-reboot \
	-serial "file:$log" -serial "file:$result" "${share_args[@]}" "${qargs[@]}" \
	>"$work/qemu.log" 2>&1 &
qemu_pid=$!
tail_pid=
if [ "${VIGIL_VM_VERBOSE:-0}" = 1 ]; then
	tail -n +1 -f "$log" "$result" >&2 & tail_pid=$!
fi
wait "$qemu_pid"; qst=$?
qemu_pid=
[ -n "$tail_pid" ] && kill "$tail_pid" 2>/dev/null
secs=$(( $(date +%s) - start ))
# the console may carry NULs and other control bytes: keep the files text
sed -i 's/\r$//; s/\x00//g' "$log" "$result"

rc=0
# Forward the scenario's case lines, with the prefix on their names.
sed -n '/^VIGIL-VM-BEGIN/,/^VIGIL-VM-END/p' "$result" |
	sed -n -E "s#^(PASS|FAIL|SKIP): #\1: ${prefix//#/\\#}#p"
grep -aq '^FAIL: ' "$result" && rc=1

end=$(grep -a -m1 '^VIGIL-VM-END rc=' "$result")
if [ -z "$end" ]; then
	rc=1
	if [ $qst -eq 124 ] || [ $qst -eq 137 ]; then why="timeout after ${timeout}s"
	elif grep -aq 'Kernel panic' "$log"; then why="kernel panic: $(grep -a -m1 'Kernel panic' "$log")"
	else why="VM ended without a verdict (qemu exit $qst)"; fi
	echo "FAIL: ${prefix}${sname}/vm: $why; console $log"
	tail -n 15 "$log" | sed 's/^/    /'
	[ -s "$work/qemu.log" ] && grep -v 'TCG doesn.t support' "$work/qemu.log" | head -5 | sed 's/^/    qemu: /'
else
	src=${end#VIGIL-VM-END rc=}
	if [ "$src" != 0 ]; then
		rc=1
		grep -aq '^FAIL: ' "$result" || echo "FAIL: ${prefix}${sname}/vm: scenario $sname exited $src without naming a failed case"
	fi
fi

# The kernel log: any of these is a failure of the boot as a whole.
bad='(^|[^A-Za-z])(BUG: |kernel BUG at|WARNING: CPU|WARNING: at |Oops|KASAN|UBSAN|general protection fault|Kernel panic|detected stalls|soft lockup|hard LOCKUP|blocked for more than|list_add corruption|list_del corruption|refcount_t: |Unable to handle kernel)'
if grep -aqE "$bad" "$log"; then
	rc=1
	echo "FAIL: ${prefix}${sname}/kernel-log: $(grep -a -m1 -E "$bad" "$log" | cut -c1-200); console $log"
	grep -a -m1 -E -A 25 "$bad" "$log" | sed 's/^/    /'
elif [ -n "$end" ]; then
	echo "PASS: ${prefix}${sname}/kernel-log"
fi
echo "vm: $kernel $sname: ${secs}s, console $log" >&2
exit $rc
