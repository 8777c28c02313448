#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""bench/report.py's parsers and table, fed outputs the benchmarks printed
(bench/testdata/): if a benchmark's output changes shape, or a parser or a
row breaks, this fails, so README.md's table cannot silently rot. Times
nothing and runs no benchmark.

usage: test_report.py SOURCE_DIR
"""
import os
import sys
import unittest

SRC = sys.argv.pop(1) if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
sys.path.insert(0, os.path.join(SRC, "bench"))
import report  # noqa: E402

DATA = os.path.join(SRC, "bench", "testdata")
REC = "/work/recs/kut-tscdeadline_latency-split-2m.zst"


def sample(name):
    with open(os.path.join(DATA, name)) as f:
        return f.read()


def one_run():
    """What measure() returns for one run of every benchmark, from the samples."""
    vmm = report.parse_bench_vmm(sample("bench_vmm.txt"))
    rr = report.parse_replay_bench(sample("replay_bench-r.txt"))
    return {
        "trace": [report.parse_trace_bench(sample("trace_bench.txt"))],
        "replay": [report.parse_replay_bench(sample("replay_bench.txt"))],
        "replay_rec": [rr],
        "export": [{"events": rr["events"],
                    "perfetto": {"bytes": 28105758, "seconds": 1.21, "rss_kib": 10384},
                    "chrome": {"bytes": 595828314, "seconds": 8.33, "rss_kib": 9060}}],
        "hotpath": [{k: report.parse_hotpath(sample("hotpath-%s.txt" % k))
                     for k in ("plain", "preload", "bpf")}],
        "vmm": [vmm],
        "bpf_stats": [report.parse_bpftool(sample("bpftool-prog-show.json"), 0)],
        "record": [report.parse_bench_record(sample("bench_record.txt"))],
    }


OPTS = {"build": "build", "reps": 4, "loops": 60000, "rss_exits": 10000000, "recording": REC,
        "runs": 1}


# The rows of README.md's table, in order, by the start of their 'what' cell.
WHAT = ["recording, pio-loop, 1 vCPU, w", "the same, 4 vCPUs", "work on the vCPU thread per ex",
        "bpf backend: BPF program time ", "trace size, real pio-loop reco",
        "trace size, synthetic steady l", "writer, synthetic mixed load (",
        "reader (`trace_bench`; `replay", "model replay `--check-once` en",
        "timeline export, Perfetto prot", "recorder peak RSS, 10 M-exit r",
        "kvmrec-vmm vs a bare KVM_RUN l"]


def rows(table):
    """{start of the 'what' cell: measured cell}, the rows in WHAT's order."""
    lines = table.splitlines()[2:]
    cells = [line[2:-2].split(" | ") for line in lines]
    assert [c[0][:30] for c in cells] == [w[:30] for w in WHAT], [c[0][:30] for c in cells]
    return {c[0][:30]: c[1] for c in cells}


class Parsers(unittest.TestCase):
    def test_trace_bench(self):
        t = report.parse_trace_bench(sample("trace_bench.txt"))
        self.assertEqual(t["mixed"]["events"], 2000000)
        self.assertEqual((t["mixed"]["write"], t["mixed"]["read"], t["mixed"]["bpe"]), (3.89, 5.45, 1.16))
        self.assertEqual((t["mixed"]["z_compress"], t["mixed"]["z_decompress"], t["mixed"]["z_bpe"]),
                         (5.21, 15.81, 5.93))
        self.assertEqual((t["steady"]["size_ratio"], t["steady"]["write_ratio"],
                          t["steady"]["read_ratio"]), (0.27, 0.79, 0.35))
        self.assertEqual((t["mixed"]["cpu_append"], t["mixed"]["cpu_compress"]), (128.5, 84.1))

    def test_replay_bench(self):
        r = report.parse_replay_bench(sample("replay_bench.txt"))
        self.assertEqual((r["events"], r["anchor"], r["replay"], r["rss_kib"]),
                         (10000001, 540.72, 19.86, 40888))
        self.assertAlmostEqual(r["replay_ratio"], 19.86 / 540.72)
        self.assertEqual((r["cores"], r["reader"], r["exit"]), (1.56, 24.04, 0))
        r = report.parse_replay_bench(sample("replay_bench-r.txt"))
        self.assertEqual((r["events"], r["bpe"], r["reader_s"]), (3071809, 3.30, 0.36))

    def test_hotpath(self):
        h = report.parse_hotpath(sample("hotpath-preload.txt"))
        self.assertEqual(h, {"calls": 200000, "ns": 14547.2, "user_ns": 353.6, "kernel_ns": 11762.9})

    def test_bench_vmm(self):
        v = report.parse_bench_vmm(sample("bench_vmm.txt"))
        self.assertEqual((v["pio-loop"]["bare"], v["pio-loop"]["vmm"], v["mmio-loop"]["vmm_us"]),
                         (65355, 44684, 13.06))
        self.assertAlmostEqual(v["mmio-loop"]["ratio"], 76570 / 81240)

    def test_bench_record(self):
        r = report.parse_bench_record(sample("bench_record.txt"))
        self.assertEqual(r["rows"][(1, "bpf --no-kernel-events")], {"us": 20.64, "ratio": 1.814, "bpe": 1.71})
        self.assertEqual(r["rows"][(4, "strace -f --kvm=vcpu")]["bpe"], None)
        self.assertEqual(len(r["rows"]), 12)
        self.assertEqual(r["pid"]["--pid --no-kernel-events"]["ratio"], 0.746)
        self.assertEqual(r["rss"], {"exits": 20058, "bpe": 3.60, "rss_mib": 15.0, "dropped": 0,
                                    "kernel_lost": 0})

    def test_bpftool(self):
        text = sample("bpftool-prog-show.json")
        b = report.parse_bpftool(text, 0)
        self.assertEqual((b["enter"]["calls"], b["exit"]["calls"]), (43277, 43275))
        self.assertAlmostEqual(b["enter"]["ns"], 12449680 / 43277)
        # Programs loaded before the recorder started are someone else's.
        self.assertIsInstance(report.parse_bpftool(text, 33821), str)

    def test_changed_output_fails(self):
        for parse, name in ((report.parse_trace_bench, "trace_bench.txt"),
                            (report.parse_replay_bench, "replay_bench.txt"),
                            (report.parse_bench_vmm, "bench_vmm.txt"),
                            (report.parse_bench_record, "bench_record.txt"),
                            (report.parse_hotpath, "hotpath-plain.txt")):
            broken = sample(name).replace("events", "evts").replace("exits", "ex").replace(
                "unrecorded", "plain").replace("KVM_RUN", "runs").replace(".elf", "")
            with self.assertRaises(report.BenchError, msg=name):
                parse(broken)


class Table(unittest.TestCase):
    def test_rows(self):
        t = report.render_table(one_run(), {}, OPTS)
        lines = t.splitlines()
        self.assertEqual(lines[0], "| what (benchmark) | measured | target (docs/design.md §6) |")
        self.assertEqual(len(lines), 14)
        self.assertTrue(all(line.count(" | ") == 2 for line in lines))
        r = rows(t)
        self.assertEqual(r["recording, pio-loop, 1 vCPU, w"],
                         "preload: 1.48× with kernel events, 1.69× `--no-kernel-events`; bpf: 1.64× / "
                         "1.81×; `record --pid` (pioloop_vmm) 0.88× / 0.75×; `strace -f --kvm=vcpu` "
                         "2.24× (10.98× for pioloop_vmm); against unrecorded 11.4 µs/exit")
        self.assertEqual(r["the same, 4 vCPUs"],
                         "preload 1.80× / 1.29×; bpf 1.69× / 1.07×; strace 3.84×; against unrecorded "
                         "10.1 µs/exit")
        self.assertEqual(r["work on the vCPU thread per ex"],
                         "preload: +189 ns of user time per KVM_RUN (354 ns against 165 unrecorded), "
                         "wall 1.06× the unrecorded 13.7 µs; bpf: +1518 ns of kernel time (12600 "
                         "against 11082), wall 1.15×")
        self.assertEqual(r["bpf backend: BPF program time "],
                         "288 ns at entry + 368 ns at exit = 2.9 % of an unrecorded pio-loop exit "
                         "under kvmrec-vmm (22.4 µs, bench_vmm)")
        self.assertEqual(r["trace size, real pio-loop reco"],
                         "recorded directly by the same `bench_record` run, 1 vCPU: 3.89 B/exit with "
                         "kernel events, 1.82 without (bpf 4.18 / 1.71); 4 vCPUs 4.13 / 1.69; "
                         "`kut-tscdeadline_latency-split-2m.zst` (3.07 M events): 3.30 B/event")
        self.assertEqual(r["trace size, synthetic steady l"],
                         "1.15 B/event / 1.16 B/event = 0.27× / 0.19× the size of zstd -3 of the raw "
                         "structs (4.29 / 5.93)")
        self.assertTrue(r["writer, synthetic mixed load ("].startswith(
            "mixed 3.9 M events/s = 0.75× zstd -3 of the raw structs (5.2 M/s in the same run)"))
        self.assertTrue(r["reader (`trace_bench`; `replay"].endswith(
            "the reader alone 8.6 M events/s = 0.31× `zstd -d` of the file (27.7 M/s)"))
        self.assertEqual(r["model replay `--check-once` en"],
                         "19.9 M events/s = 0.037× plain zstd decompression of the same file (540.7 "
                         "M/s), 1.56 cores busy, 39.9 MiB RSS; `kut-tscdeadline_latency-split-2m.zst` "
                         "(`replay_bench -r`): 8.1 M events/s = 0.29×, 9.8 MiB")
        self.assertEqual(r["timeline export, Perfetto prot"],
                         "9.1 B/event (28.1 MB) = 0.047× the size of Chrome JSON of the same "
                         "recording (194 B/event), 1.21 s = 0.15× the JSON's time, 10.1 MiB RSS")
        self.assertEqual(r["recorder peak RSS, 10 M-exit r"],
                         "15.0 MiB (0.0 M exits), 0 dropped, 0 kernel events lost")
        self.assertEqual(r["kvmrec-vmm vs a bare KVM_RUN l"],
                         "0.68× (pio-loop), 0.94× (mmio-loop) exits/s of a bare KVM_RUN loop on the "
                         "same guest (65355 / 81240 exits/s)")

    def test_ranges(self):
        a, b = one_run(), one_run()
        b["trace"][0]["mixed"]["write"] = 7.25
        b["vmm"][0]["pio-loop"]["ratio"] = 0.98
        res = {k: a[k] + b[k] for k in a if k != "record"}
        r = rows(report.render_table(res, {"record": "--quick"}, dict(OPTS, runs=2)))
        self.assertIn("mixed 3.9–7.2 M events/s", r["writer, synthetic mixed load ("])
        self.assertIn("(5.2 M/s in the same runs)", r["writer, synthetic mixed load ("])
        self.assertTrue(r["kvmrec-vmm vs a bare KVM_RUN l"].startswith("0.68–0.98× (pio-loop), 0.94×"))

    def test_not_run(self):
        res = one_run()
        for k in ("record", "replay_rec", "export"):
            del res[k]
        skip = {"record": "--quick", "replay_rec": "no --recording", "export": "no --recording"}
        r = rows(report.render_table(res, skip, dict(OPTS, recording=None)))
        self.assertEqual(r["recording, pio-loop, 1 vCPU, w"], "not run: --quick")
        self.assertEqual(r["recorder peak RSS, 10 M-exit r"], "not run: --quick")
        self.assertEqual(r["timeline export, Perfetto prot"], "not run: no --recording")
        self.assertEqual(r["trace size, real pio-loop reco"],
                         "pio-loop: not run: --quick; real recording: not run: no --recording")
        self.assertTrue(r["reader (`trace_bench`; `replay"].endswith(
            "; real recording: not run: no --recording"))

    def test_readme_markers(self):
        text = "# x\n\nbefore\n%s\nold table\n%s\nWhat misses a target\n" % (report.BEGIN, report.END)
        self.assertEqual(report.replace_between_markers(text, "new\n"),
                         "# x\n\nbefore\n%s\n\nnew\n\n%s\nWhat misses a target\n" % (report.BEGIN, report.END))
        self.assertIsNone(report.replace_between_markers("no markers\n", "new\n"))
        # Named in prose, as bench/README.md does, they are not markers.
        prose = "between the `%s` and\n`%s` lines\n" % (report.BEGIN, report.END)
        self.assertIsNone(report.replace_between_markers(prose, "new\n"))
        self.assertIsNone(report.replace_between_markers(
            "%s\n%s\n%s\n" % (report.END, report.BEGIN, report.END), "new\n"))

    def test_header(self):
        meta = {"date": "2026-12-01 01:00", "kernel": "Linux 6.1", "nproc": 2, "load_start": 1.5,
                "load_end": 2.25, "build_type": "build (RelWithDebInfo)", "runs": 3,
                "commands": [["build/bench/trace/trace_bench 2000000 /tmp/d", 3]]}
        self.assertEqual(report.render_header(meta),
                         "Generated by `bench/report.py` on 2026-12-01 01:00 UTC; host: Linux 6.1, 2 "
                         "CPUs, load average 1.50 at the start and 2.25 at the end; build: build "
                         "(RelWithDebInfo); the quick benchmarks 3 times each, ranges min–max. "
                         "Commands, in order ($TMP a new directory of report.py's own): `build/bench/trace/trace_bench 2000000 /tmp/d` (×3).\n")


if __name__ == "__main__":
    unittest.main(verbosity=1)
