/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bisect: the smallest set of knob changes to the injection policy that
 * makes --check-once pass on a trace (docs/design.md §4).
 *
 * bisect_file() replays @path under @base (NULL: the policy the trace
 * names), checks that the model's what-if reproduces the recorded
 * violation, then replays the what-if under every knob subset in order of
 * size until one passes. All fixes of the smallest size are returned, the
 * one that changes the fewest of the VMM's recorded decisions first. Returns the exit code `kvmrec bisect` gives: 0 nothing to
 * fix, 1 violation (fixed or not: see nfixes), 2 bad input, 125 undecided.
 */
#ifndef KVMREC_BISECT_H
#define KVMREC_BISECT_H

#include <stdint.h>
#include <stdio.h>

#include "check_once.h"
#include "policy.h"

#define BISECT_MAX_FIXES 8

struct bisect_result {
	struct check_once_result recorded;	/* the check on the recording */
	const struct policy *base;
	char base_origin[160];
	uint64_t base_divergences;		/* model vs recording */
	uint64_t base_run_entries;		/* KVM_RUN records compared */
	int what_if_verdict;			/* base policy, what-if replay */
	unsigned int tried;			/* what-if replays run */
	unsigned int nfixes;
	uint32_t fixes[BISECT_MAX_FIXES];	/* knob masks to flip, best first */
	uint64_t changes[BISECT_MAX_FIXES];	/* KVM_RUN decisions each fix changes */
	char why[256];				/* 125 / no fix: the reason */
};

int bisect_file(const char *path, const struct policy *base, struct bisect_result *out);

/*
 * The report `kvmrec bisect` prints for @b, bisect_file()'s @verdict on
 * @path (not 2: that is the caller's one-line error): the recorded
 * violation, then the smallest fixes in words, or why there is none.
 */
void bisect_print(const struct bisect_result *b, int verdict, FILE *f, const char *path);

#endif
