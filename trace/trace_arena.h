/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * trace_arena: a bump allocator that protobuf-c unpacks records into
 * (internal to trace/): one record at a time in the reader, a whole frame's
 * in a reader_pool slot. Everything allocated since the last reset is freed
 * at once by trace_arena_reset(); free() of a single block is a no-op. Memory
 * held between resets is bounded by @keep (TRACE_ARENA_KEEP unless set after
 * init). alloc returns NULL when out of memory, which protobuf-c reports as a
 * failed unpack.
 */
#ifndef KVMREC_TRACE_ARENA_H
#define KVMREC_TRACE_ARENA_H

#include <stddef.h>
#include <protobuf-c/protobuf-c.h>

#define TRACE_ARENA_KEEP (1u << 20)

struct trace_arena_block;

struct trace_arena {
	unsigned char *base;
	size_t cap, used;
	size_t keep;                      /* the base grows up to this, no further */
	size_t overflow;                  /* bytes that did not fit in base since reset */
	struct trace_arena_block *extra;  /* allocations that did not fit in base */
	ProtobufCAllocator pb;            /* hand &pb to protobuf_c_message_unpack */
};

int trace_arena_init(struct trace_arena *a, size_t cap);
void trace_arena_reset(struct trace_arena *a);
void trace_arena_fini(struct trace_arena *a);

#endif
