#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Recording overhead on an exit-heavy guest, measured side by side in one run.

usage: bench_record.py BUILD_DIR [--loops N] [--reps R] [--rss-exits N] [--pioloop PATH]

For pio-loop under kvmrec-vmm with 1 and 4 vCPUs, runs, interleaved R times:
unrecorded, `kvmrec record` and `record --no-kernel-events` with each backend
(preload, bpf), and `strace -f --kvm=vcpu`, each once long (N exits) and once
short (N/20), and
prints the marginal wall time per exit (long minus short, so VMM and
recorder start-up do not count) and its ratio to unrecorded, plus trace
bytes per exit. With --pioloop (tests/recorder/pioloop_vmm) it also compares,
the same way, a VMM attached with `kvmrec record --pid` while it waits before
creating its vCPUs, against the same VMM unrecorded and under strace. With
--rss-exits it then
records one long run (default 10 million exits) and prints the recorder's
peak RSS. Ratios, not absolute times, are the result: the host's exit cost
(about 10 us on kvm-pvm) dominates everything.
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def run(argv, env=None):
    t0 = time.monotonic()
    p = subprocess.run(argv, capture_output=True, text=True, env=env)
    dt = time.monotonic() - t0
    if p.returncode != 0:
        sys.exit("bench: %s failed (rc %d): %s" % (" ".join(argv), p.returncode,
                                                  p.stderr.strip()[-300:]))
    return dt, p


def run_attached(kvmrec, argv, out, opts):
    """Wall time of @argv from start to exit, with `record --pid` attached
    while the VMM waits (--start-delay) before its vCPUs exist."""
    t0 = time.monotonic()
    vmm = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    while True:
        try:
            if any(os.readlink("/proc/%d/fd/%s" % (vmm.pid, f)) == "anon_inode:kvm-vm"
                   for f in os.listdir("/proc/%d/fd" % vmm.pid)):
                break
        except OSError:
            pass
        time.sleep(0.005)
    rec = subprocess.Popen([kvmrec, "record", "--pid", str(vmm.pid), "-o", out] + opts,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    vmm.wait()
    dt = time.monotonic() - t0
    _, err = rec.communicate()
    if vmm.returncode != 0 or rec.returncode != 0 or "vmm exited" not in err:
        sys.exit("bench: record --pid of %s: vmm %d, record %d: %s" %
                 (argv[0], vmm.returncode, rec.returncode, err.strip()[-300:]))
    return dt


def bench_attach(a, kvmrec, have_strace, tmp):
    """pioloop_vmm attached by `record --pid` against itself unrecorded and under strace."""
    print("pioloop_vmm, 1 vCPU, attached with record --pid while it waits 1.5 s "
          "before creating its vCPU")
    loops, short = a.loops, max(1, a.loops // 20)
    modes = ["unrecorded", "record --pid", "record --pid --no-kernel-events"]
    if have_strace:
        modes.append("strace -f --kvm=vcpu")
    times = {(m, n): [] for m in modes for n in (loops, short)}
    for rep in range(a.reps):
        for name in modes:
            for n in (loops, short):
                argv = [a.pioloop, "--exits", str(n), "--start-delay", "1500"]
                out = os.path.join(tmp, "p.zst")
                if os.path.exists(out):
                    os.unlink(out)
                if name == "unrecorded":
                    dt, _ = run(argv)
                elif name == "strace -f --kvm=vcpu":
                    dt, _ = run(["strace", "-f", "--kvm=vcpu", "-o", "/dev/null"] + argv)
                else:
                    dt = run_attached(kvmrec, argv, out, name.split()[2:])
                times[(name, n)].append(dt)

    def per_exit(name):
        return (statistics.median(times[(name, loops)]) -
                statistics.median(times[(name, short)])) / (loops - short)
    ref = per_exit("unrecorded")
    for name in modes:
        t = per_exit(name)
        print("%-5d %-24s %12.2f %7.3fx" % (1, name.replace("record ", ""), t * 1e6, t / ref))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--loops", type=int, default=100000)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--rss-exits", type=int, default=0)
    ap.add_argument("--pioloop", default="")
    a = ap.parse_args()
    kvmrec = os.path.join(a.build, "kvmrec")
    vmm = os.path.join(a.build, "kvmrec-vmm")
    guest = os.path.join(a.build, "guests", "pio-loop.elf")
    for f in (kvmrec, vmm, guest):
        if not os.path.exists(f):
            sys.exit("bench: %s not built" % f)
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        sys.exit("bench: /dev/kvm is not usable")
    have_strace = shutil.which("strace") is not None
    tmp = tempfile.mkdtemp(prefix="kvmrec-bench-")

    print("pio-loop, %d port writes per vCPU, median of %d interleaved runs" % (a.loops, a.reps))
    print("%-5s %-24s %12s %8s %12s" % ("vCPUs", "mode", "us/exit", "ratio", "bytes/exit"))
    for smp in (1, 4):
        loops = a.loops if smp == 1 else a.loops // 2
        def vmm_argv(n):
            return [vmm, "--smp", str(smp), "--loops", str(n), "--stats", guest]

        def count(n):
            _, p = run(vmm_argv(n))
            return sum(int(x) for x in re.findall(r"(\d+) KVM_RUN", p.stderr))
        short = max(1, loops // 20)
        exits = count(loops)
        dexits = exits - count(short)
        modes = [("unrecorded", None), ("kvmrec record", []),
                 ("record --no-kernel-events", ["--no-kernel-events"]),
                 ("record --backend bpf", ["--backend", "bpf"]),
                 ("bpf --no-kernel-events", ["--backend", "bpf", "--no-kernel-events"])]
        if have_strace:
            modes.append(("strace -f --kvm=vcpu", "strace"))
        times = {(m, n): [] for m, _ in modes for n in (loops, short)}
        sizes = {m: [] for m, _ in modes}
        for rep in range(a.reps):
            for name, opt in modes:
                for n in (loops, short):
                    base = vmm_argv(n)
                    if opt is None:
                        dt, _ = run(base)
                    elif opt == "strace":
                        dt, _ = run(["strace", "-f", "--kvm=vcpu", "-o", "/dev/null"] + base)
                    else:
                        out = os.path.join(tmp, "t.zst")
                        if os.path.exists(out):
                            os.unlink(out)
                        dt, _ = run([kvmrec, "record", "-o", out] + opt + ["--"] + base)
                        if n == loops:
                            sizes[name].append(os.path.getsize(out))
                    times[(name, n)].append(dt)

        def per_exit(name):
            return (statistics.median(times[(name, loops)]) -
                    statistics.median(times[(name, short)])) / dexits
        ref = per_exit("unrecorded")
        for name, _ in modes:
            t = per_exit(name)
            bpe = "%.2f" % (statistics.median(sizes[name]) / exits) if sizes[name] else "-"
            print("%-5d %-24s %12.2f %7.3fx %12s" % (smp, name, t * 1e6, t / ref, bpe))
    if a.pioloop:
        bench_attach(a, kvmrec, have_strace, tmp)
    if a.rss_exits:
        loops = a.rss_exits
        out = os.path.join(tmp, "rss.zst")
        dt, p = run([kvmrec, "record", "--stats", "-o", out, "--", vmm, "--loops", str(loops),
                     guest])
        m = re.search(r"peak RSS (\d+) KiB", p.stderr)
        e = re.search(r"(\d+) KVM_RUN", p.stderr)
        print("long run: %s KVM_RUN in %.1f s, trace %d bytes (%.2f bytes/exit), "
              "recorder peak RSS %.1f MiB" %
              (e.group(1) if e else "?", dt, os.path.getsize(out),
               os.path.getsize(out) / max(1, int(e.group(1)) if e else 1),
               int(m.group(1)) / 1024 if m else -1))
        print(p.stderr.strip().splitlines()[-1])
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
