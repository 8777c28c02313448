/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * writer_pool: compression threads for the trace writer (internal to trace/),
 * so the thread that appends records (the recorder's drain loop) only
 * encodes, and compression runs on the other cores.
 *
 * writer_pool_submit() copies one frame's raw records into a free slot and
 * returns; a worker puts runs of hot records into batches (batch.h) and
 * compresses the frame (zstd with content checksum and size, at
 * the writer's level, so the bytes are the same as the writer's own path) and
 * writes it to @fd when every earlier frame has been written: frames reach
 * the file in submission order. writer_pool_drain() waits until all are
 * written. The first failure (compression, write) sticks: later calls return
 * it, and writer_pool_error() words it. Memory: @threads + 1 frames, twice.
 */
#ifndef KVMREC_TRACE_WRITER_POOL_H
#define KVMREC_TRACE_WRITER_POOL_H

#include <stddef.h>
#include <stdint.h>

struct writer_pool;

/* Returns 0 or -errno. @threads >= 1. */
int writer_pool_start(struct writer_pool **out, int fd, int zstd_level, unsigned int threads);

/*
 * Hands over @len bytes at @raw (copied), records from @from on; waits for a
 * free slot. 0 or the sticky -errno.
 */
int writer_pool_submit(struct writer_pool *p, const uint8_t *raw, size_t len, size_t from);

/* Waits until every submitted frame is written. 0 or the sticky -errno. */
int writer_pool_drain(struct writer_pool *p);

/* Compressed bytes written so far. */
uint64_t writer_pool_bytes(struct writer_pool *p);

/* What failed, without the file name ("write failed: No space left on device"). */
const char *writer_pool_error(struct writer_pool *p);

/* Joins the workers (after finishing what was submitted), frees. NULL is fine. */
void writer_pool_stop(struct writer_pool *p);

#endif
