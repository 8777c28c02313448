/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pic8259: a dual 8259A (master at 0x20, slave at 0xa0 cascaded on IRQ 2,
 * ELCR at 0x4d0/0x4d1) driven only by what a trace shows: port writes and
 * reads the guest made, and input-line changes the VMM made.
 *
 * Owns no memory; all state is in struct pic_pair. Every function is total:
 * unknown ports and unsupported modes are ignored (pic_ioport_write() returns
 * false for a port that is not the PIC's), never an error.
 */
#ifndef KVMREC_PIC8259_H
#define KVMREC_PIC8259_H

#include <stdbool.h>
#include <stdint.h>

struct pic8259 {
	uint8_t last_irr;	/* input levels, for edge detection */
	uint8_t irr;
	uint8_t imr;
	uint8_t isr;
	uint8_t priority_add;	/* the lowest-priority line is priority_add - 1 */
	uint8_t irq_base;	/* ICW2 */
	uint8_t elcr;		/* level-triggered lines */
	uint8_t elcr_mask;
	uint8_t init_state;	/* 0 ready, 1..3 expecting ICW2..ICW4 */
	bool programmed;	/* ICW2 seen since reset */
	bool read_isr;
	bool poll;
	bool special_mask;
	bool auto_eoi;
	bool rotate_on_auto_eoi;
	bool special_fully_nested;
	bool init4;
	bool single;
};

struct pic_pair {
	struct pic8259 chip[2];	/* 0 master, 1 slave */
};

void pic_init(struct pic_pair *p);
/* Input line @irq (0-15) to @level. Edge lines latch IRR on a rising edge. */
void pic_set_irq(struct pic_pair *p, unsigned int irq, int level);
/* A guest write of @val to @port; false if @port is not a PIC port. */
bool pic_ioport_write(struct pic_pair *p, uint16_t port, uint8_t val);
/* A guest read of @port (poll mode acknowledges); false if not a PIC port. */
bool pic_ioport_read(struct pic_pair *p, uint16_t port, uint8_t *val);
bool pic_is_port(uint16_t port);
/* The IRQ (0-15) the PIC would deliver now, or -1 if INT is low. */
int pic_pending_irq(const struct pic_pair *p);
/* INTA cycle: returns the vector and updates IRR/ISR (spurious IRQ 7 if none). */
int pic_intack(struct pic_pair *p, int *irq_out);
/* The vector line @irq maps to, or -1 while its chip is unprogrammed. */
int pic_irq_vector(const struct pic_pair *p, unsigned int irq);
/* The line a vector comes from under the current programming, or -1. */
int pic_vector_irq(const struct pic_pair *p, unsigned int vector);

#endif
