// SPDX-License-Identifier: GPL-2.0-only
/*
 * The knobs describe QEMU's kvm_arch_pre_run(), cpu_get_pic_interrupt()
 * and apic_update_irq() under kernel_irqchip=split, before and after the
 * 2016 fix; kvmrec-vmm's --policy switch reproduces both (vmm/policy.c).
 * stale-setlapic is a VMM that writes a LAPIC page it read earlier back
 * over the kernel's (docs/vmm.md, "Injection policies").
 */
#include <string.h>

#include "policy.h"

static const struct policy_knob_info knobs[KNOB_COUNT] = {
	[KNOB_COPY_CONSULTED] = {
		"copy-consulted",
		"the userspace APIC copy is asked for a vector before the PIC, and its pending vectors raise the interrupt request, although the LAPIC is in the kernel",
		"do not consult the userspace APIC copy when the LAPIC is in the kernel",
		"consult the userspace APIC copy before the PIC",
	},
	[KNOB_SYNC_ON_TPR] = {
		"sync-on-tpr",
		"the userspace APIC copy is refreshed with KVM_GET_LAPIC on each TPR-access report",
		"do not refresh the userspace APIC copy on TPR-access reports",
		"refresh the userspace APIC copy on TPR-access reports",
	},
	[KNOB_MASKED_SPURIOUS] = {
		"masked-spurious",
		"a vector masked by the copy's PPR makes the copy answer with the spurious vector",
		"do not inject the spurious vector when the copy's best vector is masked",
		"inject the spurious vector when the copy's best vector is masked",
	},
	[KNOB_STALE_SETLAPIC] = {
		"stale-setlapic",
		"a LAPIC page read at a state sync is written back with KVM_SET_LAPIC before the vCPU runs again, wiping what the kernel accepted into IRR since",
		"do not write a LAPIC page read earlier back with KVM_SET_LAPIC while the vCPU runs",
		"write the LAPIC page read at a state sync back with KVM_SET_LAPIC before re-entry",
	},
};

#define K(k) (1u << (k))

static const struct policy qemu27 = {
	"qemu-2.7",
	"QEMU 2.7, kernel_irqchip=split: the stale userspace APIC copy is asked first",
	K(KNOB_COPY_CONSULTED) | K(KNOB_SYNC_ON_TPR) | K(KNOB_MASKED_SPURIOUS),
};

static const struct policy qemu_fixed = {
	"qemu-fixed",
	"current QEMU, kernel_irqchip=split: KVM_INTERRUPT carries only the PIC's ExtINT vector",
	K(KNOB_SYNC_ON_TPR) | K(KNOB_MASKED_SPURIOUS),
};

static const struct policy stale_setlapic = {
	"stale-setlapic",
	"kvmrec-vmm --policy stale-setlapic: injects as qemu-fixed, writes a stale LAPIC page back",
	K(KNOB_SYNC_ON_TPR) | K(KNOB_MASKED_SPURIOUS) | K(KNOB_STALE_SETLAPIC),
};

/* Resolved by the replay from the recorded argv: not a knob set of its own. */
static const struct policy from_trace = {
	"kvmrec-vmm",
	"the policy the trace header's kvmrec-vmm argv names (--policy qemu-2.7|stale-setlapic|fixed)",
	0,
};

static const struct policy *const variants[] = {
	&qemu27, &qemu_fixed, &stale_setlapic, &from_trace, NULL
};

bool policy_is_from_trace(const struct policy *p)
{
	return p == &from_trace;
}

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
	if (!strcmp(name, "stale-setlapic"))
		return &stale_setlapic;
	if (!strcmp(name, "kvmrec-vmm"))
		return &from_trace;
	return NULL;
}

const struct policy *const *policy_variants(void)
{
	return variants;
}

void policy_pic_output(const struct policy *p, struct policy_vcpu *bsp, bool level)
{
	(void)p;
	bsp->irq_hard = level;
}

/* apic_update_irq() on the copy. */
static void copy_update_irq(struct policy_vcpu *v, bool pic_out)
{
	if (apic_copy_irq_pending(&v->copy) > 0)
		v->irq_hard = true;
	else if (!apic_copy_accept_pic_intr(&v->copy) || !v->bsp || !pic_out)
		v->irq_hard = false;
}

void policy_lapic_synced(const struct policy *p, struct policy_vcpu *v, bool pic_out)
{
	if (policy_has(p, KNOB_COPY_CONSULTED))
		copy_update_irq(v, pic_out);
}

/* apic_get_interrupt(), with the masked case as the knob says. */
static int copy_get_interrupt(const struct policy *p, struct apic_copy *c)
{
	if (!policy_has(p, KNOB_MASKED_SPURIOUS) && apic_copy_irq_pending(c) < 0)
		return -1;
	return apic_copy_get_interrupt(c);
}

void policy_pre_run(const struct policy *p, struct pic_pair *pic, struct policy_vcpu *v,
		    bool ready, bool if_flag, struct policy_decision *d)
{
	bool consulted = policy_has(p, KNOB_COPY_CONSULTED);
	int irq;

	d->vector = -1;
	d->from_copy = false;
	d->spurious = false;
	if (ready && if_flag && v->irq_hard) {
		v->irq_hard = false;
		if (consulted) {
			d->vector = copy_get_interrupt(p, &v->copy);
			d->from_copy = d->vector >= 0;
			if (d->from_copy)
				copy_update_irq(v, pic_pending_irq(pic) >= 0);
		}
		/* With the copy live, the PIC only if its LVT0 takes ExtINT. */
		if (d->vector < 0 && v->bsp && (!consulted || apic_copy_accept_pic_intr(&v->copy))) {
			d->vector = pic_intack(pic, &irq);
			d->spurious = irq < 0;
			policy_pic_output(p, v, pic_pending_irq(pic) >= 0);
		}
	}
	d->window = v->irq_hard;
}
