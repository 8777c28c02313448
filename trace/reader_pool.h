/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * reader_pool: worker threads that decompress and decode whole zstd frames of
 * a trace ahead of the reader, so reading uses every core (internal to trace/).
 *
 * The pool takes frames in file order from @off on and hands them out in that
 * order, each as an array of decoded records in memory it owns until
 * reader_pool_release(). It judges nothing: a frame that is anything but
 * whole, checksummed, within the limits and made only of decodable records
 * of the hot kinds (no header, no footer) comes back with @sequential set,
 * and the pool stops there; the reader then reads that frame, and the rest,
 * on its own single-threaded path, which words every damage message. So the
 * pool changes how fast a trace is read, never what is read.
 *
 * Memory: at most @threads + 2 frames in flight, each its decompressed bytes
 * and its records' arena.
 */
#ifndef KVMREC_TRACE_READER_POOL_H
#define KVMREC_TRACE_READER_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "trace_event.h"

struct reader_pool;

struct pool_frame {
	uint64_t index;			/* frame number in the file, from 0 */
	uint64_t off, end;		/* its compressed bytes in the input */
	bool sequential;		/* read this frame and the rest without the pool */
	size_t n;			/* records */
	Kvmrec__Record **recs;
};

/*
 * Starts @threads workers on the input from byte @off, whose first frame is
 * number @index: the regular file @fd (read with pread, never moved), or
 * @len bytes at @mem when @fd < 0. Returns 0 or -errno.
 */
int reader_pool_start(struct reader_pool **out, int fd, const uint8_t *mem, uint64_t len,
		      uint64_t off, uint64_t index, unsigned int threads);

/*
 * The next frame, in file order: waits for it. NULL at the end of input
 * (the previous frame ended exactly where the input does).
 */
const struct pool_frame *reader_pool_next(struct reader_pool *p);

/* The consumer is done with @f, the frame reader_pool_next() last gave. */
void reader_pool_release(struct reader_pool *p, const struct pool_frame *f);

/* Stops and joins the workers, frees everything. NULL is fine. */
void reader_pool_stop(struct reader_pool *p);

#endif
