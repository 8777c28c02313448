/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pit8254: channel 0 of the 8254 timer as the guest programmed it (ports
 * 0x40 and 0x43), to bound how many IRQ 0 edges it can have produced by a
 * given time. Used where the VMM's PIC lines are not in the trace (QEMU):
 * an IRQ 0 delivery is answered by an edge only if the timer had one left.
 *
 * Pure state, total functions, no allocation.
 */
#ifndef KVMREC_PIT8254_H
#define KVMREC_PIT8254_H

#include <stdbool.h>
#include <stdint.h>

#define PIT_HZ 1193182u

struct pit8254 {
	uint8_t mode;		/* 0-5 */
	uint8_t access;		/* 1 lsb, 2 msb, 3 lsb then msb */
	bool msb_next;
	uint16_t partial;
	uint32_t count;		/* 1..65536 */
	bool running;
	uint64_t load_ns;	/* when the running count was loaded */
	uint64_t banked;	/* edges from earlier programming */
};

void pit_init(struct pit8254 *p);
/* A guest write at @ts_ns; false if @port is not 0x40 or 0x43. */
bool pit_ioport_write(struct pit8254 *p, uint16_t port, uint8_t val, uint64_t ts_ns);
/*
 * Most IRQ 0 rising edges the timer can have made by @ts_ns since it was
 * first programmed: periodic modes one per period plus one for the unknown
 * phase, one-shot modes one per load.
 */
uint64_t pit_edges(const struct pit8254 *p, uint64_t ts_ns);

#endif
