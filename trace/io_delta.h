/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * io_delta: an IO exit's data as a difference from the last IO exit on the
 * same port in the same frame (ExitIo.data_add, proto/kvmrec.proto; internal
 * to trace/). Writer and readers keep the same table, reset at every frame
 * start and given every IO exit in order (io_delta_note), so a frame decodes
 * on its own: in reader_pool workers as on the single-threaded path.
 */
#ifndef KVMREC_TRACE_IO_DELTA_H
#define KVMREC_TRACE_IO_DELTA_H

#include <stdbool.h>
#include <stdint.h>
#include "kvmrec.pb-c.h"

#define IO_DELTA_SLOTS 16   /* by port modulo this */
#define IO_DELTA_MAX 8      /* data bytes a difference covers */

struct io_delta_slot {
	bool valid;
	uint32_t port;
	uint8_t len;
	uint8_t data[IO_DELTA_MAX];
};

struct io_delta {
	struct io_delta_slot slot[IO_DELTA_SLOTS];
};

void io_delta_reset(struct io_delta *t);

/* @io (its data whole) was just written or read: the next difference on its port is from it. */
void io_delta_note(struct io_delta *t, const Kvmrec__ExitIo *io);

/* Writer: true, with *@add, if @io's data can be written as data_add. */
bool io_delta_make(const struct io_delta *t, const Kvmrec__ExitIo *io, int64_t *add);

/*
 * Reader: @io has data_add; puts its data back (the bytes in @buf,
 * IO_DELTA_MAX of them). Returns 0, or -EINVAL when the frame has no earlier
 * IO exit on that port (the trace is corrupt).
 */
int io_delta_expand(const struct io_delta *t, Kvmrec__ExitIo *io, uint8_t *buf);

#endif
