// SPDX-License-Identifier: GPL-2.0-only
/*
 * The 8259A as the Intel datasheet describes it; where the datasheet leaves
 * a choice, we do what QEMU and kvmtool do, because their guests were
 * written against that.
 */
#include <string.h>

#include "pic8259.h"

static void chip_reset(struct pic8259 *c)
{
	uint8_t elcr = c->elcr, elcr_mask = c->elcr_mask;
	/* A held level line is still requesting after re-initialisation. */
	uint8_t irr = c->irr & elcr;

	memset(c, 0, sizeof(*c));
	c->irr = irr;
	c->elcr = elcr;
	c->elcr_mask = elcr_mask;
}

void pic_init(struct pic_pair *p)
{
	memset(p, 0, sizeof(*p));
	/* IRQ 0, 1, 2 (master) and 8, 13 (slave) are always edge-triggered. */
	p->chip[0].elcr_mask = 0xf8;
	p->chip[1].elcr_mask = 0xde;
}

/* Priority (0 highest) of the best line in @mask, or 8 if none. */
static int chip_priority(const struct pic8259 *c, uint8_t mask)
{
	int prio = 0;

	if (!mask)
		return 8;
	while (!(mask & (1u << ((prio + c->priority_add) & 7))))
		prio++;
	return prio;
}

static int chip_get_irq(const struct pic8259 *c, bool master)
{
	uint8_t mask;
	int prio, cur;

	prio = chip_priority(c, c->irr & ~c->imr);
	if (prio == 8)
		return -1;
	/* Special mask mode lets masked in-service lines be pre-empted. */
	mask = c->isr;
	if (c->special_mask)
		mask &= ~c->imr;
	if (c->special_fully_nested && master)
		mask &= ~(1u << 2);
	cur = chip_priority(c, mask);
	if (prio < cur)
		return (prio + c->priority_add) & 7;
	return -1;
}

static void chip_set_irq(struct pic8259 *c, int irq, int level)
{
	uint8_t mask = 1u << irq;

	if (c->elcr & mask) {
		if (level) {
			c->irr |= mask;
			c->last_irr |= mask;
		} else {
			c->irr &= ~mask;
			c->last_irr &= ~mask;
		}
		return;
	}
	if (level) {
		if (!(c->last_irr & mask))
			c->irr |= mask;
		c->last_irr |= mask;
	} else {
		c->last_irr &= ~mask;
	}
}

/* The slave's INT output is the master's IRQ 2 input. */
static void pair_update(struct pic_pair *p)
{
	chip_set_irq(&p->chip[0], 2, chip_get_irq(&p->chip[1], false) >= 0);
}

void pic_set_irq(struct pic_pair *p, unsigned int irq, int level)
{
	if (irq >= 16)
		return;
	chip_set_irq(&p->chip[irq >> 3], irq & 7, level);
	pair_update(p);
}

static void chip_intack(struct pic8259 *c, int irq)
{
	if (c->auto_eoi) {
		if (c->rotate_on_auto_eoi)
			c->priority_add = (irq + 1) & 7;
	} else {
		c->isr |= 1u << irq;
	}
	/* A level line stays requested for as long as it is held. */
	if (!(c->elcr & (1u << irq)))
		c->irr &= ~(1u << irq);
}

int pic_pending_irq(const struct pic_pair *p)
{
	int irq = chip_get_irq(&p->chip[0], true), irq2;

	if (irq != 2)
		return irq;
	irq2 = chip_get_irq(&p->chip[1], false);
	return irq2 < 0 ? 2 : 8 + irq2;
}

int pic_intack(struct pic_pair *p, int *irq_out)
{
	struct pic8259 *m = &p->chip[0], *s = &p->chip[1];
	int irq = chip_get_irq(m, true), irq2, vec;

	if (irq < 0) {
		/* No request: the 8259A answers with IRQ 7, spurious. */
		*irq_out = -1;
		return m->irq_base + 7;
	}
	chip_intack(m, irq);
	if (irq == 2) {
		irq2 = chip_get_irq(s, false);
		if (irq2 >= 0) {
			chip_intack(s, irq2);
			*irq_out = 8 + irq2;
		} else {
			irq2 = 7;
			*irq_out = -1;
		}
		vec = s->irq_base + irq2;
	} else {
		*irq_out = irq;
		vec = m->irq_base + irq;
	}
	pair_update(p);
	return vec;
}

int pic_irq_vector(const struct pic_pair *p, unsigned int irq)
{
	const struct pic8259 *c;

	if (irq >= 16)
		return -1;
	c = &p->chip[irq >> 3];
	return c->programmed ? (int)(c->irq_base + (irq & 7)) : -1;
}

int pic_vector_irq(const struct pic_pair *p, unsigned int vector)
{
	for (int i = 0; i < 2; i++) {
		const struct pic8259 *c = &p->chip[i];

		if (c->programmed && vector >= c->irq_base && vector < c->irq_base + 8u)
			return i * 8 + (int)(vector - c->irq_base);
	}
	return -1;
}

static void chip_ocw2(struct pic8259 *c, uint8_t val)
{
	int cmd = val >> 5, prio, irq;

	switch (cmd) {
	case 0: /* clear rotate in auto-EOI */
	case 4: /* set rotate in auto-EOI */
		c->rotate_on_auto_eoi = cmd >> 2;
		break;
	case 1: /* non-specific EOI */
	case 5: /* rotate on non-specific EOI */
		prio = chip_priority(c, c->isr);
		if (prio == 8)
			break;
		irq = (prio + c->priority_add) & 7;
		c->isr &= ~(1u << irq);
		if (cmd == 5)
			c->priority_add = (irq + 1) & 7;
		break;
	case 3: /* specific EOI */
		c->isr &= ~(1u << (val & 7));
		break;
	case 6: /* set priority */
		c->priority_add = (val + 1) & 7;
		break;
	case 7: /* rotate on specific EOI */
		c->isr &= ~(1u << (val & 7));
		c->priority_add = ((val & 7) + 1) & 7;
		break;
	default: /* 2: no operation */
		break;
	}
}

static void chip_write(struct pic8259 *c, int a0, uint8_t val)
{
	if (!a0) {
		if (val & 0x10) {
			/* ICW1: level-triggered mode (bit 3) is not a PC thing. */
			chip_reset(c);
			c->init_state = 1;
			c->init4 = val & 1;
			c->single = val & 2;
		} else if (val & 0x08) {
			/* OCW3 */
			if (val & 0x04)
				c->poll = true;
			if (val & 0x02)
				c->read_isr = val & 1;
			if (val & 0x40)
				c->special_mask = (val >> 5) & 1;
		} else {
			chip_ocw2(c, val);
		}
		return;
	}
	switch (c->init_state) {
	case 0: /* OCW1 */
		c->imr = val;
		break;
	case 1: /* ICW2 */
		c->irq_base = val & 0xf8;
		c->programmed = true;
		c->init_state = c->single ? (c->init4 ? 3 : 0) : 2;
		break;
	case 2: /* ICW3 */
		c->init_state = c->init4 ? 3 : 0;
		break;
	case 3: /* ICW4 */
		c->special_fully_nested = (val >> 4) & 1;
		c->auto_eoi = (val >> 1) & 1;
		c->init_state = 0;
		break;
	}
}

bool pic_is_port(uint16_t port)
{
	return port == 0x20 || port == 0x21 || port == 0xa0 || port == 0xa1 ||
	       port == 0x4d0 || port == 0x4d1;
}

bool pic_ioport_write(struct pic_pair *p, uint16_t port, uint8_t val)
{
	struct pic8259 *c;

	switch (port) {
	case 0x4d0:
	case 0x4d1:
		c = &p->chip[port & 1];
		c->elcr = val & c->elcr_mask;
		break;
	case 0x20:
	case 0x21:
	case 0xa0:
	case 0xa1:
		chip_write(&p->chip[port >= 0xa0], port & 1, val);
		break;
	default:
		return false;
	}
	pair_update(p);
	return true;
}

bool pic_ioport_read(struct pic_pair *p, uint16_t port, uint8_t *val)
{
	struct pic8259 *c;
	int irq;

	switch (port) {
	case 0x4d0:
	case 0x4d1:
		*val = p->chip[port & 1].elcr;
		return true;
	case 0x20:
	case 0x21:
	case 0xa0:
	case 0xa1:
		break;
	default:
		return false;
	}
	c = &p->chip[port >= 0xa0];
	if (c->poll) {
		/* A poll read is an INTA cycle for that chip alone. */
		c->poll = false;
		irq = chip_get_irq(c, port < 0xa0);
		if (irq >= 0) {
			chip_intack(c, irq);
			*val = 0x80 | irq;
		} else {
			*val = 0;
		}
		pair_update(p);
		return true;
	}
	if (port & 1)
		*val = c->imr;
	else
		*val = c->read_isr ? c->isr : c->irr;
	return true;
}
