// SPDX-License-Identifier: GPL-2.0-only
/*
 * The knobs describe QEMU's kvm_arch_pre_run() / cpu_get_pic_interrupt()
 * under kernel_irqchip=split, before and after the 2016 fix, and
 * kvmrec-vmm's --policy switch, which reproduces both.
 */
#include <string.h>

#include "policy.h"

static const struct policy_knob_info knobs[KNOB_COUNT] = {
	[KNOB_COPY_FIRST] = {
		"copy-first",
		"the userspace APIC copy is consulted before the PIC when choosing what to inject",
		"do not consult the userspace APIC copy when the LAPIC is in the kernel",
		"consult the userspace APIC copy before the PIC",
	},
	[KNOB_COPY_WANTS_WINDOW] = {
		"copy-wants-window",
		"an interrupt pending in the userspace APIC copy makes the VMM request an interrupt window",
		"do not request an interrupt window for interrupts only the userspace APIC copy shows",
		"request an interrupt window when the userspace APIC copy shows a pending interrupt",
	},
	[KNOB_SYNC_ON_TPR] = {
		"sync-on-tpr",
		"the userspace APIC copy is refreshed with KVM_GET_LAPIC on each TPR-access report",
		"do not refresh the userspace APIC copy on TPR-access reports",
		"refresh the userspace APIC copy on TPR-access reports",
	},
};

#define K(k) (1u << (k))

static const struct policy qemu27 = {
	"qemu-2.7",
	"QEMU 2.7, kernel_irqchip=split: the stale userspace APIC copy is asked first",
	K(KNOB_COPY_FIRST) | K(KNOB_COPY_WANTS_WINDOW) | K(KNOB_SYNC_ON_TPR),
};

static const struct policy qemu_fixed = {
	"qemu-fixed",
	"current QEMU, kernel_irqchip=split: KVM_INTERRUPT carries only the PIC's ExtINT vector",
	K(KNOB_SYNC_ON_TPR),
};

static const struct policy *const variants[] = { &qemu27, &qemu_fixed, NULL };

const struct policy_knob_info *policy_knob(enum policy_knob k)
{
	return &knobs[k < KNOB_COUNT ? k : 0];
}

const struct policy *policy_find(const char *name)
{
	if (!strcmp(name, "qemu-2.7") || !strcmp(name, "qemu27"))
		return &qemu27;
	if (!strcmp(name, "qemu-fixed") || !strcmp(name, "fixed") || !strcmp(name, "qemu"))
		return &qemu_fixed;
	return NULL;
}

const struct policy *const *policy_variants(void)
{
	return variants;
}

static bool pic_wants(const struct pic_pair *pic, const struct apic_copy *copy)
{
	return pic_pending_irq(pic) >= 0 && apic_copy_accept_pic_intr(copy);
}

static bool wants_interrupt(const struct policy *p, const struct pic_pair *pic,
			    const struct apic_copy *copy)
{
	if (pic_wants(pic, copy))
		return true;
	return policy_has(p, KNOB_COPY_WANTS_WINDOW) && apic_copy_irq_pending(copy) > 0;
}

void policy_pre_run(const struct policy *p, struct pic_pair *pic, struct apic_copy *copy,
		    bool ready, bool if_flag, struct policy_decision *d)
{
	int irq;

	d->vector = -1;
	d->from_copy = false;
	if (wants_interrupt(p, pic, copy) && ready && if_flag) {
		if (policy_has(p, KNOB_COPY_FIRST)) {
			d->vector = apic_copy_get_interrupt(copy);
			d->from_copy = d->vector >= 0;
		}
		if (d->vector < 0 && pic_wants(pic, copy))
			d->vector = pic_intack(pic, &irq);
	}
	d->window = wants_interrupt(p, pic, copy);
}
