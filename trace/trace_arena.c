// SPDX-License-Identifier: GPL-2.0-only
/*
 * trace_arena: bump allocation, so the reader does no malloc per message on
 * the hot path.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "trace_arena.h"

#define ARENA_ALIGN 16

struct trace_arena_block {
	struct trace_arena_block *next;
	max_align_t data[];
};

static void *arena_alloc(void *data, size_t size)
{
	struct trace_arena *a = data;
	struct trace_arena_block *b;
	size_t need = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);

	if (need < size)
		return NULL;
	if (need <= a->cap - a->used) {
		void *p = a->base + a->used;

		a->used += need;
		return p;
	}
	b = malloc(sizeof(*b) + need);
	if (!b)
		return NULL;
	b->next = a->extra;
	a->extra = b;
	a->overflow += need;
	return b->data;
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
	a->keep = TRACE_ARENA_KEEP;
	a->used = 0;
	a->overflow = 0;
	a->extra = NULL;
	a->pb.alloc = arena_alloc;
	a->pb.free = arena_free;
	a->pb.allocator_data = a;
	return 0;
}

void trace_arena_reset(struct trace_arena *a)
{
	size_t want = a->used + a->overflow;

	while (a->extra) {
		struct trace_arena_block *b = a->extra;

		a->extra = b->next;
		free(b);
	}
	/* Grow the base so a record of this size fits next time, within the bound. */
	if (a->overflow && want <= a->keep) {
		unsigned char *p = malloc(want);

		if (p) {
			free(a->base);
			a->base = p;
			a->cap = want;
		}
	}
	a->used = 0;
	a->overflow = 0;
}

void trace_arena_fini(struct trace_arena *a)
{
	trace_arena_reset(a);
	free(a->base);
	a->base = NULL;
}
