#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Scenarios for `kvmrec record`, each a story with an expected outcome.

usage: recorder_test.py SCENARIO BUILD_DIR PIOLOOP_VMM MBGUEST
Exit 0 pass, 1 fail, 77 skipped (the reason is printed).
"""
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

SKIP = 77


def skip(why):
    print("SKIP: " + why)
    sys.exit(SKIP)


def fail(why):
    print("FAIL: " + why)
    sys.exit(1)


def need_kvm():
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        skip("/dev/kvm is missing or not accessible")


def tracefs_usable():
    return os.path.isdir("/sys/kernel/tracing/events/kvm") and os.geteuid() == 0


class Env:
    def __init__(self, build, pioloop, mbguest):
        self.mbguest = mbguest
        self.build = build
        self.kvmrec = os.path.join(build, "kvmrec")
        self.vmm = os.path.join(build, "kvmrec-vmm")
        self.pioloop = pioloop
        self.tmp = tempfile.mkdtemp(prefix="kvmrec-rec-")

    def path(self, name):
        return os.path.join(self.tmp, name)

    def record(self, out, argv, *opts, env=None):
        cmd = [self.kvmrec, "record", "-o", out, *opts, "--", *argv]
        return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)

    def dump(self, trace):
        p = subprocess.run([self.kvmrec, "dump", trace], capture_output=True, text=True,
                           timeout=120)
        if p.returncode != 0:
            fail("kvmrec dump %s: rc %d: %s" % (trace, p.returncode, p.stderr.strip()))
        return p.stdout


def vmm_rc(rc, stderr):
    """The VMM's status as `kvmrec record` passed it on. On a busy host
    tracefs can overrun; record then exits 4 with one line saying that only
    kernel events were lost and how the VMM ended, and that status is taken
    (any other loss stays exit 4)."""
    if rc != 4:
        return rc
    m = re.search(r"recording incomplete: \d+ kernel events lost \(tracefs overrun\); "
                  r"the VMM (exited with status (\d+)|was killed by signal (\d+))$",
                  stderr.strip())
    if not m:
        return rc
    print("note: " + m.group(0))
    return int(m.group(2)) if m.group(2) else 128 + int(m.group(3))


def events(dump_text):
    """(seq, vcpu, kind, rest) for each event line of `kvmrec dump`."""
    out = []
    for line in dump_text.splitlines():
        m = re.match(r"\s*(\d+)\s+\S+\s+(\S+)\s+\d+\s+(\S+)\s*(.*)", line)
        if m:
            out.append((int(m.group(1)), m.group(2), m.group(3), m.group(4)))
    return out


def footer(dump_text):
    for line in dump_text.splitlines():
        if line.startswith("# footer:"):
            return line
    return None


def check_seq(evs):
    seqs = [e[0] for e in evs]
    if seqs != list(range(1, len(seqs) + 1)):
        fail("sequence numbers are not contiguous from 1")


# ---------------------------------------------------------------------------

def scenario_tpr_sequence(env):
    """The seed's double injection, recorded live: TPR report, stale GET_LAPIC
    with 62 pending, the kernel's own accept and EOI of 62, the window request,
    and 62 injected again from userspace."""
    need_kvm()
    guest = os.path.join(env.build, "guests", "tpr.elf")
    if not os.path.exists(env.vmm) or not os.path.exists(guest):
        skip("kvmrec-vmm or guests/tpr.elf not built")
    t = env.path("tpr.zst")
    p = env.record(t, [env.vmm, "--policy", "qemu-2.7", guest])
    if p.returncode != 1:
        fail("tpr under qemu-2.7 should fail its check (rc 1), got %d: %s" %
             (p.returncode, p.stderr))
    d = env.dump(t)
    evs = events(d)
    check_seq(evs)

    def first(pred, after=0, what=""):
        for e in evs:
            if e[0] > after and pred(e):
                return e[0]
        fail("no %s after event %d" % (what, after))

    tpr = first(lambda e: e[2] == "exit" and e[3].startswith("TPR_ACCESS"), 0, "TPR_ACCESS exit")
    sync = first(lambda e: e[2] == "lapic" and e[3].startswith("get") and "(62)" in
                 e[3].split("isr=")[0], tpr, "KVM_GET_LAPIC with 62 in IRR")
    window = first(lambda e: e[2] == "exit" and ("IRQ_WINDOW_OPEN" in e[3] or
                   "req_irq_window" in e[3]), sync, "interrupt-window request or exit")
    inj = first(lambda e: e[2] == "inject" and "interrupt" in e[3] and "(62)" in e[3],
                window, "KVM_INTERRUPT of 62")
    print("TPR exit %d, stale sync %d, window %d, KVM_INTERRUPT 62 %d" % (tpr, sync, window, inj))
    if tracefs_usable() and "kernel_events_enabled" in d:
        acc = first(lambda e: e[2] == "kevent" and "kvm_apic_accept_irq" in e[3] and
                    "vec=62 " in e[3] + " ", 0, "kernel accept of 62")
        eoi = first(lambda e: e[2] == "kevent" and "kvm_eoi" in e[3] and "vector=62" in e[3],
                    sync, "kernel EOI of 62 after the sync")
        if acc > sync:
            fail("kernel accept of 62 (%d) after the stale sync (%d)" % (acc, sync))
        print("kernel accept of 62 %d, kernel EOI of 62 %d" % (acc, eoi))
    print("PASS")


def run_plain(argv):
    p = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout


def scenario_transparency_vmm(env):
    """Every guest under kvmrec-vmm prints the same and exits the same,
    recorded or not."""
    need_kvm()
    gdir = os.path.join(env.build, "guests")
    if not os.path.exists(env.vmm) or not os.path.isdir(gdir):
        skip("kvmrec-vmm or guests not built")
    guests = sorted(g for g in os.listdir(gdir) if g.endswith(".elf"))
    if not guests:
        skip("no guests built")
    n = 0
    for g in guests:
        for policy in ("qemu-2.7", "fixed"):
            for smp in ("1", "2") if g == "smp.elf" else ("1",):
                argv = [env.vmm, "--policy", policy, "--smp", smp, os.path.join(gdir, g)]
                rc0, out0 = run_plain(argv)
                t = env.path("%s-%s-%s.zst" % (g, policy, smp))
                p = env.record(t, argv)
                out1 = p.stdout
                if (vmm_rc(p.returncode, p.stderr), out1) != (rc0, out0):
                    fail("%s: unrecorded rc %d %r, recorded rc %d %r" %
                         (" ".join(argv), rc0, out0, p.returncode, p.stdout))
                n += 1
    # The built-in pio loop too, with fds moved under the interposer.
    argv = [env.pioloop, "--smp", "2", "--exits", "2000", "--dup"]
    rc0, out0 = run_plain(argv)
    p = env.record(env.path("pio.zst"), argv)
    if (vmm_rc(p.returncode, p.stderr), p.stdout) != (rc0, out0):
        fail("pioloop_vmm: output or status differ when recorded")
    print("PASS: %d runs identical with and without recording" % (n + 1))


def qemu_argv(env, smp):
    return ["qemu-system-x86_64", "-accel", "kvm", "-machine", "pc,kernel_irqchip=split",
            "-smp", str(smp), "-m", "16", "-display", "none", "-nodefaults",
            "-serial", "stdio", "-monitor", "none",
            "-device", "isa-debug-exit,iobase=0xf4,iosize=4", "-kernel", env.mbguest]


def scenario_transparency_qemu(env):
    """Debian's QEMU with a split irqchip boots the multiboot guest with 1 and 4
    vCPUs; its serial output and exit status are the same recorded or not; the
    values QEMU answered to the guest's HPET read and RDMSR are in the trace;
    every KVM_RUN return in the trace pairs with its kvm_userspace_exit."""
    need_kvm()
    if subprocess.run(["sh", "-c", "command -v qemu-system-x86_64"],
                      capture_output=True).returncode:
        skip("qemu-system-x86_64 is not installed")
    for smp in (1, 4):
        argv = qemu_argv(env, smp)
        p0 = subprocess.run(argv, capture_output=True, text=True, timeout=120)
        if p0.returncode != 33 or "mbguest: done" not in p0.stdout:
            fail("QEMU without recording: rc %d %r %s" % (p0.returncode, p0.stdout, p0.stderr))
        t = env.path("qemu%d.zst" % smp)
        p = env.record(t, argv)
        if (vmm_rc(p.returncode, p.stderr), p.stdout) != (p0.returncode, p0.stdout):
            fail("-smp %d: unrecorded rc %d %r, recorded rc %d %r" %
                 (smp, p0.returncode, p0.stdout, p.returncode, p.stdout))
        d = env.dump(t)
        evs = events(d)
        check_seq(evs)
        if not any(k == "exit" and "MMIO read addr=0xfed00000" in r and "data=0x8086a201" in r
                   for _, _, k, r in evs):
            fail("-smp %d: the HPET read and the value QEMU gave are not in the trace" % smp)
        want_msr = "index=0x35 data=%#x " % (smp << 16 | smp)
        if not any(k == "exit" and r.startswith("X86_RDMSR") and want_msr in r
                   for _, _, k, r in evs):
            fail("-smp %d: the RDMSR of 0x35 and QEMU's answer are not in the trace" % smp)
        vcpus = {v for _, v, k, _ in evs if k == "exit"}
        if len(vcpus) != smp:
            fail("-smp %d: KVM_RUN seen on %d vCPUs" % (smp, len(vcpus)))
        if tracefs_usable():
            pending = {}
            for seq, vcpu, kind, rest in evs:
                if kind == "kevent" and rest.startswith("kvm_userspace_exit"):
                    pending[vcpu] = pending.get(vcpu, 0) + 1
                elif kind == "exit":
                    if not pending.get(vcpu):
                        fail("-smp %d: KVM_RUN return at seq %d without kvm_userspace_exit"
                             % (smp, seq))
                    pending[vcpu] -= 1
        print("-smp %d: identical output and status 33; %d events" % (smp, len(evs)))
    print("PASS")


def stats_counts(stderr, pattern):
    return {int(m.group(1)): int(m.group(2)) for m in re.finditer(pattern, stderr)}


def scenario_completeness(env):
    """KVM_RUN records per vCPU equal what the VMM counted; sequence numbers
    are contiguous; every KVM_RUN return pairs with its kvm_userspace_exit; each
    IN exit carries what the guest read."""
    need_kvm()
    runs = []
    if os.path.exists(env.vmm) and os.path.exists(os.path.join(env.build, "guests", "tpr.elf")):
        runs.append(([env.vmm, "--stats", os.path.join(env.build, "guests", "tpr.elf")],
                     r"vcpu (\d+): (\d+) KVM_RUN"))
    pio = os.path.join(env.build, "guests", "pio-loop.elf")
    if os.path.exists(env.vmm) and os.path.exists(pio):
        runs.append(([env.vmm, "--smp", "4", "--loops", "3000", "--stats", pio],
                     r"vcpu (\d+): (\d+) KVM_RUN"))
    runs.append(([env.pioloop, "--smp", "4", "--exits", "5000", "--dup", "--stats"],
                 r"vcpu (\d+): (\d+) KVM_RUN"))
    for i, (argv, pat) in enumerate(runs):
        t = env.path("c%d.zst" % i)
        p = env.record(t, argv)
        want = stats_counts(p.stderr, pat)
        if not want:
            fail("%s printed no stats: %s" % (argv[0], p.stderr))
        d = env.dump(t)
        evs = events(d)
        check_seq(evs)
        got = {}
        pending = {}
        last_in = {}
        for seq, vcpu, kind, rest in evs:
            if kind == "kevent" and rest.startswith("kvm_userspace_exit"):
                pending[vcpu] = pending.get(vcpu, 0) + 1
            if kind != "exit":
                continue
            v = int(vcpu[3:])
            got[v] = got.get(v, 0) + 1
            if tracefs_usable():
                if not pending.get(vcpu):
                    fail("KVM_RUN return at seq %d on %s has no kvm_userspace_exit before it"
                         % (seq, vcpu))
                pending[vcpu] -= 1
            m = re.match(r"IO in port=0x11 size=1 data=0x([0-9a-f]+)", rest)
            if m and "pioloop" in argv[0]:
                val = int(m.group(1), 16)
                if val != (last_in.get(v, 0) + 1) & 0xff:
                    fail("IN data at seq %d: got %#x after %#x" % (seq, val, last_in.get(v, 0)))
                last_in[v] = val
        if got != want:
            fail("%s: KVM_RUN per vCPU in trace %s, VMM counted %s" % (argv[0], got, want))
        print("%s: KVM_RUN per vCPU %s match" % (os.path.basename(argv[0]), got))
    print("PASS")


def scenario_many_threads(env):
    """64 vCPU threads, and 192 threads in all (each vCPU run by three
    threads in turn): every KVM_RUN is recorded and nothing is dropped; the
    recorder gives rings to threads as they appear, with no cap near KVM's
    vCPU limit."""
    need_kvm()
    t = env.path("many.zst")
    p = env.record(t, [env.pioloop, "--smp", "64", "--exits", "1500", "--waves", "3",
                       "--stats"], "--no-kernel-events", "--stats")
    want = stats_counts(p.stderr, r"vcpu (\d+): (\d+) KVM_RUN")
    if p.returncode != 0 or len(want) != 64:
        fail("rc %d, %d vCPUs counted: %s" % (p.returncode, len(want), p.stderr[-300:]))
    d = env.dump(t)
    evs = events(d)
    check_seq(evs)
    got = {}
    for _, vcpu, kind, _ in evs:
        if kind == "exit":
            got[int(vcpu[3:])] = got.get(int(vcpu[3:]), 0) + 1
    f = footer(d)
    drops = [r for _, _, k, r in evs if k == "drop"]
    if got != want or "dropped=0" not in f or drops:
        fail("%d of %d KVM_RUN recorded, %s, drops %s" %
             (sum(got.values()), sum(want.values()), f, drops[:3]))
    print("PASS: 64 vCPUs, 192 threads: all %d KVM_RUN recorded, 0 dropped" % sum(got.values()))


def scenario_no_tracefs(env):
    """A user who may use KVM but not tracefs records without kernel events,
    told once on stderr and in the header."""
    need_kvm()
    import grp
    if os.geteuid() != 0:
        skip("needs root to switch to an unprivileged user")
    try:
        kvm_gid = grp.getgrnam("kvm").gr_gid
    except KeyError:
        skip("no kvm group")
    if subprocess.run(["sh", "-c", "command -v setpriv"], capture_output=True).returncode:
        skip("setpriv is not installed")
    os.chmod(env.tmp, 0o777)
    t = env.path("nobody.zst")
    as_nobody = ["setpriv", "--reuid", "65534", "--regid", str(kvm_gid), "--clear-groups"]
    p = subprocess.run(as_nobody + [env.kvmrec, "record", "-o", t, "--", env.pioloop,
                       "--exits", "500"], capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        skip("an unprivileged user cannot run the VMM here: %s" % p.stderr.strip())
    notes = [l for l in p.stderr.splitlines() if "without kernel events" in l]
    if len(notes) != 1:
        fail("want one line saying there are no kernel events, got %r" % p.stderr)
    d = env.dump(t)
    if "kernel_events_note" not in d or any(e[2] == "kevent" for e in events(d)):
        fail("header does not explain the missing kernel events")
    if sum(1 for e in events(d) if e[2] == "exit") != 500:
        fail("exits missing")
    print("PASS: " + notes[0])


def scenario_wrapper(env):
    """A VMM started through a wrapper that execs it (a shell here, as taskset
    or unshare would) is recorded all the same."""
    need_kvm()
    t = env.path("wrapped.zst")
    p = env.record(t, ["sh", "-c", 'exec "$0" --exits 3000 --smp 2', env.pioloop])
    if p.returncode != 0:
        fail("rc %d: %s" % (p.returncode, p.stderr))
    n = sum(1 for e in events(env.dump(t)) if e[2] == "exit")
    if n != 6000:
        fail("%d KVM_RUN records through the wrapper, want 6000" % n)
    print("PASS")


def record_with_stopped_parent(env, out, opts, exits):
    """Records pioloop_vmm while the recorder is stopped for a while, so the
    rings fill up; returns (rc, VMM-reported KVM_RUN count)."""
    cmd = [env.kvmrec, "record", "-o", out, "--ring-size", "64K", *opts, "--",
           env.pioloop, "--exits", str(exits), "--stats"]
    rec = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    time.sleep(0.5)
    os.kill(rec.pid, signal.SIGSTOP)
    time.sleep(0.5)
    os.kill(rec.pid, signal.SIGCONT)
    _, err = rec.communicate(timeout=120)
    want = sum(int(n) for n in re.findall(r"(\d+) KVM_RUN", err))
    return rec.returncode, want


def scenario_full_ring(env):
    """A recorder that falls behind: by default the vCPU waits and nothing is
    lost (the stalls are counted); with --lossy records are dropped, every
    drop is counted in Drop records and the footer, and record exits 4."""
    need_kvm()
    t = env.path("stall.zst")
    rc, want = record_with_stopped_parent(env, t, ["--no-kernel-events"], 200000)
    d = env.dump(t)
    evs = events(d)
    check_seq(evs)
    got = sum(1 for e in evs if e[2] == "exit")
    f = footer(d)
    stalls = int(re.search(r"ring_stalls=(\d+)", f).group(1))
    if rc != 0 or got != want or "dropped=0" not in f or stalls < 1:
        fail("lossless: rc %d, %d of %d KVM_RUN, %s" % (rc, got, want, f))
    print("lossless: all %d KVM_RUN kept, %d stalls" % (got, stalls))

    t = env.path("lossy.zst")
    rc, want = record_with_stopped_parent(env, t, ["--no-kernel-events", "--lossy"], 200000)
    d = env.dump(t)
    evs = events(d)
    check_seq(evs)
    got = sum(1 for e in evs if e[2] == "exit")
    f = footer(d)
    dropped = int(re.search(r"dropped=(\d+)", f).group(1))
    in_drops = sum(int(m.group(1)) for _, _, k, r in evs if k == "drop"
                   for m in [re.search(r"count=(\d+)", r)] if m)
    # Each KVM_RUN is one record, each IN answer one more: a lost KVM_RUN
    # is a drop, and no drop is more than the records that could be lost.
    if rc != 4 or dropped < 1 or dropped != in_drops or want - got > dropped or \
            dropped > (want - got) + want // 2 + 1:
        fail("lossy: rc %d, %d of %d KVM_RUN, %d dropped (Drop records say %d): %s" %
             (rc, got, want, dropped, in_drops, f))
    print("lossy: %d of %d KVM_RUN kept, %d records dropped and counted" % (got, want, dropped))
    print("PASS")


def scenario_incomplete(env):
    """A recording that lost data is not a success, even when the VMM's is:
    onto a full filesystem (a 1 MiB tmpfs) `record` exits 4 with one line
    naming what was lost and how the VMM ended, and the trace reads up to
    where the write failed."""
    need_kvm()
    if os.geteuid() != 0:
        skip("mounting a 1 MiB tmpfs needs root")
    mnt = env.path("tiny")
    os.mkdir(mnt)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mnt]).returncode:
        skip("cannot mount a tmpfs")
    try:
        t = os.path.join(mnt, "t.zst")
        p = env.record(t, [env.pioloop, "--exits", "200000", "--smp", "2"])
        lines = p.stderr.strip().splitlines()
        if p.returncode != 4 or len(lines) != 1 or \
                "recording incomplete: write failed: No space left on device" not in lines[0] \
                or "the VMM exited with status 0" not in lines[0] or \
                "vcpu 1: 200000 exits" not in p.stdout:
            fail("full filesystem: rc %d, stderr %r" % (p.returncode, p.stderr))
        print("full filesystem: rc 4: " + lines[0])
        d = subprocess.run([env.kvmrec, "dump", t], capture_output=True, text=True)
        if d.returncode != 2 or "truncated" not in d.stderr or \
                sum(1 for e in events(d.stdout) if e[2] == "exit") < 1000:
            fail("dump of the cut trace: rc %d %s" % (d.returncode, d.stderr))
        print("trace: " + d.stderr.strip())
    finally:
        subprocess.run(["umount", "-l", mnt])
    print("PASS")


def scenario_sigkill(env):
    """A VMM killed with SIGKILL mid-run: everything it logged is in the trace,
    which ends with the kill noted."""
    need_kvm()
    t = env.path("killed.zst")
    cmd = [env.kvmrec, "record", "-o", t, "--", env.pioloop, "--exits", "1000000000"]
    rec = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    vmm = vmm_under(rec, env.pioloop)
    if not vmm:
        rec.kill()
        fail("the VMM never started under kvmrec record")
    time.sleep(1.0)
    os.kill(vmm, signal.SIGKILL)
    _, err = rec.communicate(timeout=60)
    rc = vmm_rc(rec.returncode, err)
    if rc != 128 + 9:
        fail("kvmrec record returned %d, want 137" % rc)
    d = env.dump(t)
    evs = events(d)
    check_seq(evs)
    f = footer(d)
    if not f or "vmm killed by signal 9" not in f:
        fail("footer does not note the kill: %s" % f)
    if not any(k == "note" and "signal" in r for _, _, k, r in evs):
        fail("no Annotation for the signal")
    nexits = sum(1 for e in evs if e[2] == "exit")
    if nexits < 1000:
        fail("only %d exits recorded in a second" % nexits)
    print("PASS: %d events, %d exits, %s" % (len(evs), nexits, f))


def vmm_under(rec, exe):
    """The pid of the VMM `kvmrec record` (Popen @rec) started, once it runs @exe."""
    for _ in range(600):  # the recorder sets up tracing before it lets the VMM exec
        kids = subprocess.run(["pgrep", "-P", str(rec.pid)], capture_output=True,
                              text=True).stdout.split()
        try:
            if kids and os.readlink("/proc/%s/exe" % kids[0]) == os.path.realpath(exe):
                return int(kids[0])
        except OSError:
            pass
        time.sleep(0.05)
    return None


def scenario_recorder_killed(env):
    """SIGKILL of `kvmrec record` mid-run: the VMM's vCPU, whose ring fills
    up with nobody to drain it, stops waiting once the recorder is gone and
    runs to its own end with its normal status; the trace reads up to where
    the recorder died and says it was cut there; the next recording removes
    the dead recorder's tracefs instance."""
    import ctypes
    need_kvm()
    # Become the orphaned VMM's new parent, to see its exit status.
    if ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) != 0:  # PR_SET_CHILD_SUBREAPER
        skip("cannot become a child subreaper")
    exits = 100000
    t0 = time.monotonic()
    run_plain([env.pioloop, "--exits", str(exits // 10)])
    plain = (time.monotonic() - t0) * 10
    t = env.path("reckilled.zst")
    rec = subprocess.Popen([env.kvmrec, "record", "--ring-size", "64K", "-o", t, "--",
                            env.pioloop, "--exits", str(exits)],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    vmm = vmm_under(rec, env.pioloop)
    if not vmm:
        rec.kill()
        fail("the VMM never started under kvmrec record")
    time.sleep(0.5)
    instance = "/sys/kernel/tracing/instances/kvmrec-%d" % rec.pid
    had_instance = os.path.isdir(instance)
    rec.kill()
    rec.wait()
    killed = time.monotonic()
    status = None
    deadline = killed + max(60.0, 3 * plain)
    while time.monotonic() < deadline:
        pid, st = os.waitpid(vmm, os.WNOHANG)
        if pid == vmm:
            status = st
            break
        time.sleep(0.05)
    took = time.monotonic() - killed
    if status is None:
        os.kill(vmm, signal.SIGKILL)
        os.waitpid(vmm, 0)
        fail("the VMM still ran %.0f s after its recorder was killed (hung on its ring?)" % took)
    out = rec.stdout.read()
    if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0 or \
            "vcpu 0: %d exits" % exits not in out:
        fail("the VMM ended with wait status %#x, output %r" % (status, out[-200:]))
    print("VMM ran to its end %.1f s after the recorder was killed (its whole run "
          "takes %.1f s unrecorded), status 0" % (took, plain))
    p = subprocess.run([env.kvmrec, "dump", t], capture_output=True, text=True, timeout=120)
    if p.returncode != 2 or "truncated after event" not in p.stderr or \
            sum(1 for e in events(p.stdout) if e[2] == "exit") < 100:
        fail("dump of the cut trace: rc %d, %s" % (p.returncode, p.stderr.strip()))
    print("trace: " + p.stderr.strip())
    if had_instance:
        p = env.record(env.path("after.zst"), [env.pioloop, "--exits", "100"])
        if p.returncode != 0 or os.path.isdir(instance):
            fail("the next record (rc %d) left %s" % (p.returncode, instance))
        print("stale tracefs instance removed by the next record")
    print("PASS")


def scenario_sigint(env):
    """Ctrl-C on the recorder goes to the VMM; the recorder stays to finish
    the trace and exits as the VMM did."""
    need_kvm()
    t = env.path("int.zst")
    rec = subprocess.Popen([env.kvmrec, "record", "-o", t, "--", env.pioloop, "--exits",
                            "1000000000"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           text=True)
    vmm_under(rec, env.pioloop)
    time.sleep(0.5)
    rec.send_signal(signal.SIGINT)
    _, err = rec.communicate(timeout=60)
    rc = vmm_rc(rec.returncode, err)
    f = footer(env.dump(t))
    if rc != 128 + 2 or not f or "vmm killed by signal 2" not in f:
        fail("rc %d, footer %s" % (rc, f))
    print("PASS: " + f)


def scenario_errors(env):
    """Bad input gets one line and exit 2; the output is created 0600 and never
    overwritten."""
    def expect(argv, rc, text, what):
        p = subprocess.run(argv, capture_output=True, text=True, timeout=60)
        lines = p.stderr.strip().splitlines()
        if p.returncode != rc or (text and (len(lines) != 1 or text not in lines[0])):
            fail("%s: rc %d stderr %r (want rc %d and one line with %r)" %
                 (what, p.returncode, p.stderr, rc, text))

    k = env.kvmrec
    expect([k, "record", "--help"], 0, None, "--help")
    expect([k, "record", "--bogus", "--", "true"], 2, "--bogus", "unknown flag")
    expect([k, "record", "-o", env.path("a.zst")], 2, "no VMM", "no VMM")
    expect([k, "record", "-o", env.path("b.zst"), "--", "no-such-vmm-xyz"], 2,
           "no-such-vmm-xyz: VMM not found", "missing VMM")
    static = next((p for p in ("/sbin/ldconfig", "/usr/sbin/ldconfig") if os.path.exists(p)), None)
    if static:
        # Without --backend preload it would get the bpf backend (bpf_test.py static).
        expect([k, "record", "--backend", "preload", "-o", env.path("c.zst"), "--", static], 2,
               "statically linked VMM", "static VMM")
    if os.path.exists(env.path("b.zst")) or os.path.exists(env.path("c.zst")):
        fail("a trace was left behind by a VMM that never ran")
    t = env.path("d.zst")
    p = env.record(t, ["sh", "-c", "exit 7"])
    if p.returncode != 7:
        fail("VMM exit status 7 came back as %d" % p.returncode)
    mode = os.stat(t).st_mode & 0o777
    if mode != 0o600:
        fail("trace mode %o, want 600" % mode)
    before = open(t, "rb").read()
    expect([k, "record", "-o", t, "--", "true"], 2, "exists", "existing output")
    if open(t, "rb").read() != before:
        fail("existing trace was modified")
    # A VMM without /dev/kvm access reports its own error, unchanged.
    if os.path.exists(env.vmm) and os.path.exists(os.path.join(env.build, "guests", "tpr.elf")):
        argv = ["unshare", "-m", "sh", "-c",
                "mount -t tmpfs none /dev 2>/dev/null || exit 99; exec \"$@\"", "sh",
                env.vmm, os.path.join(env.build, "guests", "tpr.elf")]
        rc0 = subprocess.run(argv, capture_output=True, text=True)
        if rc0.returncode != 99:
            p = env.record(env.path("e.zst"), argv)
            if p.returncode != rc0.returncode or rc0.stderr.strip() not in p.stderr:
                fail("missing /dev/kvm: rc %d %r vs recorded rc %d %r" %
                     (rc0.returncode, rc0.stderr, p.returncode, p.stderr))
    print("PASS")


def scenario_no_kernel_events(env):
    """--no-kernel-events records userspace only and says so in the header."""
    need_kvm()
    t = env.path("nk.zst")
    p = env.record(t, [env.pioloop, "--exits", "1000"], "--no-kernel-events")
    if p.returncode != 0:
        fail("rc %d: %s" % (p.returncode, p.stderr))
    d = env.dump(t)
    if "kernel_events_note" not in d or "--no-kernel-events" not in d:
        fail("header does not say kernel events were off")
    if any(e[2] == "kevent" for e in events(d)):
        fail("kernel events recorded with --no-kernel-events")
    if sum(1 for e in events(d) if e[2] == "exit") != 1000:
        fail("wrong number of exits")
    print("PASS")


def scenario_hostile(env):
    """A VMM that hands every recorded ioctl NULL, PROT_NONE, tail-unmapped,
    short and huge arguments sees the same results and errno recorded as
    unrecorded (the interposer never faults where the kernel said EFAULT),
    and each call is in the trace with its errno."""
    need_kvm()
    hostile = os.path.join(os.path.dirname(env.pioloop), "hostile_vmm")
    p0 = subprocess.run([hostile], capture_output=True, text=True, timeout=120)
    if p0.returncode != 0 or "hostile_vmm: done" not in p0.stdout:
        fail("hostile_vmm unrecorded: rc %d: %s" % (p0.returncode, p0.stderr))
    for opts in ([], ["--no-kernel-events"]):
        t = env.path("hostile%d.zst" % len(opts))
        p = env.record(t, [hostile], *opts)
        if p.returncode != p0.returncode or p.stdout != p0.stdout:
            diff = [(a, b) for a, b in zip(p0.stdout.splitlines(), p.stdout.splitlines())
                    if a != b][:3]
            fail("recorded %s: rc %d (unrecorded %d), first differences %s, stderr %s" %
                 (" ".join(opts), p.returncode, p0.returncode, diff, p.stderr.strip()[-300:]))
        evs = [e for e in events(env.dump(t)) if e[2] in ("exit", "inject", "lapic",
                                                           "vcpu_events", "setup")]
        calls = [l for l in p0.stdout.splitlines() if " ret=" in l]
        # KVM_RUN on the VM fd and on /dev/kvm are not KVM calls the recorder follows.
        want = len(calls) - sum(1 for l in calls if l.startswith("KVM_RUN on"))
        efault = sum(1 for l in calls if "errno=14" in l)
        got_efault = sum(1 for e in evs if "(EFAULT)" in e[3])
        if len(evs) != want or got_efault != efault:
            fail("recorded %s: %d calls in the trace (want %d), %d EFAULT (want %d)" %
                 (" ".join(opts), len(evs), want, got_efault, efault))
        print("%s: %d calls, same results and errno, %d EFAULT recorded" %
              (" ".join(opts) or "with kernel events", want, efault))
    print("PASS")


def main():
    if len(sys.argv) != 5:
        print(__doc__)
        return 2
    env = Env(sys.argv[2], sys.argv[3], sys.argv[4])
    fn = globals().get("scenario_" + sys.argv[1])
    if not fn:
        print("unknown scenario " + sys.argv[1])
        return 2
    fn(env)
    return 0


if __name__ == "__main__":
    sys.exit(main())
