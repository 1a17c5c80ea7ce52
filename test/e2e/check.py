#!/usr/bin/env python3
"""test/e2e/check.py - asserts what the end-to-end guest run produced.

Reads DIR/windows.txt (BEGIN/END marks, wall-clock ns, written by guest.sh)
and DIR/alerts.json (vigil's JSON-lines alerts), and each scenario's
expectations (the '#@' header lines of test/e2e/scenarios/*.sh):
    #@ rule: NAME          an alert of this rule inside the scenario's window
    #@ priority: P         ...with this priority (the prod profile's)
    #@ field: K=V          ...whose output_fields[K] is exactly V
    #@ field~: K=V         ...whose output_fields[K] contains V
A scenario may expect several alerts: each '#@ rule:' line starts one, the
lines after it refine it, and the cases are then named NAME/1, NAME/2...
In V, {container_id:NAME} stands for the 12-character id vigil reports for
the container that lib.sh's e2e_bundle NAME makes (its id is sha256(NAME)).
A scenario that cannot run in this guest (a tool missing) calls e2e_skip
WHY: guest.sh writes "SKIP NAME WHY" to windows.txt, and it is a SKIP here.
Prints PASS/FAIL/SKIP lines, one per case; exit 1 if any failed.

    check.py --coverage RULES.json... --scenarios DIR
asserts, on the host, that every enabled rule that `vigil list rules --json`
reports in any of RULES.json has a scenario with '#@ rule:' for it, unless
NO_SCENARIO below names it with the reason.
"""
import argparse
import hashlib
import json
import os
import re
import sys

FALCO_KEYS = ("time", "rule", "priority", "source", "hostname", "output", "output_fields", "tags")
# Default rules deliberately without a scenario: name -> why. Every entry
# must name a default rule that has no scenario (a stale entry fails too).
NO_SCENARIO = {
}

TIME_RE = re.compile(r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?Z$")


def rfc3339_ns(s):
    import calendar
    m = TIME_RE.match(s or "")
    if not m:
        return None
    y, mo, d, h, mi, se, frac = m.groups()
    secs = calendar.timegm((int(y), int(mo), int(d), int(h), int(mi), int(se), 0, 0, 0))
    return secs * 1_000_000_000 + int((frac or "0").ljust(9, "0"))


def load_windows(path):
    wins, exit_rc, skips = {}, None, {}
    with open(path) as f:
        for line in f:
            p = line.split()
            if len(p) >= 2 and p[0] == "SKIP":
                skips[p[1]] = " ".join(p[2:]) or "skipped by the scenario"
            elif len(p) == 3 and p[0] in ("BEGIN", "END"):
                wins.setdefault(p[1], [None, None])[0 if p[0] == "BEGIN" else 1] = int(p[2])
            elif len(p) == 3 and p[0] == "EXIT":
                exit_rc = int(p[2])
    return wins, exit_rc, skips


def load_alerts(path):
    alerts, bad = [], []
    if not os.path.exists(path):
        return alerts, ["no alerts file"]
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                a = json.loads(line)
            except ValueError as e:
                bad.append("line %d: not JSON (%s)" % (n, e))
                continue
            missing = [k for k in FALCO_KEYS if k not in a]
            if missing:
                bad.append("line %d: missing %s" % (n, ",".join(missing)))
            a["_ns"] = rfc3339_ns(a.get("time"))
            if a["_ns"] is None:
                bad.append("line %d: time %r is not RFC 3339 UTC with ns" % (n, a.get("time")))
                continue
            alerts.append(a)
    return alerts, bad


def expand(v):
    return re.sub(r"\{container_id:([^}]*)\}",
                  lambda m: hashlib.sha256(m.group(1).encode()).hexdigest()[:12], v)


def expectations(path):
    """The scenario's expected alerts: a list with one entry per '#@ rule:'
    line and the priority and field lines that follow it."""
    groups = []
    with open(path) as f:
        for line in f:
            m = re.match(r"^#@ (rule|priority|field|field~): (.*?)\s*$", line)
            if not m:
                continue
            k, v = m.groups()
            if k == "rule" or not groups:
                groups.append({"rule": None, "priority": None, "fields": [], "contains": []})
            exp = groups[-1]
            if k in ("rule", "priority"):
                exp[k] = v
            else:
                key, _, val = v.partition("=")
                exp["fields" if k == "field" else "contains"].append((key, expand(val)))
    return groups


def in_window(alerts, win):
    b, e = win
    return [a for a in alerts if b is not None and e is not None and b <= a["_ns"] <= e]


def mismatches(a, exp):
    bad = []
    if exp["priority"] and a.get("priority", "").lower() != exp["priority"].lower():
        bad.append("priority %s (want %s)" % (a.get("priority"), exp["priority"]))
    of = a.get("output_fields") or {}
    for k, v in exp["fields"]:
        if str(of.get(k)) != v:
            bad.append("%s=%r (want %r)" % (k, of.get(k), v))
    for k, v in exp["contains"]:
        if v not in str(of.get(k)):
            bad.append("%s=%r (want it to contain %r)" % (k, of.get(k), v))
    return bad


def check_capture(script, alerts_path, prefix):
    """--capture mode: the alerts of `vigil run --capture` against the
    '#@ alert:' and '#@ total:' lines of the event script, in order."""
    want, total = [], None
    for line in open(script):
        m = re.match(r"^#@ alert: (.*)$", line)
        if m:
            parts = [p.strip() for p in m.group(1).split(";")]
            want.append((parts[0], [tuple(p.split("=", 1)) for p in parts[1:]]))
        m = re.match(r"^#@ total: (\d+)", line)
        if m:
            total = int(m.group(1))
    alerts, bad = load_alerts(alerts_path)
    P = prefix + "e2e/capture/"
    rc = 0
    if bad:
        print("FAIL: %sjson-shape: %s" % (P, "; ".join(bad[:3])))
        rc = 1
    got = [a.get("rule") for a in alerts]
    for i, (rule, fields) in enumerate(want):
        a = alerts[i] if i < len(alerts) else None
        if not a or a.get("rule") != rule:
            print("FAIL: %s%d-%s: alert %d is %r (all: %s)" % (P, i + 1, rule, i + 1, a and a.get("rule"), got))
            rc = 1
            continue
        of = a.get("output_fields") or {}
        mis = ["%s=%r (want %r)" % (k, of.get(k), v) for k, v in fields if str(of.get(k)) != v]
        if a.get("output", "").endswith("\n"):
            mis.append("output ends with a newline")
        if mis:
            print("FAIL: %s%d-%s: %s" % (P, i + 1, rule, "; ".join(mis)))
            rc = 1
        else:
            print("PASS: %s%d-%s" % (P, i + 1, rule))
    if total is not None:
        if len(alerts) != total:
            print("FAIL: %stotal: %d alerts, want %d (%s)" % (P, len(alerts), total, got))
            rc = 1
        else:
            print("PASS: %stotal (%d alerts, none from the benign events)" % (P, total))
    return rc


def check_coverage(rule_files, scenarios, prefix):
    """--coverage mode: every enabled default rule has a scenario."""
    P = prefix + "e2e/"
    rules = set()
    for path in rule_files:
        try:
            listed = json.load(open(path))
        except (OSError, ValueError) as e:
            print("FAIL: %srule-coverage: cannot read %s (%s)" % (P, path, e))
            return 1
        rules |= {r["name"] for r in listed if r.get("enabled", True)}
    if not rules:
        print("FAIL: %srule-coverage: no rules listed in %s" % (P, " ".join(rule_files)))
        return 1
    covered = {}
    for fn in sorted(os.listdir(scenarios)):
        if fn.endswith(".sh"):
            for exp in expectations(os.path.join(scenarios, fn)):
                if exp["rule"]:
                    covered.setdefault(exp["rule"], []).append(fn[:-3])
    rc = 0
    missing = sorted(rules - set(covered) - set(NO_SCENARIO))
    if missing:
        print("FAIL: %srule-coverage: no scenario has '#@ rule:' for: %s (add one in "
              "test/e2e/scenarios/, or list the rule in NO_SCENARIO in test/e2e/check.py "
              "with the reason)" % (P, "; ".join(missing)))
        rc = 1
    stale = sorted(r for r in NO_SCENARIO if r in covered or r not in rules)
    if stale:
        print("FAIL: %srule-coverage-exemptions: NO_SCENARIO names rules that have a scenario "
              "or are no default rule: %s" % (P, "; ".join(stale)))
        rc = 1
    unknown = sorted(r for r in covered if r not in rules)
    if unknown:
        print("FAIL: %srule-coverage-names: scenarios name rules that are not enabled default "
              "rules: %s" % (P, "; ".join("%s (%s)" % (r, ", ".join(covered[r])) for r in unknown)))
        rc = 1
    if not rc:
        print("PASS: %srule-coverage (%d enabled default rules: %d with a scenario, %d exempt%s)"
              % (P, len(rules), len(rules & set(covered)), len(NO_SCENARIO),
                 "".join(": %s: %s" % kv for kv in sorted(NO_SCENARIO.items()))))
    return rc


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir")
    ap.add_argument("--scenarios")
    ap.add_argument("--prefix", default="")
    ap.add_argument("--capture", nargs=2, metavar=("SCRIPT", "ALERTS"))
    ap.add_argument("--coverage", nargs="+", metavar="RULES_JSON")
    o = ap.parse_args()
    if o.coverage:
        return check_coverage(o.coverage, o.scenarios, o.prefix)
    if o.capture:
        return check_capture(o.capture[0], o.capture[1], o.prefix)
    P = o.prefix + "e2e/"
    failed = False

    def report(ok, name, why=""):
        nonlocal failed
        if ok is None:
            print("SKIP: %s%s: %s" % (P, name, why))
        elif ok:
            print("PASS: %s%s%s" % (P, name, (" (" + why + ")") if why else ""))
        else:
            print("FAIL: %s%s: %s" % (P, name, why))
            failed = True

    wins, exit_rc, skips = load_windows(os.path.join(o.dir, "windows.txt"))
    alerts, bad = load_alerts(os.path.join(o.dir, "alerts.json"))
    report(not bad, "json-shape", "; ".join(bad[:3]) if bad else "%d alerts, Falco's keys" % len(alerts))

    for fn in sorted(os.listdir(o.scenarios)):
        if not fn.endswith(".sh"):
            continue
        name = fn[:-3]
        groups = expectations(os.path.join(o.scenarios, fn))
        if name in skips:
            report(None, name, skips[name])
            continue
        if name not in wins:
            report(False, name, "the guest did not run it (no window)")
            continue
        if not groups:
            report(False, name, "no '#@ rule:' line")
            continue
        got = in_window(alerts, wins[name])
        for i, exp in enumerate(groups, 1):
            case = name if len(groups) == 1 else "%s/%d" % (name, i)
            cand = [a for a in got if a.get("rule") == exp["rule"]]
            if not cand:
                report(False, case, "no '%s' alert; in its window: %s" %
                       (exp["rule"], sorted({a.get("rule") for a in got}) or "nothing"))
                continue
            best = min((mismatches(a, exp) for a in cand), key=len)
            others = sorted({a.get("rule") for a in got} - {exp["rule"]})
            note = "also: %s" % ", ".join(others) if others else ""
            report(not best, case, "; ".join(best) + ("; " + note if note and best else "") if best else note)

    # reload
    if "hup-bad" in wins and "hup-good" in wins:
        bad_rules = {a.get("rule") for a in in_window(alerts, wins["hup-bad"])}
        good_rules = {a.get("rule") for a in in_window(alerts, wins["hup-good"])}
        report("vigil internal: reload failed" in bad_rules, "reload-bad-file-reported",
               "rules in window: %s" % sorted(bad_rules))
        report("E2E marker A" in bad_rules, "reload-bad-file-keeps-old-rules",
               "rules in window: %s" % sorted(bad_rules))
        report("E2E marker B" in good_rules and "E2E marker A" not in good_rules,
               "reload-good-file-replaces", "rules in window: %s" % sorted(good_rules))
    else:
        report(False, "reload", "the guest did not run the reload steps")

    # benign
    if "benign" in wins and None not in wins["benign"]:
        b = in_window(alerts, wins["benign"])
        secs = (wins["benign"][1] - wins["benign"][0]) / 1e9
        report(not b, "benign-zero-alerts",
               ("%.0f s of benign work, 0 alerts" % secs) if not b else
               "%d alert(s): %s" % (len(b), "; ".join(sorted({"%s: %s" % (a.get("rule"), a.get("output", "")[:160]) for a in b})[:5])))
    else:
        report(False, "benign-zero-alerts", "the guest did not run the benign workload")

    # latency
    lat_path = os.path.join(o.dir, "latency.txt")
    lat = []
    if os.path.exists(lat_path):
        lat = sorted(int(x) for x in open(lat_path).read().split())
    if lat:
        p50 = lat[len(lat) // 2] / 1e6
        p99 = lat[min(len(lat) - 1, (len(lat) * 99) // 100)] / 1e6
        report(True, "latency", "syscall -> JSON alert line, n=%d: p50 %.2f ms, p99 %.2f ms, max %.2f ms (TCG)"
               % (len(lat), p50, p99, lat[-1] / 1e6))
    else:
        summary = ""
        sp = os.path.join(o.dir, "latency-summary.txt")
        if os.path.exists(sp):
            summary = open(sp).read().strip().replace("\n", " ")
        report(False, "latency", "no samples: %s" % (summary or "no latency.txt"))

    report(exit_rc == 0, "sigterm-clean-exit", "exit status %s" % exit_rc)

    # drops
    derr = os.path.join(o.dir, "vigil-drops.err")
    lost = None
    if os.path.exists(derr):
        m = re.search(r"(\d+) records lost in the rings", open(derr).read())
        lost = int(m.group(1)) if m else None
    dalerts, _ = load_alerts(os.path.join(o.dir, "drops.json"))
    dd = [a for a in dalerts if a.get("rule") == "vigil internal: event drops"]
    if lost is None:
        report(False, "drop-alerts", "the drop run did not finish (no summary in vigil-drops.err)")
    elif lost == 0:
        report(False, "drop-alerts", "no record was lost although the engine was stopped during the burst")
    else:
        reported = sum(int((a.get("output_fields") or {}).get("n_drops", 0)) for a in dd)
        span = (wins["drops"][1] - wins["drops"][0]) / 1e9 if None not in wins.get("drops", [None]) else 0
        ok = bool(dd) and len(dd) <= span + 2 and all(a.get("priority") == "Critical" for a in dd)
        report(ok, "drop-alerts", "%d records lost, %d drop alert(s) in %.0f s (at most 1/s) covering %d"
               % (lost, len(dd), span, reported))
    outside = [a for a in alerts if not any(w[0] is not None and w[1] is not None and w[0] <= a["_ns"] <= w[1] for w in wins.values())]
    if outside:
        print("note: %d alert(s) outside every window: %s" % (len(outside), sorted({a.get("rule") for a in outside})))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
