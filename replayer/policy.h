/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * policy: what a VMM with a userspace PIC and a userspace copy of the LAPIC
 * (kernel_irqchip=split) decides before each KVM_RUN, modelled on QEMU's
 * kvm_arch_pre_run(): if its interrupt request (CPU_INTERRUPT_HARD) is up
 * and kvm_run says ready_for_interrupt_injection and if_flag, it asks for a
 * vector and injects it with KVM_INTERRUPT; then request_interrupt_window =
 * the request.
 *
 * A policy is a set of named, independent knobs; the named variants are
 * compositions of them. The functions work on caller-owned state only (the
 * PIC, the per-vCPU copy and request flag) and never fail. policy_find()
 * gives NULL for a name it does not know.
 */
#ifndef KVMREC_POLICY_H
#define KVMREC_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "apic_copy.h"
#include "pic8259.h"

enum policy_knob {
	/*
	 * The userspace APIC copy is live although the LAPIC is in the kernel:
	 * cpu_get_pic_interrupt() asks it before the PIC (apic_get_interrupt)
	 * and a deliverable vector in it raises the request (apic_update_irq).
	 */
	KNOB_COPY_CONSULTED,
	/* The copy is refreshed with KVM_GET_LAPIC on each TPR-access report. */
	KNOB_SYNC_ON_TPR,
	/* A vector the copy's PPR masks makes it answer the spurious vector. */
	KNOB_MASKED_SPURIOUS,
	/*
	 * A LAPIC page read at a state sync is written back with KVM_SET_LAPIC
	 * before the vCPU runs again, over whatever the kernel accepted since.
	 * It changes no injection decision; bisect's what-if skips the
	 * vCPU's run-time KVM_SET_LAPICs when it is off (check_wipe.h).
	 */
	KNOB_STALE_SETLAPIC,
	KNOB_COUNT
};

struct policy_knob_info {
	const char *name;	/* "copy-first" */
	const char *on;		/* what the VMM does with the knob on */
	const char *fix_off;	/* the change, in words, that turns it off */
	const char *fix_on;	/* ... and on */
};

struct policy {
	const char *name;	/* "qemu-2.7" */
	const char *what;	/* one line */
	uint32_t knobs;		/* bit n: knob n on */
};

/* One vCPU as the VMM's injection logic sees it. */
struct policy_vcpu {
	struct apic_copy copy;
	bool irq_hard;		/* QEMU's CPU_INTERRUPT_HARD */
	bool bsp;		/* the PIC's INTR is wired to this vCPU (vCPU 0) */
};

const struct policy_knob_info *policy_knob(enum policy_knob k);
/*
 * "qemu-2.7", "qemu-fixed" (aliases "fixed", "qemu"), "stale-setlapic", or
 * "kvmrec-vmm": the one the trace header names, resolved by the VMM's profile (profile.h);
 * NULL if unknown.
 */
const struct policy *policy_find(const char *name);
bool policy_is_from_trace(const struct policy *p);
/* The named variants, for --help; NULL-terminated. */
const struct policy *const *policy_variants(void);

static inline bool policy_has(const struct policy *p, enum policy_knob k)
{
	return (p->knobs >> k) & 1;
}

struct policy_decision {
	int vector;		/* to KVM_INTERRUPT, -1 for none */
	bool from_copy;		/* the vector came from the userspace copy */
	bool spurious;		/* the PIC's INTA found no request (IRQ 7) */
	bool window;		/* request_interrupt_window */
};

/* The PIC's INTR output after any change to the PIC (pic_irq_request()). */
void policy_pic_output(const struct policy *p, struct policy_vcpu *bsp, bool level);
/* The copy was refreshed from KVM_GET_LAPIC; @pic_out is the PIC's INTR. */
void policy_lapic_synced(const struct policy *p, struct policy_vcpu *v, bool pic_out);
/*
 * One pre-run. @ready and @if_flag are from the previous exit. Updates
 * @pic (INTA cycle) and @v (copy IRR -> ISR, request flag) as the VMM's own
 * devices would be.
 */
void policy_pre_run(const struct policy *p, struct pic_pair *pic, struct policy_vcpu *v,
		    bool ready, bool if_flag, struct policy_decision *d);

#endif
