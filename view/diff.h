/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * diff: every divergent region of two traces' exit streams, per vCPU
 * (exit_stream.h says what is compared), with context on each side. After
 * each region the comparison resynchronises and goes on; an exit that is the
 * same but for the value the guest was given (IN, MMIO read, RDMSR data) is
 * an input difference, listed and counted, not a region. A summary line
 * closes the report.
 *
 * Streams are compared one vCPU at a time, each pass reading both traces
 * from the start, so memory stays constant whatever the trace size and
 * however differently the two recordings interleave their vCPUs. The
 * VM-wide stream (set-up, VM ioctls) is compared like a vCPU's.
 *
 * diff_traces() prints the report on @out and returns DIFF_SAME, DIFF_DIFFER
 * (a region, an irq-window request difference, or an input difference under
 * DIFF_INPUTS_FAIL), DIFF_UNDECIDED (streams equal but a trace lost records) or a negative
 * errno; then @err holds one line naming the file ("b.zst: truncated after
 * event 12 (byte 345)").
 */
#ifndef KVMREC_VIEW_DIFF_H
#define KVMREC_VIEW_DIFF_H

#include <stdio.h>
#include "exit_stream.h"

#define DIFF_MAX_CONTEXT 50

enum diff_result {
	DIFF_SAME = 0,
	DIFF_DIFFER = 1,
	DIFF_UNDECIDED = 2,
};

/* What input differences (exit_stream.h .no_inputs) do to the result. */
enum diff_inputs {
	DIFF_INPUTS_FAIL = 0,    /* listed, and alone make the traces differ (default) */
	DIFF_INPUTS_REPORT,      /* listed, do not make them differ */
	DIFF_INPUTS_IGNORE,      /* only counted, do not make them differ */
};

struct diff_opts {
	struct exit_stream_opts stream;
	unsigned int context;    /* events of context on each side, <= DIFF_MAX_CONTEXT */
	enum diff_inputs inputs;
};

int diff_traces(const char *path_a, const char *path_b, const struct diff_opts *o,
		FILE *out, char *err, size_t errlen);

#endif
