// SPDX-License-Identifier: GPL-2.0-only
/*
 * trace_arena: bump allocation, so the reader does no malloc per message on
 * the hot path, nor per message while its base is still too small: a frame's
 * first decoding in a reader_pool slot overflows it thousands of times.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "trace_arena.h"

struct trace_arena_block {
	struct trace_arena_block *next;
	size_t size, used;
	max_align_t data[];
};

void *trace_arena_alloc_slow(struct trace_arena *a, size_t size)
{
	size_t need = (size + TRACE_ARENA_ALIGN - 1) & ~(size_t)(TRACE_ARENA_ALIGN - 1);
	size_t chunk = need > TRACE_ARENA_CHUNK ? need : TRACE_ARENA_CHUNK;
	struct trace_arena_block *b;

	if (need < size || need > SIZE_MAX - sizeof(*b))
		return NULL;
	b = malloc(sizeof(*b) + chunk);
	if (!b)
		return NULL;
	if (a->extra)
		a->extra->used = (size_t)(a->pos - (unsigned char *)a->extra->data);
	else
		a->base_used = (size_t)(a->pos - a->base);
	b->next = a->extra;
	b->size = chunk;
	b->used = 0;
	a->extra = b;
	a->pos = (unsigned char *)b->data + need;
	a->end = (unsigned char *)b->data + chunk;
	return b->data;
}

void *trace_arena_pb_cb(void *data, size_t size)
{
	return trace_arena_alloc(data, size);
}

static void arena_free(void *data, void *ptr)
{
	(void)data;
	(void)ptr;
}

int trace_arena_init(struct trace_arena *a, size_t cap)
{
	a->base = malloc(cap);
	if (!a->base)
		return -ENOMEM;
	a->cap = cap;
	a->pos = a->base;
	a->end = a->base + cap;
	a->base_used = 0;
	a->keep = TRACE_ARENA_KEEP;
	a->extra = NULL;
	a->pb.alloc = trace_arena_pb_cb;
	a->pb.free = arena_free;
	a->pb.allocator_data = a;
	return 0;
}

void trace_arena_reset_slow(struct trace_arena *a)
{
	size_t want;

	a->extra->used = (size_t)(a->pos - (unsigned char *)a->extra->data);
	want = a->base_used;
	while (a->extra) {
		struct trace_arena_block *b = a->extra;

		want += b->used;
		a->extra = b->next;
		free(b);
	}
	/* Grow the base so what was needed fits next time, within the bound. */
	if (want > a->cap && want <= a->keep) {
		unsigned char *p = malloc(want);

		if (p) {
			free(a->base);
			a->base = p;
			a->cap = want;
		}
	}
	a->pos = a->base;
	a->end = a->base + a->cap;
}

void trace_arena_fini(struct trace_arena *a)
{
	trace_arena_reset(a);
	free(a->base);
	a->base = NULL;
}
