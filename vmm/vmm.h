/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vmm: the machine kvmrec-vmm runs. Owns the VM, the userspace devices and
 * the device lock (QEMU's big lock: every exit handler and every injection
 * step runs under it), and the stop flag and exit status of the run.
 */
#ifndef KVMREC_VMM_VMM_H
#define KVMREC_VMM_VMM_H

#include <pthread.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "ioapic.h"
#include "kvm.h"
#include "pic.h"
#include "policy.h"
#include "serial.h"

/* kvmrec-vmm's own exit statuses; a guest's debug-exit value is passed through. */
#define VMM_EXIT_USAGE		2	/* bad flags, missing /dev/kvm, bad ELF, failed ioctl */
#define VMM_EXIT_GUEST_CRASH	3	/* triple fault, emulation or internal error */

struct vmm {
	struct vmm_vm vm;
	struct vmm_pic pic;
	struct ioapic ioapic;
	struct serial serial;
	enum vmm_policy policy;
	const char *guest_path;
	uint32_t loops;			/* --loops, read by guests at GUEST_TESTDEV_LOOPS_PORT */
	uint64_t nr_sink;		/* writes to the PIO and MMIO sinks */
	pthread_mutex_t lock;
	atomic_bool stop;
	int exit_status;		/* valid once stop is set */
};

/* Ends the run with status (first caller wins) and kicks every vCPU out. */
void vmm_stop(struct vmm *m, int status);
/* Makes vCPU id leave KVM_RUN soon so its injection step runs again. */
void vmm_kick(struct vmm *m, int id);
/*
 * Handles the exit in v->run (caller holds the lock): 0 to run on, a positive
 * exit status if the guest crashed, or a negative errno if the host failed.
 */
int vcpu_handle_exit(struct vmm *m, struct vmm_vcpu *v);

static inline struct vmm *vcpu_vmm(struct vmm_vcpu *v)
{
	return (struct vmm *)((char *)v->vm - offsetof(struct vmm, vm));
}

#endif
