/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * serial: a transmit-only 16550 at 0x3f8-0x3ff. Bytes written to THR go to
 * the given FILE, a line at a time (partial lines on serial_flush); LSR
 * always reports an empty transmitter so guests may poll it or not. Not
 * thread-safe: the caller holds the device lock.
 */
#ifndef KVMREC_VMM_SERIAL_H
#define KVMREC_VMM_SERIAL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct serial {
	FILE *out;
	uint8_t ier, lcr, mcr, scr, dll, dlm;
	size_t len;
	char line[256];
};

void serial_init(struct serial *s, FILE *out);
bool serial_ioport_match(uint16_t port);
void serial_ioport_write(struct serial *s, uint16_t port, uint8_t val);
uint8_t serial_ioport_read(struct serial *s, uint16_t port);
void serial_flush(struct serial *s);

#endif
