#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Checks that a file is well-formed Chrome trace-event JSON as kvmrec export
writes it, and optionally that it shows what the trace holds.

usage: check_chrome_json.py OUT.json [--exits N] [--violation VECTOR] [--flows]

Every event needs ph, pid, tid and (but for metadata) a numeric ts; "X" needs
dur >= 0; B/E must balance per thread; "i" scope is t/p/g; "C" args are
numbers; every flow end "f" has exactly one start "s" with its id; the "X"
slices of one thread nest or are disjoint. --exits N: exactly N per-exit
slices ("guest", or "run" where the trace has no KVM_RUN entry times).
--violation V: a red check-once instant of vector V, and no other red one
(the replayer's violations are the only ones marked). --flows: at least one
request->delivery arrow, each end inside a slice of its thread.
Exit 0 when all holds, 1 with the first problem on stderr.
"""
import json
import sys

PHASES = set("BEXiIbneCMsftPONDRc")


def fail(msg):
    print("check_chrome_json: " + msg, file=sys.stderr)
    sys.exit(1)


def main():
    args = sys.argv[1:]
    if not args:
        fail("usage: check_chrome_json.py OUT.json [--exits N] [--violation V] [--flows]")
    path = args.pop(0)
    want_exits = want_violation = None
    want_flows = False
    while args:
        a = args.pop(0)
        if a == "--exits":
            want_exits = int(args.pop(0))
        elif a == "--violation":
            want_violation = int(args.pop(0))
        elif a == "--flows":
            want_flows = True
        else:
            fail("unknown option " + a)

    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        fail("%s: does not parse: %s" % (path, e))
    if not isinstance(doc, dict) or not isinstance(doc.get("traceEvents"), list):
        fail("%s: no traceEvents array" % path)

    stacks, slices, starts, ends = {}, {}, {}, []
    guest = 0
    violations = []
    for n, e in enumerate(doc["traceEvents"]):
        where = "%s: event %d" % (path, n)
        if not isinstance(e, dict):
            fail(where + ": not an object")
        ph = e.get("ph")
        if ph not in PHASES:
            fail(where + ": bad ph %r" % ph)
        for k in ("pid", "tid"):
            if not isinstance(e.get(k), int):
                fail(where + ": %s missing or not an integer" % k)
        if not isinstance(e.get("name"), str):
            fail(where + ": name missing")
        if ph == "M":
            if not isinstance(e.get("args"), dict):
                fail(where + ": metadata without args")
            continue
        ts = e.get("ts")
        if not isinstance(ts, (int, float)) or isinstance(ts, bool):
            fail(where + ": ts missing or not a number")
        track = (e["pid"], e["tid"])
        if ph == "X":
            dur = e.get("dur")
            if not isinstance(dur, (int, float)) or dur < 0:
                fail(where + ": X without dur >= 0")
            # In whole ns, so float rounding cannot make touching slices overlap.
            b = round(ts * 1000)
            slices.setdefault(track, []).append((b, b + round(dur * 1000), n))
            if e["name"] in ("guest", "run"):
                guest += 1
        elif ph == "B":
            stacks.setdefault(track, []).append(n)
        elif ph == "E":
            if not stacks.get(track):
                fail(where + ": E without B")
            stacks[track].pop()
        elif ph in "iI":
            if e.get("s", "t") not in ("t", "p", "g"):
                fail(where + ": bad instant scope")
            if e.get("cname") == "terrible" and e.get("cat") == "check-once":
                violations.append(e["name"])
        elif ph == "C":
            a = e.get("args")
            if not isinstance(a, dict) or not a or not all(
                    isinstance(v, (int, float)) for v in a.values()):
                fail(where + ": counter args must be numbers")
        elif ph == "s":
            if e.get("id") in starts:
                fail(where + ": flow id %r started twice" % e.get("id"))
            starts[e.get("id")] = (track, ts)
        elif ph == "f":
            ends.append((e.get("id"), track, ts, where))

    for track, st in stacks.items():
        if st:
            fail("%s: %d B events on %r never ended" % (path, len(st), track))
    seen = set()
    for fid, track, ts, where in ends:
        if fid not in starts:
            fail(where + ": flow end without start (id %r)" % fid)
        if fid in seen:
            fail(where + ": flow id %r ended twice" % fid)
        seen.add(fid)
        if starts[fid][1] > ts:
            fail(where + ": flow ends before it starts")
    for track, sl in slices.items():
        sl.sort()
        open_ends = []
        for b, e, n in sl:
            while open_ends and open_ends[-1] <= b:
                open_ends.pop()
            if open_ends and e > open_ends[-1]:
                fail("%s: event %d overlaps an enclosing slice on %r" % (path, n, track))
            open_ends.append(e)

    def enclosed(track, ts):
        t = round(ts * 1000)
        return any(b <= t <= e for b, e, _ in slices.get(track, ()))

    if want_exits is not None and guest != want_exits:
        fail("%s: %d guest slices, want %d (one per exit)" % (path, guest, want_exits))
    if want_violation is not None and (
            not violations or any(not v.endswith(" %d" % want_violation) for v in violations)):
        fail("%s: red check-once instants %r, want vector %d's only" % (
            path, violations, want_violation))
    if want_flows:
        if not ends:
            fail("%s: no request->delivery arrows" % path)
        for fid, track, ts, where in ends:
            if not enclosed(track, ts):
                fail(where + ": flow end outside every slice of its track")
    print("%s: %d events ok (%d guest slices, %d arrows)" % (
        path, len(doc["traceEvents"]), guest, len(ends)))


main()
