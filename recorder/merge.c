// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "merge.h"

static struct kev *at(struct kevq *q, size_t i)
{
	return &q->v[(q->head + i) % q->cap];
}

static int grow(struct kevq *q)
{
	size_t cap = q->cap ? q->cap * 2 : 4096;
	struct kev *v = malloc(cap * sizeof(*v));

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < q->n; i++)
		v[i] = *at(q, i);
	free(q->v);
	q->v = v;
	q->cap = cap;
	q->head = 0;
	return 0;
}

int kevq_push(struct kevq *q, const struct kev *ev)
{
	size_t i;

	if (q->n == q->cap && grow(q))
		return -ENOMEM;
	/* Stable: a sample goes after every queued one with the same timestamp. */
	for (i = q->n; i > 0 && at(q, i - 1)->ts > ev->ts; i--)
		*at(q, i) = *at(q, i - 1);
	*at(q, i) = *ev;
	q->n++;
	if (q->n > q->peak)
		q->peak = q->n;
	return 0;
}

struct kev *kevq_front(struct kevq *q)
{
	return q->n ? at(q, 0) : NULL;
}

void kevq_pop(struct kevq *q)
{
	if (!q->n)
		return;
	q->head = (q->head + 1) % q->cap;
	q->n--;
}

void kevq_free(struct kevq *q)
{
	free(q->v);
	memset(q, 0, sizeof(*q));
}
