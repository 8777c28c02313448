/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ioapic: a userspace 82093AA-style IOAPIC (24 pins, version 0x11, EOI
 * register) at GUEST_IOAPIC_BASE for a split-irqchip VM. Each pin's
 * redirection entry is mirrored as an MSI route in KVM_SET_GSI_ROUTING (GSI =
 * pin), which is also how the kernel learns which vectors are level-triggered
 * and must exit with KVM_EXIT_IOAPIC_EOI. Delivery is KVM_IRQ_LINE on the
 * pin's GSI, or KVM_SIGNAL_MSI when use_signal_msi is set. Not thread-safe:
 * the caller holds the device lock. Functions return 0 or a negative errno.
 */
#ifndef KVMREC_VMM_IOAPIC_H
#define KVMREC_VMM_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>

#include "kvm.h"

struct ioapic {
	struct vmm_vm *vm;
	bool use_signal_msi;
	uint32_t ioregsel;
	uint32_t id;
	uint32_t irr;		/* pending requests (level: line high) */
	uint64_t redtbl[GUEST_IOAPIC_PINS];
	uint64_t nr_deliveries, nr_eois;
};

int ioapic_init(struct ioapic *io, struct vmm_vm *vm, bool use_signal_msi);
int ioapic_set_irq(struct ioapic *io, int pin, bool level);
bool ioapic_mmio_match(uint64_t addr);
int ioapic_mmio_write(struct ioapic *io, uint64_t addr, const uint8_t *data, uint32_t len);
void ioapic_mmio_read(struct ioapic *io, uint64_t addr, uint8_t *data, uint32_t len);
/* KVM_EXIT_IOAPIC_EOI: the guest EOIed a level-triggered vector. */
int ioapic_eoi(struct ioapic *io, uint8_t vector);

#endif
