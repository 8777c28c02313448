// SPDX-License-Identifier: GPL-2.0-only
#include "apic_dest.h"

void apic_dest_reset(struct apic_dest_id *d, uint32_t index)
{
	d->id = index;
	d->ldr = 0;
	d->dfr = 0xffffffffu;
	d->x2apic = false;
}

/* SDM §10.12.10.2: the x2APIC LDR is derived from the ID, never written. */
static uint32_t x2apic_ldr(uint32_t id)
{
	return ((id >> 4) << 16) | (1u << (id & 0xf));
}

void apic_dest_set_x2apic(struct apic_dest_id *d, bool on)
{
	d->x2apic = on;
	if (on)
		d->ldr = x2apic_ldr(d->id);
}

void apic_dest_set_id_reg(struct apic_dest_id *d, uint32_t reg)
{
	/*
	 * KVM keeps the xAPIC layout (ID in bits 31:24) in x2APIC mode unless
	 * the VMM asked for 32-bit IDs (KVM_CAP_X2APIC_API); a register with
	 * only bits 31:24 set is read the xAPIC way either way.
	 */
	if (!d->x2apic || !(reg & 0x00ffffffu))
		d->id = reg >> 24;
	else
		d->id = reg;
	if (d->x2apic)
		d->ldr = x2apic_ldr(d->id);
}

static bool logical_hit(const struct apic_dest_id *d, const struct apic_dest_msg *m)
{
	uint32_t ldr, dest = m->dest;

	if (m->x2apic) {
		if (dest == 0xffffffffu)
			return true;
		ldr = d->x2apic ? d->ldr : x2apic_ldr(d->id);
		return (dest >> 16) == (ldr >> 16) && (dest & ldr & 0xffff);
	}
	dest &= 0xff;
	if (dest == 0xff)
		return true;
	ldr = d->ldr >> 24;
	if ((d->dfr >> 28) == 0xf)
		return ldr & dest;
	/* Cluster model: cluster in the high nibble, member bits in the low. */
	return (ldr >> 4) == (dest >> 4) && (ldr & dest & 0xf);
}

static bool physical_hit(const struct apic_dest_id *d, const struct apic_dest_msg *m)
{
	if (m->x2apic)
		return m->dest == 0xffffffffu || d->id == m->dest;
	return (m->dest & 0xff) == 0xff || (d->id & 0xff) == (m->dest & 0xff);
}

uint64_t apic_dest_match(const struct apic_dest_id *ids, unsigned int n, uint64_t present,
			 const struct apic_dest_msg *m)
{
	uint64_t hit = 0;

	if (n > 64)
		n = 64;
	for (unsigned int i = 0; i < n; i++) {
		bool on;

		if (!((present >> i) & 1))
			continue;
		switch (m->shorthand) {
		case APIC_SH_SELF:   on = i == m->self; break;
		case APIC_SH_ALL:    on = true; break;
		case APIC_SH_OTHERS: on = i != m->self; break;
		default:
			on = m->logical ? logical_hit(&ids[i], m) : physical_hit(&ids[i], m);
			break;
		}
		if (on)
			hit |= UINT64_C(1) << i;
	}
	return hit;
}
