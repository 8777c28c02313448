/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * raw: the records the interposer copies into its ring, as the recorder
 * parent reads them. Fixed little headers, no pointers, no encoding: the vCPU
 * thread only copies. Every record is a multiple of 8 bytes and starts with
 * struct raw_hdr; RAW_PAD records fill the end of the ring before a wrap.
 * The parent validates every length before it trusts it (the VMM could
 * scribble on the shared memory), so nothing here may be taken on faith.
 */
#ifndef KVMREC_RECORDER_RAW_H
#define KVMREC_RECORDER_RAW_H

#ifndef __bpf__
#include <linux/kvm.h>
#include <stdint.h>
#endif

enum raw_type {
	RAW_PAD = 0,
	RAW_RUN = 1,       /* one KVM_RUN call: entry state, exit state, payload */
	RAW_RUN_ENTRY = 2, /* at the next KVM_RUN: what the guest's IN/MMIO read got */
	RAW_IOCTL = 3,     /* any other recorded KVM ioctl, argument copied after */
};

enum raw_fdkind {
	RAW_FD_NONE = 0,
	RAW_FD_KVM = 1,
	RAW_FD_VM = 2,
	RAW_FD_VCPU = 3,
};

struct raw_hdr {
	uint32_t len;      /* whole record incl. header, multiple of 8 */
	uint16_t type;     /* enum raw_type */
	uint16_t fdkind;   /* enum raw_fdkind of the fd the ioctl went to */
	int32_t vcpu;      /* vCPU id, -1 for VM and system fds */
	uint32_t req;      /* ioctl request, low 32 bits */
	uint64_t ts;       /* CLOCK_MONOTONIC ns, at return */
	int64_t ret;       /* ioctl return value */
	int32_t err;       /* errno when ret < 0 */
	uint32_t arglen;   /* bytes of payload after the fixed part */
};

/* RAW_RUN: raw_hdr, raw_run, union_len bytes of kvm_run's exit union, data_len of I/O data. */
struct raw_run {
	uint64_t entry_ts;
	uint64_t cr8_in;
	uint64_t cr8;
	uint64_t apic_base;
	uint32_t exit_reason;
	uint16_t flags;     /* Kvmrec RunFlag bits */
	uint16_t run_flags; /* kvm_run->flags */
	uint32_t union_len;
	uint32_t data_len;
};

#define RAW_ALIGN(n) (((n) + 7u) & ~7u)
#define RAW_MAX_ARG 4096u  /* biggest argument copy (GSI routing tables are cut here) */

/* Per-vCPU state the interposer remembers between an exit and the next entry. */
enum raw_pending {
	RAW_PENDING_NONE = 0,
	RAW_PENDING_IN = 1,
	RAW_PENDING_MMIO_READ = 2,
	RAW_PENDING_RDMSR = 3,   /* entry data: u64 msr.data, u8 msr.error */
};

/*
 * Bytes of kvm_run's exit union that carry the exit's payload, by exit
 * reason (on the BPF side bpf/kvmrec_bpf.h brings the KVM_EXIT_* names).
 * Both backends copy exactly this much.
 */
static inline uint32_t raw_exit_union_len(uint32_t reason)
{
	switch (reason) {
	case KVM_EXIT_HLT:
	case KVM_EXIT_IRQ_WINDOW_OPEN:
	case KVM_EXIT_INTR:
	case KVM_EXIT_SHUTDOWN:
	case KVM_EXIT_SET_TPR:
		return 0;
	case KVM_EXIT_IO:
	case KVM_EXIT_TPR_ACCESS:
	case KVM_EXIT_FAIL_ENTRY:
		return 16;
	case KVM_EXIT_MMIO:
	case KVM_EXIT_X86_RDMSR:
	case KVM_EXIT_X86_WRMSR:
		return 24;
	case KVM_EXIT_IOAPIC_EOI:
		return 8;
	case KVM_EXIT_DEBUG:
		return 32;
	case KVM_EXIT_HYPERCALL:
		return 72;
	case KVM_EXIT_SYSTEM_EVENT:
	case KVM_EXIT_INTERNAL_ERROR:
		return 136;
	default:
		return 256;
	}
}

#endif
