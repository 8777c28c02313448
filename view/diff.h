/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * diff: the first divergence of two traces' exit streams, per vCPU
 * (exit_stream.h says what is compared), with context on each side.
 *
 * Streams are compared one vCPU at a time, each pass reading both traces
 * from the start, so memory stays constant whatever the trace size and
 * however differently the two recordings interleave their vCPUs. The
 * VM-wide stream (set-up, VM ioctls) is compared like a vCPU's.
 *
 * diff_traces() prints the report on @out and returns DIFF_SAME, DIFF_DIFFER,
 * DIFF_UNDECIDED (streams equal but a trace lost records) or a negative
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

struct diff_opts {
	struct exit_stream_opts stream;
	unsigned int context;    /* events of context on each side, <= DIFF_MAX_CONTEXT */
};

int diff_traces(const char *path_a, const char *path_b, const struct diff_opts *o,
		FILE *out, char *err, size_t errlen);

#endif
