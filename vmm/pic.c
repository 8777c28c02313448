// SPDX-License-Identifier: GPL-2.0-only
/*
 * Dual 8259A. Semantics follow the Intel 8259A data sheet as QEMU's i8259
 * implements them, so a guest programmed for QEMU behaves the same here.
 */
#include <string.h>

#include "pic.h"

/* Priority level (0 highest) of the highest set bit in mask, 8 if none. */
static int get_priority(const struct vmm_pic_chip *s, uint8_t mask)
{
	int prio = 0;

	if (!mask)
		return 8;
	while (!(mask & (1 << ((prio + s->priority_add) & 7))))
		prio++;
	return prio;
}

/* The IR a chip wants to raise INT for, or -1. */
static int chip_get_irq(const struct vmm_pic_chip *s, bool master)
{
	int prio, cur;
	uint8_t mask;

	prio = get_priority(s, s->irr & ~s->imr);
	if (prio == 8)
		return -1;
	mask = s->isr;
	if (s->special_mask)
		mask &= ~s->imr;
	/* In SFNM the master lets a higher slave IR through an in-service IR2. */
	if (s->special_fully_nested && master)
		mask &= ~(1 << 2);
	cur = get_priority(s, mask);
	if (prio < cur)
		return (prio + s->priority_add) & 7;
	return -1;
}

static void chip_set_irq(struct vmm_pic_chip *s, int irq, bool level)
{
	uint8_t mask = 1 << irq;

	if (s->elcr & mask) {
		if (level) {
			s->irr |= mask;
			s->last_irr |= mask;
		} else {
			s->irr &= ~mask;
			s->last_irr &= ~mask;
		}
	} else {
		if (level) {
			if (!(s->last_irr & mask))
				s->irr |= mask;
			s->last_irr |= mask;
		} else {
			s->last_irr &= ~mask;
		}
	}
}

static void pic_update(struct vmm_pic *p)
{
	bool out;

	chip_set_irq(&p->chip[0], 2, chip_get_irq(&p->chip[1], false) >= 0);
	out = chip_get_irq(&p->chip[0], true) >= 0;
	p->output = out;
	if (p->set_output)
		p->set_output(p->opaque, out);
}

static void chip_intack(struct vmm_pic_chip *s, int irq)
{
	if (s->auto_eoi) {
		if (s->rotate_on_auto_eoi)
			s->priority_add = (irq + 1) & 7;
	} else {
		s->isr |= 1 << irq;
	}
	/* A level-triggered IR stays requested while its line is high. */
	if (!(s->elcr & (1 << irq)))
		s->irr &= ~(1 << irq);
}

int vmm_pic_read_irq(struct vmm_pic *p)
{
	struct vmm_pic_chip *m = &p->chip[0], *sl = &p->chip[1];
	int irq = chip_get_irq(m, true), irq2, vec;

	if (irq < 0) {
		/* Spurious: the request went away before INTA. */
		vec = m->irq_base + 7;
	} else if (irq == 2) {
		irq2 = chip_get_irq(sl, false);
		if (irq2 >= 0)
			chip_intack(sl, irq2);
		else
			irq2 = 7;
		vec = sl->irq_base + irq2;
		chip_intack(m, irq);
	} else {
		vec = m->irq_base + irq;
		chip_intack(m, irq);
	}
	pic_update(p);
	return vec;
}

void vmm_pic_set_irq(struct vmm_pic *p, int irq, bool level)
{
	if (irq < 0 || irq > 15)
		return;
	chip_set_irq(&p->chip[irq >> 3], irq & 7, level);
	pic_update(p);
}

static void chip_reset(struct vmm_pic_chip *s)
{
	uint8_t elcr = s->elcr, elcr_mask = s->elcr_mask;

	/* ICW1 keeps level-triggered requests whose lines are still high. */
	s->irr &= elcr;
	s->last_irr = 0;
	s->imr = s->isr = s->priority_add = s->irq_base = 0;
	s->read_isr = s->poll = s->special_mask = s->auto_eoi = false;
	s->rotate_on_auto_eoi = s->special_fully_nested = s->init4 = s->single_mode = false;
	s->init_state = 0;
	s->elcr = elcr;
	s->elcr_mask = elcr_mask;
}

void vmm_pic_init(struct vmm_pic *p, void (*set_output)(void *, bool), void *opaque)
{
	memset(p, 0, sizeof(*p));
	p->chip[0].elcr_mask = 0xf8;	/* IR0-2 of the master are always edge */
	p->chip[1].elcr_mask = 0xde;	/* IR8 and IR13 too */
	p->set_output = set_output;
	p->opaque = opaque;
}

bool vmm_pic_ioport_match(uint16_t port)
{
	return port == 0x20 || port == 0x21 || port == 0xa0 || port == 0xa1 ||
	       port == 0x4d0 || port == 0x4d1;
}

static void chip_ocw2(struct vmm_pic_chip *s, uint8_t val)
{
	int cmd = val >> 5, prio, irq;

	switch (cmd) {
	case 0:	/* rotate in auto-EOI mode: clear */
	case 4:	/* rotate in auto-EOI mode: set */
		s->rotate_on_auto_eoi = cmd >> 2;
		break;
	case 1:	/* non-specific EOI */
	case 5:	/* rotate on non-specific EOI */
		prio = get_priority(s, s->isr);
		if (prio != 8) {
			irq = (prio + s->priority_add) & 7;
			s->isr &= ~(1 << irq);
			if (cmd == 5)
				s->priority_add = (irq + 1) & 7;
		}
		break;
	case 3:	/* specific EOI */
		s->isr &= ~(1 << (val & 7));
		break;
	case 6:	/* set priority: IR val&7 becomes the lowest */
		s->priority_add = (val + 1) & 7;
		break;
	case 7:	/* rotate on specific EOI */
		irq = val & 7;
		s->isr &= ~(1 << irq);
		s->priority_add = (irq + 1) & 7;
		break;
	default:	/* 2: no operation */
		break;
	}
}

static void chip_write(struct vmm_pic_chip *s, bool a0, uint8_t val)
{
	if (!a0) {
		if (val & 0x10) {			/* ICW1 */
			chip_reset(s);
			s->init_state = 1;
			s->init4 = val & 1;
			s->single_mode = val & 2;
			/* LTIM (0x08): ELCR governs triggering on PC-compatible parts. */
		} else if (val & 0x08) {		/* OCW3 */
			if (val & 0x04)
				s->poll = true;
			if (val & 0x02)
				s->read_isr = val & 1;
			if (val & 0x40)
				s->special_mask = (val >> 5) & 1;
		} else {				/* OCW2 */
			chip_ocw2(s, val);
		}
		return;
	}
	switch (s->init_state) {
	case 0:					/* OCW1 */
		s->imr = val;
		break;
	case 1:					/* ICW2 */
		s->irq_base = val & 0xf8;
		s->init_state = s->single_mode ? (s->init4 ? 3 : 0) : 2;
		break;
	case 2:					/* ICW3: cascade wiring is fixed */
		s->init_state = s->init4 ? 3 : 0;
		break;
	case 3:					/* ICW4 */
		s->special_fully_nested = (val >> 4) & 1;
		s->auto_eoi = (val >> 1) & 1;
		s->init_state = 0;
		break;
	}
}

/*
 * INT follows the priority resolver, so it is re-evaluated after every
 * write, ICW4 included (special fully nested mode can let a slave request
 * through an in-service IR2). QEMU's i8259 re-evaluates only after some
 * commands; the replayer's model re-drives after every write too
 * (tests/models/ holds the two to the same answers).
 */
void vmm_pic_ioport_write(struct vmm_pic *p, uint16_t port, uint8_t val)
{
	if (port == 0x4d0 || port == 0x4d1) {
		struct vmm_pic_chip *s = &p->chip[port & 1];

		s->elcr = val & s->elcr_mask;
	} else {
		chip_write(&p->chip[port >= 0xa0], port & 1, val);
	}
	pic_update(p);
}

/* Poll command: acknowledge the highest request as an INTA would. */
static uint8_t chip_poll(struct vmm_pic *p, struct vmm_pic_chip *s, bool master)
{
	int irq = chip_get_irq(s, master);

	s->poll = false;
	if (irq < 0)
		return 0;
	chip_intack(s, irq);
	pic_update(p);
	return 0x80 | irq;
}

uint8_t vmm_pic_ioport_read(struct vmm_pic *p, uint16_t port)
{
	struct vmm_pic_chip *s;

	if (port == 0x4d0 || port == 0x4d1)
		return p->chip[port & 1].elcr;
	s = &p->chip[port >= 0xa0];
	if (s->poll)
		return chip_poll(p, s, s == &p->chip[0]);
	if (!(port & 1))
		return s->read_isr ? s->isr : s->irr;
	return s->imr;
}
