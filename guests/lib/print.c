// SPDX-License-Identifier: GPL-2.0-only
/*
 * Minimal printf for guests: %d %i %u %x %p %s %c %% with l/ll, width and
 * 0-padding. Each printf formats into a buffer and sends it with one
 * `rep outsb`, so a line costs one VM exit, and lines from different vCPUs
 * never interleave.
 */
#include "guest.h"

struct out {
	char *buf;
	unsigned long size, len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_num(struct out *o, unsigned long long v, int base, bool neg, int width, char pad)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (neg)
		tmp[n++] = '-';
	while (width-- > n)
		put(o, pad);
	while (n)
		put(o, tmp[--n]);
}

int vsnprintf(char *buf, unsigned long size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };

	for (; *fmt; fmt++) {
		int width = 0, lng = 0;
		char pad = ' ';
		long long sv;
		const char *s;

		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		fmt++;
		if (*fmt == '0')
			pad = '0';
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l')
			lng++, fmt++;
		switch (*fmt) {
		case 'd':
		case 'i':
			sv = lng ? va_arg(ap, long long) : va_arg(ap, int);
			put_num(&o, sv < 0 ? -(unsigned long long)sv : (unsigned long long)sv, 10,
				sv < 0, width, pad);
			break;
		case 'u':
			put_num(&o, lng ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned int),
				10, false, width, pad);
			break;
		case 'x':
			put_num(&o, lng ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned int),
				16, false, width, pad);
			break;
		case 'p':
			put(&o, '0');
			put(&o, 'x');
			put_num(&o, (unsigned long)va_arg(ap, void *), 16, false, width, pad);
			break;
		case 's':
			for (s = va_arg(ap, const char *); s && *s; s++)
				put(&o, *s);
			break;
		case 'c':
			put(&o, (char)va_arg(ap, int));
			break;
		case '%':
			put(&o, '%');
			break;
		default:
			put(&o, '%');
			if (*fmt)
				put(&o, *fmt);
			else
				fmt--;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = 0;
	return (int)o.len;
}

static volatile int print_lock;

int printf(const char *fmt, ...)
{
	char buf[256];
	unsigned long n;
	va_list ap;
	void *p = buf;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	spin_lock(&print_lock);
	asm volatile("rep outsb" : "+S"(p), "+c"(n) : "d"(GUEST_SERIAL_PORT) : "memory");
	spin_unlock(&print_lock);
	return (int)n;
}
