#!/usr/bin/env python3
"""stat's percentiles against exact ones: for every trace given, the guest
time (RunExit.run_ns) of each exit is read from `kvmrec dump`, grouped per
vCPU and exit reason as stat groups them (KVM_RUN -EINTR on its own row), and
the exact nearest-rank p50/p90/p99 must agree with `kvmrec stat --json`
within 1% (exactly below 128 ns, where the histogram is exact).
Usage: stat_percentiles.py KVMREC TRACE..."""
import json
import math
import re
import subprocess
import sys

EXIT = re.compile(r"^\s*\d+\s+\S+\s+cpu(\d+)\s+\d+\s+exit (\S+)(.*)$")


def nearest_rank(vals, q):
    rank = max(1, math.ceil(q * len(vals)))
    return vals[rank - 1]


def check(kvmrec, trace):
    dump = subprocess.run([kvmrec, "dump", trace], capture_output=True, text=True, check=True)
    groups = {}
    for line in dump.stdout.splitlines():
        m = EXIT.match(line)
        if not m:
            continue
        vcpu, reason, rest = int(m.group(1)), m.group(2), m.group(3)
        if "errno=4 (EINTR)" in rest:
            reason = "KVM_RUN -EINTR"
        run = re.search(r"\brun_ns=(\d+)", rest)
        if run:
            groups.setdefault((vcpu, reason), []).append(int(run.group(1)))
    stat = json.loads(subprocess.run([kvmrec, "stat", "--json", trace], capture_output=True,
                                     text=True, check=True).stdout)
    got = {}
    for c in stat["vcpus"]:
        for r in c["exit_reasons"]:
            got[(c["vcpu"], r["reason"])] = r["guest_ns"]
    bad = checked = 0
    for key, vals in sorted(groups.items()):
        vals.sort()
        h = got.get(key)
        if h is None or h["count"] != len(vals):
            print(f"FAIL: {trace}: vCPU {key[0]} {key[1]}: stat has "
                  f"{h and h['count']} guest times, dump {len(vals)}")
            bad += 1
            continue
        for name, q in (("p50", 0.50), ("p90", 0.90), ("p99", 0.99)):
            want, have = nearest_rank(vals, q), h[name]
            tol = 0 if want < 128 else want / 100
            checked += 1
            if abs(have - want) > tol:
                print(f"FAIL: {trace}: vCPU {key[0]} {key[1]} {name}: stat {have} ns, "
                      f"exact {want} ns (off {abs(have - want) / max(want, 1):.2%})")
                bad += 1
    return bad, checked, sum(len(v) for v in groups.values())


def main():
    kvmrec, traces = sys.argv[1], sys.argv[2:]
    bad = checked = samples = 0
    for t in traces:
        b, c, n = check(kvmrec, t)
        bad, checked, samples = bad + b, checked + c, samples + n
    if not samples:
        print("FAIL: no exit with run_ns in the traces given: nothing checked")
        return 1
    print(f"{checked} percentiles over {samples} guest times checked, {bad} off by more than 1%")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
