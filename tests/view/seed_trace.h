/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * seed_trace: synthetic traces for the view tests, made with the trace
 * builder (tests/synth/synth.h). The shape is the seed's: one vCPU that gets
 * vectors 32 and 62 accepted by the in-kernel LAPIC, a TPR-access exit with a KVM_GET_LAPIC that
 * sees 62 pending, the kernel delivering (EOI of) 62, and - under the QEMU 2.7
 * rule - an irq-window request, IRQ_WINDOW_OPEN exit and a KVM_INTERRUPT of 62
 * again. A second vCPU does plain port I/O so the traces have two streams.
 *
 * linux_irq0 is instead the shape of a split-irqchip QEMU Linux boot: IRQ 0's
 * vector 0x30 goes through the 8259 with KVM_INTERRUPT first (the guest then
 * EOIs it at the PIC), later through the IOAPIC to the in-kernel LAPIC
 * (accept, EOI). Two requests, two deliveries: nothing is wrong.
 */
#ifndef KVMREC_TESTS_VIEW_SEED_TRACE_H
#define KVMREC_TESTS_VIEW_SEED_TRACE_H

#include <stdbool.h>
#include <stdint.h>

struct seed_trace_opts {
	bool qemu27;          /* the double injection */
	bool linux_irq0;      /* vector 0x30 from the PIC, then from the IOAPIC */
	uint64_t ts_seed;     /* varies timestamps, thread ids and EINTR exits only */
	unsigned int loops;   /* trailing port writes per vCPU */
	unsigned int drops;   /* a Drop record of this many, if non-zero */
	bool no_footer;       /* abort instead of close: reads as truncated */
	bool future;          /* records from a newer recorder (unknown ids, args, fields) */
	/*
	 * If non-zero: vCPU 0 reads the RTC (IN port 0x71) in two of its
	 * loops and is given rtc + loop; two traces with another rtc differ
	 * in inputs only.
	 */
	uint8_t rtc;
	/* If non-zero: vCPU 0 writes port 0x81 once more in these loops (1-based). */
	unsigned int extra_at[2];
};

/* Writes @path. Returns 0 or -errno. Sets *seq_dup to the KVM_INTERRUPT's seq. */
int seed_trace_write(const char *path, const struct seed_trace_opts *o, uint64_t *seq_dup);

#endif
