#!/usr/bin/env bash
# test/e2e/run.sh - the end-to-end layer: vigil's default rules against real
# attacks, in a VM.
#
# On the host first (no module needed):
#   rules/<profile>   the embedded default rules + each profile, and the
#                     exceptions example, load and compile (vigil run --dry-run)
#   rule coverage     every enabled default rule has a scenario (check.py
#                     --coverage; its NO_SCENARIO lists exceptions, with why)
#   capture           host_events.txt through `vigil run --capture`
# Then one QEMU boot (scripts/vm/run.sh, kernel $VIGIL_E2E_KERNEL, default
# 6.1) runs test/e2e/guest.sh: every scenario in test/e2e/scenarios/ for
# real (runc containers with CRI annotations), a SIGHUP reload with a broken
# and then a good rules file, a benign workload, a latency measurement and
# a SIGTERM. The benign workload compiles and runs a C program with tcc
# (taken from the host) and resolves names through a DNS server in the
# guest (e2e_helper dns). test/e2e/check.py then asserts, from the JSON
# alert file, the rule, priority and key output fields of each scenario,
# zero alerts in the benign window, and prints the latency p50/p99.
# Host packages beyond scripts/deps.sh: tcc (else e2e/benign-compile FAILs)
# and socat (else scenario 14_socat_rce is a SKIP).
#   VIGIL_E2E_KERNEL=5.10     another kernel
#   VIGIL_E2E_SKIP_VM=1       only the host part (SKIP for the VM part)
#   VIGIL_E2E_SCENARIOS="10_terminal_shell 30_read_shadow"   a subset (the
#                             others then FAIL as not run: for debugging)
#   VIGIL_E2E_BENIGN_ROUNDS=N  length of the benign workload (default 25 rounds, about 3 min in TCG)
set -u
cd "$(dirname "$0")/../.."
top=$PWD
kernel=${VIGIL_E2E_KERNEL:-6.1}
out=$top/build/e2e
mkdir -p "$out"
rc=0

# ---- host: the rules load, with each profile
if ! make -s -C userspace >"$out/build.log" 2>&1; then
	echo "FAIL: e2e/engine-build: make -C userspace failed"
	tail -n 20 "$out/build.log" | sed 's/^/    /'
	exit 1
fi
vigil=$top/userspace/vigil
if ! "$vigil" run --help >/dev/null 2>&1; then
	echo "SKIP: e2e/all: this build of vigil has no 'run' command"
	exit 0
fi
dry() { # NAME ARGS...
	local name=$1; shift
	if "$vigil" run --dry-run --no-journald "$@" >"$out/dry-$name.out" 2>"$out/dry-$name.err"; then
		echo "PASS: e2e/rules-load/$name ($(grep -o '[0-9]* rules ([0-9]* enabled)' "$out/dry-$name.err"))"
	else
		echo "FAIL: e2e/rules-load/$name: $(grep -m3 -E 'error|vigil run' "$out/dry-$name.err" | tr '\n' ' ')"
		rc=1
	fi
}
dry default
dry prod --profile prod
dry dev --profile dev
dry exceptions-example -r builtin:rules -r rules/exceptions.example.yaml --profile prod
dry files -r rules --profile rules/profiles/prod.yaml

# ---- host: every default rule has a scenario (the built-in set, and rules/
# with the prod profile the VM runs; check.py's NO_SCENARIO lists the
# deliberate exceptions, with their reasons)
if "$vigil" list rules --json >"$out/rules-builtin.json" 2>"$out/list.err" &&
   "$vigil" list rules --json -r rules -r rules/profiles/prod.yaml >"$out/rules-prod.json" 2>>"$out/list.err"; then
	python3 test/e2e/check.py --coverage "$out/rules-builtin.json" "$out/rules-prod.json" \
		--scenarios test/e2e/scenarios || rc=1
else
	echo "FAIL: e2e/rule-coverage: vigil list rules --json failed: $(head -n 3 "$out/list.err" | tr '\n' ' ')"
	rc=1
fi

# ---- host: a scripted capture through `vigil run --capture` (the whole
# userspace pipeline with the embedded rules and the prod profile)
if cc -std=c11 -D_GNU_SOURCE -O1 -Wall -Wextra -Werror -Iuserspace -Ikmod -o "$out/gen_capture" \
	test/e2e/gen_capture.c build/release/libvigil.a \
	$(pkg-config --libs yaml-0.1 json-c libpcre2-8 libcurl libsystemd) -lm -lpthread 2>"$out/gen.log" &&
   "$out/gen_capture" "$out/host.cap" < test/e2e/host_events.txt 2>>"$out/gen.log"; then
	rm -f "$out/host-alerts.json"
	if "$vigil" run --capture "$out/host.cap" --profile prod --no-stdout --no-journald \
		-o "$out/host-alerts.json" 2>"$out/host-run.err"; then
		python3 test/e2e/check.py --capture test/e2e/host_events.txt "$out/host-alerts.json" || rc=1
	else
		echo "FAIL: e2e/capture/run: vigil run --capture failed: $(tail -n 3 "$out/host-run.err" | tr '\n' ' ')"
		rc=1
	fi
else
	echo "FAIL: e2e/capture/generate: $(head -n 5 "$out/gen.log" | tr '\n' ' ')"
	rc=1
fi

# ---- VM
if [ "${VIGIL_E2E_SKIP_VM:-0}" = 1 ]; then
	echo "SKIP: e2e/vm: VIGIL_E2E_SKIP_VM=1"
	exit $rc
fi
for tool in qemu-system-x86_64 runc gcc python3; do
	command -v $tool >/dev/null || { echo "SKIP: e2e/vm: $tool not installed (scripts/deps.sh)"; exit $rc; }
done
if [ ! -f kmod/Makefile ] && [ ! -f kmod/Kbuild ]; then
	echo "SKIP: e2e/vm: no kernel module sources in kmod/ yet"
	exit $rc
fi
if ! gcc -O2 -Wall -Wextra -Werror -static -o "$out/e2e_helper" test/e2e/e2e_helper.c 2>"$out/helper.log"; then
	echo "FAIL: e2e/helper-build: test/e2e/e2e_helper.c does not build"
	sed 's/^/    /' "$out/helper.log" | head
	exit 1
fi
# Host tools the guest borrows (dynamic ELF: scripts/vm brings their
# libraries). tcc compiles benign_prog.c in the benign workload: it comes
# with exactly the files it opens to build it here (headers, start files,
# libc.so, libtcc1.a), at the same paths, as `tcc -vv` lists them. Without
# tcc the benign workload FAILs (e2e/benign-compile); without socat,
# scenario 14_socat_rce is a SKIP.
tools=()
rm -rf "$out/cc"
if command -v tcc >/dev/null; then
	if tcc -vv -o "$out/benign_prog" test/e2e/benign_prog.c >"$out/tcc.log" 2>&1; then
		mkdir -p "$out/cc"
		sed -n 's/^-> *//p' "$out/tcc.log" | grep '^/' | sort -u | while read -r f; do
			cp -L --parents "$f" "$out/cc/"
		done
		tools+=(--extra "$(command -v tcc)" --extra "$out/cc:/")
	else
		echo "FAIL: e2e/benign-compile-host: tcc cannot build test/e2e/benign_prog.c on the host"
		sed 's/^/    /' "$out/tcc.log" | tail -n 5
		rc=1
	fi
fi
command -v socat >/dev/null && tools+=(--extra "$(command -v socat)")
share=$out/share
rm -rf "$share"; mkdir -p "$share"
bash scripts/vm/run.sh --kernel "$kernel" --scenario test/e2e/guest.sh --share "$share" \
	--extra "$out/e2e_helper" --extra "$(command -v runc)" --extra test/e2e:/e2e "${tools[@]}" \
	--env "E2E_SCENARIOS=${VIGIL_E2E_SCENARIOS:-}" \
	--env "E2E_BENIGN_ROUNDS=${VIGIL_E2E_BENIGN_ROUNDS:-25}" \
	--env "E2E_LATENCY_SAMPLES=${VIGIL_E2E_LATENCY_SAMPLES:-50}" \
	--module overlay --mem 1536 --timeout "${VIGIL_E2E_TIMEOUT:-2400}" \
	--prefix "$kernel/" --log "$out/console-$kernel.log" || rc=1
if [ -f "$share/e2e/windows.txt" ]; then
	python3 test/e2e/check.py --dir "$share/e2e" --scenarios test/e2e/scenarios \
		--prefix "$kernel/" || rc=1
else
	echo "FAIL: ${kernel}/e2e/results: the guest left no results in $share/e2e"
	rc=1
fi
exit $rc
