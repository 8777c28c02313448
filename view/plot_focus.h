/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * plot_focus: what `kvmrec plot` centres on and highlights when not told.
 *
 * The first violation `kvmrec replay --check-once` finds (replayer/
 * check_once.h: the offending delivery, the earlier delivery, the request,
 * the exit that opened the window, the stale KVM_GET_LAPIC), when kvmrec is
 * built with the replayer and it reaches a verdict; otherwise the suspect
 * guess (suspect.h); otherwise the first interrupt event, or the first
 * event. The headline always says which of these it is.
 */
#ifndef KVMREC_VIEW_PLOT_FOCUS_H
#define KVMREC_VIEW_PLOT_FOCUS_H

#include <stddef.h>
#include "svg_plot.h"

/*
 * @model: replay model name or NULL for the trace's own. Returns 0 with @f
 * filled, or -errno with @err naming the file (unreadable or not a trace).
 */
int plot_focus_find(const char *path, const char *model, struct plot_focus *f,
		    char *err, size_t errlen);

/* Highlight just @seq (for --around). */
void plot_focus_at(struct plot_focus *f, uint64_t seq);

#endif
