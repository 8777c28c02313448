// SPDX-License-Identifier: GPL-2.0-only
/* io_delta: IO data as a difference from the port's last value (see io_delta.h). */
#include <errno.h>
#include <string.h>

#include "io_delta.h"

static uint64_t le_get(const uint8_t *p, unsigned int len)
{
	uint64_t v = 0;

	for (unsigned int i = len; i-- > 0;)
		v = v << 8 | p[i];
	return v;
}

static void le_put(uint8_t *p, unsigned int len, uint64_t v)
{
	for (unsigned int i = 0; i < len; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint64_t mask_of(unsigned int len)
{
	return len >= 8 ? ~0ull : (1ull << (8 * len)) - 1;
}

void io_delta_reset(struct io_delta *t)
{
	for (unsigned int i = 0; i < IO_DELTA_SLOTS; i++)
		t->slot[i].valid = false;
}

void io_delta_note(struct io_delta *t, const Kvmrec__ExitIo *io)
{
	struct io_delta_slot *s = &t->slot[io->port % IO_DELTA_SLOTS];

	if (io->has_data && io->data.len && io->data.len <= IO_DELTA_MAX) {
		s->valid = true;
		s->port = io->port;
		s->len = (uint8_t)io->data.len;
		memcpy(s->data, io->data.data, io->data.len);
	} else if (s->port == io->port) {
		s->valid = false;
	}
}

bool io_delta_make(const struct io_delta *t, const Kvmrec__ExitIo *io, int64_t *add)
{
	const struct io_delta_slot *s = &t->slot[io->port % IO_DELTA_SLOTS];
	unsigned int len = s->len;
	uint64_t d;

	if (!s->valid || s->port != io->port || !io->has_data || io->data.len != len ||
	    io->has_data_add)
		return false;
	d = (le_get(io->data.data, len) - le_get(s->data, len)) & mask_of(len);
	/* Sign-extended from the data's width, so a small step down is small too. */
	if (len < 8 && (d >> (8 * len - 1)) & 1)
		d |= ~mask_of(len);
	*add = (int64_t)d;
	return true;
}

int io_delta_expand(const struct io_delta *t, Kvmrec__ExitIo *io, uint8_t *buf)
{
	const struct io_delta_slot *s = &t->slot[io->port % IO_DELTA_SLOTS];

	if (!s->valid || s->port != io->port)
		return -EINVAL;
	le_put(buf, s->len, le_get(s->data, s->len) + (uint64_t)io->data_add);
	io->has_data = 1;
	io->data.data = buf;
	io->data.len = s->len;
	io->has_data_add = 0;
	io->data_add = 0;
	return 0;
}
