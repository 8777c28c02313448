/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * policy: what a VMM with a userspace PIC and a userspace copy of the LAPIC
 * (kernel_irqchip=split) decides before each KVM_RUN: which vector to inject
 * with KVM_INTERRUPT, and whether to ask for an interrupt window.
 *
 * A policy is a set of named, independent knobs; the named variants are
 * compositions of them. policy_pre_run() works on caller-owned state only
 * (the PIC and the copy) and never fails. Names that are not known give
 * NULL from policy_find().
 */
#ifndef KVMREC_POLICY_H
#define KVMREC_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "apic_copy.h"
#include "pic8259.h"

enum policy_knob {
	/* cpu_get_pic_interrupt() asks the userspace APIC copy before the PIC. */
	KNOB_COPY_FIRST,
	/* A pending interrupt in the copy makes the VMM want an interrupt window. */
	KNOB_COPY_WANTS_WINDOW,
	/* The copy is refreshed with KVM_GET_LAPIC on each TPR-access report. */
	KNOB_SYNC_ON_TPR,
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

const struct policy_knob_info *policy_knob(enum policy_knob k);
/* "qemu-2.7", "qemu-fixed" (aliases: "fixed", "qemu"); NULL if unknown. */
const struct policy *policy_find(const char *name);
/* The named variants, for --help; NULL-terminated. */
const struct policy *const *policy_variants(void);

static inline bool policy_has(const struct policy *p, enum policy_knob k)
{
	return (p->knobs >> k) & 1;
}

struct policy_decision {
	int vector;		/* to KVM_INTERRUPT, -1 for none */
	bool from_copy;		/* the vector came from the userspace copy */
	bool window;		/* request_interrupt_window */
};

/*
 * One pre-run: @ready and @if_flag are kvm_run's ready_for_interrupt_injection
 * and if_flag from the previous exit. Updates @pic and @copy as the VMM's
 * own devices would be (INTA cycle, copy IRR -> ISR) when it injects.
 */
void policy_pre_run(const struct policy *p, struct pic_pair *pic, struct apic_copy *copy,
		    bool ready, bool if_flag, struct policy_decision *d);

#endif
