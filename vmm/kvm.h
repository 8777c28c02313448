/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kvm: the VM and its vCPUs. Owns the /dev/kvm, VM and vCPU descriptors,
 * guest RAM and each vCPU's struct kvm_run mapping. Sets up a split-irqchip VM
 * (LAPIC in the kernel, 24 userspace-routed GSIs) whose vCPUs start in long
 * mode (see guest_abi.h). Every function returns 0 or a negative errno and
 * has already printed one line naming the failing ioctl.
 */
#ifndef KVMREC_VMM_KVM_H
#define KVMREC_VMM_KVM_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <pthread.h>
#include <linux/kvm.h>

#include "guest_abi.h"
#include "lapic_copy.h"

#define VMM_EXIT_REASONS	64

struct vmm_vm;

struct vmm_vcpu {
	struct vmm_vm *vm;
	int id;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	atomic_bool started;	/* thread is valid: kicks may signal it */
	/* QEMU's CPU_INTERRUPT_HARD: the injection step should ask for a vector. */
	atomic_bool irq_hard;
	atomic_bool nmi_pending;
	struct lapic_copy lapic;	/* userspace copy, synced on TPR-access exits */
	bool lapic_dirty;		/* stale-setlapic: write the copy back before KVM_RUN */
	uint64_t nr_runs;
	uint64_t nr_exits[VMM_EXIT_REASONS];
};

struct vmm_vm {
	int kvm_fd;
	int vm_fd;
	uint8_t *mem;
	uint64_t mem_size;
	int run_size;
	int nr_vcpus;
	struct vmm_vcpu vcpus[GUEST_MAX_VCPUS];
};

int kvm_vm_create(struct vmm_vm *vm, int nr_vcpus);
void kvm_vm_destroy(struct vmm_vm *vm);
int kvm_vcpu_reset(struct vmm_vcpu *vcpu, uint64_t entry);
int kvm_vm_set_gsi_routes(struct vmm_vm *vm, const struct kvm_irq_routing_entry *e, int n);
int kvm_vm_irq_line(struct vmm_vm *vm, uint32_t gsi, int level);
int kvm_vm_signal_msi(struct vmm_vm *vm, uint64_t addr, uint32_t data);
int kvm_vcpu_get_lapic(struct vmm_vcpu *vcpu, struct kvm_lapic_state *st);
int kvm_vcpu_set_lapic(struct vmm_vcpu *vcpu, const struct kvm_lapic_state *st);
int kvm_vcpu_interrupt(struct vmm_vcpu *vcpu, uint32_t vector);
int kvm_vcpu_nmi(struct vmm_vcpu *vcpu);
uint64_t kvm_vcpu_rip(struct vmm_vcpu *vcpu);
const char *kvm_exit_reason_name(uint32_t reason);

#endif
