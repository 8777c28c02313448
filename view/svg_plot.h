/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * svg_plot: a static SVG timeline of a plot_window. One lane per vCPU (and
 * one for VM-wide events), a band under each lane for the stretches in the
 * guest (KVM_RUN entry to exit) and in userspace, one column per event in
 * trace order (not to time scale: a microsecond of kernel events and a
 * millisecond in the guest both get one column; the axis gives seq and time
 * from the focus), a marker and label per event, and the marks - the
 * violation and the events that explain it - boxed and labelled, with a
 * headline saying what went wrong.
 *
 * The output depends only on its input: same window, same bytes. Writes go
 * to @out; check ferror() after.
 */
#ifndef KVMREC_VIEW_SVG_PLOT_H
#define KVMREC_VIEW_SVG_PLOT_H

#include <stdio.h>
#include "plot_window.h"

#define PLOT_MAX_MARKS 8

enum plot_severity {
	PLOT_MARK_CONTEXT = 1,   /* explains the violation: amber */
	PLOT_MARK_VIOLATION = 2, /* the violation itself: red */
};

struct plot_mark {
	uint64_t seq;
	enum plot_severity severity;
	char label[96];
};

struct plot_focus {
	uint64_t center;
	char headline[320];      /* "" for none */
	struct plot_mark marks[PLOT_MAX_MARKS];
	unsigned int n_marks;
};

void plot_focus_mark(struct plot_focus *f, uint64_t seq, enum plot_severity sev,
		     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

void svg_plot_write(FILE *out, const char *trace, const struct plot_window *w,
		    const struct plot_focus *f);

#endif
