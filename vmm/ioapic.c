// SPDX-License-Identifier: GPL-2.0-only
#include <string.h>

#include "ioapic.h"

#define IOAPIC_REGSEL		0x00
#define IOAPIC_WINDOW		0x10
#define IOAPIC_EOI_REG		0x40
#define IOAPIC_VERSION		0x11

#define RTE_VECTOR(e)		((uint32_t)(e) & 0xff)
#define RTE_DELMODE(e)		(((uint32_t)(e) >> 8) & 7)
#define RTE_DESTMODE(e)		(((uint32_t)(e) >> 11) & 1)
#define RTE_REMOTE_IRR		(1ull << 14)
#define RTE_LEVEL		(1ull << 15)
#define RTE_MASKED		(1ull << 16)
#define RTE_RO_BITS		((1ull << 12) | RTE_REMOTE_IRR)	/* delivery status, remote IRR */
#define RTE_DEST(e)		((uint32_t)((e) >> 56))

static void rte_to_msi(uint64_t e, uint64_t *addr, uint32_t *data)
{
	*addr = 0xfee00000ull | (RTE_DEST(e) << 12) | (RTE_DESTMODE(e) << 2);
	*data = RTE_VECTOR(e) | (RTE_DELMODE(e) << 8) | (e & RTE_LEVEL ? 1u << 15 : 0);
}

static int ioapic_update_routes(struct ioapic *io)
{
	struct kvm_irq_routing_entry e[GUEST_IOAPIC_PINS];

	memset(e, 0, sizeof(e));
	for (int i = 0; i < GUEST_IOAPIC_PINS; i++) {
		uint64_t addr;
		uint32_t data;

		rte_to_msi(io->redtbl[i], &addr, &data);
		e[i].gsi = i;
		e[i].type = KVM_IRQ_ROUTING_MSI;
		e[i].u.msi.address_lo = (uint32_t)addr;
		e[i].u.msi.address_hi = addr >> 32;
		e[i].u.msi.data = data;
	}
	return kvm_vm_set_gsi_routes(io->vm, e, GUEST_IOAPIC_PINS);
}

int ioapic_init(struct ioapic *io, struct vmm_vm *vm, bool use_signal_msi)
{
	memset(io, 0, sizeof(*io));
	io->vm = vm;
	io->use_signal_msi = use_signal_msi;
	for (int i = 0; i < GUEST_IOAPIC_PINS; i++)
		io->redtbl[i] = RTE_MASKED;
	return ioapic_update_routes(io);
}

static int deliver(struct ioapic *io, int pin)
{
	uint64_t e = io->redtbl[pin], addr;
	uint32_t data;
	int r;

	io->nr_deliveries++;
	if (io->use_signal_msi) {
		rte_to_msi(e, &addr, &data);
		return kvm_vm_signal_msi(io->vm, addr, data);
	}
	r = kvm_vm_irq_line(io->vm, pin, 1);
	/* An MSI route fires on the rising edge only; drop it so the next can. */
	if (!r)
		r = kvm_vm_irq_line(io->vm, pin, 0);
	return r;
}

static int ioapic_service(struct ioapic *io)
{
	int r = 0;

	for (int i = 0; i < GUEST_IOAPIC_PINS && !r; i++) {
		uint64_t *e = &io->redtbl[i];

		if (!(io->irr & (1u << i)) || (*e & RTE_MASKED))
			continue;
		if (*e & RTE_LEVEL) {
			/* Level: one delivery until the guest EOIs it. */
			if (*e & RTE_REMOTE_IRR)
				continue;
			*e |= RTE_REMOTE_IRR;
		} else {
			io->irr &= ~(1u << i);
		}
		r = deliver(io, i);
	}
	return r;
}

int ioapic_set_irq(struct ioapic *io, int pin, bool level)
{
	uint32_t mask;

	if (pin < 0 || pin >= GUEST_IOAPIC_PINS)
		return 0;
	mask = 1u << pin;
	if (io->redtbl[pin] & RTE_LEVEL) {
		if (level)
			io->irr |= mask;
		else
			io->irr &= ~mask;
	} else if (level && !(io->redtbl[pin] & RTE_MASKED)) {
		/* 82093AA: an edge on a masked pin is ignored, not latched. */
		io->irr |= mask;
	}
	return level ? ioapic_service(io) : 0;
}

int ioapic_eoi(struct ioapic *io, uint8_t vector)
{
	io->nr_eois++;
	for (int i = 0; i < GUEST_IOAPIC_PINS; i++) {
		uint64_t *e = &io->redtbl[i];

		if (RTE_VECTOR(*e) == vector && (*e & RTE_LEVEL))
			*e &= ~RTE_REMOTE_IRR;
	}
	/* A line still high is requested again. */
	return ioapic_service(io);
}

bool ioapic_mmio_match(uint64_t addr)
{
	return addr >= GUEST_IOAPIC_BASE && addr < GUEST_IOAPIC_BASE + 0x1000;
}

static uint32_t read_reg(struct ioapic *io)
{
	uint32_t idx = io->ioregsel & 0xff, pin;

	switch (idx) {
	case 0:
		return io->id << 24;
	case 1:
		return IOAPIC_VERSION | ((GUEST_IOAPIC_PINS - 1) << 16);
	case 2:
		return io->id << 24;
	}
	pin = (idx - 0x10) / 2;
	if (idx < 0x10 || pin >= GUEST_IOAPIC_PINS)
		return 0xffffffff;
	return idx & 1 ? io->redtbl[pin] >> 32 : (uint32_t)io->redtbl[pin];
}

static int write_reg(struct ioapic *io, uint32_t val)
{
	uint32_t idx = io->ioregsel & 0xff, pin;
	uint64_t *e;
	int r;

	if (idx == 0) {
		io->id = (val >> 24) & 0xf;
		return 0;
	}
	pin = (idx - 0x10) / 2;
	if (idx < 0x10 || pin >= GUEST_IOAPIC_PINS)
		return 0;
	e = &io->redtbl[pin];
	if (idx & 1)
		*e = (*e & 0xffffffffull) | ((uint64_t)val << 32);
	else
		*e = (*e & (0xffffffff00000000ull | RTE_RO_BITS)) | (val & ~RTE_RO_BITS);
	/* Edge entries never hold remote IRR. */
	if (!(*e & RTE_LEVEL))
		*e &= ~RTE_REMOTE_IRR;
	r = ioapic_update_routes(io);
	/* Unmasking a pin whose level line is high delivers it now. */
	return r ? r : ioapic_service(io);
}

int ioapic_mmio_write(struct ioapic *io, uint64_t addr, const uint8_t *data, uint32_t len)
{
	uint32_t off = addr - GUEST_IOAPIC_BASE, val = 0;

	memcpy(&val, data, len > 4 ? 4 : len);
	switch (off) {
	case IOAPIC_REGSEL:
		io->ioregsel = val & 0xff;
		return 0;
	case IOAPIC_WINDOW:
		return write_reg(io, val);
	case IOAPIC_EOI_REG:
		return ioapic_eoi(io, val & 0xff);
	}
	return 0;
}

void ioapic_mmio_read(struct ioapic *io, uint64_t addr, uint8_t *data, uint32_t len)
{
	uint32_t off = addr - GUEST_IOAPIC_BASE, val = 0;

	if (off == IOAPIC_REGSEL)
		val = io->ioregsel;
	else if (off == IOAPIC_WINDOW)
		val = read_reg(io);
	memset(data, 0, len);
	memcpy(data, &val, len > 4 ? 4 : len);
}
