// SPDX-License-Identifier: GPL-2.0-only
/*
 * What happens between two KVM_RUNs of a vCPU, apart from the injection
 * step: each exit handed to its device, guest crashes reported, and the
 * kicks that bring vCPUs back out of KVM_RUN. main.c holds the loop.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "testdev.h"
#include "vmm.h"

#define EXIT_CONTINUE	0

void vmm_stop(struct vmm *m, int status)
{
	bool was = false;

	if (atomic_compare_exchange_strong(&m->stop, &was, true)) {
		m->exit_status = status;
		for (int i = 0; i < m->vm.nr_vcpus; i++)
			vmm_kick(m, i);
	}
}

void vmm_kick(struct vmm *m, int id)
{
	struct vmm_vcpu *v = &m->vm.vcpus[id];

	if (!atomic_load(&v->started) || pthread_equal(v->thread, pthread_self()))
		return;
	/* immediate_exit closes the race with a thread about to enter KVM_RUN. */
	__atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	pthread_kill(v->thread, SIGUSR1);
}

static uint32_t io_read(struct vmm *m, uint16_t port)
{
	if (serial_ioport_match(port))
		return serial_ioport_read(&m->serial, port);
	if (vmm_pic_ioport_match(port))
		return vmm_pic_ioport_read(&m->pic, port);
	if (testdev_ioport_match(port))
		return testdev_ioport_read(m, port);
	return 0xffffffff;	/* nothing there: the bus floats high */
}

static int io_write(struct vmm *m, struct vmm_vcpu *v, uint16_t port, uint32_t val)
{
	if (serial_ioport_match(port))
		serial_ioport_write(&m->serial, port, val);
	else if (vmm_pic_ioport_match(port))
		vmm_pic_ioport_write(&m->pic, port, val);
	else if (testdev_ioport_match(port))
		return testdev_ioport_write(m, v, port, val);
	return 0;
}

static int handle_io(struct vmm *m, struct vmm_vcpu *v)
{
	struct kvm_run *run = v->run;
	uint8_t *p = (uint8_t *)run + run->io.data_offset;
	uint32_t size = run->io.size, val;
	int r = 0;

	for (uint32_t i = 0; i < run->io.count && !r; i++, p += size) {
		val = 0;
		if (run->io.direction == KVM_EXIT_IO_OUT) {
			memcpy(&val, p, size);
			r = io_write(m, v, run->io.port, val);
		} else {
			val = io_read(m, run->io.port);
			memcpy(p, &val, size);
		}
	}
	return r;
}

static int handle_mmio(struct vmm *m, struct vmm_vcpu *v)
{
	struct kvm_run *run = v->run;
	uint64_t addr = run->mmio.phys_addr;
	uint32_t len = run->mmio.len > 8 ? 8 : run->mmio.len;

	if (ioapic_mmio_match(addr)) {
		if (run->mmio.is_write)
			return ioapic_mmio_write(&m->ioapic, addr, run->mmio.data, len);
		ioapic_mmio_read(&m->ioapic, addr, run->mmio.data, len);
	} else if (testdev_mmio_match(addr)) {
		testdev_mmio_access(m, run->mmio.data, len, run->mmio.is_write);
	} else if (!run->mmio.is_write) {
		memset(run->mmio.data, 0xff, len);
	}
	return 0;
}

/*
 * As QEMU's TPR-access handler does (cpu_synchronize_state): refresh the
 * userspace copy. The report's rip/is_write are not used: on a backend that
 * emulates in batches they may already belong to a later exit.
 */
static int handle_tpr_access(struct vmm *m, struct vmm_vcpu *v)
{
	struct kvm_lapic_state st;
	int r = kvm_vcpu_get_lapic(v, &st);

	if (r)
		return r;
	lapic_copy_sync(&v->lapic, &st);
	vmm_policy_lapic_synced(m, v);
	return 0;
}

static int guest_crash(struct vmm *m, struct vmm_vcpu *v, const char *what)
{
	uint32_t reason = v->run->exit_reason;

	fprintf(stderr, "kvmrec-vmm: %s: vcpu %d: %s (KVM_EXIT_%s) at RIP 0x%llx\n",
		m->guest_path, v->id, what, kvm_exit_reason_name(reason),
		(unsigned long long)kvm_vcpu_rip(v));
	return VMM_EXIT_GUEST_CRASH;
}

int vcpu_handle_exit(struct vmm *m, struct vmm_vcpu *v)
{
	struct kvm_run *run = v->run;
	char what[64];

	v->lapic.apic_base = run->apic_base;
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		return handle_io(m, v);
	case KVM_EXIT_MMIO:
		return handle_mmio(m, v);
	case KVM_EXIT_TPR_ACCESS:
		return handle_tpr_access(m, v);
	case KVM_EXIT_IOAPIC_EOI:
		return ioapic_eoi(&m->ioapic, run->eoi.vector);
	case KVM_EXIT_IRQ_WINDOW_OPEN:	/* the next injection step uses it */
	case KVM_EXIT_INTR:
	case KVM_EXIT_HLT:
		return EXIT_CONTINUE;
	case KVM_EXIT_SHUTDOWN:
		return guest_crash(m, v, "triple fault");
	case KVM_EXIT_INTERNAL_ERROR:
		snprintf(what, sizeof(what), "%s (suberror %u)",
			 run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION ?
			 "emulation error" : "internal error", run->internal.suberror);
		return guest_crash(m, v, what);
	case KVM_EXIT_FAIL_ENTRY:
		snprintf(what, sizeof(what), "entry failed (reason 0x%llx)",
			 (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		return guest_crash(m, v, what);
	case KVM_EXIT_SYSTEM_EVENT:
		snprintf(what, sizeof(what), "system event %u", run->system_event.type);
		return guest_crash(m, v, what);
	default:
		snprintf(what, sizeof(what), "unexpected exit %u", run->exit_reason);
		return guest_crash(m, v, what);
	}
}
