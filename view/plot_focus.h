/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * plot_focus: what `kvmrec plot` centres on and highlights when not told.
 *
 * The replayer decides (replayer/judge.h), never the plot: the first
 * violation `kvmrec replay --check-once` finds (the offending delivery, the
 * other delivery, the request, the exit that opened the window, the stale
 * KVM_GET_LAPIC); else the earliest item it could not decide; else nothing,
 * and the plot says so. The headline says which of these it is.
 */
#ifndef KVMREC_VIEW_PLOT_FOCUS_H
#define KVMREC_VIEW_PLOT_FOCUS_H

#include <stddef.h>
#include "plot_window.h"
#include "svg_plot.h"

#define PLOT_FOCUS_NOTHING 1

/*
 * @model: replay model name or NULL for the trace's own. Returns 0 with @f
 * filled; PLOT_FOCUS_NOTHING with @err saying why there is nothing to show
 * (the verdict and its counts); or -errno with @err naming the file
 * (unreadable, not a trace, unknown model).
 */
int plot_focus_find(const char *path, const char *model, struct plot_focus *f,
		    char *err, size_t errlen);

/* Highlight just @seq (for --around). */
void plot_focus_at(struct plot_focus *f, uint64_t seq);

/*
 * Aims @o at @f: centred on its centre, and reaching back to the marks
 * before it (the request, the stale sync) unless they are far away.
 */
void plot_focus_window(const struct plot_focus *f, struct plot_window_opts *o);

#endif
