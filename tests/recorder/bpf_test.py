#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Scenarios for the bpf backend of `kvmrec record` (docs/recorder.md), each a
story with an expected outcome: VMMs the interposer cannot enter recorded
completely, the same runs equal under both backends, a running VMM attached
and left as it was, every loss counted, one-line errors.

usage: bpf_test.py SCENARIO BUILD_DIR PIOLOOP_VMM PIOLOOP_VMM_STATIC
Exit 0 pass, 1 fail, 77 skipped (the reason is printed).
"""
import os
import re
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from recorder_test import (Env, check_seq, events, fail, footer, need_kvm, skip,  # noqa: E402
                           stats_counts, tracefs_usable)

STATS = r"vcpu (\d+): (\d+) KVM_RUN"


def need_bpf(env):
    """Skip unless `kvmrec record --backend bpf` can load its program here."""
    need_kvm()
    out = env.path("probe.zst")
    p = env.record(out, ["/bin/true"], "--backend", "bpf", "--no-kernel-events")
    if p.returncode != 0:
        skip("the bpf backend cannot run here: " + p.stderr.strip())
    os.unlink(out)


def run(argv, timeout=120):
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout)


def replay_rc(env, trace):
    p = run([env.kvmrec, "replay", "--check-once", trace])
    return p.returncode, p.stdout + p.stderr


def diff_same(env, a, b, what, must=True):
    p = run([env.kvmrec, "diff", a, b])
    if p.returncode != 0 and must:
        fail("%s: preload and bpf recordings differ (rc %d):\n%s" % (what, p.returncode,
                                                                     p.stdout[-3000:]))
    return p.returncode == 0


def runs_per_vcpu(evs):
    got = {}
    for _, vcpu, kind, _ in evs:
        if kind == "exit":
            got[int(vcpu[3:])] = got.get(int(vcpu[3:]), 0) + 1
    return got


def check_pairing(evs, from_first_kevent):
    """Every KVM_RUN return has its kvm_userspace_exit before it. With
    @from_first_kevent (an attach: kernel events start a little after the
    program), pairing starts at each vCPU's first kernel event."""
    pending, started, paired = {}, {}, 0
    for seq, vcpu, kind, rest in evs:
        if kind == "kevent" and rest.startswith("kvm_userspace_exit"):
            pending[vcpu] = pending.get(vcpu, 0) + 1
            started[vcpu] = True
        if kind != "exit" or (from_first_kevent and not started.get(vcpu)):
            continue
        if not pending.get(vcpu):
            fail("KVM_RUN return at seq %d on %s has no kvm_userspace_exit before it"
                 % (seq, vcpu))
        pending[vcpu] -= 1
        paired += 1
    return paired


def check_in_data(evs):
    """pioloop_vmm answers each IN with a running count: each IN carries it."""
    last = {}
    for seq, vcpu, kind, rest in evs:
        m = re.match(r"IO in port=0x11 size=1 data=0x([0-9a-f]+)", rest) if kind == "exit" else None
        if not m:
            continue
        v, val = int(vcpu[3:]), int(m.group(1), 16)
        if v in last and val != (last[v] + 1) & 0xff:
            fail("IN data at seq %d: got %#x after %#x" % (seq, val, last[v]))
        last[v] = val


def complete(env, trace, argv, stderr, want_backend_line=False, in_data=True):
    want = stats_counts(stderr, STATS)
    if not want:
        fail("%s printed no stats: %s" % (argv[0], stderr))
    d = env.dump(trace)
    if '# recorder: "bpf"' not in d:
        fail("%s: header does not name the bpf backend" % trace)
    evs = events(d)
    check_seq(evs)
    got = runs_per_vcpu(evs)
    if got != want:
        fail("%s: KVM_RUN per vCPU in trace %s, VMM counted %s" % (argv[0], got, want))
    if tracefs_usable():
        check_pairing(evs, False)
    if in_data:
        check_in_data(evs)
    if want_backend_line and "recording it with the bpf backend" not in stderr:
        fail("record chose bpf for a static VMM without saying so: %s" % stderr)
    print("%s: KVM_RUN per vCPU %s match the VMM's own counts" % (" ".join(argv[:3]), got))


# ---------------------------------------------------------------------------

def scenario_static(env):
    """A statically linked VMM and one calling syscall(SYS_ioctl) directly, both
    out of the interposer's reach, recorded completely by the bpf backend (also
    when a shell forks the VMM); the static one gets bpf by itself. Both replay to the verdict and compare equal
    to the dynamic VMM recorded with the interposer."""
    need_bpf(env)
    static = sys.argv[4]
    ref = env.path("ref.zst")
    argv = [env.pioloop, "--smp", "4", "--exits", "5000", "--dup", "--stats"]
    p = env.record(ref, argv)
    if p.returncode != 0:
        fail("preload recording of pioloop_vmm failed: %s" % p.stderr)
    ref_rc, _ = replay_rc(env, ref)
    cases = [
        ("static", [static, "--smp", "4", "--exits", "5000", "--dup", "--stats"], [], True),
        ("raw", [env.pioloop, "--smp", "4", "--exits", "5000", "--dup", "--stats",
                 "--raw-syscall"], ["--backend", "bpf"], False),
        ("raw-static", [static, "--smp", "2", "--exits", "5000", "--stats", "--raw-syscall"],
         [], True),
        # A wrapper that forks the VMM instead of exec'ing it (timeout, a shell).
        ("wrapper", ["sh", "-c", "\"$0\" --smp 2 --exits 5000 --stats; true", env.pioloop],
         ["--backend", "bpf"], False),
    ]
    for name, argv, opts, auto in cases:
        t = env.path(name + ".zst")
        p = env.record(t, argv, *opts)
        if p.returncode != 0:
            fail("%s: record exit %d: %s" % (name, p.returncode, p.stderr))
        complete(env, t, argv, p.stderr, want_backend_line=auto)
        rc, out = replay_rc(env, t)
        if rc != ref_rc:
            fail("%s: replay --check-once %d, the interposer's recording of the same VMM %d:\n%s"
                 % (name, rc, ref_rc, out))
        if "--smp 4" in " ".join(argv) or argv[2] == "4":
            diff_same(env, ref, t, name)
    print("PASS")


def scenario_parity(env):
    """One kvmrec-vmm run per guest recorded with each backend: `kvmrec diff`
    finds them equal, and the QEMU 2.7 tpr run replays to the same verdict and
    bisects to the same fix."""
    need_bpf(env)
    guests = os.path.join(env.build, "guests")
    for g in ["tpr", "pic", "ioapic", "nmi", "pio-loop", "mmio-loop"]:
        elf = os.path.join(guests, g + ".elf")
        if not os.path.exists(elf):
            skip("guests/%s.elf not built" % g)
        # kvm-pvm reports some exits late (TPR accesses, docs/view.md; IOAPIC EOIs too),
        # so a loaded host can shift one by an exit in either recording: a pair
        # that parts is recorded again, at most three times.
        for attempt in range(3):
            t = {}
            for b in ["preload", "bpf"]:
                t[b] = env.path("%s-%s-%d.zst" % (g, b, attempt))
                p = env.record(t[b], [env.vmm, "--loops", "3000", elf] if "loop" in g else
                               [env.vmm, elf], "--backend", b)
                if p.returncode != 0:
                    fail("%s with %s: record exit %d: %s" % (g, b, p.returncode, p.stderr))
            if diff_same(env, t["preload"], t["bpf"], g, must=attempt == 2):
                break
        print("%s: preload and bpf recordings equal (attempt %d)" % (g, attempt + 1))
    out = {}
    for b in ["preload", "bpf"]:
        t = env.path("q27-%s.zst" % b)
        p = env.record(t, [env.vmm, "--policy", "qemu-2.7", os.path.join(guests, "tpr.elf")],
                       "--backend", b)
        if p.returncode != 1:
            fail("tpr under qemu-2.7 with %s: want the guest's FAIL (1), got %d" %
                 (b, p.returncode))
        rc, text = replay_rc(env, t)
        bis = run([env.kvmrec, "bisect", t])
        fix = [line for line in bis.stdout.splitlines() if line.startswith("fix:")]
        out[b] = (rc, fix)
    if out["preload"] != out["bpf"] or out["bpf"][0] != 1 or not out["bpf"][1]:
        fail("qemu-2.7 tpr: preload %s, bpf %s (want the same violation and fix)" %
             (out["preload"], out["bpf"]))
    print("qemu-2.7 tpr: both backends: check-once %d, %s" % out["bpf"])
    print("PASS")


def start_unrecorded(argv):
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_vm(pid, timeout=10):
    """Until /proc/PID/fd holds a KVM VM fd."""
    end = time.time() + timeout
    while time.time() < end:
        try:
            for fd in os.listdir("/proc/%d/fd" % pid):
                try:
                    if os.readlink("/proc/%d/fd/%s" % (pid, fd)) == "anon_inode:kvm-vm":
                        return
                except OSError:
                    pass
        except OSError:
            pass
        time.sleep(0.02)
    fail("PID %d never created a VM" % pid)


def scenario_attach(env):
    """kvmrec-vmm running pio-loop unrecorded; `record --pid --duration 2`
    attaches mid-run and detaches: the VMM finishes normally, the trace says it
    began mid-run, holds every KVM_RUN of the window (the guest's counter has
    no gap, each exit has its kvm_userspace_exit) and replays. Then a VMM whose
    vCPU threads appear after the attach is recorded whole, until it exits."""
    need_bpf(env)
    pio = os.path.join(env.build, "guests", "pio-loop.elf")
    loops = 1000000  # about 10 s here: the window must end well before the VMM does
    vmm = start_unrecorded([env.vmm, "--stats", "--loops", str(loops), pio])
    wait_for_vm(vmm.pid)
    time.sleep(0.5)
    t = env.path("attach.zst")
    rec = subprocess.Popen([env.kvmrec, "record", "--pid", str(vmm.pid), "--duration", "2",
                            "-o", t], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # A recorder descheduled for a while (a loaded host) falls behind: the
    # thread's ring fills while the BPF ring buffer still has room. Nothing
    # may be lost then (a record refused for want of room was once dropped).
    time.sleep(0.6)
    os.kill(rec.pid, signal.SIGSTOP)
    time.sleep(0.3)
    os.kill(rec.pid, signal.SIGCONT)
    _, rerr = rec.communicate(timeout=120)
    if rec.returncode != 0:
        vmm.kill()
        fail("record --pid: exit %d: %s" % (rec.returncode, rerr))
    if vmm.poll() is not None:
        fail("the VMM ended while attached (status %s); the window must be mid-run"
             % vmm.returncode)
    out, err = vmm.communicate(timeout=300)
    if vmm.returncode != 0 or "PASS" not in out:
        fail("the VMM did not finish normally after the detach: rc %d: %s %s" %
             (vmm.returncode, out, err))
    d = env.dump(t)
    if "# mid_run:" not in d or '# recorder: "bpf"' not in d:
        fail("the header does not say the trace began mid-run with bpf")
    if "--duration 2 s elapsed; detached" not in (footer(d) or ""):
        fail("footer does not say the recording was detached: %s" % footer(d))
    evs = events(d)
    check_seq(evs)
    vals = [int(m.group(1), 16) for _, _, kind, rest in evs if kind == "exit"
            for m in [re.match(r"IO out port=0xe8 size=4 data=0x([0-9a-f]+)", rest)] if m]
    runs = sum(1 for e in evs if e[2] == "exit")
    if len(vals) < 1000 or len(vals) != runs:
        fail("window holds %d KVM_RUN, %d of them the loop's OUT" % (runs, len(vals)))
    gaps = [(a, b) for a, b in zip(vals, vals[1:]) if b != a + 1]
    if gaps:
        fail("the guest's counter jumps in the window (lost exits): %s" % gaps[:5])
    kexits = 0
    if tracefs_usable():
        # The kernel side opens before the program: between the window's first
        # and last KVM_RUN record the kernel saw exactly one exit per record after the first.
        check_pairing(evs, True)
        ts = [(float(m.group(1)), m.group(2)) for line in d.splitlines()
              for m in [re.match(r"\s*\d+\s+(\S+)\s+\S+\s+\d+\s+(exit|kevent kvm_userspace_exit)",
                                 line)] if m]
        first = next(t for t, k in ts if k == "exit")
        last = max(t for t, k in ts if k == "exit")
        kexits = sum(1 for t, k in ts if k != "exit" and first < t <= last)
        if kexits != runs - 1:
            fail("kvm_userspace_exit between the window's first and last KVM_RUN: %d; "
                 "KVM_RUN records after the first: %d" % (kexits, runs - 1))
    rc, text = replay_rc(env, t)
    if rc != 0:
        fail("replay --check-once of the attached window: %d\n%s" % (rc, text))
    print("attached window: %d KVM_RUN, counter %d..%d without a gap, the kernel's "
          "kvm_userspace_exit count in the window %d (= KVM_RUN - 1); VMM finished %d loops; "
          "replay 0" % (runs, vals[0], vals[-1], kexits, loops))

    argv = [sys.argv[4], "--smp", "2", "--exits", "20000", "--stats", "--start-delay", "1500"]
    vmm = start_unrecorded(argv)
    wait_for_vm(vmm.pid)
    t = env.path("attach-early.zst")
    p = run([env.kvmrec, "record", "--pid", str(vmm.pid), "-o", t])
    out, err = vmm.communicate(timeout=120)
    if p.returncode != 0 or vmm.returncode != 0:
        fail("record --pid until exit: %d / VMM %d: %s %s" % (p.returncode, vmm.returncode,
                                                              p.stderr, err))
    if "vmm exited" not in (footer(env.dump(t)) or ""):
        fail("footer does not say the VMM exited: %s" % footer(env.dump(t)))
    complete(env, t, argv, err)
    print("PASS")


def scenario_threads(env):
    """4 400 VMM threads over a run, more than the backend keeps at once
    (4 096): each vCPU is run by 1 100 threads in turn. A finished thread's
    ring serves the next, so every KVM_RUN is recorded and nothing dropped."""
    need_bpf(env)
    t = env.path("threads.zst")
    argv = [env.pioloop, "--smp", "4", "--exits", "8800", "--waves", "1100", "--stats"]
    p = env.record(t, argv, "--backend", "bpf")
    if p.returncode != 0:
        fail("record exit %d: %s" % (p.returncode, p.stderr))
    # An IN whose vCPU next enters from another thread has no data (docs/recorder.md, Limits).
    complete(env, t, argv, p.stderr, in_data=False)
    print("PASS")


def scenario_attach_qemu(env):
    """QEMU 7.2 with a split irqchip running a kvm-unit-tests test, attached
    mid-run: the trace replays with --check-once to 0 or a named 125."""
    need_bpf(env)
    qemu = "/usr/bin/qemu-system-x86_64"
    flat = "/tmp/kut/x86/apic.flat"
    if not os.access(qemu, os.X_OK):
        skip("qemu-system-x86_64 is not installed")
    if not os.path.exists(flat):
        skip("kvm-unit-tests are not built in /tmp/kut (see docs/recorder.md)")
    argv = ["timeout", "-s", "TERM", "20", qemu, "-nodefaults", "-nographic", "-device",
            "isa-debug-exit,iobase=0xf4,iosize=0x4", "-serial", "stdio", "-machine",
            "accel=kvm,kernel_irqchip=split", "-smp", "2", "-cpu", "qemu64,+x2apic,+tsc-deadline",
            "-kernel", flat]
    vmm = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
    qpid = None
    end = time.time() + 10
    while qpid is None and time.time() < end:
        for t in os.listdir("/proc/%d/task" % vmm.pid) if vmm.poll() is None else []:
            pass
        try:
            kids = open("/proc/%d/task/%d/children" % (vmm.pid, vmm.pid)).read().split()
            qpid = int(kids[0]) if kids else None
        except OSError:
            break
        time.sleep(0.05)
    if qpid is None:
        vmm.kill()
        fail("QEMU did not start")
    wait_for_vm(qpid)
    time.sleep(1.0)
    t = env.path("qemu-attach.zst")
    p = run([env.kvmrec, "record", "--pid", str(qpid), "--duration", "2", "-o", t])
    vmm.send_signal(signal.SIGTERM)
    vmm.communicate(timeout=60)
    if p.returncode != 0:
        fail("record --pid of QEMU: exit %d: %s" % (p.returncode, p.stderr))
    d = env.dump(t)
    runs = sum(1 for e in events(d) if e[2] == "exit")
    if runs == 0:
        fail("no KVM_RUN recorded from QEMU in 2 s")
    rc, text = replay_rc(env, t)
    if rc not in (0, 125):
        fail("replay --check-once of QEMU attached mid-run: %d\n%s" % (rc, text))
    if rc == 125 and "cannot decide" not in text and "undecided" not in text.lower():
        fail("125 without a named reason:\n%s" % text)
    print("QEMU attached mid-run: %d KVM_RUN; check-once %d" % (runs, rc))
    print("\n".join(line for line in text.splitlines() if "check-once" in line or
                    "verdict" in line))
    print("PASS")


def scenario_drops(env):
    """The BPF program cannot wait: with a 64 KiB buffer and the recorder
    stopped for half a second, records are lost, and every loss is counted: in
    Drop records, in the footer, on stderr, and replay says 125."""
    need_bpf(env)
    t = env.path("drops.zst")
    argv = [env.pioloop, "--smp", "2", "--exits", "100000", "--stats"]
    rec = subprocess.Popen([env.kvmrec, "record", "--backend", "bpf", "--ring-size", "64K",
                            "--no-kernel-events", "-o", t, "--", *argv],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(0.4)
    os.kill(rec.pid, signal.SIGSTOP)
    time.sleep(0.5)
    os.kill(rec.pid, signal.SIGCONT)
    out, err = rec.communicate(timeout=300)
    # 0, or 4 where record's exit status says the recording lost data.
    if rec.returncode not in (0, 4):
        fail("record exit %d: %s" % (rec.returncode, err))
    want = sum(stats_counts(err, STATS).values())
    d = env.dump(t)
    evs = events(d)
    check_seq(evs)
    runs = sum(1 for e in evs if e[2] == "exit")
    drops = sum(int(m.group(1)) for _, _, kind, rest in evs if kind == "drop"
                for m in [re.search(r"(\d+)", rest)] if m)
    m = re.search(r"dropped=(\d+)", footer(d) or "")
    if not m:
        fail("no dropped count in the footer: %s" % footer(d))
    if drops == 0 or int(m.group(1)) != drops:
        fail("Drop records say %d, footer %s" % (drops, m.group(1)))
    if runs >= want or runs + drops < want:
        fail("%d KVM_RUN recorded + %d dropped does not account for the VMM's %d" %
             (runs, drops, want))
    if not re.search(r"%d records (lost by the bpf backend|dropped)" % drops, err):
        fail("no line on stderr counting the %d lost records: %s" % (drops, err))
    rc, text = replay_rc(env, t)
    if rc != 125 or "dropped" not in text:
        fail("replay of a lossy trace: want a 125 naming the drops, got %d\n%s" % (rc, text))
    print("%d of %d KVM_RUN recorded, %d records dropped and counted; replay 125" %
          (runs, want, drops))
    print("PASS")


def scenario_errors(env):
    """One line and exit 2 for each way attaching can fail."""
    need_bpf(env)

    def expect(argv, text, what, rc=2):
        p = run([env.kvmrec, "record", *argv])
        lines = p.stderr.strip().splitlines()
        if p.returncode != rc or text not in p.stderr or len(lines) != 1:
            fail("%s: want exit %d and one line with %r, got %d: %r" %
                 (what, rc, text, p.returncode, p.stderr))
        print("%s: %s" % (what, lines[0]))

    sleeper = subprocess.Popen(["sleep", "30"])
    try:
        expect(["--pid", str(sleeper.pid), "-o", env.path("e1.zst")], "not a KVM VMM",
               "not a VMM")
    finally:
        sleeper.kill()
        sleeper.wait()
    expect(["--pid", "12ab", "-o", env.path("e2.zst")], "not a process id", "bad pid")
    expect(["--pid", "4194000", "-o", env.path("e2.zst")], "no such process", "no process")
    expect(["--duration", "2", "--", "/bin/true"], "--duration needs --pid", "duration alone")
    expect(["--backend", "ebpf", "--", "/bin/true"], "want preload or bpf", "bad backend")
    expect(["--pid", "1", "--", "/bin/true"], "give no VMM command", "pid and VMM")

    vmm = start_unrecorded([env.pioloop, "--exits", "400000"])
    try:
        wait_for_vm(vmm.pid)
        first = subprocess.Popen([env.kvmrec, "record", "--pid", str(vmm.pid), "--duration", "3",
                                  "-o", env.path("e3.zst")], stderr=subprocess.PIPE, text=True)
        time.sleep(1.0)
        expect(["--pid", str(vmm.pid), "-o", env.path("e4.zst")], "already being recorded",
               "second recorder")
        first.communicate(timeout=60)
        if first.returncode != 0:
            fail("the first recorder failed: %d" % first.returncode)
    finally:
        vmm.kill()
        vmm.wait()
    if os.path.exists(env.path("e4.zst")):
        fail("the refused recorder left a trace behind")

    # No BTF: the kernel's BTF hidden under an empty tmpfs in a mount namespace.
    if subprocess.run(["unshare", "-m", "true"], capture_output=True).returncode == 0:
        p = subprocess.run(["unshare", "-m", "sh", "-c",
                            'mount -t tmpfs none /sys/kernel/btf && exec "$0" "$@"',
                            env.kvmrec, "record", "--backend", "bpf", "-o", env.path("e6.zst"),
                            "--", "/bin/true"], capture_output=True, text=True, timeout=60)
        if (p.returncode != 2 or "no kernel BTF" not in p.stderr or
                len(p.stderr.strip().splitlines()) != 1 or os.path.exists(env.path("e6.zst"))):
            fail("bpf without BTF: want exit 2, one line naming the missing BTF, no trace; "
                 "got %d: %r" % (p.returncode, p.stderr))
        print("no BTF: " + p.stderr.strip())
    else:
        print("no BTF: not checked (no mount namespaces here)")
    if os.geteuid() == 0:
        os.chmod(env.tmp, 0o777)
        p = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                            env.kvmrec, "record", "--backend", "bpf", "-o", env.path("e5.zst"),
                            "--", "/bin/true"], capture_output=True, text=True, timeout=60)
        if p.returncode != 2 or "no permission to use BPF" not in p.stderr:
            fail("unprivileged --backend bpf: want exit 2 and 'no permission to use BPF', "
                 "got %d: %r" % (p.returncode, p.stderr))
        print("unprivileged: " + p.stderr.strip())
    print("PASS")


def main():
    if len(sys.argv) != 5:
        print(__doc__)
        return 2
    env = Env(sys.argv[2], sys.argv[3], None)
    fn = globals().get("scenario_" + sys.argv[1])
    if not fn:
        print("unknown scenario " + sys.argv[1])
        return 2
    fn(env)
    return 0


if __name__ == "__main__":
    sys.exit(main())
