#!/usr/bin/env bash
# test/replay/run.sh - the whole userspace pipeline on capture files.
#
# Builds the fixture generator (test/replay/gen_fixtures.c, real builder and
# capture writer), writes the fixtures into build/replay/, replays each with
# test/replay/rules.yaml and compares the JSON alerts with
# test/replay/expected/<fixture>.json, byte for byte. Each fixture is
# replayed twice: the two outputs must be identical (determinism).
#
#   UPDATE=1 bash test/replay/run.sh   rewrites the expected files (review
#                                      the diff before committing it)
set -u
cd "$(dirname "$0")/../.."
out=build/replay
mkdir -p "$out"
rc=0
if ! make -s -C userspace >"$out/build.log" 2>&1; then
  echo "FAIL: replay: userspace build failed"; sed 's/^/    /' "$out/build.log" | tail -20; exit 1
fi
if ! cc -std=c11 -D_GNU_SOURCE -O1 -g -Wall -Wextra -Werror -Iuserspace -Ikmod -Itest/unit \
     $(pkg-config --cflags json-c) -o "$out/gen_fixtures" test/replay/gen_fixtures.c \
     build/release/libvigil.a $(pkg-config --libs json-c) 2>"$out/gen.log"; then
  echo "FAIL: replay: gen_fixtures does not build"; sed 's/^/    /' "$out/gen.log" | head -20; exit 1
fi
if ! "$out/gen_fixtures" "$out" 2>"$out/gen.log"; then
  echo "FAIL: replay: gen_fixtures: $(head -1 "$out/gen.log")"; exit 1
fi
replay() {
  ./userspace/vigil replay "$1" -r test/replay/rules.yaml --json --hostname replay-host \
    --root test/replay/root 2>"$2"
}
for exp in test/replay/expected/*.json; do
  name=$(basename "$exp" .json)
  cap=$out/$name.vcap
  if [ ! -f "$cap" ]; then echo "FAIL: replay/$name: the generator made no $cap"; rc=1; continue; fi
  if ! replay "$cap" "$out/$name.err" >"$out/$name.out"; then
    echo "FAIL: replay/$name: vigil replay failed: $(tail -1 "$out/$name.err")"; rc=1; continue
  fi
  replay "$cap" /dev/null >"$out/$name.out2"
  if [ -n "${UPDATE:-}" ]; then cp "$out/$name.out" "$exp"; fi
  if ! cmp -s "$out/$name.out" "$out/$name.out2"; then
    echo "FAIL: replay/$name: two replays of the same file differ"; rc=1
  elif ! cmp -s "$out/$name.out" "$exp"; then
    echo "FAIL: replay/$name: alerts differ from $exp"
    diff "$exp" "$out/$name.out" | head -10 | sed 's/^/    /'; rc=1
  elif [ ! -s "$exp" ]; then
    echo "FAIL: replay/$name: no alert expected: a fixture must prove something"; rc=1
  else
    echo "PASS: replay/$name ($(wc -l <"$exp") alerts)"
  fi
done
# the state's counters: the unknown process of snapshot_fds is one thread
# miss, one incomplete process and one fd miss; nothing is inconsistent, and
# replay never reads /proc
cap=$out/snapshot_fds.vcap
if [ -f "$cap" ]; then
  ./userspace/vigil replay "$cap" -r test/replay/rules.yaml --stats >/dev/null 2>"$out/stats.err"
  got=$(grep -E 'state\.(thread_miss|incomplete|fd_miss|inconsistent|proc_filled) ' "$out/stats.err" |
        awk '{printf "%s=%s ", $1, $2}')
  want="state.thread_miss=1 state.fd_miss=1 state.proc_filled=0 state.incomplete=1 state.inconsistent=0 "
  if [ "$got" = "$want" ]; then echo "PASS: replay/state_counters"
  else echo "FAIL: replay/state_counters: got '$got', want '$want'"; rc=1; fi
fi
# the Falco community rules (a compatibility input, ../shared/compat)
falco=../shared/compat/falco_rules.yaml
for exp in test/replay/expected-falco/*.json; do
  name=$(basename "$exp" .json)
  if [ ! -f "$falco" ]; then echo "SKIP: replay/falco/$name: $falco absent"; continue; fi
  ./userspace/vigil replay "$out/$name.vcap" -r "$falco" --json --hostname replay-host \
    --root test/replay/root >"$out/falco-$name.out" 2>"$out/falco-$name.err"
  if [ -n "${UPDATE:-}" ]; then cp "$out/falco-$name.out" "$exp"; fi
  if cmp -s "$out/falco-$name.out" "$exp" && [ -s "$exp" ]; then
    echo "PASS: replay/falco/$name ($(wc -l <"$exp") alerts from Falco's rules)"
  else
    echo "FAIL: replay/falco/$name: alerts differ from $exp"
    diff "$exp" "$out/falco-$name.out" | head -10 | sed 's/^/    /'; rc=1
  fi
done
# every fixture the generator makes has an expected file
for cap in "$out"/*.vcap; do
  name=$(basename "$cap" .vcap)
  [ -f "test/replay/expected/$name.json" ] || [ -f "test/replay/expected-falco/$name.json" ] ||
    { echo "FAIL: replay/$name: no expected/$name.json"; rc=1; }
done
# --hostname is the only thing that changes the output
cap=$out/dup_fds.vcap
if [ -f "$cap" ]; then
  ./userspace/vigil replay "$cap" -r test/replay/rules.yaml --json --hostname other \
    --root test/replay/root 2>/dev/null | sed 's/"hostname":"other"/"hostname":"replay-host"/' >"$out/host.out"
  if cmp -s "$out/host.out" test/replay/expected/dup_fds.json; then
    echo "PASS: replay/hostname_option"
  else
    echo "FAIL: replay/hostname_option: output differs beyond the hostname"; rc=1
  fi
fi
# -c: the configuration's outputs, but --hostname still wins over its
# hostname:, and without --hostname the capture's own hostname does; the
# alerts are otherwise the same bytes as with the built-in configuration
cap=$out/dup_fds.vcap
if [ -f "$cap" ]; then
  printf 'hostname: cfg-host\noutputs:\n  - {name: out, type: stdout, format: json}\n' >"$out/replay-cfg.yaml"
  ./userspace/vigil replay "$cap" -r test/replay/rules.yaml -c "$out/replay-cfg.yaml" \
    --hostname replay-host --root test/replay/root >"$out/cfg.out" 2>"$out/cfg.err"
  ./userspace/vigil replay "$cap" -r test/replay/rules.yaml -c "$out/replay-cfg.yaml" \
    --root test/replay/root >"$out/cfg-caphost.out" 2>>"$out/cfg.err"
  hosts=$(grep -o '"hostname":"[^"]*"' "$out/cfg-caphost.out" | sort -u | tr '\n' ' ')
  if ! cmp -s "$out/cfg.out" test/replay/expected/dup_fds.json; then
    echo "FAIL: replay/config_keeps_hostname_option: with -c the output differs: $(head -c 300 "$out/cfg.out") $(tail -1 "$out/cfg.err")"; rc=1
  elif [ "$hosts" != '"hostname":"fixture-host" ' ]; then
    echo "FAIL: replay/config_keeps_hostname_option: without --hostname want the capture's (fixture-host), got: $hosts"; rc=1
  else
    echo "PASS: replay/config_keeps_hostname_option"
  fi
fi
# rule_matching: all (test/replay/match_all.yaml): each shadow read of
# dup_fds matches two rules and raises both alerts, in rule order; the
# default (first) raised only the first (checked above)
cap=$out/dup_fds.vcap
exp=test/replay/expected-match-all/dup_fds.json
if [ -f "$cap" ]; then
  ./userspace/vigil replay "$cap" -r test/replay/rules.yaml -c test/replay/match_all.yaml \
    --hostname replay-host --root test/replay/root >"$out/match-all.out" 2>"$out/match-all.err"
  if [ -n "${UPDATE:-}" ]; then cp "$out/match-all.out" "$exp"; fi
  if ! cmp -s "$out/match-all.out" "$exp"; then
    echo "FAIL: replay/rule_matching_all: alerts differ from $exp $(tail -1 "$out/match-all.err")"
    diff "$exp" "$out/match-all.out" | head -10 | sed 's/^/    /'; rc=1
  elif cmp -s "$exp" test/replay/expected/dup_fds.json || ! grep -q '"rule":"Shadow read, second match"' "$exp"; then
    echo "FAIL: replay/rule_matching_all: $exp has no second match: it proves nothing"; rc=1
  else
    echo "PASS: replay/rule_matching_all ($(wc -l <"$exp") alerts, $(wc -l <test/replay/expected/dup_fds.json) under first)"
  fi
fi
# `vigil run --capture`: the capture's DROP records make the drop alert,
# an internal alert that skips the policy yet carries the configured
# environment and hostname, so a route by environment delivers it
cap=$out/drops.vcap
if [ -f "$cap" ]; then
  rm -f "$out"/drops-*.json
  cat >"$out/drops-cfg.yaml" <<EOF
hostname: cfg-host
environment: prod
profiles: {prod: {rules_files: [test/replay/rules.yaml]}}
outputs:
  - {name: prod, type: file, path: $out/drops-prod.json}
  - {name: dev, type: file, path: $out/drops-dev.json}
routes:
  - {outputs: [prod], environments: [prod]}
  - {outputs: [dev], environments: [dev]}
EOF
  if ./userspace/vigil run --capture "$cap" -c "$out/drops-cfg.yaml" 2>"$out/drops-run.err" &&
     why=$(python3 - "$out/drops-prod.json" "$out/drops-dev.json" <<'PY'
import json, os, sys
L = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
d = [a for a in L if a["rule"] == "vigil internal: event drops"]
r = [a for a in L if a["rule"] == "Auth log read"]
ok = (len(d) == 1 and d[0]["source"] == "internal" and d[0]["hostname"] == "cfg-host"
      and d[0].get("vigil", {}).get("environment") == "prod"
      and d[0]["output_fields"].get("n_drops_total") == "8" and "vigil_internal" in d[0]["tags"]
      and len(r) == 2 and not (os.path.exists(sys.argv[2]) and os.path.getsize(sys.argv[2])))
if not ok:
    print("drop alerts %s, rule alerts %d, dev file %s" % (json.dumps(d)[:400], len(r),
          os.path.exists(sys.argv[2]) and os.path.getsize(sys.argv[2])))
    sys.exit(1)
PY
); then
    echo "PASS: replay/run_drop_alert_routed_by_environment"
  else
    echo "FAIL: replay/run_drop_alert_routed_by_environment: ${why:-vigil run failed: $(tail -2 "$out/drops-run.err")}"; rc=1
  fi
fi
# ---- live: a real runc container on this host (the runtime-file path of
# the state: runc's state.json -> bundle config.json -> CRI annotations)
runc_case() { # NAME PRIVILEGED(0|1) EXPECTED-LINES...
  local name=$1 priv=$2; shift 2
  local b=$out/runc-$name id uid pid
  id=$(printf 'vigil-replay-%s' "$name" | sha256sum | cut -c1-64)
  uid=$(printf 'pod-%s' "$name" | md5sum | cut -c1-32)
  rm -rf "$b"; mkdir -p "$b/rootfs/bin"
  cp "$(command -v busybox)" "$b/rootfs/bin/busybox" && ln -s busybox "$b/rootfs/bin/sh"
  (cd "$b" && runc spec) || return 2
  python3 - "$b/config.json" "$name" "$id" "$uid" "$priv" <<'PY' || return 2
import json, sys
path, name, cid, uid, priv = sys.argv[1:6]
c = json.load(open(path))
c["process"]["terminal"] = False
c["process"]["args"] = ["/bin/sh", "-c", "sleep 20"]
if priv == "1":
    allcaps = ["CAP_" + x for x in ("CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID SETPCAP "
        "LINUX_IMMUTABLE NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW IPC_LOCK IPC_OWNER SYS_MODULE SYS_RAWIO "
        "SYS_CHROOT SYS_PTRACE SYS_PACCT SYS_ADMIN SYS_BOOT SYS_NICE SYS_RESOURCE SYS_TIME SYS_TTY_CONFIG MKNOD "
        "LEASE AUDIT_WRITE AUDIT_CONTROL SETFCAP MAC_OVERRIDE MAC_ADMIN SYSLOG WAKE_ALARM BLOCK_SUSPEND "
        "AUDIT_READ PERFMON BPF CHECKPOINT_RESTORE").split()]
    # what --privileged gives: every capability in the bounding set
    c["process"]["capabilities"]["bounding"] = allcaps
c["mounts"].append({"destination": "/data", "type": "bind", "source": "/tmp", "options": ["rbind", "ro"]})
c["annotations"] = {
    "io.kubernetes.cri.container-type": "container",
    "io.kubernetes.cri.container-name": name,
    "io.kubernetes.cri.image-name": "registry.example.com/replay/%s:2.1" % name,
    "io.kubernetes.cri.sandbox-namespace": "replay-ns",
    "io.kubernetes.cri.sandbox-name": name + "-pod",
    "io.kubernetes.cri.sandbox-uid": uid,
    "io.kubernetes.pod.label.team": "team-" + name,
}
c["linux"]["cgroupsPath"] = "/kubepods/besteffort/pod%s/%s" % (uid, cid)
json.dump(c, open(path, "w"))
PY
  runc delete -f "$id" >/dev/null 2>&1
  runc run -d -b "$b" "$id" >"$b.log" 2>&1 </dev/null || return 2
  pid=$(runc state "$id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
  "$out/seed_fields" "$pid" container.id container.name container.type container.image.repository \
    container.image.tag container.privileged container.mount.dest[/tmp] k8s.ns.name k8s.pod.name \
    k8s.pod.uid vigil.owner proc.name >"$b.fields" 2>&1
  runc delete -f "$id" >/dev/null 2>&1
  local bad=
  for want in "container.id=${id:0:12}" "container.image.repository=registry.example.com/replay/$name" "$@"; do
    grep -qxF "$want" "$b.fields" || bad="$bad $want"
  done
  if [ -n "$bad" ]; then
    echo "FAIL: replay/runc-$name: missing:$bad; got: $(tr '\n' ' ' <"$b.fields")"; return 1
  fi
  echo "PASS: replay/runc-$name (container pid $pid: $(grep -c . "$b.fields") fields)"
}
if ! command -v runc >/dev/null || ! command -v busybox >/dev/null; then
  echo "SKIP: replay/runc-live: runc or busybox not installed"
elif ! cc -std=c11 -D_GNU_SOURCE -O1 -g -Wall -Wextra -Werror -Iuserspace -Ikmod -Itest/unit \
     $(pkg-config --cflags json-c) -o "$out/seed_fields" test/replay/seed_fields.c \
     build/release/libvigil.a $(pkg-config --libs json-c) 2>"$out/seed.log"; then
  echo "FAIL: replay/runc-live: seed_fields does not build"; rc=1
else
  for c in "web 0 container.name=web container.type=containerd container.image.tag=2.1 container.privileged=false container.mount.dest[/tmp]=/data k8s.ns.name=replay-ns k8s.pod.name=web-pod vigil.owner=team-web proc.name=sleep" \
           "priv 1 container.name=priv container.privileged=true k8s.pod.name=priv-pod"; do
    set -- $c
    runc_case "$@"; st=$?
    if [ $st -eq 2 ]; then
      echo "SKIP: replay/runc-$1: runc cannot run a container here: $(tail -1 "$out/runc-$1.log" 2>/dev/null)"
    elif [ $st -ne 0 ]; then rc=1; fi
  done
fi
exit $rc
