/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pic: a dual 8259A (master at 0x20/0x21, slave at 0xa0/0xa1 cascaded on
 * master IR2, ELCR at 0x4d0/0x4d1). Full ICW1-4 / OCW1-3 programming,
 * IRR/ISR/IMR, fixed and rotating priorities, auto-EOI (with rotation),
 * specific and non-specific EOI, special mask, special fully nested mode,
 * poll. Pure model: no locking, no ioctls; the INTR output is reported
 * through the callback given to vmm_pic_init on every change of state.
 */
#ifndef KVMREC_VMM_PIC_H
#define KVMREC_VMM_PIC_H

#include <stdbool.h>
#include <stdint.h>

struct vmm_pic_chip {
	uint8_t last_irr;	/* input levels seen, for edge detection */
	uint8_t irr, imr, isr;
	uint8_t priority_add;	/* IR number with lowest priority, plus one */
	uint8_t irq_base;
	uint8_t elcr, elcr_mask;
	bool read_isr, poll, special_mask, auto_eoi, rotate_on_auto_eoi;
	bool special_fully_nested, init4, single_mode;
	uint8_t init_state;	/* 0 ready, 1..3 waiting for ICW2..ICW4 */
};

struct vmm_pic {
	struct vmm_pic_chip chip[2];	/* 0 master, 1 slave */
	bool output;
	void (*set_output)(void *opaque, bool level);
	void *opaque;
};

void vmm_pic_init(struct vmm_pic *p, void (*set_output)(void *, bool), void *opaque);
/* Drive input line irq (0-15) to level; edge or level semantics per ELCR. */
void vmm_pic_set_irq(struct vmm_pic *p, int irq, bool level);
/* INTA cycle: the vector to deliver (spurious IR7 vector if none). */
int vmm_pic_read_irq(struct vmm_pic *p);
bool vmm_pic_ioport_match(uint16_t port);
void vmm_pic_ioport_write(struct vmm_pic *p, uint16_t port, uint8_t val);
uint8_t vmm_pic_ioport_read(struct vmm_pic *p, uint16_t port);

#endif
