#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Runs kvmrec's benchmarks from a build directory and prints README.md's
performance table (Markdown), every figure as measured in this run next to
its anchor measured in the same run.

usage: report.py BUILD [--runs N] [--quick] [--recording PATH]
                 [--write-readme README.md]

The quick benchmarks (trace_bench, replay_bench, bench_record_hotpath,
bench_vmm, the Perfetto export) run N times and each figure is given as a
range (min-max) over the runs: this host's speed varies up to 2x from run to
run, so a single figure means little, a ratio to its anchor from the same
run more. bench_record.py (minutes) runs once, after them, unless --quick.
A row whose benchmark did not run says so ("not run: --quick"); no figure is
ever carried over from an earlier run. See bench/README.md.

Exit status: 0 the table was made; 1 a benchmark failed or printed what this
script does not understand (one line on stderr names it); 2 usage or bad
input (no such build directory, recording, README markers).
"""
import argparse
import datetime
import json
import os
import platform
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

BEGIN = "<!-- bench/report.py: begin -->"
END = "<!-- bench/report.py: end -->"
TRACE_EVENTS = 2000000
REPLAY_EVENTS = 10000000
HOTPATH_CALLS = 200000
BPF_STATS_EXITS = 100000
RECORD_ARGS = {"reps": 4, "loops": 60000, "rss_exits": 10000000}


class BenchError(Exception):
    """A benchmark failed or printed something unexpected: one line, naming it."""


# ---------------------------------------------------------------- parsers
# Each takes what one benchmark printed and returns its figures as numbers.
# tests/bench/test_report.py feeds them the outputs kept in bench/testdata/.

NUM = r"([-+]?[0-9]*\.?[0-9]+)"


def _search(bench, pattern, text):
    m = re.search(pattern, text, re.M)
    if not m:
        raise BenchError("%s: output not understood (no line matching /%s/)" % (bench, pattern))
    return m


def parse_trace_bench(text):
    """trace_bench: per stream (steady, mixed), kvmrec's writer and reader
    next to zstd -3 of the raw structs, and the writer's CPU per event."""
    out = {}
    for name in ("steady", "mixed"):
        m = _search("trace_bench", r"^%s\s+(\d+) events \| kvmrec: write +%s M ev/s, read +%s M ev/s, +"
                    r"%s B/event \| zstd -3 .*?: compress +%s M ev/s, decompress +%s M ev/s, +%s B/event"
                    r" \| kvmrec/zstd: size %s, write speed %s, read speed %s" %
                    ((name,) + (NUM,) * 9), text)
        c = _search("trace_bench", r"^%s\s+writer CPU: appending thread %s ns/event, "
                    r"compressing threads %s ns/event" % (name, NUM, NUM), text)
        v = [float(x) for x in m.groups()]
        out[name] = {"events": int(v[0]), "write": v[1], "read": v[2], "bpe": v[3],
                     "z_compress": v[4], "z_decompress": v[5], "z_bpe": v[6],
                     "size_ratio": v[7], "write_ratio": v[8], "read_ratio": v[9],
                     "cpu_append": float(c.group(1)), "cpu_compress": float(c.group(2))}
    return out


def parse_replay_bench(text):
    """replay_bench: the zstd -d anchor, `kvmrec replay --check-once` end to
    end (rate, CPU, RSS), the reader alone and the models alone."""
    b = "replay_bench"
    t = _search(b, r"^trace: .*, (\d+) events, %s B/event" % NUM, text)
    a = _search(b, r"^anchor: .*?%s M events/s \(%s s\)" % (NUM, NUM), text)
    r = _search(b, r"^kvmrec replay --check-once, end to end: +%s M events/s \(%s s\) = %sx the anchor;"
                r" exit (\d+)" % (NUM, NUM, NUM), text)
    c = _search(b, r"^ +its CPU time .*?%s M events per CPU-second \(%s s\) = %s cores busy" %
                (NUM, NUM, NUM), text)
    s = _search(b, r"^ +its peak RSS: +(\d+) KiB", text)
    d = _search(b, r"^reader alone, in process: +%s M events/s \(%s s\) = %sx the anchor" %
                (NUM, NUM, NUM), text)
    m = _search(b, r"^models alone \((\d+)-event cycle\): +%s M events/s \(%s s\) = %s%% of the "
                r"replay's wall time" % (NUM, NUM, NUM), text)
    return {"events": int(t.group(1)), "bpe": float(t.group(2)),
            "anchor": float(a.group(1)), "anchor_s": float(a.group(2)),
            "replay": float(r.group(1)), "replay_s": float(r.group(2)),
            # The ratios again from the rates: printed with two decimals, a
            # 0.04x against a fast anchor would keep one digit.
            "replay_ratio": float(r.group(1)) / float(a.group(1)), "exit": int(r.group(4)),
            "cpu_rate": float(c.group(1)), "cores": float(c.group(3)),
            "rss_kib": int(s.group(1)),
            "reader": float(d.group(1)), "reader_s": float(d.group(2)),
            "reader_ratio": float(d.group(1)) / float(a.group(1)),
            "models": float(m.group(2)), "models_pct": float(m.group(4))}


def parse_hotpath(text):
    """bench_record_hotpath: ns per immediate-exit KVM_RUN, wall, user, kernel."""
    m = _search("bench_record_hotpath", r"^hotpath: (\d+) KVM_RUN, %s ns each, %s ns of it in user "
                r"space, %s in the kernel" % (NUM, NUM, NUM), text)
    return {"calls": int(m.group(1)), "ns": float(m.group(2)), "user_ns": float(m.group(3)),
            "kernel_ns": float(m.group(4))}


def parse_bench_vmm(text):
    """bench_vmm: exits/s of each loop guest under a bare KVM_RUN loop and
    under kvmrec-vmm; ratio is kvmrec-vmm's rate over the bare loop's."""
    out = {}
    for guest in ("pio-loop", "mmio-loop"):
        m = _search("bench_vmm", r"^%s\.elf\s+(\d+)\s+%s\s+%s\s+%s\s+%s" % (guest, NUM, NUM, NUM, NUM),
                    text)
        bare, vmm = float(m.group(2)), float(m.group(3))
        out[guest] = {"bare": bare, "vmm": vmm, "ratio": vmm / bare,
                      "bare_us": float(m.group(4)), "vmm_us": float(m.group(5))}
    return out


def parse_bench_record(text):
    """bench_record.py: per (vCPUs, mode) the wall time per exit, its ratio
    to unrecorded and the trace's bytes per exit; the `record --pid` rows
    under "pid"; the long run's recorder peak RSS under "rss"."""
    rows, pid = {}, {}
    section = rows
    for line in text.splitlines():
        if line.startswith("pioloop_vmm,"):
            section = pid
            continue
        m = re.match(r"^(\d+)\s+(\S.*?)\s+%s\s+%sx(?:\s+(\S+))?\s*$" % (NUM, NUM), line)
        if not m:
            continue
        bpe = m.group(5)
        row = {"us": float(m.group(3)), "ratio": float(m.group(4)),
               "bpe": float(bpe) if bpe and bpe != "-" else None}
        if section is rows:
            rows[(int(m.group(1)), m.group(2))] = row
        else:
            pid[m.group(2)] = row
    for key in ((1, "unrecorded"), (1, "kvmrec record"), (4, "unrecorded")):
        if key not in rows:
            raise BenchError("bench_record.py: output not understood (no %d-vCPU '%s' row)" % key)
    out = {"rows": rows, "pid": pid, "rss": None}
    m = re.search(r"^long run: (\d+) KVM_RUN in %s s, trace (\d+) bytes \(%s bytes/exit\), "
                  r"recorder peak RSS %s MiB" % (NUM, NUM, NUM), text, re.M)
    if m:
        out["rss"] = {"exits": int(m.group(1)), "bpe": float(m.group(4)),
                      "rss_mib": float(m.group(5))}
        s = parse_record_stats(text)
        if s:
            out["rss"].update(dropped=s["dropped"], kernel_lost=s["kernel_lost"])
    return out


def parse_record_stats(text):
    """`kvmrec record --stats`'s last line, or None."""
    m = re.search(r"kvmrec record: .*?: (\d+) events, (\d+) KVM_RUN, (\d+) kernel, (\d+) bytes, "
                  r"(\d+) dropped, (\d+) kernel lost, (\d+) stalls, peak RSS (\d+) KiB", text)
    if not m:
        return None
    v = [int(x) for x in m.groups()]
    return {"events": v[0], "exits": v[1], "kernel": v[2], "bytes": v[3], "dropped": v[4],
            "kernel_lost": v[5], "stalls": v[6], "rss_kib": v[7]}


def parse_bpftool(text, min_id):
    """`bpftool prog show -j`: run_time_ns/run_cnt of kvmrec's ioctl programs
    loaded after @min_id, or a reason string when they cannot be told apart."""
    progs = [p for p in json.loads(text) if p.get("id", 0) > min_id and
             p.get("name") in ("kvmrec_ioctl_enter", "kvmrec_ioctl_exit")]
    names = [p["name"] for p in progs]
    if sorted(names) != ["kvmrec_ioctl_enter", "kvmrec_ioctl_exit"]:
        return ("another kvmrec bpf recorder ran at the same time" if len(names) > 2 else
                "kvmrec's ioctl programs not seen")
    out = {}
    for p in progs:
        if not p.get("run_cnt"):
            return "no run_time_ns/run_cnt (kernel.bpf_stats_enabled off)"
        out[p["name"].rsplit("_", 1)[1]] = {"ns": p["run_time_ns"] / p["run_cnt"],
                                            "calls": p["run_cnt"]}
    return out


# ---------------------------------------------------------------- rendering

def rng(vals, nd):
    """A figure over the runs: "x" or "min–max", @nd decimals ("r": a
    ratio, two decimals, three below 0.1; "+0": a signed difference)."""
    form = "%.*f"
    if nd == "+0":
        form, nd = "%+.*f", 0
    elif nd == "r":
        nd = 2 if min(vals) >= 0.1 else 3
    lo, hi = form % (nd, min(vals)), form % (nd, max(vals))
    return lo if lo == hi else "%s–%s" % (lo, hi)


def fig(runs, nd, *path):
    """rng() of runs[i][path...] over the runs."""
    vals = []
    for r in runs:
        for k in path:
            r = r[k]
        vals.append(r)
    return rng(vals, nd)


def rec_name(path):
    return "`%s`" % os.path.basename(path)


def row_record(res, skip, smp):
    rec = res.get("record")
    if not rec:
        return "not run: %s" % skip.get("record", "no result")
    rows = rec[0]["rows"]

    def x(mode):
        r = rows.get((smp, mode))
        return "%.2f×" % r["ratio"] if r else "–"
    unrec = "unrecorded %.1f µs/exit" % rows[(smp, "unrecorded")]["us"]
    strace = x("strace -f --kvm=vcpu")
    if smp == 1:
        pid = rec[0]["pid"]

        def p(mode):
            return "%.2f×" % pid[mode]["ratio"] if mode in pid else "–"
        s = ("preload: %s with kernel events, %s `--no-kernel-events`; bpf: %s / %s" %
             (x("kvmrec record"), x("record --no-kernel-events"), x("record --backend bpf"),
              x("bpf --no-kernel-events")))
        if pid:
            s += "; `record --pid` (pioloop_vmm) %s / %s" % (p("--pid"), p("--pid --no-kernel-events"))
            strace += " (%s for pioloop_vmm)" % p("strace -f --kvm=vcpu")
        return "%s; `strace -f --kvm=vcpu` %s; against %s" % (s, strace, unrec)
    return ("preload %s / %s; bpf %s / %s; strace %s; against %s" %
            (x("kvmrec record"), x("record --no-kernel-events"), x("record --backend bpf"),
             x("bpf --no-kernel-events"), strace, unrec))


def row_hotpath(res, skip):
    hp = res.get("hotpath")
    if not hp:
        return "not run: %s" % skip.get("hotpath", "no result")
    plain = [r["plain"] for r in hp]
    pre = [r["preload"]["user_ns"] - r["plain"]["user_ns"] for r in hp]
    s = ("preload: %s ns of user time per KVM_RUN (%s ns against %s unrecorded), "
         "wall %s× the unrecorded %s µs" %
         (rng(pre, "+0"), fig(hp, 0, "preload", "user_ns"), rng([p["user_ns"] for p in plain], 0),
          rng([r["preload"]["ns"] / r["plain"]["ns"] for r in hp], 2),
          rng([p["ns"] / 1000 for p in plain], 1)))
    if all(r.get("bpf") for r in hp):
        s += ("; bpf: %s ns of kernel time (%s against %s), wall %s×" %
              (rng([r["bpf"]["kernel_ns"] - r["plain"]["kernel_ns"] for r in hp], "+0"),
               fig(hp, 0, "bpf", "kernel_ns"), rng([p["kernel_ns"] for p in plain], 0),
               rng([r["bpf"]["ns"] / r["plain"]["ns"] for r in hp], 2)))
    return s


def row_bpf_stats(res, skip):
    st = res.get("bpf_stats")
    if not st:
        return "not run: %s" % skip.get("bpf_stats", "no result")
    if any(isinstance(s, str) for s in st):
        return "not measured: %s" % next(s for s in st if isinstance(s, str))
    s = "%s ns at entry + %s ns at exit" % (fig(st, 0, "enter", "ns"), fig(st, 0, "exit", "ns"))
    vmm = res.get("vmm")
    if vmm and len(vmm) == len(st):
        s += (" = %s %% of an unrecorded pio-loop exit under kvmrec-vmm (%s µs, bench_vmm)" %
              (rng([100 * (a["enter"]["ns"] + a["exit"]["ns"]) / 1000 / b["pio-loop"]["vmm_us"]
                    for a, b in zip(st, vmm)], 1), fig(vmm, 1, "pio-loop", "vmm_us")))
    return s


def row_size_real(res, skip, recording):
    rec = res.get("record")
    if rec:
        rows = rec[0]["rows"]

        def b(smp, mode):
            r = rows.get((smp, mode))
            return "%.2f" % r["bpe"] if r and r["bpe"] is not None else "–"
        s = ("recorded directly by the same `bench_record` run, 1 vCPU: %s B/exit with kernel "
             "events, %s without (bpf %s / %s); 4 vCPUs %s / %s" %
             (b(1, "kvmrec record"), b(1, "record --no-kernel-events"),
              b(1, "record --backend bpf"), b(1, "bpf --no-kernel-events"),
              b(4, "kvmrec record"), b(4, "record --no-kernel-events")))
    else:
        s = "pio-loop: not run: %s" % skip.get("record", "no result")
    rr = res.get("replay_rec")
    if rr:
        s += "; %s (%.2f M events): %.2f B/event" % (rec_name(recording), rr[0]["events"] / 1e6,
                                                      rr[0]["bpe"])
    else:
        s += "; real recording: not run: %s" % skip.get("replay_rec", "no result")
    return s


def row_size_synth(res, skip):
    tb = res.get("trace")
    if not tb:
        return "not run: %s" % skip.get("trace", "no result")
    return ("%s B/event / %s B/event = %s× / %s× the size of zstd -3 of the raw structs "
            "(%s / %s)" % (fig(tb, 2, "steady", "bpe"), fig(tb, 2, "mixed", "bpe"),
                           fig(tb, "r", "steady", "size_ratio"), fig(tb, "r", "mixed", "size_ratio"),
                           fig(tb, 2, "steady", "z_bpe"), fig(tb, 2, "mixed", "z_bpe")))


def row_writer(res, skip, runs):
    tb = res.get("trace")
    if not tb:
        return "not run: %s" % skip.get("trace", "no result")
    return ("mixed %s M events/s = %s× zstd -3 of the raw structs (%s M/s in the same run%s); "
            "the steady loop %s M events/s = %s× (%s M/s); writer CPU per mixed event: "
            "appending thread %s ns, compressing threads %s ns" %
            (fig(tb, 1, "mixed", "write"), fig(tb, "r", "mixed", "write_ratio"),
             fig(tb, 1, "mixed", "z_compress"), "s" if runs > 1 else "",
             fig(tb, 1, "steady", "write"), fig(tb, "r", "steady", "write_ratio"),
             fig(tb, 1, "steady", "z_compress"), fig(tb, 0, "mixed", "cpu_append"),
             fig(tb, 0, "mixed", "cpu_compress")))


def row_reader(res, skip, recording):
    tb = res.get("trace")
    if tb:
        s = ("mixed %s M events/s = %s× plain zstd decompression of the raw structs (%s M/s); "
             "steady %s M events/s = %s× (%s M/s)" %
             (fig(tb, 1, "mixed", "read"), fig(tb, "r", "mixed", "read_ratio"),
              fig(tb, 1, "mixed", "z_decompress"), fig(tb, 1, "steady", "read"),
              fig(tb, "r", "steady", "read_ratio"), fig(tb, 1, "steady", "z_decompress")))
    else:
        s = "synthetic: not run: %s" % skip.get("trace", "no result")
    rr = res.get("replay_rec")
    if rr:
        s += ("; on %s the reader alone %s M events/s = %s× `zstd -d` of the file (%s M/s)" %
              (rec_name(recording), fig(rr, 1, "reader"), fig(rr, "r", "reader_ratio"),
               fig(rr, 1, "anchor")))
    else:
        s += "; real recording: not run: %s" % skip.get("replay_rec", "no result")
    return s


def row_replay(res, skip, recording):
    rs = res.get("replay")
    if rs:
        s = ("%s M events/s = %s× plain zstd decompression of the same file (%s M/s), "
             "%s cores busy, %s MiB RSS" %
             (fig(rs, 1, "replay"), fig(rs, "r", "replay_ratio"), fig(rs, 1, "anchor"),
              fig(rs, 2, "cores"), rng([r["rss_kib"] / 1024 for r in rs], 1)))
    else:
        s = "synthetic: not run: %s" % skip.get("replay", "no result")
    rr = res.get("replay_rec")
    if rr:
        s += ("; %s (`replay_bench -r`): %s M events/s = %s×, %s MiB" %
              (rec_name(recording), fig(rr, 1, "replay"), fig(rr, "r", "replay_ratio"),
               rng([r["rss_kib"] / 1024 for r in rr], 1)))
    else:
        s += "; real recording: not run: %s" % skip.get("replay_rec", "no result")
    return s


def row_export(res, skip):
    ex = res.get("export")
    if not ex:
        return "not run: %s" % skip.get("export", "no result")
    return ("%s B/event (%s MB) = %s× the size of Chrome JSON of the same recording (%s B/event), "
            "%s s = %s× the JSON's time, %s MiB RSS" %
            (rng([e["perfetto"]["bytes"] / e["events"] for e in ex], 1),
             rng([e["perfetto"]["bytes"] / 1e6 for e in ex], 1),
             rng([e["perfetto"]["bytes"] / e["chrome"]["bytes"] for e in ex], "r"),
             rng([e["chrome"]["bytes"] / e["events"] for e in ex], 0),
             fig(ex, 2, "perfetto", "seconds"),
             rng([e["perfetto"]["seconds"] / e["chrome"]["seconds"] for e in ex], "r"),
             rng([e["perfetto"]["rss_kib"] / 1024 for e in ex], 1)))


def row_rss(res, skip):
    rec = res.get("record")
    if not rec:
        return "not run: %s" % skip.get("record", "no result")
    r = rec[0]["rss"]
    if not r:
        return "not run: no --rss-exits"
    s = "%.1f MiB (%.1f M exits)" % (r["rss_mib"], r["exits"] / 1e6)
    if "dropped" in r:
        s += ", %d dropped, %d kernel events lost" % (r["dropped"], r["kernel_lost"])
    return s


def row_vmm(res, skip):
    vm = res.get("vmm")
    if not vm:
        return "not run: %s" % skip.get("vmm", "no result")
    return ("%s× (pio-loop), %s× (mmio-loop) exits/s of a bare KVM_RUN loop on the same guest "
            "(%s / %s exits/s)" % (fig(vm, "r", "pio-loop", "ratio"), fig(vm, "r", "mmio-loop", "ratio"),
                                   fig(vm, 0, "pio-loop", "bare"), fig(vm, 0, "mmio-loop", "bare")))


def render_table(res, skip, opts):
    """The table: @res maps a benchmark to its parsed outputs (one per run),
    @skip a benchmark that did not run to the reason."""
    rec_cmd = ("`bench/record/bench_record.py %s --reps %d --loops %d --pioloop %s`" %
               (opts["build"], opts["reps"], opts["loops"],
                os.path.join(opts["build"], "tests/recorder/pioloop_vmm")))
    rows = [
        ("recording, pio-loop, 1 vCPU, wall time per exit vs unrecorded (%s)" % rec_cmd,
         row_record(res, skip, 1), "≤ 1.02× (bpf ≤ 1.10×)"),
        ("the same, 4 vCPUs", row_record(res, skip, 4), "≤ 1.02×"),
        ("work on the vCPU thread per exit (`bench/record/hotpath`, %d immediate-exit KVM_RUNs "
         "plain and under `kvmrec record --no-kernel-events`)" % HOTPATH_CALLS,
         row_hotpath(res, skip), "≤ 100 ns"),
        ("bpf backend: BPF program time per KVM_RUN (`kernel.bpf_stats_enabled`, docs/recorder.md; "
         "pio-loop, %d exits, `--no-kernel-events`)" % BPF_STATS_EXITS,
         row_bpf_stats(res, skip), "—"),
        ("trace size, real pio-loop recording (format 1.3: hot records in column batches, on top "
         "of 1.2's references and IO differences; docs/trace.md)",
         row_size_real(res, skip, opts["recording"]), "≤ 2 / ≤ 4 B/exit, ≤ 8 B/event"),
        ("trace size, synthetic steady loop / mixed (`bench/trace/trace_bench %d`)" % TRACE_EVENTS,
         row_size_synth(res, skip), "≤ 2 / ≤ 8"),
        ("writer, synthetic mixed load (`trace_bench`, wall time, compression and batching on "
         "worker threads)", row_writer(res, skip, opts["runs"]), "≥ 10 M/s, ≥ 1.1× zstd"),
        ("reader (`trace_bench`; `replay_bench -r`)", row_reader(res, skip, opts["recording"]),
         "≥ 0.5× zstd"),
        ("model replay `--check-once` end to end (`bench/replay/replay_bench %d`: `kvmrec replay` "
         "against plain zstd decompression of the same file)" % REPLAY_EVENTS,
         row_replay(res, skip, opts["recording"]), "≥ 15 M/s, ≤ 64 MiB"),
        ("timeline export, Perfetto protobuf (`kvmrec export --format perfetto`)%s" %
         (", " + rec_name(opts["recording"]) if opts["recording"] else ""),
         row_export(res, skip), "≤ 20 B/event"),
        ("recorder peak RSS, %.0f M-exit run (`bench_record.py --rss-exits`)" %
         (opts["rss_exits"] / 1e6), row_rss(res, skip), "≤ 64 MiB"),
        ("kvmrec-vmm vs a bare KVM_RUN loop (`bench/vmm/bench_vmm`)", row_vmm(res, skip), "—"),
    ]
    out = ["| what (benchmark) | measured | target (docs/design.md §6) |", "| --- | --- | --- |"]
    out += ["| %s | %s | %s |" % r for r in rows]
    return "\n".join(out) + "\n"


def render_header(meta):
    """The line above the table: when, where, how loaded, and what ran."""
    cmds = "; ".join("`%s`%s" % (c, " (×%d)" % n if n > 1 else "") for c, n in meta["commands"])
    runs = ("the quick benchmarks %d times each, ranges min–max" % meta["runs"]
            if meta["runs"] > 1 else "each benchmark once")
    return ("Generated by `bench/report.py` on %s UTC; host: %s, %d CPUs, load average %.2f at "
            "the start and %.2f at the end; build: %s; %s. Commands, in order ($TMP a new directory "
            "of report.py's own): %s.\n" %
            (meta["date"], meta["kernel"], meta["nproc"], meta["load_start"], meta["load_end"],
             meta["build_type"], runs, cmds))


def replace_between_markers(text, block):
    """@text with what lies between its BEGIN and END lines replaced by
    @block, or None. The markers count only alone on their lines: prose
    that names them (bench/README.md does) is not a place to write."""
    lines = text.splitlines(keepends=True)
    idx = [i for i, line in enumerate(lines) if line.strip() in (BEGIN, END)]
    if [lines[i].strip() for i in idx] != [BEGIN, END]:
        return None
    b, e = idx
    # Blank lines around the block: Markdown ends a table at a blank line.
    return "".join(lines[:b + 1]) + "\n" + block + "\n" + "".join(lines[e:])


# ---------------------------------------------------------------- running

class Runner:
    def __init__(self, build, tmp):
        self.build, self.tmp = build, tmp
        self.commands = []  # [command, times run]

    def note(self, argv):
        # $TMP for our temporary directory: the header stays the same from run to run.
        cmd = shlex.join(argv).replace(self.tmp, "$TMP")
        for c in self.commands:
            if c[0] == cmd:
                c[1] += 1
                return
        self.commands.append([cmd, 1])

    def run(self, name, argv, ok=(0,)):
        """@argv's stdout+stderr; BenchError naming @name when it fails."""
        self.note(argv)
        print("report.py: %s" % shlex.join(argv), file=sys.stderr, flush=True)
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if p.returncode not in ok:
            last = (p.stderr.strip().splitlines() or p.stdout.strip().splitlines() or ["no output"])
            raise BenchError("%s failed (exit %d): %s" % (name, p.returncode, last[-1]))
        return p.stdout + p.stderr

    def path(self, *p):
        return os.path.join(self.build, *p)

    def fresh(self, name):
        """A path in our own temporary directory, not there yet."""
        f = os.path.join(self.tmp, name)
        if os.path.exists(f):
            os.unlink(f)
        return f


def run_export(r, recording, fmt):
    """`kvmrec export` of @recording to a pipe: bytes, wall seconds, peak RSS."""
    argv = [r.path("kvmrec"), "export", recording, "--format", fmt, "-o", "-"]
    r.note(argv)
    print("report.py: %s | (count bytes)" % shlex.join(argv), file=sys.stderr, flush=True)
    rd, wr = os.pipe()
    size = 0
    with tempfile.TemporaryFile(dir=r.tmp) as err:
        t0 = time.monotonic()
        pid = os.posix_spawn(argv[0], argv, os.environ,
                             file_actions=[(os.POSIX_SPAWN_DUP2, wr, 1),
                                           (os.POSIX_SPAWN_DUP2, err.fileno(), 2),
                                           (os.POSIX_SPAWN_CLOSE, rd)])
        os.close(wr)
        while True:
            chunk = os.read(rd, 1 << 20)
            if not chunk:
                break
            size += len(chunk)
        os.close(rd)
        _, status, ru = os.wait4(pid, 0)
        secs = time.monotonic() - t0
        err.seek(0)
        msg = err.read().decode(errors="replace").strip().splitlines()
    rc = os.waitstatus_to_exitcode(status)
    if rc != 0:
        raise BenchError("kvmrec export --format %s failed (exit %d): %s" %
                         (fmt, rc, msg[-1] if msg else "no output"))
    return {"bytes": size, "seconds": secs, "rss_kib": ru.ru_maxrss}


def run_hotpath(r):
    hp = r.path("bench", "record", "bench_record_hotpath")
    kvmrec = r.path("kvmrec")
    res = {"plain": parse_hotpath(r.run("bench_record_hotpath", [hp, str(HOTPATH_CALLS)]))}
    for name, opt in (("preload", []), ("bpf", ["--backend", "bpf"])):
        out = r.fresh("hotpath.zst")
        res[name] = parse_hotpath(r.run("kvmrec record%s -- bench_record_hotpath" %
                                        (" --backend bpf" if opt else ""),
                                        [kvmrec, "record", "--no-kernel-events"] + opt +
                                        ["-o", out, "--", hp, str(HOTPATH_CALLS)]))
    return res


def run_bpf_stats(r):
    """The ioctl programs' mean run time, as the kernel counts it, while
    kvmrec records pio-loop with the bpf backend; the sysctl is put back."""
    knob = "/proc/sys/kernel/bpf_stats_enabled"
    bpftool = shutil.which("bpftool")
    if not bpftool or not os.access(knob, os.W_OK):
        return "needs bpftool and root (kernel.bpf_stats_enabled)"
    ids = subprocess.run([bpftool, "prog", "show", "-j"], capture_output=True, text=True)
    min_id = max([p["id"] for p in json.loads(ids.stdout or "[]")] or [0])
    with open(knob) as f:
        old = f.read().strip()
    out = r.fresh("bpf-stats.zst")
    argv = [r.path("kvmrec"), "record", "--backend", "bpf", "--no-kernel-events", "-o", out, "--",
            r.path("kvmrec-vmm"), "--loops", str(BPF_STATS_EXITS), r.path("guests", "pio-loop.elf")]
    r.note(argv)
    print("report.py: %s (polling bpftool prog show)" % shlex.join(argv), file=sys.stderr, flush=True)
    last = "kvmrec's ioctl programs not seen"
    try:
        with open(knob, "w") as f:
            f.write("1")
        p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        while p.poll() is None:
            q = subprocess.run([bpftool, "prog", "show", "-j"], capture_output=True, text=True)
            got = parse_bpftool(q.stdout, min_id) if q.returncode == 0 else q.stderr.strip()
            if not isinstance(got, str) or isinstance(last, str):
                last = got
            time.sleep(0.2)
        err = p.stderr.read()
    finally:
        with open(knob, "w") as f:
            f.write(old)
    if p.returncode != 0:
        raise BenchError("kvmrec record --backend bpf failed (exit %d): %s" %
                         (p.returncode, (err.strip().splitlines() or ["no output"])[-1]))
    return last


def measure(a, r):
    """Runs the benchmarks; returns ({bench: [parsed per run]}, {bench: why not run})."""
    res, skip = {}, {}
    if not a.recording:
        for k in ("replay_rec", "export"):
            skip[k] = "no --recording"
    for i in range(a.runs):
        print("report.py: run %d of %d" % (i + 1, a.runs), file=sys.stderr, flush=True)
        res.setdefault("trace", []).append(parse_trace_bench(r.run(
            "trace_bench", [r.path("bench", "trace", "trace_bench"), str(TRACE_EVENTS), r.tmp])))
        res.setdefault("replay", []).append(parse_replay_bench(r.run(
            "replay_bench", [r.path("bench", "replay", "replay_bench"), str(REPLAY_EVENTS),
                             os.path.join(r.tmp, "replay_bench.zst")])))
        if a.recording:
            res.setdefault("replay_rec", []).append(parse_replay_bench(r.run(
                "replay_bench -r", [r.path("bench", "replay", "replay_bench"), "-r", a.recording])))
            res.setdefault("export", []).append({
                "events": res["replay_rec"][-1]["events"],
                "perfetto": run_export(r, a.recording, "perfetto"),
                "chrome": run_export(r, a.recording, "chrome-json")})
        res.setdefault("hotpath", []).append(run_hotpath(r))
        res.setdefault("vmm", []).append(parse_bench_vmm(r.run(
            "bench_vmm", [r.path("bench", "vmm", "bench_vmm")])))
        res.setdefault("bpf_stats", []).append(run_bpf_stats(r))
    if a.quick:
        skip["record"] = "--quick"
    else:
        # As a user would type it, so that the header's command reads well.
        script = os.path.relpath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                              "record", "bench_record.py"))
        argv = ["python3" if shutil.which("python3") else sys.executable, script, a.build,
                "--reps", str(a.reps), "--loops", str(a.loops),
                "--pioloop", r.path("tests", "recorder", "pioloop_vmm")]
        if a.rss_exits:
            argv += ["--rss-exits", str(a.rss_exits)]
        res["record"] = [parse_bench_record(r.run("bench_record.py", argv))]
    return res, skip


def build_type(build):
    try:
        with open(os.path.join(build, "CMakeCache.txt")) as f:
            m = re.search(r"^CMAKE_BUILD_TYPE:\w+=(.*)$", f.read(), re.M)
            # Empty in the cache: CMakeLists.txt's default applies.
            return "%s (%s)" % (build, m.group(1) or "RelWithDebInfo") if m else build
    except OSError:
        return build


def main():
    # SIGTERM as SystemExit, so that the finally blocks put the sysctl back
    # and remove the temporary directory.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    ap = argparse.ArgumentParser(
        prog="report.py", description="Runs kvmrec's benchmarks from BUILD and prints README.md's "
        "performance table, each figure with its anchor from the same run (bench/README.md).",
        epilog="Exit status: 0 ok, 1 a benchmark failed (named on stderr), 2 usage or bad input.")
    ap.add_argument("build", metavar="BUILD", help="the CMake build directory")
    ap.add_argument("--runs", type=int, default=1, metavar="N",
                    help="run the quick benchmarks N times and give ranges (default 1)")
    ap.add_argument("--quick", action="store_true",
                    help="skip the slow recording benchmark (bench_record.py)")
    ap.add_argument("--recording", metavar="PATH",
                    help="a real recording for `replay_bench -r` and the Perfetto export")
    ap.add_argument("--write-readme", metavar="README",
                    help="replace the table between the %s and %s lines of README "
                    "instead of printing it" % (BEGIN, END))
    ap.add_argument("--reps", type=int, default=RECORD_ARGS["reps"],
                    help="bench_record.py --reps (default %(default)s)")
    ap.add_argument("--loops", type=int, default=RECORD_ARGS["loops"],
                    help="bench_record.py --loops (default %(default)s)")
    ap.add_argument("--rss-exits", type=int, default=RECORD_ARGS["rss_exits"],
                    help="bench_record.py --rss-exits, 0 for none (default %(default)s)")
    a = ap.parse_args()
    if a.runs < 1 or a.reps < 1 or a.loops < 20 or a.rss_exits < 0:
        ap.error("--runs and --reps must be at least 1, --loops at least 20")
    if not os.path.isfile(os.path.join(a.build, "kvmrec")):
        ap.exit(2, "report.py: %s: not a kvmrec build directory (no kvmrec in it)\n" % a.build)
    if a.recording and not os.path.isfile(a.recording):
        ap.exit(2, "report.py: %s: no such recording\n" % a.recording)
    readme = None
    if a.write_readme:
        try:
            with open(a.write_readme) as f:
                readme = f.read()
        except OSError as e:
            ap.exit(2, "report.py: %s: %s\n" % (a.write_readme, e.strerror))
        if replace_between_markers(readme, "") is None:
            ap.exit(2, "report.py: %s: no %s ... %s lines\n" % (a.write_readme, BEGIN, END))

    meta = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M"),
            "kernel": "%s %s" % (platform.system(), platform.release()),
            "nproc": os.cpu_count(), "load_start": os.getloadavg()[0],
            "build_type": build_type(a.build), "runs": a.runs}
    tmp = tempfile.mkdtemp(prefix="kvmrec-report-")
    r = Runner(a.build, tmp)
    try:
        res, skip = measure(a, r)
    except BenchError as e:
        print("report.py: %s" % e, file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    meta["load_end"] = os.getloadavg()[0]
    meta["commands"] = r.commands
    opts = {"build": a.build, "reps": a.reps, "loops": a.loops, "rss_exits": a.rss_exits,
            "recording": a.recording, "runs": a.runs}
    block = render_header(meta) + "\n" + render_table(res, skip, opts)
    if readme is None:
        sys.stdout.write(block)
        return 0
    with open(a.write_readme, "w") as f:
        f.write(replace_between_markers(readme, block))
    return 0


if __name__ == "__main__":
    sys.exit(main())
