/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * trace_arena: a bump allocator that protobuf-c unpacks records into
 * (internal to trace/): one record at a time in the reader, a whole frame's
 * in a reader_pool slot. Everything allocated since the last reset is freed
 * at once by trace_arena_reset(); free() of a single block is a no-op. What
 * does not fit in the base goes to chunks of at least TRACE_ARENA_CHUNK, and
 * the next reset grows the base to what was used, bounded by @keep
 * (TRACE_ARENA_KEEP unless set after init). Allocation returns NULL when out
 * of memory, which protobuf-c reports as a failed unpack.
 *
 * trace_arena_alloc() is the inline fast path for the hand decoders;
 * trace_arena_pb_alloc() takes it when @pb is an arena's, so a decoder
 * handed any ProtobufCAllocator stays correct.
 */
#ifndef KVMREC_TRACE_ARENA_H
#define KVMREC_TRACE_ARENA_H

#include <stddef.h>
#include <protobuf-c/protobuf-c.h>

#define TRACE_ARENA_KEEP (1u << 20)
#define TRACE_ARENA_CHUNK (64u << 10)
/*
 * protobuf-c messages and their arrays hold nothing wider than 8 bytes
 * (integers, doubles, pointers, size_t), so 8 is their alignment; 16 would
 * add a quarter to a frame's decoded records.
 */
#define TRACE_ARENA_ALIGN 8

struct trace_arena_block;

struct trace_arena {
	unsigned char *base;
	size_t cap;
	unsigned char *pos, *end;         /* the chunk being filled: base or extra */
	size_t base_used;                 /* of base, once extra chunks began */
	size_t keep;                      /* the base grows up to this, no further */
	struct trace_arena_block *extra;  /* chunks for what did not fit in base */
	ProtobufCAllocator pb;            /* hand &pb to protobuf_c_message_unpack */
};

int trace_arena_init(struct trace_arena *a, size_t cap);
void trace_arena_fini(struct trace_arena *a);
void trace_arena_reset_slow(struct trace_arena *a);

/* The reader resets once per record: inline while nothing overflowed. */
static inline void trace_arena_reset(struct trace_arena *a)
{
	if (a->extra)
		trace_arena_reset_slow(a);
	else
		a->pos = a->base;
}

void *trace_arena_alloc_slow(struct trace_arena *a, size_t size);
void *trace_arena_pb_cb(void *arena, size_t size);	/* the arena's pb.alloc */

static inline void *trace_arena_alloc(struct trace_arena *a, size_t size)
{
	size_t need = (size + TRACE_ARENA_ALIGN - 1) & ~(size_t)(TRACE_ARENA_ALIGN - 1);

	if (need >= size && need <= (size_t)(a->end - a->pos)) {
		void *p = a->pos;

		a->pos += need;
		return p;
	}
	return trace_arena_alloc_slow(a, size);
}

static inline void *trace_arena_pb_alloc(ProtobufCAllocator *pb, size_t size)
{
	if (pb->alloc == trace_arena_pb_cb)
		return trace_arena_alloc(pb->allocator_data, size);
	return pb->alloc(pb->allocator_data, size);
}

#endif
