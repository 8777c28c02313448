// SPDX-License-Identifier: GPL-2.0-only
/* hist: log-linear duration histogram (see hist.h). */
#include <string.h>
#include "hist.h"

#define SUB (1u << HIST_SUB_BITS)

static unsigned int hist_index(uint64_t v)
{
	if (v < SUB)
		return (unsigned int)v;
	unsigned int exp = 63 - __builtin_clzll(v);   /* >= HIST_SUB_BITS */
	if (exp > HIST_MAX_EXP)
		return HIST_BUCKETS - 1;
	unsigned int sub = (unsigned int)(v >> (exp - HIST_SUB_BITS)) & (SUB - 1);
	unsigned int idx = ((exp - HIST_SUB_BITS + 1) << HIST_SUB_BITS) + sub;
	return idx < HIST_BUCKETS ? idx : HIST_BUCKETS - 1;
}

/* [lo, lo + width) of bucket @i. */
static void hist_bounds(unsigned int i, uint64_t *lo, uint64_t *width)
{
	if (i < SUB) {
		*lo = i;
		*width = 1;
		return;
	}
	unsigned int exp = (i >> HIST_SUB_BITS) + HIST_SUB_BITS - 1;
	unsigned int sub = i & (SUB - 1);
	*width = 1ull << (exp - HIST_SUB_BITS);
	*lo = (1ull << exp) + sub * *width;
}

void hist_init(struct hist *h)
{
	memset(h, 0, sizeof(*h));
}

void hist_add(struct hist *h, uint64_t v)
{
	if (!h->count || v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
	h->count++;
	h->sum = __builtin_add_overflow(h->sum, v, &h->sum) ? UINT64_MAX : h->sum;
	h->bucket[hist_index(v)]++;
}

void hist_merge(struct hist *dst, const struct hist *src)
{
	if (!src->count)
		return;
	if (!dst->count || src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	dst->count += src->count;
	if (__builtin_add_overflow(dst->sum, src->sum, &dst->sum))
		dst->sum = UINT64_MAX;
	for (unsigned int i = 0; i < HIST_BUCKETS; i++)
		dst->bucket[i] += src->bucket[i];
}

uint64_t hist_quantile(const struct hist *h, double q)
{
	if (!h->count)
		return 0;
	if (q <= 0)
		return h->min;
	if (q >= 1)
		return h->max;
	/* The rank of the wanted sample, 1-based, rounded up ("nearest rank"). */
	uint64_t rank = (uint64_t)(q * (double)h->count);
	if ((double)rank < q * (double)h->count)
		rank++;
	if (!rank)
		rank = 1;
	uint64_t seen = 0;
	for (unsigned int i = 0; i < HIST_BUCKETS; i++) {
		seen += h->bucket[i];
		if (seen < rank)
			continue;
		uint64_t lo, width, v;
		hist_bounds(i, &lo, &width);
		v = lo + width / 2;
		if (v < h->min)
			v = h->min;
		if (v > h->max)
			v = h->max;
		return v;
	}
	return h->max;
}

uint64_t hist_mean(const struct hist *h)
{
	return h->count ? h->sum / h->count : 0;
}
