// SPDX-License-Identifier: GPL-2.0-only
#include "guest.h"

static void apic_wait_icr_idle(void)
{
	while (apic_read(APIC_ICR_LO) & APIC_ICR_BUSY)
		pause();
}

/* One ICR write, nothing else: the tpr scenario depends on the exact exits. */
void apic_self_ipi(uint8_t vector)
{
	apic_write(APIC_ICR_LO, APIC_DEST_SELF | APIC_DM_FIXED | vector);
}

void apic_send_ipi(uint32_t dest, uint32_t icr_lo)
{
	apic_wait_icr_idle();
	apic_write(APIC_ICR_HI, dest << 24);
	apic_write(APIC_ICR_LO, icr_lo);
}

bool apic_isr_test(uint8_t vector)
{
	return apic_read(APIC_ISR + 0x10 * (vector / 32)) & (1u << (vector % 32));
}

bool apic_irr_test(uint8_t vector)
{
	return apic_read(APIC_IRR + 0x10 * (vector / 32)) & (1u << (vector % 32));
}
