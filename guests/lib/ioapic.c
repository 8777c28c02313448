// SPDX-License-Identifier: GPL-2.0-only
#include "guest.h"

void ioapic_write(uint32_t reg, uint32_t v)
{
	*(volatile uint32_t *)(uintptr_t)GUEST_IOAPIC_BASE = reg;
	*(volatile uint32_t *)(uintptr_t)(GUEST_IOAPIC_BASE + 0x10) = v;
}

uint32_t ioapic_read(uint32_t reg)
{
	*(volatile uint32_t *)(uintptr_t)GUEST_IOAPIC_BASE = reg;
	return *(volatile uint32_t *)(uintptr_t)(GUEST_IOAPIC_BASE + 0x10);
}

/* Destination first, so the entry is never live with a half-written route. */
void ioapic_set_rte(int pin, uint32_t lo, uint32_t dest)
{
	ioapic_write(0x11 + 2 * pin, dest << 24);
	ioapic_write(0x10 + 2 * pin, lo);
}
