#!/usr/bin/env python3
"""The seed's ftrace text as a trace-cmd .dat file, by an honest route.

trace-cmd cannot make a .dat from text, and Debian's libtracecmd-dev has no
public output API. So this writes the file itself, as trace-cmd.dat.v6(5)
specifies it: the ring buffer's header_page and header_event, the kvm event
formats as Linux 4.7 (2016, the seed's era) declares them in
arch/x86/kvm/trace.h and include/trace/events/kvm.h, the seed's comm in the
saved cmdlines, and one ring-buffer page per CPU holding each event of the
seed as the kernel would have recorded it: common header, then the fields
whose values the seed's text shows, time deltas from the page timestamp.

It does not trust itself: `trace-cmd report` of the file must print every
event of the seed again, same name and same text (dat_seed.sh checks).

Usage: seed2dat.py SEED.txt OUT.dat
"""
import re
import struct
import sys

PAGE = 4096
COMMON = """\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;
\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;
\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;
\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;
"""
HEADER_PAGE = """\tfield: u64 timestamp;\toffset:0;\tsize:8;\tsigned:0;
\tfield: local_t commit;\toffset:8;\tsize:8;\tsigned:1;
\tfield: int overwrite;\toffset:8;\tsize:1;\tsigned:1;
\tfield: char data;\toffset:16;\tsize:4080;\tsigned:0;
"""
HEADER_EVENT = """# compressed entry header
\ttype_len    :    5 bits
\ttime_delta  :   27 bits
\tarray       :   32 bits

\tpadding     : type == 29
\ttime_extend : type == 30
\tdata max type_len  == 28
"""
VMX = [(0, "EXCEPTION_NMI"), (1, "EXTERNAL_INTERRUPT"), (2, "TRIPLE_FAULT"),
       (7, "PENDING_INTERRUPT"), (8, "NMI_WINDOW"), (9, "TASK_SWITCH"), (10, "CPUID"),
       (12, "HLT"), (13, "INVD"), (14, "INVLPG"), (15, "RDPMC"), (16, "RDTSC"),
       (18, "VMCALL"), (19, "VMCLEAR"), (20, "VMLAUNCH"), (21, "VMPTRLD"), (22, "VMPTRST"),
       (23, "VMREAD"), (24, "VMRESUME"), (25, "VMWRITE"), (26, "VMOFF"), (27, "VMON"),
       (28, "CR_ACCESS"), (29, "DR_ACCESS"), (30, "IO_INSTRUCTION"), (31, "MSR_READ"),
       (32, "MSR_WRITE"), (33, "INVALID_STATE"), (34, "MSR_LOAD_FAIL"),
       (36, "MWAIT_INSTRUCTION"), (37, "MONITOR_TRAP_FLAG"), (39, "MONITOR_INSTRUCTION"),
       (40, "PAUSE_INSTRUCTION"), (41, "MCE_DURING_VMENTRY"), (43, "TPR_BELOW_THRESHOLD"),
       (44, "APIC_ACCESS"), (45, "EOI_INDUCED"), (48, "EPT_VIOLATION"),
       (49, "EPT_MISCONFIG"), (50, "INVEPT"), (51, "RDTSCP"), (52, "PREEMPTION_TIMER"),
       (53, "INVVPID"), (54, "WBINVD"), (55, "XSETBV"), (56, "APIC_WRITE"), (58, "INVPCID"),
       (62, "PML_FULL"), (63, "XSAVES"), (64, "XRSTORS"), (67, "PCOMMIT")]
APIC = [(0x20, "APIC_ID"), (0x30, "APIC_LVR"), (0x80, "APIC_TASKPRI"), (0x90, "APIC_ARBPRI"),
        (0xA0, "APIC_PROCPRI"), (0xB0, "APIC_EOI"), (0xC0, "APIC_RRR"), (0xD0, "APIC_LDR"),
        (0xE0, "APIC_DFR"), (0xF0, "APIC_SPIV"), (0x100, "APIC_ISR"), (0x180, "APIC_TMR"),
        (0x200, "APIC_IRR"), (0x280, "APIC_ESR"), (0x300, "APIC_ICR"), (0x310, "APIC_ICR2"),
        (0x320, "APIC_LVTT"), (0x330, "APIC_LVTTHMR"), (0x340, "APIC_LVTPC"),
        (0x350, "APIC_LVT0"), (0x360, "APIC_LVT1"), (0x370, "APIC_LVTERR"),
        (0x380, "APIC_TMICT"), (0x390, "APIC_TMCCT"), (0x3E0, "APIC_TDCR"),
        (0x3F0, "APIC_SELF_IPI")]
USER_EXIT = ["KVM_EXIT_UNKNOWN", "KVM_EXIT_EXCEPTION", "KVM_EXIT_IO", "KVM_EXIT_HYPERCALL",
             "KVM_EXIT_DEBUG", "KVM_EXIT_HLT", "KVM_EXIT_MMIO", "KVM_EXIT_IRQ_WINDOW_OPEN",
             "KVM_EXIT_SHUTDOWN", "KVM_EXIT_FAIL_ENTRY", "KVM_EXIT_INTR", "KVM_EXIT_SET_TPR",
             "KVM_EXIT_TPR_ACCESS", "KVM_EXIT_S390_SIEIC", "KVM_EXIT_S390_RESET", "KVM_EXIT_DCR",
             "KVM_EXIT_NMI", "KVM_EXIT_INTERNAL_ERROR", "KVM_EXIT_OSI", "KVM_EXIT_PAPR_HCALL",
             "KVM_EXIT_S390_UCONTROL", "KVM_EXIT_WATCHDOG", "KVM_EXIT_S390_TSCH", "KVM_EXIT_EPR",
             "KVM_EXIT_SYSTEM_EVENT", "KVM_EXIT_S390_STSI", "KVM_EXIT_IOAPIC_EOI"]


def sym(table):
    return ", ".join('{ %d, "%s" }' % (v, n) for v, n in table)


def field(decl, off, size, signed):
    return f"\tfield:{decl};\toffset:{off};\tsize:{size};\tsigned:{signed};\n"


# name: (id, fields [(decl, offset, size, signed)], struct layout after the common header, print fmt)
EVENTS = {
    "kvm_entry": (1001, [("unsigned int vcpu_id", 8, 4, 0)], "<I",
                  '"vcpu %u", REC->vcpu_id'),
    "kvm_exit": (1002, [("unsigned int exit_reason", 8, 4, 0), ("unsigned long guest_rip", 16, 8, 0),
                        ("u32 isa", 24, 4, 0), ("u64 info1", 32, 8, 0), ("u64 info2", 40, 8, 0)],
                 "<I4xQI4xQQ",
                 '"reason %s rip 0x%lx info %llx %llx", (REC->isa == 1) ? '
                 '__print_symbolic(REC->exit_reason, ' + sym(VMX) + ') : '
                 '__print_symbolic(REC->exit_reason, ' + sym(VMX) + '), '
                 'REC->guest_rip, REC->info1, REC->info2'),
    "kvm_apic": (1003, [("unsigned int rw", 8, 4, 0), ("unsigned int reg", 12, 4, 0),
                        ("unsigned int val", 16, 4, 0)], "<III",
                 '"apic_%s %s = 0x%x", REC->rw ? "write" : "read", '
                 '__print_symbolic(REC->reg, ' + sym(APIC) + '), REC->val'),
    "kvm_eoi": (1004, [("__u32 apicid", 8, 4, 0), ("int vector", 12, 4, 1)], "<Ii",
                '"apicid %x vector %d", REC->apicid, REC->vector'),
    "kvm_msr": (1005, [("unsigned write", 8, 4, 0), ("u32 ecx", 12, 4, 0), ("u64 data", 16, 8, 0),
                       ("u8 exception", 24, 1, 0)], "<IIQB3x",
                '"msr_%s %x = 0x%llx%s", REC->write ? "write" : "read", REC->ecx, '
                'REC->data, REC->exception ? " (#GP)" : ""'),
    "kvm_userspace_exit": (1006, [("__u32 reason", 8, 4, 0), ("int errno", 12, 4, 1)], "<Ii",
                           '"reason %s (%d)", REC->errno < 0 ? (REC->errno == -4 ? "restart" : '
                           '"error") : __print_symbolic(REC->reason, '
                           + sym(list(enumerate(USER_EXIT))) +
                           '), REC->errno < 0 ? -REC->errno : REC->reason'),
    "kvm_inj_virq": (1007, [("unsigned int irq", 8, 4, 0)], "<I", '"irq %u", REC->irq'),
}


def format_file(name):
    eid, fields, _, fmt = EVENTS[name]
    body = "".join(field(*f) for f in fields)
    return f"name: {name}\nID: {eid}\nformat:\n{COMMON}\n{body}\nprint fmt: {fmt}\n"


LINE = re.compile(r"^\s*(.+)-(\d+)\s+\[(\d+)\]\s+(\S{4})\s+(\d+)\.(\d{6}):\s+(\w+):\s*(.*)$")
REASONS = {n: v for v, n in VMX}
APICREG = {n: v for v, n in APIC}


def fields_of(name, text):
    """The field values the seed's text shows for one event, in struct order."""
    if name == "kvm_entry":
        return [int(re.fullmatch(r"vcpu (\d+)", text).group(1))]
    if name == "kvm_exit":
        m = re.fullmatch(r"reason (\w+) rip 0x([0-9a-f]+) info ([0-9a-f]+) ([0-9a-f]+)", text)
        return [REASONS[m.group(1)], int(m.group(2), 16), 1, int(m.group(3), 16), int(m.group(4), 16)]
    if name == "kvm_apic":
        m = re.fullmatch(r"apic_(read|write) (\w+) = 0x([0-9a-f]+)", text)
        return [m.group(1) == "write", APICREG[m.group(2)], int(m.group(3), 16)]
    if name == "kvm_eoi":
        m = re.fullmatch(r"apicid ([0-9a-f]+) vector (-?\d+)", text)
        return [int(m.group(1), 16), int(m.group(2))]
    if name == "kvm_msr":
        m = re.fullmatch(r"msr_(read|write) ([0-9a-f]+) = 0x([0-9a-f]+)( \(#GP\))?", text)
        return [m.group(1) == "write", int(m.group(2), 16), int(m.group(3), 16), bool(m.group(4))]
    if name == "kvm_userspace_exit":
        m = re.fullmatch(r"reason (\w+) \((\d+)\)", text)
        return [USER_EXIT.index(m.group(1)), 0]
    if name == "kvm_inj_virq":
        return [int(re.fullmatch(r"irq (\d+)", text).group(1))]
    raise ValueError(name)


def read_seed(path):
    """Events of the pasted text; a line that is not an event continues the one before."""
    events = []
    for raw in open(path):
        line = raw.rstrip("\n")
        m = LINE.match(line)
        if m:
            events.append(list(m.groups()))
        elif line.strip() and events:
            events[-1][7] = (events[-1][7] + " " + line.strip()).strip()
    out = []
    for comm, pid, cpu, lat, sec, usec, name, text in events:
        flags = 0x01 if lat[0] == "d" else 0
        preempt = int(lat[3]) if lat[3].isdigit() else 0
        out.append(dict(comm=comm, pid=int(pid), cpu=int(cpu), flags=flags, preempt=preempt,
                        ts=int(sec) * 10**9 + int(usec) * 1000, name=name, text=text))
    return out


def page_of(events):
    """One ring-buffer page: timestamp, commit, then 4-byte-aligned events."""
    base = events[0]["ts"]
    data, last = b"", base
    for e in events:
        eid, _, layout, _ = EVENTS[e["name"]]
        rec = struct.pack("<HBBi", eid, e["flags"], e["preempt"], e["pid"])
        rec += struct.pack(layout, *fields_of(e["name"], e["text"]))
        rec += b"\0" * (-len(rec) % 4)
        assert len(rec) <= 28 * 4
        delta = e["ts"] - last
        assert 0 <= delta < 1 << 27
        data += struct.pack("<I", (len(rec) // 4) | (delta << 5)) + rec
        last = e["ts"]
    assert 16 + len(data) <= PAGE
    page = struct.pack("<Qq", base, len(data)) + data
    return page + b"\0" * (PAGE - len(page))


def write_dat(events, out):
    ncpu = max(e["cpu"] for e in events) + 1
    h = b"\x17\x08Dtracing6\0" + bytes([0, 8]) + struct.pack("<I", PAGE)
    h += b"header_page\0" + struct.pack("<Q", len(HEADER_PAGE)) + HEADER_PAGE.encode()
    h += b"header_event\0" + struct.pack("<Q", len(HEADER_EVENT)) + HEADER_EVENT.encode()
    h += struct.pack("<I", 0)                          # no ftrace-internal formats
    names = sorted({e["name"] for e in events})
    h += struct.pack("<I", 1) + b"kvm\0" + struct.pack("<I", len(names))
    for n in names:
        f = format_file(n).encode()
        h += struct.pack("<Q", len(f)) + f
    h += struct.pack("<I", 0)                          # kallsyms: none needed
    h += struct.pack("<I", 0)                          # trace_printk formats: none
    cmdlines = "".join(f"{p} {c}\n" for p, c in sorted({(e["pid"], e["comm"][:15]) for e in events}))
    h += struct.pack("<Q", len(cmdlines)) + cmdlines.encode()
    h += struct.pack("<I", ncpu) + b"flyrecord\0"
    table_at = len(h)
    h += b"\0" * (16 * ncpu)
    pages = [page_of([e for e in events if e["cpu"] == c]) if any(e["cpu"] == c for e in events)
             else b"" for c in range(ncpu)]
    off = -(-len(h) // PAGE) * PAGE
    table, body = b"", b""
    for p in pages:
        table += struct.pack("<QQ", off + len(body), len(p))
        body += p
    h = h[:table_at] + table + h[table_at + len(table):]
    with open(out, "wb") as f:
        f.write(h + b"\0" * (off - len(h)) + body)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    events = read_seed(sys.argv[1])
    if not events:
        sys.exit(f"seed2dat: {sys.argv[1]}: no events")
    write_dat(events, sys.argv[2])
    print(f"seed2dat: {sys.argv[1]} -> {sys.argv[2]}: {len(events)} events")


if __name__ == "__main__":
    main()
