// SPDX-License-Identifier: GPL-2.0-only
/* plot_focus: choose and label the window of a plot (see plot_focus.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "plot_focus.h"
#include "suspect.h"
#include "trace_names.h"
#include "trace_reader.h"
#ifdef KVMREC_HAVE_REPLAYER
#include "check_once.h"
#endif

void plot_focus_at(struct plot_focus *f, uint64_t seq)
{
	memset(f, 0, sizeof(*f));
	f->center = seq;
	plot_focus_mark(f, seq, PLOT_MARK_VIOLATION, "--around");
}

#ifdef KVMREC_HAVE_REPLAYER
static const char *path_name(enum check_once_path p)
{
	switch (p) {
	case CHECK_PATH_KERNEL:
		return "by the kernel LAPIC";
	case CHECK_PATH_USER:
		return "by KVM_INTERRUPT";
	case CHECK_PATH_BEFORE:
		return "before the trace began";
	default:
		return "";
	}
}

/* 1 with @f filled from the first violation, 0 if there is none. */
static int focus_from_check(const char *path, const char *model, struct plot_focus *f,
			    char *note, size_t notelen)
{
	struct check_once_result res;
	int verdict = check_once_file(path, model, &res);
	const struct check_once_violation *v = &res.first;

	if (verdict != 1 || !res.violations || !v->delivery.seq) {
		if (verdict == 0)
			snprintf(note, notelen, "replay --check-once: pass");
		else if (verdict == 125)
			snprintf(note, notelen, "replay --check-once cannot decide (%s)", res.undecided);
		else
			snprintf(note, notelen, "replay --check-once: verdict %d %s", verdict, res.error);
		return 0;
	}
	memset(f, 0, sizeof(*f));
	f->center = v->delivery.seq;
	switch (v->kind) {
	case CHECK_ONCE_DOUBLE: {
		/* Say both deliveries in trace order; the replayer says which is extra. */
		bool extra_first = v->first.seq && v->delivery.seq < v->first.seq;
		snprintf(f->headline, sizeof(f->headline),
			 "DOUBLE injection: vCPU %d vector %u delivered twice, %s (seq %" PRIu64
			 ") and %s (seq %" PRIu64 ")", v->vcpu, v->vector,
			 path_name(extra_first ? v->path : v->first_path),
			 extra_first ? v->delivery.seq : v->first.seq,
			 path_name(extra_first ? v->first_path : v->path),
			 extra_first ? v->first.seq : v->delivery.seq);
		plot_focus_mark(f, v->delivery.seq, PLOT_MARK_VIOLATION, "extra delivery of %u %s",
				v->vector, path_name(v->path));
		plot_focus_mark(f, v->first.seq, PLOT_MARK_CONTEXT, "the other delivery of %u %s",
				v->vector, path_name(v->first_path));
		break;
	}
	case CHECK_ONCE_SPURIOUS:
		snprintf(f->headline, sizeof(f->headline),
			 "SPURIOUS injection: vCPU %d vector %u delivered %s (seq %" PRIu64
			 ") with no request", v->vcpu, v->vector, path_name(v->path), v->delivery.seq);
		plot_focus_mark(f, v->delivery.seq, PLOT_MARK_VIOLATION, "delivery of %u with no request",
				v->vector);
		break;
	case CHECK_ONCE_LOST:
		snprintf(f->headline, sizeof(f->headline),
			 "LOST interrupt: vCPU %d vector %u requested (seq %" PRIu64
			 ") and never delivered", v->vcpu, v->vector, v->delivery.seq);
		plot_focus_mark(f, v->delivery.seq, PLOT_MARK_VIOLATION, "request of %u never delivered",
				v->vector);
		break;
	default:
		snprintf(f->headline, sizeof(f->headline), "violation at seq %" PRIu64, v->delivery.seq);
		plot_focus_mark(f, v->delivery.seq, PLOT_MARK_VIOLATION, "violation");
		break;
	}
	plot_focus_mark(f, v->request.seq, PLOT_MARK_CONTEXT, "request of %u", v->vector);
	plot_focus_mark(f, v->window.seq, PLOT_MARK_CONTEXT, "window opened (%s exit)",
			trace_exit_reason_name(v->window_reason));
	plot_focus_mark(f, v->stale_sync.seq, PLOT_MARK_CONTEXT, "stale KVM_GET_LAPIC: IRR has %u",
			v->vector);
	if (res.violations > 1) {
		size_t n = strlen(f->headline);
		snprintf(f->headline + n, sizeof(f->headline) - n, " [1st of %" PRIu64 " violations]",
			 res.violations);
	}
	return 1;
}
#endif

/* The first interrupt-related event, else the first event. */
static int focus_first(const char *path, struct plot_focus *f, char *err, size_t errlen)
{
	struct trace_reader *r = NULL;
	struct trace_event ev;
	uint64_t first = 0, irq = 0;
	int ret = trace_reader_open(path, &r);

	if (ret < 0)
		goto fail;
	while (!irq && (ret = trace_reader_next(r, &ev)) > 0) {
		if (!first)
			first = ev.seq;
		if (ev.rec->body_case == KVMREC__RECORD__BODY_INJECT ||
		    (ev.rec->body_case == KVMREC__RECORD__BODY_KEVENT &&
		     ev.rec->kevent->id == KVMREC__KERNEL_EVENT_ID__KEV_APIC_ACCEPT_IRQ))
			irq = ev.seq;
	}
	if (ret < 0 && !first)
		goto fail;
	trace_reader_close(r);
	memset(f, 0, sizeof(*f));
	f->center = irq ? irq : first;
	return 0;
fail:
	trace_reader_explain(r, path, ret, err, errlen);
	trace_reader_close(r);
	return ret < 0 ? ret : -EINVAL;
}

int plot_focus_find(const char *path, const char *model, struct plot_focus *f,
		    char *err, size_t errlen)
{
	char note[300] = "kvmrec built without the replayer: no --check-once verdict";
	int ret;

	(void)model;
#ifdef KVMREC_HAVE_REPLAYER
	if (focus_from_check(path, model, f, note, sizeof(note)))
		return 0;
#endif
	ret = suspect_find(path, f, err, errlen);
	if (ret < 0)
		return ret;
	if (ret > 0) {
		size_t n = strlen(f->headline);
		snprintf(f->headline + n, sizeof(f->headline) - n, " [%s]", note);
		return 0;
	}
	ret = focus_first(path, f, err, errlen);
	if (ret < 0)
		return ret;
	snprintf(f->headline, sizeof(f->headline), "no violation found (%s); first interrupt event",
		 note);
	return 0;
}
