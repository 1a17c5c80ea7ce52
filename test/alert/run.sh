#!/usr/bin/env bash
# test/alert/run.sh - alerts end to end through `vigil alert-test`
# (config -> policy -> router -> sinks), against real components started here
# on 127.0.0.1: systemd-journald, prometheus-alertmanager, a python3 webhook
# receiver, promtool, a tmpfs for disk-full. One PASS/FAIL/SKIP line per case.
# VIGIL_BIN overrides the binary (default: userspace/vigil, built here).
set -u
cd "$(dirname "$0")/../.."
ROOT=$PWD
rc=0
pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1: $2"; rc=1; }
skip() { echo "SKIP: $1: $2"; }

if [ -z "${VIGIL_BIN:-}" ]; then
  if ! make -s -C userspace >/dev/null 2>build/alert-build.log; then
    fail build "make -C userspace failed: $(grep -m1 error build/alert-build.log)"
    exit 1
  fi
  VIGIL_BIN=$ROOT/userspace/vigil
fi
V=$VIGIL_BIN
T=$(mktemp -d /tmp/vigil-alert-test.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  mountpoint -q "$T/full" && umount "$T/full"
  rm -rf "$T"
}
trap cleanup EXIT

# json_check FILE PYTHON-EXPR: lines of FILE parsed as JSON into `L` (a list);
# the expression must be true. Prints the reason on failure.
json_check() {
  python3 - "$1" "$2" <<'EOF'
import json, sys
path, expr = sys.argv[1], sys.argv[2]
L = [json.loads(l) for l in open(path) if l.strip()]
ok = eval("(" + expr + ")")
if not ok:
    print("check failed: %s (got %d lines; first: %s)" % (expr, len(L), json.dumps(L[:1])[:300]))
    sys.exit(1)
EOF
}
stat_of() {  # stat_of ERRFILE SINK FIELD
  sed -n "s/^sink $2: .*$3 \([0-9]*\).*/\1/p" "$1" | head -1
}
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
wait_http() {  # wait_http URL SECONDS
  for _ in $(seq 1 $(( $2 * 10 ))); do curl -fs -o /dev/null "$1" && return 0; sleep 0.1; done
  return 1
}

# --- formats: stdout text + JSON file with Falco's keys --------------------
cat > "$T/fmt.yaml" <<EOF
hostname: node-a
environment: prod
profiles: {prod: {min_priority: debug}}
outputs:
  - {name: text, type: stdout}
  - {name: file, type: file, path: $T/fmt.json}
EOF
$V alert-test -c "$T/fmt.yaml" --count 3 --rule "Shell in container" --priority critical \
  --tag shell --tag container --field proc.name=bash --ctx owner=team-a \
  >"$T/fmt.out" 2>"$T/fmt.err"
if [ "$(grep -cE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{9}Z: Critical Shell in container \(seq=[0-2]\)$' "$T/fmt.out")" = 3 ] &&
   why=$(json_check "$T/fmt.json" 'len(L)==3 and all(set(a)>={"time","rule","priority","source","hostname","output","output_fields","tags"} and a["priority"]=="Critical" and a["hostname"]=="node-a" and a["output_fields"]=={"proc.name":"bash"} and a["tags"]==["shell","container"] and a["vigil"]["environment"]=="prod" and a["vigil"]["owner"]=="team-a" and a["time"].endswith("Z") and len(a["time"])==30 for a in L)'); then
  pass formats_text_and_falco_json
else
  fail formats_text_and_falco_json "${why:-text lines wrong: $(head -2 "$T/fmt.out")}"
fi

# --- routing: critical -> one file, everything -> another, tags/owners -----
cat > "$T/route.yaml" <<EOF
outputs:
  - {name: crit, type: file, path: $T/crit.json}
  - {name: all, type: file, path: $T/all.json}
  - {name: teamdb, type: file, path: $T/teamdb.json}
routes:
  - {outputs: [crit], min_priority: critical}
  - {outputs: [all]}
  - {outputs: [teamdb], owners: ["team-db*"], tags: [database]}
EOF
$V alert-test -c "$T/route.yaml" --count 2 --priority warning 2>/dev/null
$V alert-test -c "$T/route.yaml" --count 3 --priority critical --rule R2 2>/dev/null
$V alert-test -c "$T/route.yaml" --count 4 --priority notice --tag database --ctx owner=team-db-eu 2>/dev/null
$V alert-test -c "$T/route.yaml" --count 5 --priority notice --tag database --ctx owner=team-web 2>/dev/null
if why=$(json_check "$T/crit.json" 'len(L)==3 and all(a["rule"]=="R2" for a in L)') &&
   why=$(json_check "$T/all.json" 'len(L)==14') &&
   why=$(json_check "$T/teamdb.json" 'len(L)==4 and all(a["vigil"]["owner"]=="team-db-eu" for a in L)'); then
  pass routing_priority_tags_owner
else
  fail routing_priority_tags_owner "$why"
fi

# --- journald: structured fields, read back with journalctl -o json --------
JSOCK=/run/systemd/journal/socket
if [ ! -x /lib/systemd/systemd-journald ]; then
  skip journald "no /lib/systemd/systemd-journald"
else
  # a socket file alone may be stale: is someone listening?
  listening() { python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.connect(sys.argv[1])' "$JSOCK" 2>/dev/null; }
  if ! listening; then
    # the stale socket file of a journald gone must not pass for the new
    # one: a datagram sent to it before the new one binds is lost
    rm -f "$JSOCK"
    mkdir -p /run/systemd/journal
    /lib/systemd/systemd-journald >"$T/journald.log" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 1 100); do listening && break; sleep 0.1; done
  fi
  RULE="Journal test $$ $RANDOM"
  cat > "$T/j.yaml" <<EOF
environment: prod
profiles: {prod: {}}
outputs:
  - {name: journal, type: journald}
EOF
  $V alert-test -c "$T/j.yaml" --count 2 --rule "$RULE" --priority error --tag t1 --tag t2 \
    --ctx k8s.ns.name=payments --ctx k8s.pod.name=api-7 --ctx container.id=c0ffee \
    --ctx owner=team-pay --field fd.name=/etc/shadow 2>"$T/j.err"
  ok=
  for _ in $(seq 1 30); do
    journalctl --no-pager VIGIL_RULE="$RULE" -o json >"$T/j.json" 2>/dev/null
    [ "$(wc -l <"$T/j.json")" -ge 2 ] && { ok=1; break; }
    sleep 0.2
  done
  if [ -n "$ok" ] && why=$(json_check "$T/j.json" 'len(L)==2 and all(e["PRIORITY"]=="3" and e["SYSLOG_IDENTIFIER"]=="vigil" and e["VIGIL_PRIORITY"]=="error" and e["VIGIL_K8S_NS"]=="payments" and e["VIGIL_K8S_POD"]=="api-7" and e["VIGIL_CONTAINER_ID"]=="c0ffee" and e["VIGIL_OWNER"]=="team-pay" and e["VIGIL_ENVIRONMENT"]=="prod" and e["VIGIL_TAGS"]=="t1,t2" and e["VIGIL_FIELD_FD_NAME"]=="/etc/shadow" and e["MESSAGE"].startswith("Error ") for e in L)'); then
    # and journalctl's own filters find them by namespace and priority
    n=$(journalctl --no-pager VIGIL_RULE="$RULE" VIGIL_K8S_NS=payments PRIORITY=3 -o json | wc -l)
    [ "$n" = 2 ] && pass journald_structured_fields || fail journald_structured_fields "filter by ns+priority found $n"
  else
    fail journald_structured_fields "${why:-nothing in journalctl for '$RULE' ($(cat "$T/j.err" | head -3))}"
  fi
fi

# journald absent: falls back to syslog and says so once
if command -v unshare >/dev/null && unshare -m true 2>/dev/null; then
  unshare -m sh -c "mkdir -p /run/systemd/journal && mount -t tmpfs none /run/systemd/journal && \
    $V alert-test -c '$T/j.yaml' --count 5 --rule fallback" >/dev/null 2>"$T/fb.err"
  n=$(grep -c "no journald" "$T/fb.err")
  sent=$(stat_of "$T/fb.err" journal sent)
  [ "$n" = 1 ] && [ "$sent" = 5 ] && pass journald_fallback_to_syslog_once ||
    fail journald_fallback_to_syslog_once "warnings $n, sent '$sent': $(head -3 "$T/fb.err")"
else
  skip journald_fallback_to_syslog_once "cannot unshare a mount namespace here"
fi

# --- webhook: Falco JSON to a real HTTP receiver, with retries -------------
python3 test/alert/webhook_receiver.py "$T/wh.port" "$T/wh.out" --fail-first 2 --log "$T/wh.log" &
PIDS+=($!)
for _ in $(seq 1 50); do [ -s "$T/wh.port" ] && break; sleep 0.1; done
if [ ! -s "$T/wh.port" ]; then
  fail webhook_falco_json "receiver did not start"
else
  cat > "$T/wh.yaml" <<EOF
outputs:
  - {name: hook, type: webhook, url: "http://127.0.0.1:$(cat "$T/wh.port")/falco", retries: 5, backoff_ms: 50, timeout: 2s}
EOF
  $V alert-test -c "$T/wh.yaml" --count 20 --rule "Webhook rule" --priority alert --tag net 2>"$T/wh.err"
  # the default (format json) is one alert per request: 20 answered 200
  if why=$(json_check "$T/wh.out" 'len(L)==20 and sorted(int(a["output"].split("seq=")[1].rstrip(")")) for a in L)==list(range(20)) and all(a["rule"]=="Webhook rule" and a["priority"]=="Alert" and a["tags"]==["net"] and "output_fields" in a for a in L)') &&
     why=$(json_check "$T/wh.log" 'len(L)==22 and len([r for r in L if r["status"]==200])==20 and all(r["content_type"]=="application/json" and r["tls"] is None for r in L)') &&
     [ "$(stat_of "$T/wh.err" hook sent)" = 20 ]; then
    pass webhook_falco_json_with_retries
  else
    fail webhook_falco_json_with_retries "${why:-stats: $(grep '^sink' "$T/wh.err")}"
  fi
fi

# start_receiver NAME ARGS...: the python receiver, accepted bodies in
# $T/NAME.out, every request in $T/NAME.log; its port in RP ("" if it did not
# start). Not in $(...): the receiver would hold the substitution's pipe.
start_receiver() {
  local n=$1; shift
  python3 test/alert/webhook_receiver.py "$T/$n.port" "$T/$n.out" --log "$T/$n.log" "$@" \
    >"$T/$n.stderr" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 50); do [ -s "$T/$n.port" ] && break; sleep 0.1; done
  RP=$(cat "$T/$n.port" 2>/dev/null)
}
# seqs_of: the "seq=N" of every Falco object / Alertmanager alert in a list `A`
SEQS='sorted(int((a.get("output") or a.get("annotations",{}).get("description","")).split("seq=")[1].split(")")[0]) for a in A)'

# --- webhook over TLS: a test CA, a server certificate for 127.0.0.1 -------
mkdir -p "$T/tls"
if ! command -v openssl >/dev/null; then
  skip webhook_tls "no openssl to make a test CA"
elif ! { openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
           -subj "/CN=vigil alert-test CA" -keyout "$T/tls/ca.key" -out "$T/tls/ca.pem" &&
         openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
           -subj "/CN=localhost" -keyout "$T/tls/srv.key" -out "$T/tls/srv.csr" &&
         printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$T/tls/ext.cnf" &&
         openssl x509 -req -days 2 -in "$T/tls/srv.csr" -CA "$T/tls/ca.pem" -CAkey "$T/tls/ca.key" \
           -CAcreateserial -extfile "$T/tls/ext.cnf" -out "$T/tls/srv.pem"; } >"$T/tls/openssl.log" 2>&1; then
  fail webhook_tls "openssl could not make the test certificates: $(tail -2 "$T/tls/openssl.log")"
else
  start_receiver tls --tls "$T/tls/srv.pem" "$T/tls/srv.key"; TP=$RP
  if [ -z "$TP" ]; then
    fail webhook_tls "TLS receiver did not start"
  else
    cat > "$T/tls.yaml" <<EOF
outputs:
  - {name: tlsca, type: webhook, url: "https://127.0.0.1:$TP/ca", ca_file: $T/tls/ca.pem, retries: 1, backoff_ms: 50, timeout: 2s}
  - {name: tlsnoca, type: webhook, url: "https://127.0.0.1:$TP/noca", retries: 1, backoff_ms: 50, timeout: 2s}
  - {name: tlsinsecure, type: webhook, url: "https://localhost:$TP/insecure", insecure: true, retries: 1, backoff_ms: 50, timeout: 2s}
EOF
    $V alert-test -c "$T/tls.yaml" --count 5 --rule "TLS rule" 2>"$T/tls.err"
    # (a) ca_file: all 5 arrive, over TLS, verified against the test CA
    if why=$(json_check "$T/tls.log" '[r["path"] for r in L if r["path"]=="/ca"]==["/ca"]*5 and all(r["status"]==200 and r["tls"] and r["tls"].startswith("TLS") and json.loads(r["body"])["rule"]=="TLS rule" for r in L if r["path"]=="/ca")') &&
       [ "$(stat_of "$T/tls.err" tlsca sent)" = 5 ] && [ "$(stat_of "$T/tls.err" tlsca failed)" = 0 ]; then
      pass webhook_tls_ca_file_verified
    else
      fail webhook_tls_ca_file_verified "${why:-$(grep '^sink tlsca' "$T/tls.err")}"
    fi
    # (b) neither ca_file nor insecure: the system CAs do not know the test
    # CA, nothing arrives, all 5 count as failed, the error names the output
    if [ "$(stat_of "$T/tls.err" tlsnoca sent)" = 0 ] && [ "$(stat_of "$T/tls.err" tlsnoca failed)" = 5 ] &&
       ! grep -q '"/noca"' "$T/tls.log" &&
       grep -q "^vigil: output 'tlsnoca': POST https://127.0.0.1:$TP/noca: SSL certificate problem: .*set ca_file" "$T/tls.err"; then
      pass webhook_tls_unverified_fails_named
    else
      fail webhook_tls_unverified_fails_named "$(grep "tlsnoca" "$T/tls.err" | head -3 | tr '\n' ' ')"
    fi
    # (c) insecure: true (and a host name): delivered without verification
    if why=$(json_check "$T/tls.log" 'len([r for r in L if r["path"]=="/insecure" and r["status"]==200 and r["tls"]])==5') &&
       [ "$(stat_of "$T/tls.err" tlsinsecure sent)" = 5 ]; then
      pass webhook_tls_insecure_delivers
    else
      fail webhook_tls_insecure_delivers "${why:-$(grep '^sink tlsinsecure' "$T/tls.err")}"
    fi
  fi
  # a ca_file that cannot be read stops the start, naming output and line
  printf 'outputs:\n  - {name: f, type: file, path: %s}\n  - {name: tlsgone, type: alertmanager, url: "https://127.0.0.1:1", ca_file: %s}\n' \
    "$T/cagone.json" "$T/tls/missing.pem" >"$T/cagone.yaml"
  $V alert-test -c "$T/cagone.yaml" >/dev/null 2>"$T/cagone.err"; st=$?
  if [ $st = 1 ] && grep -q "output 'tlsgone' (line 3): ca_file $T/tls/missing.pem: No such file or directory" "$T/cagone.err" &&
     [ ! -s "$T/cagone.json" ]; then
    pass http_ca_file_missing_named
  else
    fail http_ca_file_missing_named "exit $st: $(head -3 "$T/cagone.err")"
  fi
fi

# --- webhook batching (opt-in): ndjson and json_array, each alert once -----
start_receiver batch; BP=$RP
if [ -z "$BP" ]; then
  fail webhook_batch "receiver did not start"
else
  cat > "$T/batch.yaml" <<EOF
outputs:
  - {name: nd, type: webhook, url: "http://127.0.0.1:$BP/nd", format: ndjson, batch: 8, timeout: 2s}
  - {name: arr, type: webhook, url: "http://127.0.0.1:$BP/arr", format: json_array, batch: 8, timeout: 2s}
EOF
  $V alert-test -c "$T/batch.yaml" --count 40 --rule "Batch rule" --priority error 2>"$T/batch.err"
  nd_reqs=$(grep -c '"path": "/nd"' "$T/batch.log"); arr_reqs=$(grep -c '"path": "/arr"' "$T/batch.log")
  echo "    webhook batching: 40 alerts in $nd_reqs ndjson and $arr_reqs json_array requests (batch 8)"
  if why=$(json_check "$T/batch.log" '
[r for r in L if r["path"]=="/nd"] and all(r["status"]==200 and r["content_type"]=="application/x-ndjson" and r["body"].endswith("\n") for r in L if r["path"]=="/nd") and
(lambda A: len(A)==40 and '"$SEQS"'==list(range(40)) and all(a["rule"]=="Batch rule" and a["priority"]=="Error" for a in A))([json.loads(x) for r in L if r["path"]=="/nd" for x in r["body"].splitlines()]) and
20 > len([r for r in L if r["path"]=="/nd"]) >= 5 and max(len(r["body"].splitlines()) for r in L if r["path"]=="/nd") <= 8') &&
     [ "$(stat_of "$T/batch.err" nd sent)" = 40 ]; then
    pass webhook_batch_ndjson
  else
    fail webhook_batch_ndjson "${why:-$(grep '^sink nd' "$T/batch.err")}"
  fi
  if why=$(json_check "$T/batch.log" '
[r for r in L if r["path"]=="/arr"] and all(r["status"]==200 and r["content_type"]=="application/json" and isinstance(json.loads(r["body"]), list) and 1 <= len(json.loads(r["body"])) <= 8 for r in L if r["path"]=="/arr") and
(lambda A: len(A)==40 and '"$SEQS"'==list(range(40)))([a for r in L if r["path"]=="/arr" for a in json.loads(r["body"])]) and
20 > len([r for r in L if r["path"]=="/arr"]) >= 5') &&
     [ "$(stat_of "$T/batch.err" arr sent)" = 40 ]; then
    pass webhook_batch_json_array
  else
    fail webhook_batch_json_array "${why:-$(grep '^sink arr' "$T/batch.err")}"
  fi
fi

# --- Alertmanager: batches are arrays; a 400 for a batch is resent one by one
# (a python receiver at /api/v2/alerts that refuses alerts seq 10 and 25)
start_receiver amfake --reject-marker "(seq=10)" --reject-marker "(seq=25)"; AP=$RP
if [ -z "$AP" ]; then
  fail alertmanager_batch_400_split "receiver did not start"
else
  cat > "$T/amfake.yaml" <<EOF
outputs:
  - {name: amfake, type: alertmanager, url: "http://127.0.0.1:$AP/", batch: 8, retries: 2, backoff_ms: 50, timeout: 2s}
EOF
  $V alert-test -c "$T/amfake.yaml" --count 40 --rule AMSplit --priority critical 2>"$T/amfake.err"
  if why=$(json_check "$T/amfake.log" '
all(r["path"]=="/api/v2/alerts" and isinstance(json.loads(r["body"]), list) for r in L) and
any(r["status"]==200 and len(json.loads(r["body"]))>1 for r in L) and
(lambda A: '"$SEQS"'==sorted(set(range(40))-{10,25}))([a for r in L if r["status"]==200 for a in json.loads(r["body"])]) and
(lambda A: '"$SEQS"'==[10,25])([a for r in L if r["status"]==400 and len(json.loads(r["body"]))==1 for a in json.loads(r["body"])]) and
len([r for r in L if r["status"]==400 and len(json.loads(r["body"]))>1])==2') &&
     [ "$(stat_of "$T/amfake.err" amfake sent)" = 38 ] && [ "$(stat_of "$T/amfake.err" amfake failed)" = 2 ] &&
     [ "$(grep -c "output 'amfake': a batch of [0-9]* was refused (HTTP 400); sent one by one: [0-9]* delivered, 1 refused" "$T/amfake.err")" = 2 ]; then
    pass alertmanager_batch_400_resent_one_by_one
  else
    fail alertmanager_batch_400_resent_one_by_one "${why:-$(grep amfake "$T/amfake.err" | tail -4 | tr '\n' ' ')}"
  fi
fi

# --- Alertmanager: labels via /api/v2/alerts; kill + restart mid-stream ----
AM=$(command -v prometheus-alertmanager || command -v alertmanager || true)
am_start() {  # am_start PORT DIR
  mkdir -p "$2"
  printf 'route:\n  receiver: "null"\n  group_wait: 1h\nreceivers:\n  - name: "null"\n' >"$2/am.yml"
  "$AM" --config.file="$2/am.yml" --storage.path="$2" --web.listen-address="127.0.0.1:$1" \
    --cluster.listen-address= >"$2/am.log" 2>&1 &
  AM_PID=$!
  PIDS+=($AM_PID)
  wait_http "http://127.0.0.1:$1/-/ready" 20
}
am_count() {  # am_count PORT RULE -> number of alerts with that rule
  curl -fs "http://127.0.0.1:$1/api/v2/alerts?filter=rule%3D%22$2%22" |
    python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'
}
if [ -z "$AM" ]; then
  skip alertmanager "prometheus-alertmanager not installed (scripts/deps.sh)"
else
  P=$(free_port)
  if ! am_start "$P" "$T/am1"; then
    fail alertmanager_labels "alertmanager did not start: $(tail -3 "$T/am1/am.log")"
  else
    cat > "$T/am.yaml" <<EOF
hostname: node-am
environment: prod
profiles: {prod: {}}
outputs:
  - {name: am, type: alertmanager, url: "http://127.0.0.1:$P", min_priority: critical, retries: -1, backoff_ms: 100, max_backoff_ms: 300, timeout: 2s, queue: 5, batch: 1}
EOF
    $V alert-test -c "$T/am.yaml" --rule AMLabels --priority critical --ctx k8s.ns.name=payments \
      --ctx k8s.pod.name=api-1 --ctx container.name=api --ctx owner=team-pay 2>"$T/am.err"
    $V alert-test -c "$T/am.yaml" --rule AMLow --priority warning 2>/dev/null  # below the sink's minimum
    curl -fs "http://127.0.0.1:$P/api/v2/alerts" >"$T/am.json"
    if python3 - "$T/am.json" <<'EOF'
import json, sys
A = json.load(open(sys.argv[1]))
want = {"alertname": "AMLabels", "rule": "AMLabels", "priority": "critical", "severity": "critical",
        "hostname": "node-am", "k8s_ns": "payments", "k8s_pod": "api-1", "container": "api",
        "owner": "team-pay", "environment": "prod"}
m = [a for a in A if a["labels"].get("rule") == "AMLabels"]
low = [a for a in A if a["labels"].get("rule") == "AMLow"]
ok = len(m) == 1 and all(m[0]["labels"].get(k) == v for k, v in want.items()) and \
     m[0]["annotations"]["description"].startswith("AMLabels (seq=0)") and \
     "summary" in m[0]["annotations"] and not low
if not ok:
    print(json.dumps(A)[:600]); sys.exit(1)
EOF
    then pass alertmanager_v2_labels; else fail alertmanager_v2_labels "labels differ (see above)"; fi

    # kill mid-stream, restart: queued alerts arrive, overflow is counted
    $V alert-test -c "$T/am.yaml" --rule AMStream --priority critical --count 40 --interval-ms 100 \
      --unique k8s.pod.name --drain-ms 20000 2>"$T/ams.err" &
    VP=$!
    sleep 1.0
    c1=$(am_count "$P" AMStream)
    kill -KILL "$AM_PID"; wait "$AM_PID" 2>/dev/null   # no graceful shutdown: mid-stream
    sleep 1.5
    am_start "$P" "$T/am2" || fail alertmanager_restart "second alertmanager did not start"
    wait $VP
    c2=$(am_count "$P" AMStream)
    # delivery is in order, so the first seq the new instance has = how many the old one got
    k=$(curl -fs "http://127.0.0.1:$P/api/v2/alerts?filter=rule%3D%22AMStream%22" |
        python3 -c 'import json,sys; print(min(int(a["labels"]["k8s_pod"]) for a in json.load(sys.stdin)))')
    sent=$(stat_of "$T/ams.err" am sent); dropped=$(stat_of "$T/ams.err" am dropped)
    failed=$(stat_of "$T/ams.err" am failed)
    echo "    alertmanager kill/restart: 40 alerts, first instance got $k (seen $c1 just before the kill), second $c2, sent $sent, dropped $dropped, failed $failed (queue 5)"
    if [ "$failed" = 0 ] && [ $((sent + dropped)) = 40 ] && [ "$dropped" -gt 0 ] &&
       [ "$c2" -ge 6 ] && [ "$k" -ge "$c1" ] && [ $((k + c2)) = "$sent" ]; then
      # c2 >= 6: the 5 queued + the one in flight when it died all arrived
      pass alertmanager_kill_restart_queue_bound
    else
      fail alertmanager_kill_restart_queue_bound "c1=$c1 c2=$c2 sent=$sent dropped=$dropped failed=$failed"
    fi
  fi
fi

# --- JSON file: rotation under load loses no line; SIGHUP reopen ----------
cat > "$T/rot.yaml" <<EOF
outputs:
  - {name: file, type: file, path: $T/rot/alerts.json, max_size: 64K, keep: 1000, fsync: never, queue: 100000}
EOF
mkdir -p "$T/rot"
start=$(date +%s%N)
$V alert-test -c "$T/rot.yaml" --count 20000 --rule Rotation 2>"$T/rot.err"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
nfiles=$(ls "$T/rot" | wc -l)
cat "$T/rot"/alerts.json* >"$T/rot.all"
if why=$(json_check "$T/rot.all" 'len(L)==20000 and sorted(int(a["output"].split("seq=")[1].rstrip(")")) for a in L)==list(range(20000))') &&
   [ "$nfiles" -gt 10 ] && ! find "$T/rot" -size +64k | grep -q .; then
  echo "    rotation: 20000 alerts in $nfiles files of <= 64 KiB, $ms ms"
  pass file_rotation_under_load_no_loss
else
  fail file_rotation_under_load_no_loss "${why:-files: $nfiles}"
fi

cat > "$T/hup.yaml" <<EOF
outputs:
  - {name: file, type: file, path: $T/hup.json, fsync: always}
EOF
$V alert-test -c "$T/hup.yaml" --count 60 --interval-ms 20 --rule Hup 2>"$T/hup.err" &
VP=$!
sleep 0.5
mv "$T/hup.json" "$T/hup.json.1"
kill -HUP $VP
wait $VP
a=$(wc -l <"$T/hup.json.1"); b=$(wc -l <"$T/hup.json" 2>/dev/null || echo 0)
if [ "$b" -gt 0 ] && [ "$a" -gt 0 ] && [ $((a + b)) = 60 ]; then
  pass file_reopen_on_sighup
else
  fail file_reopen_on_sighup "old file $a lines, new file $b lines (want sum 60, both > 0)"
fi

# --- disk full on a small tmpfs: counted, the engine goes on ---------------
mkdir -p "$T/full"
if mount -t tmpfs -o size=64k vigil-full "$T/full" 2>/dev/null; then
  cat > "$T/full.yaml" <<EOF
outputs:
  - {name: file, type: file, path: $T/full/alerts.json, max_size: 0, queue: 10000}
  - {name: other, type: file, path: $T/full-other.json, queue: 10000}
EOF
  $V alert-test -c "$T/full.yaml" --count 2000 --rule DiskFull >/dev/null 2>"$T/full.err"
  st=$?
  sent=$(stat_of "$T/full.err" file sent); failed=$(stat_of "$T/full.err" file failed)
  other=$(wc -l <"$T/full-other.json")
  if [ $st = 0 ] && [ "$failed" -gt 0 ] && [ $((sent + failed)) = 2000 ] && [ "$other" = 2000 ] &&
     json_check "$T/full/alerts.json" "len(L)==$sent" >/dev/null &&
     [ "$(grep -c 'No space left' "$T/full.err")" = 1 ]; then
    echo "    disk full: sent $sent, failed $failed, the other sink got $other"
    pass file_disk_full_counted
  else
    fail file_disk_full_counted "exit $st sent $sent failed $failed other $other: $(head -3 "$T/full.err")"
  fi
  umount "$T/full"
else
  skip file_disk_full_counted "cannot mount a tmpfs here"
fi

# --- a blocking sink does not slow the event path --------------------------
cat > "$T/base.yaml" <<EOF
outputs:
  - {name: file, type: file, path: $T/base.json, fsync: never, queue: 100000}
EOF
cat > "$T/block.yaml" <<EOF
outputs:
  - {name: file, type: file, path: $T/block.json, fsync: never, queue: 100000}
  - {name: stuck, type: program, command: "sleep 600", queue: 100}
  - {name: deadhook, type: webhook, url: "http://127.0.0.1:9/", retries: -1, queue: 100}
EOF
s0=$(date +%s%N)
$V alert-test -c "$T/base.yaml" --count 20000 2>"$T/base.err"
s1=$(date +%s%N)
$V alert-test -c "$T/block.yaml" --count 20000 --drain-ms 2000 2>"$T/block.err"
s2=$(date +%s%N)
avg0=$(sed -n 's/.*submit avg \([0-9]*\) ns max \([0-9]*\).*/\1/p' "$T/base.err")
max0=$(sed -n 's/.*submit avg \([0-9]*\) ns max \([0-9]*\).*/\2/p' "$T/base.err")
avg1=$(sed -n 's/.*submit avg \([0-9]*\) ns max \([0-9]*\).*/\1/p' "$T/block.err")
max1=$(sed -n 's/.*submit avg \([0-9]*\) ns max \([0-9]*\).*/\2/p' "$T/block.err")
sd=$(stat_of "$T/block.err" stuck dropped); fs=$(stat_of "$T/block.err" file sent)
echo "    submit path, 20000 alerts: file only avg ${avg0} ns max ${max0} ns ($(( (s1 - s0) / 1000000 )) ms total);" \
     "with a blocked program + dead webhook avg ${avg1} ns max ${max1} ns ($(( (s2 - s1) / 1000000 )) ms total, stuck sink dropped $sd)"
if [ -n "$avg1" ] && [ "$fs" = 20000 ] && [ "$sd" -gt 19000 ] && [ "$avg1" -lt $(( avg0 * 3 + 20000 )) ] &&
   [ "$max1" -lt 50000000 ]; then
  pass blocking_sink_does_not_stall_submit
else
  fail blocking_sink_does_not_stall_submit "avg $avg0 -> $avg1 ns, max $max1 ns, file sent $fs, stuck dropped $sd"
fi
# the stuck command (sh -c "sleep 600": sh forks sleep) must not outlive
# the engine: it would hold the engine's stdout and stderr open
if pgrep -f '^sleep 600$' >/dev/null; then
  fail program_sink_group_killed "left behind: $(pgrep -af '^sleep 600$' | head -3)"
  pkill -f '^sleep 600$'
else
  pass program_sink_group_killed
fi

# --- program sink: restarted with backoff when it dies ---------------------
cat > "$T/prog.yaml" <<EOF
outputs:
  - {name: prog, type: program, format: text, command: "n=0; while read -r l; do echo \"\$l\" >> $T/prog.out; n=\$((n+1)); [ \$n -ge 3 ] && exit 0; done"}
EOF
$V alert-test -c "$T/prog.yaml" --count 9 --interval-ms 150 --rule Prog 2>"$T/prog.err"
n=$(wc -l <"$T/prog.out" 2>/dev/null || echo 0)
r=$(grep -c "restarted" "$T/prog.err")
if [ "$n" = 9 ] && [ "$r" -ge 2 ] && [ "$(stat_of "$T/prog.err" prog sent)" = 9 ]; then
  pass program_sink_restarts
else
  fail program_sink_restarts "$n lines, $r restarts: $(grep '^sink' "$T/prog.err")"
fi

# --- noise control end to end: silence (recorded), exception, dedup, rate --
cat > "$T/noise.yaml" <<EOF
record_silenced: true
exceptions:
  - {name: ci, comment: "CI shells", rule: "Shell*", image: "ci/*"}
silences:
  - name: nightly
    weekly: {days: [fri], from: "23:00", until: "01:00", timezone: Europe/Berlin}
dedup: {window: 60s, keys: [container.id]}
rate_limits:
  - {rule: "Flood", per_second: 1, burst: 5}
summary_interval: 60s
outputs:
  - {name: console, type: stdout, format: json}
  - {name: file, type: file, path: $T/noise.json}
EOF
# Friday 2026-12-04 23:30 CET = 22:30Z: inside the window
$V alert-test -c "$T/noise.yaml" --now 2026-12-04T22:30:00Z --rule Silenced --unique x --count 3 >"$T/noise.out" 2>/dev/null
$V alert-test -c "$T/noise.yaml" --now 2026-12-04T21:30:00Z --rule Shell --ctx container.image=ci/runner --count 2 >>"$T/noise.out" 2>/dev/null
$V alert-test -c "$T/noise.yaml" --now 2026-12-04T12:00:00Z --rule Dup --ctx container.id=c1 --count 10 --step-ms 1000 >>"$T/noise.out" 2>/dev/null
$V alert-test -c "$T/noise.yaml" --now 2026-12-04T12:00:00Z --rule Flood --unique container.id --count 50 >>"$T/noise.out" 2>"$T/flood.err"
if why=$(json_check "$T/noise.json" '
len([a for a in L if a["rule"]=="Silenced" and a["vigil"].get("silenced")])==3 and
not [a for a in L if a["rule"]=="Shell"] and
[a["vigil"]["count"] for a in L if a["rule"]=="Dup"]==[1,10] and
len([a for a in L if a["rule"]=="Flood"])==5 and
any(a["rule"]=="vigil suppression summary" and a["output_fields"].get("Flood")=="rate_limited=45" for a in L)') &&
   why=$(json_check "$T/noise.out" 'not [a for a in L if a["rule"]=="Silenced"]') &&
   grep -q "rate_limited 45" "$T/flood.err"; then
  pass noise_control_end_to_end
else
  fail noise_control_end_to_end "$why"
fi

# --- metrics: scraped, promtool-checked, in the required order -------------
cat > "$T/m.yaml" <<EOF
environment: prod
profiles: {prod: {}}
rate_limits: [{rule: Metric, per_second: 0, burst: 2}]
metrics: {enabled: true, port: 0}
outputs:
  - {name: file, type: file, path: $T/m.json}
EOF
$V alert-test -c "$T/m.yaml" --rule Metric --priority error --ctx k8s.ns.name=payments \
  --ctx owner=team-pay --count 5 --hold 3 2>"$T/m.err" &
VP=$!
for _ in $(seq 1 30); do grep -q "metrics on" "$T/m.err" && break; sleep 0.1; done
MP=$(sed -n 's/.*metrics on 127.0.0.1:\([0-9]*\).*/\1/p' "$T/m.err")
sleep 1
curl -fs "http://127.0.0.1:$MP/metrics" >"$T/metrics.txt"
wait $VP
if ! command -v promtool >/dev/null; then
  skip metrics_promtool "promtool not installed (scripts/deps.sh: prometheus)"
elif promtool check metrics <"$T/metrics.txt" >"$T/promtool.out" 2>&1 &&
  grep -q '^vigil_rule_matches_total{rule="Metric",priority="error",namespace="payments",owner="team-pay",environment="prod"} 5$' "$T/metrics.txt" &&
  grep -q '^vigil_alerts_rate_limited_total{rule="Metric"} 3$' "$T/metrics.txt" &&
  grep -q '^vigil_sink_sent_total{sink="file"} 2$' "$T/metrics.txt" &&
  [ "$(grep '^# TYPE' "$T/metrics.txt" | awk '{print $3}' | tr '\n' ' ')" = \
    "vigil_events_total vigil_drops_total vigil_ring_faults_total vigil_ring_truncations_total vigil_rule_matches_total vigil_alerts_silenced_total vigil_alerts_deduped_total vigil_alerts_rate_limited_total vigil_alerts_excepted_total vigil_sink_sent_total vigil_sink_failed_total vigil_sink_dropped_total vigil_state_table_entries vigil_tick_timestamp_seconds " ]; then
  pass metrics_promtool_and_order
else
  fail metrics_promtool_and_order "$(cat "$T/promtool.out" | head -3) $(grep -v '^#' "$T/metrics.txt" | head -5 | tr '\n' ' ')"
fi

# the Grafana dashboard only queries metrics that exist, and groups hits by team and environment
if python3 - scripts/grafana-dashboard.json "$T/metrics.txt" <<'EOF'
import json, re, sys
d = json.load(open(sys.argv[1]))
have = {l.split()[2] for l in open(sys.argv[2]) if l.startswith("# TYPE")}
exprs = [t["expr"] for p in d["panels"] for t in p["targets"]]
used = {m for e in exprs for m in re.findall(r"vigil_[a-z_]+", e)}
ok = used and used <= have and any("by (owner, environment)" in e for e in exprs)
if not ok:
    print("unknown metrics: %s" % sorted(used - have)); sys.exit(1)
EOF
then pass grafana_dashboard_queries_real_metrics; else fail grafana_dashboard_queries_real_metrics "see above"; fi

# --- alert-test with the metrics port of a running sensor: a note, not a stop
PT=$(free_port)
python3 -c 'import socket,sys,time; s=socket.socket(); s.bind(("127.0.0.1",int(sys.argv[1]))); s.listen(1); time.sleep(30)' "$PT" &
HOLDER=$!
PIDS+=($HOLDER)
for _ in $(seq 1 30); do (exec 3<>"/dev/tcp/127.0.0.1/$PT") 2>/dev/null && break; sleep 0.1; done
cat > "$T/taken.yaml" <<EOF
metrics: {enabled: true, port: $PT}
outputs:
  - {name: file, type: file, path: $T/taken.json}
EOF
$V alert-test -c "$T/taken.yaml" --count 2 >/dev/null 2>"$T/taken.err"; st=$?
kill $HOLDER 2>/dev/null
if [ $st = 0 ] && grep -q "note: metrics not served" "$T/taken.err" &&
   why=$(json_check "$T/taken.json" 'len(L)==2'); then
  pass alert_test_metrics_port_taken
else
  fail alert_test_metrics_port_taken "exit $st: ${why:-} $(head -3 "$T/taken.err" | tr '\n' ' ')"
fi

# --- vigil health: the running engine's metrics endpoint (liveness probes) ---
HP=$(free_port)
mkdir -p "$T/health"
now=$(date +%s)
printf 'vigil_events_total{type="open"} 12\nvigil_drops_total{cpu="0",cause="full"} 3\nvigil_tick_timestamp_seconds %s\n' \
  "$now" >"$T/health/fresh"
printf 'vigil_events_total{type="open"} 12\nvigil_tick_timestamp_seconds %s\n' $((now - 600)) >"$T/health/stale"
printf 'vigil_sink_sent_total{sink="file"} 2\n' >"$T/health/notrun"
(cd "$T/health" && exec python3 -m http.server "$HP" --bind 127.0.0.1 >/dev/null 2>&1) &
PIDS+=($!)
wait_http "http://127.0.0.1:$HP/fresh" 5
H="http://127.0.0.1:$HP"
o1=$($V health --url "$H/fresh"); s1=$?
o2=$($V health --url "$H/stale"); s2=$?
o3=$($V health --url "$H/notrun"); s3=$?
o4=$($V health --url "$H/fresh" --min-events 100); s4=$?
o5=$($V health --url "http://127.0.0.1:$(free_port)/metrics"); s5=$?
printf 'metrics: {enabled: false}\n' >"$T/nometrics.yaml"
$V health -c "$T/nometrics.yaml" >/dev/null 2>"$T/health.err"; s6=$?
printf 'metrics: {enabled: true, listen: 0.0.0.0, port: %s}\n' "$HP" >"$T/hmetrics.yaml"
o7=$($V health -c "$T/hmetrics.yaml" 2>&1); s7=$?	# / is a listing, not metrics
if [ $s1 = 0 ] && [[ $o1 == "ok: "*"12 events, 3 records lost"* ]] &&
   [ $s2 = 1 ] && [[ $o2 == *stalled* ]] && [ $s3 = 1 ] && [[ $o3 == *"vigil_tick_timestamp_seconds"* ]] &&
   [ $s4 = 1 ] && [[ $o4 == *"fewer than 100"* ]] && [ $s5 = 1 ] && [[ $o5 == unhealthy:* ]] &&
   [ $s6 = 2 ] && grep -q "metrics are not enabled" "$T/health.err" &&
   [ $s7 = 1 ] && [[ $o7 == *"127.0.0.1:$HP/metrics"* ]]; then
  pass health_command
else
  fail health_command "$s1:$o1 | $s2:$o2 | $s3:$o3 | $s4:$o4 | $s5:$o5 | $s6:$(cat "$T/health.err") | $s7:$o7"
fi

# --- bad config: file:line and key; nothing starts half-configured ---------
cat > "$T/bad.yaml" <<EOF
outputs:
  - {name: file, type: file, path: $T/bad-created.json}
  - name: hook
    type: webhook
    url: "http://127.0.0.1:1/"
    retry: 3
EOF
$V alert-test -c "$T/bad.yaml" >/dev/null 2>"$T/bad.err"; st=$?
if [ $st = 1 ] && grep -q "$T/bad.yaml:6:5: outputs\[1\].retry: unknown key 'retry'" "$T/bad.err" &&
   [ ! -e "$T/bad-created.json" ]; then
  pass bad_config_names_file_line_key
else
  fail bad_config_names_file_line_key "exit $st: $(cat "$T/bad.err")"
fi
# http batching keys: each mistake names file:line:column and key
bad_http() {  # bad_http N YAML EXPECTED-PREFIX-AFTER-FILE
  printf '%b' "$2" >"$T/badh$1.yaml"
  $V alert-test -c "$T/badh$1.yaml" >/dev/null 2>"$T/badh$1.err"; st=$?
  [ $st = 1 ] && grep -qF "$T/badh$1.yaml:$3" "$T/badh$1.err" || echo "case $1: exit $st: $(cat "$T/badh$1.err")"
}
hb=$(
  bad_http 1 'outputs:\n  - name: hook\n    type: webhook\n    url: "http://127.0.0.1:1/"\n    batch: 4\n' \
    "5:12: outputs[0].batch: a webhook with format json posts one alert per request; batching needs format: ndjson or json_array"
  bad_http 2 'outputs:\n  - name: f\n    type: file\n    path: /tmp/never\n    format: ndjson\n' \
    "5:13: outputs[0].format: format ndjson is for webhook outputs only"
  bad_http 3 'outputs:\n  - {name: am, type: alertmanager, url: "http://127.0.0.1:1/", format: json_array}\n' \
    "2:72: outputs[0].format: format json_array is for webhook outputs only"
  bad_http 4 'outputs:\n  - name: hook\n    type: webhook\n    format: text\n    url: "http://127.0.0.1:1/"\n' \
    "4:13: outputs[0].format: a webhook sends JSON: format is json (one alert per POST), ndjson or json_array"
  bad_http 5 'outputs:\n  - name: hook\n    type: webhook\n    url: "http://127.0.0.1:1/"\n    format: ndjsn\n' \
    "5:13: outputs[0].format: format is text or json (webhook: json, ndjson or json_array), not 'ndjsn'"
)
[ -z "$hb" ] && pass bad_http_batch_config_names_file_line_key || fail bad_http_batch_config_names_file_line_key "$hb"
printf 'outputs:\n  - {name: a, type: stdout}\nroutes:\n  - {outputs: [a, nowhere]}\n' >"$T/bad2.yaml"
$V alert-test -c "$T/bad2.yaml" >/dev/null 2>"$T/bad2.err"; st=$?
[ $st = 1 ] && grep -q "bad2.yaml:4:.*routes\[0\].outputs: no output named 'nowhere'" "$T/bad2.err" &&
  pass bad_route_names_file_line || fail bad_route_names_file_line "exit $st: $(cat "$T/bad2.err")"

exit $rc
