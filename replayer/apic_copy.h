/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * apic_copy: the VMM's userspace copy of one vCPU's LAPIC (QEMU's APIC
 * device state under kernel_irqchip=split). It changes only where the trace
 * shows the VMM synced it (KVM_GET_LAPIC, KVM_SET_LAPIC) and where the
 * VMM itself took an interrupt from it, so it goes stale exactly as the
 * VMM's did. Pure state, total functions.
 */
#ifndef KVMREC_APIC_COPY_H
#define KVMREC_APIC_COPY_H

#include <stdbool.h>
#include <stdint.h>

struct apic_copy {
	uint32_t irr[8];
	uint32_t isr[8];
	uint8_t tpr;
	uint32_t spiv;
	uint32_t lvt0;
	uint64_t apic_base;	/* from the last exit; 0 until one is seen */
	bool synced;		/* at least one sync seen */
};

void apic_copy_init(struct apic_copy *c);
void apic_copy_sync(struct apic_copy *c, const uint32_t irr[8], const uint32_t isr[8],
		    uint8_t tpr, uint32_t spiv, uint32_t lvt0);
/* Highest deliverable IRR vector; 0 if none; -1 if one is pending but masked by PPR. */
int apic_copy_irq_pending(const struct apic_copy *c);
/*
 * QEMU's apic_get_interrupt(): -1 if the copy has nothing, the spurious
 * vector if what it has is masked, else the vector, moved IRR -> ISR.
 */
int apic_copy_get_interrupt(struct apic_copy *c);
/* QEMU's apic_accept_pic_intr(): APIC globally off, or LVT0 unmasked ExtINT. */
bool apic_copy_accept_pic_intr(const struct apic_copy *c);

#endif
