// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>
#include <string.h>

#include "testdev.h"
#include "vmm.h"

bool testdev_ioport_match(uint16_t port)
{
	return port == GUEST_DEBUG_EXIT_PORT ||
	       (port >= GUEST_TESTDEV_IRQ_PORT && port < GUEST_TESTDEV_SINK_PORT + 4);
}

static int testdev_irq(struct vmm *m, uint32_t cmd)
{
	unsigned int op = (cmd >> 16) & 0xff, chip = (cmd >> 8) & 0xff, line = cmd & 0xff;
	int r = 0;

	if (op == TESTDEV_OP_NMI) {
		if ((int)line >= m->vm.nr_vcpus)
			return 0;
		atomic_store(&m->vm.vcpus[line].nmi_pending, true);
		vmm_kick(m, line);
		return 0;
	}
	if (op > TESTDEV_OP_PULSE)
		return 0;
	if (chip == TESTDEV_CHIP_PIC) {
		if (op != TESTDEV_OP_LOWER)
			pic_set_irq(&m->pic, line, true);
		if (op != TESTDEV_OP_RAISE)
			pic_set_irq(&m->pic, line, false);
	} else if (chip == TESTDEV_CHIP_IOAPIC) {
		if (op != TESTDEV_OP_LOWER)
			r = ioapic_set_irq(&m->ioapic, line, true);
		if (!r && op != TESTDEV_OP_RAISE)
			r = ioapic_set_irq(&m->ioapic, line, false);
	}
	return r;
}

int testdev_ioport_write(struct vmm *m, struct vmm_vcpu *v, uint16_t port, uint32_t val)
{
	int r;

	switch (port) {
	case GUEST_DEBUG_EXIT_PORT:
		vmm_stop(m, val & 0xff);
		return 0;
	case GUEST_TESTDEV_IRQ_PORT:
		/* Like a QEMU device model that reads the calling vCPU's registers. */
		r = policy_sync_state(m, v);
		return r ? r : testdev_irq(m, val);
	case GUEST_TESTDEV_SINK_PORT:
		m->nr_sink++;
		return 0;
	}
	return 0;
}

uint32_t testdev_ioport_read(struct vmm *m, uint16_t port)
{
	if (port == GUEST_TESTDEV_LOOPS_PORT)
		return m->loops;
	return 0xffffffff;
}

bool testdev_mmio_match(uint64_t addr)
{
	return addr >= GUEST_MMIO_SINK && addr < GUEST_MMIO_SINK + 0x1000;
}

void testdev_mmio_access(struct vmm *m, uint8_t *data, uint32_t len, bool is_write)
{
	m->nr_sink++;
	if (!is_write)
		memset(data, 0, len);
}
