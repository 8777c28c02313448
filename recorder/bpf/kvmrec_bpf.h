/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kvmrec_bpf: what the kernel-side recorder (kvmrec.bpf.c) and its loader
 * (bpf_backend.c) agree on. The program writes the raw records of raw.h into
 * a BPF ring buffer, each behind a struct brec_prefix naming the thread; it
 * never blocks, so every record it could not write is counted in the per-CPU
 * drop counters, by reason. The KVM numbers are spelled out here because the
 * BPF side cannot include <linux/kvm.h> next to vmlinux.h; the loader checks
 * each one against the UAPI header (and the RunFlag bits against the
 * generated kvmrec.pb-c.h) at compile time.
 */
#ifndef KVMREC_RECORDER_BPF_H
#define KVMREC_RECORDER_BPF_H

enum brec_drop {
	BREC_DROP_RINGBUF = 0,   /* the ring buffer was full */
	BREC_DROP_INFLIGHT = 1,  /* no room to remember a KVM_RUN entry */
	BREC_DROP_READ = 2,      /* kvm_run or an argument could not be read */
	BREC_NDROPS = 3,
};

/* Ahead of every raw record in the BPF ring buffer. */
struct brec_prefix {
	unsigned int tid;
	unsigned int what;   /* BREC_RECORD: a raw record follows; BREC_THREAD_EXIT: alone */
};

#define BREC_RECORD 0u
#define BREC_THREAD_EXIT 1u  /* the thread is gone: its ring can serve another */

/* Scratch per CPU: prefix, raw_hdr, raw_run, the exit union and I/O data. */
#define BREC_SCRATCH 8192u

#define BREC_IOC(dir, nr, size) (((dir) << 30) | ((size) << 16) | (0xAEu << 8) | (nr))
#define BREC_IO(nr) BREC_IOC(0u, nr, 0u)
#define BREC_IOW(nr, size) BREC_IOC(1u, nr, size)
#define BREC_IOR(nr, size) BREC_IOC(2u, nr, size)
#define BREC_IOWR(nr, size) BREC_IOC(3u, nr, size)

#define BREC_KVM_CREATE_VM BREC_IO(0x01u)
#define BREC_KVM_CREATE_VCPU BREC_IO(0x41u)
#define BREC_KVM_RUN BREC_IO(0x80u)
#define BREC_KVM_CREATE_IRQCHIP BREC_IO(0x60u)
#define BREC_KVM_NMI BREC_IO(0x9au)
#define BREC_KVM_INTERRUPT BREC_IOW(0x86u, 4u)
#define BREC_KVM_IRQ_LINE BREC_IOW(0x61u, 8u)
#define BREC_KVM_IRQ_LINE_STATUS BREC_IOWR(0x67u, 8u)
#define BREC_KVM_SIGNAL_MSI BREC_IOW(0xa5u, 32u)
#define BREC_KVM_IRQFD BREC_IOW(0x76u, 32u)
#define BREC_KVM_GET_VCPU_EVENTS BREC_IOR(0x9fu, 64u)
#define BREC_KVM_SET_VCPU_EVENTS BREC_IOW(0xa0u, 64u)
#define BREC_KVM_GET_LAPIC BREC_IOR(0x8eu, 1024u)
#define BREC_KVM_SET_LAPIC BREC_IOW(0x8fu, 1024u)
#define BREC_KVM_ENABLE_CAP BREC_IOW(0xa3u, 104u)
#define BREC_KVM_TPR_ACCESS_REPORTING BREC_IOWR(0x92u, 40u)
#define BREC_KVM_SET_VAPIC_ADDR BREC_IOW(0x93u, 8u)
#define BREC_KVM_SET_GSI_ROUTING BREC_IOW(0x6au, 8u)
#define BREC_KVM_SET_CPUID2 BREC_IOW(0x90u, 8u)
#define BREC_ROUTE_ENTRY 48u  /* sizeof(struct kvm_irq_routing_entry) */

#define BREC_EXIT_IO 2u
#define BREC_EXIT_MMIO 6u
#define BREC_EXIT_X86_RDMSR 29u
#define BREC_IO_IN 0u
#define BREC_IO_OUT 1u
#define BREC_PIO_PAGE 4096u  /* KVM_PIO_PAGE_OFFSET * PAGE_SIZE: where I/O data sits */

/* enum RunFlag of proto/kvmrec.proto, which the BPF side cannot include either. */
#define BREC_RUN_REQUEST_IRQ_WINDOW 1u
#define BREC_RUN_IMMEDIATE_EXIT 2u
#define BREC_RUN_READY_FOR_INJECTION 4u
#define BREC_RUN_IF_FLAG 8u

/*
 * The exit reasons raw_exit_union_len() names, with their UAPI values: the
 * BPF side gets them as constants, the loader checks each against
 * <linux/kvm.h> at compile time.
 */
#define BREC_EXIT_REASONS(X) \
	X(IO, 2) X(HYPERCALL, 3) X(DEBUG, 4) X(HLT, 5) X(MMIO, 6) \
	X(IRQ_WINDOW_OPEN, 7) X(SHUTDOWN, 8) X(FAIL_ENTRY, 9) X(INTR, 10) \
	X(SET_TPR, 11) X(TPR_ACCESS, 12) X(INTERNAL_ERROR, 17) \
	X(SYSTEM_EVENT, 24) X(IOAPIC_EOI, 26) X(X86_RDMSR, 29) X(X86_WRMSR, 30)

#ifdef __bpf__
#define BREC_EXIT_CONST(name, val) KVM_EXIT_##name = val,
enum { BREC_EXIT_REASONS(BREC_EXIT_CONST) };
#undef BREC_EXIT_CONST
#endif

#endif
