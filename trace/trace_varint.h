/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * trace_varint: the base-128 varints that delimit records (internal to trace/).
 * trace_varint_get() never reads past @end and returns 0 when the varint is
 * cut off or longer than 10 bytes.
 */
#ifndef KVMREC_TRACE_VARINT_H
#define KVMREC_TRACE_VARINT_H

#include <stddef.h>
#include <stdint.h>

#define TRACE_VARINT_MAX 10

static inline size_t trace_varint_put(uint8_t *p, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

static inline unsigned int trace_varint_len(uint64_t v)
{
	unsigned int n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

/* Bytes consumed, or 0 if there is no complete varint at @p. */
static inline size_t trace_varint_get(const uint8_t *p, const uint8_t *end, uint64_t *v)
{
	uint64_t r = 0;

	/* Most varints here (tags, lengths, small values) are one byte. */
	if (p < end && !(*p & 0x80)) {
		*v = *p;
		return 1;
	}
	/* Then two (timestamp deltas of a few microseconds, ports). */
	if (end - p >= 2 && !(p[1] & 0x80)) {
		*v = (uint64_t)(p[0] & 0x7f) | (uint64_t)p[1] << 7;
		return 2;
	}
	for (size_t i = 0; i < TRACE_VARINT_MAX && p + i < end; i++) {
		r |= (uint64_t)(p[i] & 0x7f) << (7 * i);
		if (!(p[i] & 0x80)) {
			*v = r;
			return i + 1;
		}
	}
	return 0;
}

#endif
