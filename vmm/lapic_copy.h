/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lapic_copy: the VMM's userspace copy of one vCPU's in-kernel LAPIC, as
 * QEMU keeps one in its APIC device. It is refreshed only by
 * lapic_copy_sync() (a KVM_GET_LAPIC result) and changed only by
 * lapic_copy_get_interrupt(), so between syncs it goes stale exactly the way
 * QEMU's did. Pure data: no ioctls, no errors.
 */
#ifndef KVMREC_VMM_LAPIC_COPY_H
#define KVMREC_VMM_LAPIC_COPY_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/kvm.h>

struct lapic_copy {
	uint8_t page[KVM_APIC_REG_SIZE];
	uint64_t apic_base;	/* IA32_APIC_BASE as kvm_run last reported it */
	uint64_t nr_syncs;
};

void lapic_copy_sync(struct lapic_copy *c, const struct kvm_lapic_state *st);
/* Highest deliverable IRR vector; 0 if none; -1 if one is pending but masked by PPR. */
int lapic_copy_irq_pending(const struct lapic_copy *c);
/*
 * QEMU's apic_get_interrupt(): -1 if the copy has nothing (the caller then asks
 * the PIC), the spurious vector if masked, else the vector, moved IRR -> ISR.
 */
int lapic_copy_get_interrupt(struct lapic_copy *c);
/* QEMU's apic_accept_pic_intr(): APIC globally off, or LVT0 unmasked ExtINT. */
bool lapic_copy_accept_pic_intr(const struct lapic_copy *c);

#endif
