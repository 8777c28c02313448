// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vmm.h"

int policy_parse(const char *name, enum vmm_policy *out)
{
	if (!strcmp(name, "fixed")) {
		*out = POLICY_FIXED;
		return 0;
	}
	if (!strcmp(name, "qemu-2.7")) {
		*out = POLICY_QEMU27;
		return 0;
	}
	if (!strcmp(name, "stale-setlapic")) {
		*out = POLICY_STALE_SETLAPIC;
		return 0;
	}
	return -EINVAL;
}

void policy_pic_output(struct vmm *m, bool level)
{
	struct vmm_vcpu *bsp = &m->vm.vcpus[0];

	/* pic_irq_request(): cpu_interrupt / cpu_reset_interrupt on first_cpu. */
	atomic_store(&bsp->irq_hard, level);
	if (level)
		vmm_kick(m, 0);
}

/* apic_update_irq() on the copy, for the vCPU that owns it. */
static void qemu27_apic_update_irq(struct vmm *m, struct vmm_vcpu *v)
{
	if (lapic_copy_irq_pending(&v->lapic) > 0)
		atomic_store(&v->irq_hard, true);
	else if (!lapic_copy_accept_pic_intr(&v->lapic) || v->id != 0 || !m->pic.output)
		atomic_store(&v->irq_hard, false);
}

void policy_lapic_synced(struct vmm *m, struct vmm_vcpu *v)
{
	if (m->policy == POLICY_QEMU27)
		qemu27_apic_update_irq(m, v);
}

/* QEMU 2.7 cpu_get_pic_interrupt(): the stale copy first, then the PIC. */
static int qemu27_get_interrupt(struct vmm *m, struct vmm_vcpu *v)
{
	int vec = lapic_copy_get_interrupt(&v->lapic);

	if (vec >= 0) {
		qemu27_apic_update_irq(m, v);
		return vec;
	}
	if (!lapic_copy_accept_pic_intr(&v->lapic) || v->id != 0)
		return -1;
	return pic_read_irq(&m->pic);
}

/* Current QEMU: the kernel LAPIC delivers its own vectors; only ExtINT is ours. */
static int fixed_get_interrupt(struct vmm *m, struct vmm_vcpu *v)
{
	if (v->id != 0)
		return -1;
	return pic_read_irq(&m->pic);
}

int policy_sync_state(struct vmm *m, struct vmm_vcpu *v)
{
	struct kvm_lapic_state st;
	int r;

	if (m->policy != POLICY_STALE_SETLAPIC || v->lapic_dirty)
		return 0;
	r = kvm_vcpu_get_lapic(v, &st);
	if (r)
		return r;
	lapic_copy_sync(&v->lapic, &st);
	v->lapic_dirty = true;
	return 0;
}

/*
 * The dirty state goes back before the vCPU runs, LAPIC page included, as
 * read: whatever the kernel accepted into IRR since is overwritten.
 */
static int write_back_state(struct vmm_vcpu *v)
{
	struct kvm_lapic_state st;

	v->lapic_dirty = false;
	memcpy(st.regs, v->lapic.page, sizeof(st.regs));
	return kvm_vcpu_set_lapic(v, &st);
}

int policy_pre_run(struct vmm *m, struct vmm_vcpu *v)
{
	struct kvm_run *run = v->run;
	int vec, r;

	if (v->lapic_dirty) {
		r = write_back_state(v);
		if (r)
			return r;
	}
	if (atomic_exchange(&v->nmi_pending, false)) {
		r = kvm_vcpu_nmi(v);
		if (r)
			return r;
	}
	if (run->ready_for_interrupt_injection && run->if_flag && atomic_load(&v->irq_hard)) {
		atomic_store(&v->irq_hard, false);
		if (m->policy == POLICY_QEMU27)
			vec = qemu27_get_interrupt(m, v);
		else
			vec = fixed_get_interrupt(m, v);
		if (vec >= 0) {
			r = kvm_vcpu_interrupt(v, vec);
			/* QEMU reports the failed injection and carries on; so do we. */
			if (r)
				fprintf(stderr, "kvmrec-vmm: vcpu %d: vector %d not injected\n",
					v->id, vec);
		}
	}
	run->request_interrupt_window = atomic_load(&v->irq_hard);
	return 0;
}
