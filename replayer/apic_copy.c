// SPDX-License-Identifier: GPL-2.0-only
#include <string.h>

#include "apic_copy.h"
#include "lapic_model.h"
#include "lapic_page.h"

#define SPIV_ENABLE		0x100
#define LVT_MASKED		0x10000
#define LVT_DM_MASK		0x700
#define LVT_DM_EXTINT		0x700
#define APIC_BASE_ENABLE	(1ull << 11)

void apic_copy_init(struct apic_copy *c)
{
	memset(c, 0, sizeof(*c));
}

void apic_copy_sync(struct apic_copy *c, const uint32_t irr[8], const uint32_t isr[8],
		    uint8_t tpr, uint32_t spiv, uint32_t lvt0)
{
	memcpy(c->irr, irr, sizeof(c->irr));
	memcpy(c->isr, isr, sizeof(c->isr));
	c->tpr = tpr;
	c->spiv = spiv;
	c->lvt0 = lvt0;
	c->synced = true;
}

static int copy_ppr(const struct apic_copy *c)
{
	int isrv = lapic_vec256_highest(c->isr, 8);

	if (isrv < 0)
		isrv = 0;
	return (c->tpr >> 4) >= (isrv >> 4) ? c->tpr : (isrv & 0xf0);
}

int apic_copy_irq_pending(const struct apic_copy *c)
{
	int irrv, ppr;

	if (!(c->spiv & SPIV_ENABLE))
		return 0;
	irrv = lapic_vec256_highest(c->irr, 8);
	if (irrv < 0)
		return 0;
	ppr = copy_ppr(c);
	if (ppr && (irrv & 0xf0) <= (ppr & 0xf0))
		return -1;
	return irrv;
}

int apic_copy_get_interrupt(struct apic_copy *c)
{
	int v;

	if (!(c->spiv & SPIV_ENABLE))
		return -1;
	v = apic_copy_irq_pending(c);
	if (v == 0)
		return -1;
	if (v < 0)
		return c->spiv & 0xff;
	lapic_vec_set(c->irr, v, false);
	lapic_vec_set(c->isr, v, true);
	return v;
}

bool apic_copy_accept_pic_intr(const struct apic_copy *c)
{
	if (!(c->apic_base & APIC_BASE_ENABLE))
		return true;
	return !(c->lvt0 & LVT_MASKED) && (c->lvt0 & LVT_DM_MASK) == LVT_DM_EXTINT;
}
