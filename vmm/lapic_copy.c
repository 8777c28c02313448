// SPDX-License-Identifier: GPL-2.0-only
#include <string.h>

#include "lapic_copy.h"
#include "lapic_page.h"

#define APIC_SPIV_ENABLE	0x100
#define APIC_LVT_MASKED		0x10000
#define APIC_DM_MASK		0x700
#define APIC_DM_EXTINT		0x700
#define APIC_LVT0		0x350
#define MSR_APIC_BASE_ENABLE	(1ull << 11)

void lapic_copy_sync(struct lapic_copy *c, const struct kvm_lapic_state *st)
{
	memcpy(c->page, st->regs, sizeof(c->page));
	c->nr_syncs++;
}

static uint32_t reg(const struct lapic_copy *c, uint32_t off)
{
	return lapic_page_reg(c->page, off);
}

static int highest(const struct lapic_copy *c, uint32_t base)
{
	uint32_t w[8];

	lapic_page_vec256(c->page, base, w);
	return lapic_vec256_highest(w, 8);
}

static void set_bit_at(struct lapic_copy *c, uint32_t base, int vec, bool on)
{
	uint32_t off = base + 0x10 * (vec / 32);
	uint32_t v = reg(c, off);

	if (on)
		v |= 1u << (vec % 32);
	else
		v &= ~(1u << (vec % 32));
	memcpy(c->page + off, &v, 4);
}

static int ppr(const struct lapic_copy *c)
{
	int tpr = reg(c, LAPIC_REG_TPR) & 0xff;
	int isrv = highest(c, LAPIC_REG_ISR);

	if (isrv < 0)
		isrv = 0;
	return (tpr >> 4) >= (isrv >> 4) ? tpr : (isrv & 0xf0);
}

int lapic_copy_irq_pending(const struct lapic_copy *c)
{
	int irrv, p;

	if (!(reg(c, LAPIC_REG_SPIV) & APIC_SPIV_ENABLE))
		return 0;
	irrv = highest(c, LAPIC_REG_IRR);
	if (irrv < 0)
		return 0;
	p = ppr(c);
	if (p && (irrv & 0xf0) <= (p & 0xf0))
		return -1;
	return irrv;
}

int lapic_copy_get_interrupt(struct lapic_copy *c)
{
	uint32_t spiv = reg(c, LAPIC_REG_SPIV);
	int v;

	if (!(spiv & APIC_SPIV_ENABLE))
		return -1;
	v = lapic_copy_irq_pending(c);
	if (v == 0)
		return -1;
	if (v < 0)
		return spiv & 0xff;
	set_bit_at(c, LAPIC_REG_IRR, v, false);
	set_bit_at(c, LAPIC_REG_ISR, v, true);
	return v;
}

bool lapic_copy_accept_pic_intr(const struct lapic_copy *c)
{
	uint32_t lvt0 = reg(c, APIC_LVT0);

	if (!(c->apic_base & MSR_APIC_BASE_ENABLE))
		return true;
	return !(lvt0 & APIC_LVT_MASKED) && (lvt0 & APIC_DM_MASK) == APIC_DM_EXTINT;
}
