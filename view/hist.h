/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hist: a fixed-size log-linear (HDR-style) histogram of nanosecond
 * durations, for percentiles over traces of any length in constant memory.
 *
 * Values below 2^HIST_SUB_BITS ns are exact; above, each power of two is split
 * into 2^HIST_SUB_BITS linear buckets and a percentile is reported as its
 * bucket's midpoint, so it is off by at most half a bucket: 1/2^(HIST_SUB_BITS+1)
 * (0.39%) of its value - within 1% of the exact nearest-rank percentile.
 * min, max and mean are exact.
 * Values at or above 2^HIST_MAX_EXP ns (~78 hours) land in the last bucket.
 * No allocation, no failure.
 */
#ifndef KVMREC_VIEW_HIST_H
#define KVMREC_VIEW_HIST_H

#include <stdint.h>

#define HIST_SUB_BITS 7
#define HIST_MAX_EXP  48
#define HIST_BUCKETS  ((HIST_MAX_EXP - HIST_SUB_BITS + 2) << HIST_SUB_BITS)

struct hist {
	uint64_t count;
	uint64_t min, max;
	/* Sum for the mean; saturates rather than wraps. */
	uint64_t sum;
	uint64_t bucket[HIST_BUCKETS];
};

void hist_init(struct hist *h);
void hist_add(struct hist *h, uint64_t v);
void hist_merge(struct hist *dst, const struct hist *src);

/*
 * The value at quantile @q (0..1): the midpoint of the bucket holding it,
 * clamped to [min, max]. 0 when the histogram is empty.
 */
uint64_t hist_quantile(const struct hist *h, double q);
uint64_t hist_mean(const struct hist *h);

#endif
