// SPDX-License-Identifier: GPL-2.0-only
#include <string.h>

#include "guest_abi.h"
#include "serial.h"

#define UART_THR	0	/* DLL when LCR.DLAB */
#define UART_IER	1	/* DLM when LCR.DLAB */
#define UART_IIR	2
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define UART_MSR	6
#define UART_SCR	7
#define UART_LCR_DLAB	0x80
#define UART_LSR_THRE	0x20
#define UART_LSR_TEMT	0x40

void serial_init(struct serial *s, FILE *out)
{
	memset(s, 0, sizeof(*s));
	s->out = out;
}

bool serial_ioport_match(uint16_t port)
{
	return port >= GUEST_SERIAL_PORT && port < GUEST_SERIAL_PORT + 8;
}

void serial_flush(struct serial *s)
{
	if (s->len) {
		fwrite(s->line, 1, s->len, s->out);
		s->len = 0;
	}
	fflush(s->out);
}

static void serial_putc(struct serial *s, char c)
{
	s->line[s->len++] = c;
	if (c == '\n' || s->len == sizeof(s->line))
		serial_flush(s);
}

void serial_ioport_write(struct serial *s, uint16_t port, uint8_t val)
{
	bool dlab = s->lcr & UART_LCR_DLAB;

	switch (port - GUEST_SERIAL_PORT) {
	case UART_THR:
		if (dlab)
			s->dll = val;
		else
			serial_putc(s, (char)val);
		break;
	case UART_IER:
		if (dlab)
			s->dlm = val;
		else
			s->ier = val & 0x0f;
		break;
	case UART_LCR:
		s->lcr = val;
		break;
	case UART_MCR:
		s->mcr = val;
		break;
	case UART_SCR:
		s->scr = val;
		break;
	}
}

uint8_t serial_ioport_read(struct serial *s, uint16_t port)
{
	bool dlab = s->lcr & UART_LCR_DLAB;

	switch (port - GUEST_SERIAL_PORT) {
	case UART_THR:
		return dlab ? s->dll : 0;
	case UART_IER:
		return dlab ? s->dlm : s->ier;
	case UART_IIR:
		return 0x01;	/* no interrupt pending */
	case UART_LCR:
		return s->lcr;
	case UART_MCR:
		return s->mcr;
	case UART_LSR:
		return UART_LSR_THRE | UART_LSR_TEMT;
	case UART_MSR:
		return 0;
	case UART_SCR:
		return s->scr;
	}
	return 0xff;
}
