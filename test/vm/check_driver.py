#!/usr/bin/env python3
"""check_driver.py - host side of the VM driver test.

Reads what sc_driver.sh left in the share:
  expect.jsonl   what the trigger made (test/vm/lib/expect.h for the format)
  dump.jsonl     `vigil dump --json` of the capture taken meanwhile
and prints one PASS/FAIL line per expectation (case driver/<label>), plus
driver/coverage (at least 25 event types matched). Expectations are matched
per thread, in order: for each, the first later event of the same type from
that thread whose parameters all match; if none does, the failure names the
first differing parameter of the nearest candidate.
"""
import argparse
import json
import os
import sys

MIN_TYPES = 25


def load_jsonl(path):
    out = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                out.append(json.loads(line))
            except ValueError as e:
                raise SystemExit(f"FAIL: driver/parse: {path}:{n}: {e}")
    return out


def value_ok(exp, name, ev):
    """Does event ev's parameter `name` satisfy expectation value exp?"""
    params = ev.get("params") or {}
    raw = (ev.get("raw") or {}).get(name)
    txt = params.get(name)
    flags = (ev.get("flags") or {}).get(name) or []
    if "oneof" in exp:
        return any(value_ok(e, name, ev) for e in exp["oneof"])
    if "fault" in exp:
        return "fault" in flags and txt in (None, "") and raw in (None, "")
    if "trunc" in exp:
        return "trunc" in flags and txt == exp["s"]
    if ("i" in exp or "s" in exp) and ("fault" in flags or "trunc" in flags):
        return False
    if "absent" in exp:
        return txt in (None, "") and raw in (None, "")
    if "any" in exp:
        return txt not in (None, "") or raw not in (None, "")
    if "i" in exp:
        v = raw if raw is not None else txt
        try:
            return int(v) == int(exp["i"])
        except (TypeError, ValueError):
            return False
    if "s" in exp:
        if isinstance(txt, list):       # strarray: a JSON list in the dump
            return " ".join(txt) == exp["s"]
        return txt == exp["s"]
    return False


def shown(ev, name):
    params = ev.get("params") or {}
    raw = (ev.get("raw") or {}).get(name)
    txt = params.get(name)
    flags = (ev.get("flags") or {}).get(name)
    s = json.dumps(txt)
    if raw is not None and str(raw) != str(txt):
        s += f" (raw {raw})"
    if flags:
        s += f" flags {flags}"
    return s


def diff(x, ev):
    bad = [n for n, e in x["params"].items() if not value_ok(e, n, ev)]
    return bad


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--prefix", default="")
    ap.add_argument("share")
    a = ap.parse_args()
    pre = a.prefix
    if os.path.exists(os.path.join(a.share, "skipped")):
        return 0       # the scenario said SKIP and why
    ep = os.path.join(a.share, "expect.jsonl")
    dp = os.path.join(a.share, "dump.jsonl")
    for p in (ep, dp):
        if not os.path.exists(p) or os.path.getsize(p) == 0:
            print(f"FAIL: {pre}driver/inputs: {os.path.basename(p)} missing or empty in {a.share}")
            return 1
    exps = load_jsonl(ep)
    evs = load_jsonl(dp)
    by_tid = {}
    for ev in sorted(evs, key=lambda e: (e.get("ts", 0), e.get("num", 0))):
        by_tid.setdefault(ev.get("tid"), []).append(ev)
    pos = {}
    rc = 0
    types = set()
    for x in exps:
        tid, typ, label = x["tid"], x["type"], x["label"]
        stream = by_tid.get(tid, [])
        start = pos.get(tid, 0)
        cands = [i for i in range(start, len(stream)) if stream[i].get("type") == typ]
        hit = next((i for i in cands if not diff(x, stream[i])), None)
        if hit is not None:
            pos[tid] = hit + 1
            types.add(typ)
            print(f"PASS: {pre}driver/{label}")
            continue
        rc = 1
        if not cands:
            print(f"FAIL: {pre}driver/{label}: no {typ} event from tid {tid} "
                  f"({len(stream)} events from that thread)")
            continue
        ev = stream[cands[0]]
        bad = diff(x, ev)
        why = "; ".join(f"{n}: want {json.dumps(x['params'][n])} got {shown(ev, n)}" for n in bad[:4])
        more = f" (+{len(bad) - 4} more)" if len(bad) > 4 else ""
        print(f"FAIL: {pre}driver/{label}: {typ} event #{ev.get('num')}: {why}{more}")
    if len(types) >= MIN_TYPES:
        print(f"PASS: {pre}driver/coverage: {len(types)} event types fully matched")
    else:
        print(f"FAIL: {pre}driver/coverage: {len(types)} event types fully matched, need {MIN_TYPES}")
        rc = 1
    return rc


if __name__ == "__main__":
    sys.exit(main())
