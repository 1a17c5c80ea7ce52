#!/usr/bin/env bash
# test/vm/run.sh - the VM test layer: boots each kernel in VIGIL_VM_KERNELS
# under QEMU (scripts/vm/run.sh) once per scenario test/vm/sc_*.sh, and runs
# the scenario's host-side checker test/vm/check_<name>.py (if any) on what
# the guest left in the 9p share. Case names are <kernel>/<case>.
#   VIGIL_VM_KERNELS="6.1 5.10 6.12"   kernels to test (default: all three;
#                                      5.10/6.12 come from scripts/kernels.sh).
#                                      About 2.5 min per kernel, most of it the
#                                      20-round stress.
#   VIGIL_VM_SCENARIOS="boot driver"   subset of scenarios
set -u
cd "$(dirname "$0")/../.."
top=$PWD
kernels=${VIGIL_VM_KERNELS:-"6.1 5.10 6.12"}
scenarios=${VIGIL_VM_SCENARIOS:-$(ls test/vm/sc_*.sh | sed 's|.*/sc_||;s|\.sh$||' | tr '\n' ' ')}
rc=0

mkdir -p build/vm
make -s -C userspace >/dev/null 2>build/vm/engine.log || {
	echo "FAIL: vm/engine-build: make -C userspace failed"; sed 's/^/    /' build/vm/engine.log | tail -20; exit 1; }
mkdir -p build/vm/bin
# Guest programs test/vm/*.c (with test/vm/lib/*.c): static, so they need
# nothing from the initramfs.
libsrc=$(ls test/vm/lib/*.c 2>/dev/null)
for src in test/vm/*.c; do
	[ -f "$src" ] || continue
	bin=build/vm/bin/$(basename "$src" .c)
	if ! gcc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -static -Ikmod -Itest/vm \
		-o "$bin" "$src" $libsrc 2>"$bin.log"; then
		echo "FAIL: vm/build-$(basename "$src" .c): does not build"; sed 's/^/    /' "$bin.log" | head; exit 1
	fi
done
extras=()
for b in build/vm/bin/*; do [ -x "$b" ] && [ -f "$b" ] && extras+=(--extra "$b"); done

for k in $kernels; do
	for s in $scenarios; do
		share=$top/build/vm/share/$k/$s
		rm -rf "$share"; mkdir -p "$share"
		# a scenario may say "# vm-timeout: SECONDS" (default 300)
		to=$(sed -n 's/^# vm-timeout: *\([0-9]*\).*/\1/p' "test/vm/sc_$s.sh" | head -n 1)
		bash scripts/vm/run.sh --kernel "$k" --scenario "test/vm/sc_$s.sh" --share "$share" \
			"${extras[@]}" --prefix "$k/" --timeout "${to:-300}" || rc=1
		if [ -f "test/vm/check_$s.py" ]; then
			python3 "test/vm/check_$s.py" --prefix "$k/" "$share" || rc=1
		fi
	done
done
exit $rc
