/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * policy: the injection step run before every KVM_RUN, modelled on QEMU's
 * kvm_arch_pre_run() for a split irqchip. vcpu->irq_hard is QEMU's
 * CPU_INTERRUPT_HARD. If it is set, kvm_run says ready_for_interrupt_injection
 * and if_flag, the step asks for a vector and injects it with KVM_INTERRUPT;
 * then request_interrupt_window = irq_hard.
 *
 *   qemu-2.7  asks the userspace LAPIC copy first (apic_get_interrupt), then the
 *             PIC; and a KVM_GET_LAPIC sync whose copy shows a deliverable IRR
 *             vector raises irq_hard (apic_update_irq). This is the 2016 bug.
 *   fixed     with the LAPIC in the kernel only the PIC is asked (ExtINT);
 *             the copy is synced but never consulted.
 *   stale-setlapic  injects as fixed, but a device that synchronises the
 *             vCPU's state (policy_sync_state: KVM_GET_LAPIC into the copy)
 *             leaves it dirty, and the next pre-run writes the copy back
 *             with KVM_SET_LAPIC: a vector the kernel accepted in between is
 *             wiped from IRR. A lost interrupt (docs/vmm.md).
 *
 * The caller holds the device lock. Returns 0 or a negative errno.
 */
#ifndef KVMREC_VMM_POLICY_H
#define KVMREC_VMM_POLICY_H

#include <stdbool.h>

enum vmm_policy {
	POLICY_FIXED,
	POLICY_QEMU27,
	POLICY_STALE_SETLAPIC,
};

struct vmm;
struct vmm_vcpu;

int policy_parse(const char *name, enum vmm_policy *out);
int policy_pre_run(struct vmm *m, struct vmm_vcpu *v);
/*
 * A device handler that needs the vCPU's state calls this first, as QEMU's
 * device models call cpu_synchronize_state(). Only stale-setlapic reads the
 * LAPIC here; the write-back happens in the next policy_pre_run().
 */
int policy_sync_state(struct vmm *m, struct vmm_vcpu *v);
/* After the copy was refreshed from KVM_GET_LAPIC. */
void policy_lapic_synced(struct vmm *m, struct vmm_vcpu *v);
/* PIC INTR output changed; it is wired to the BSP (vCPU 0) only. */
void policy_pic_output(struct vmm *m, bool level);

#endif
