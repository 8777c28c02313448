// SPDX-License-Identifier: GPL-2.0-only
/* plot_focus: choose and label the window of a plot (see plot_focus.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "plot_focus.h"
#include "replay.h"
#include "trace_names.h"

void plot_focus_at(struct plot_focus *f, uint64_t seq)
{
	memset(f, 0, sizeof(*f));
	f->center = seq;
	plot_focus_mark(f, seq, PLOT_MARK_VIOLATION, "--around");
}

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

/* @f from the replayer's first violation. */
static void focus_violation(struct plot_focus *f, const struct check_once_result *res)
{
	const struct check_once_violation *v = &res->first;

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
		if (!v->wiped_by.seq)
			break;
		/* The write-back erased it: that is the culprit, the read its source. */
		size_t n = strlen(f->headline);
		snprintf(f->headline + n, sizeof(f->headline) - n,
			 ": erased by KVM_SET_LAPIC (seq %" PRIu64 ")", v->wiped_by.seq);
		plot_focus_mark(f, v->wiped_by.seq, PLOT_MARK_VIOLATION,
				"KVM_SET_LAPIC writes back a page without %u", v->vector);
		plot_focus_mark(f, v->stale_sync.seq, PLOT_MARK_CONTEXT,
				"KVM_GET_LAPIC: the page read before %u came", v->vector);
		f->center = v->wiped_by.seq;
		return;
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
	if (res->violations > 1) {
		size_t n = strlen(f->headline);
		snprintf(f->headline + n, sizeof(f->headline) - n, " [1st of %" PRIu64 " violations]",
			 res->violations);
	}
}

/* The earliest undecided item the replayer reports; seq 0 while none. */
struct first_undecided {
	struct judge_item item;
	char why[200];
	uint64_t count;
};

static void note_undecided(void *ctx, const struct judge_item *it)
{
	struct first_undecided *u = ctx;

	if (it->kind != JUDGE_UNDECIDED || !it->at.seq)
		return;
	u->count++;
	if (u->item.at.seq && u->item.at.seq <= it->at.seq)
		return;
	u->item = *it;
	u->item.why = NULL;	/* lives for the call only */
	snprintf(u->why, sizeof(u->why), "%s", it->why ? it->why : "");
}

static void focus_undecided(struct plot_focus *f, const struct first_undecided *u)
{
	const struct judge_item *it = &u->item;
	char who[48] = "";

	memset(f, 0, sizeof(*f));
	f->center = it->at.seq;
	if (it->vcpu >= 0 && it->vector >= 0)
		snprintf(who, sizeof(who), " vCPU %d vector %d", it->vcpu, it->vector);
	snprintf(f->headline, sizeof(f->headline),
		 "UNDECIDED:%s at seq %" PRIu64 ": %.150s [1st of %" PRIu64 " undecided]", who,
		 it->at.seq, u->why, u->count);
	plot_focus_mark(f, it->at.seq, PLOT_MARK_CONTEXT, "undecided%s", who);
}

int plot_focus_find(const char *path, const char *model, struct plot_focus *f,
		    char *err, size_t errlen)
{
	struct first_undecided u = { .count = 0 };
	struct judge_observer o = { note_undecided, &u };
	struct replay_opts opts = { .observer = &o };
	const struct check_once_result *res;
	struct replay *r;
	int ret = 0, verdict;

	if (model && !(opts.model = policy_find(model))) {
		snprintf(err, errlen, "unknown model '%s' (see kvmrec replay --help)", model);
		return -EINVAL;
	}
	verdict = replay_file(path, &opts, &r);
	if (!r) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	res = replay_result(r);
	if (verdict == 2 && !res->events) {
		/* Not a trace at all; a damaged one is drawn up to the damage. */
		snprintf(err, errlen, "%s", res->error);
		ret = -EINVAL;
	} else if (res->violations && res->first.delivery.seq) {
		focus_violation(f, res);
	} else if (u.item.at.seq) {
		focus_undecided(f, &u);
	} else {
		snprintf(err, errlen, "%s: nothing to show: replay --check-once finds no violation "
			 "and nothing undecided it can point at (verdict %d; %" PRIu64 " requests, %"
			 PRIu64 " deliveries%s%s); give --around SEQ", path, verdict, res->requests,
			 res->deliveries, res->undecided[0] ? "; undecided: " : "", res->undecided);
		ret = PLOT_FOCUS_NOTHING;
	}
	replay_free(r);
	return ret;
}

void plot_focus_window(const struct plot_focus *f, struct plot_window_opts *o)
{
	const uint64_t reach = 400;	/* seqs: a mark further back is left out */

	o->around = f->center;
	for (unsigned int i = 0; i < f->n_marks; i++) {
		uint64_t seq = f->marks[i].seq;

		if (seq < f->center && f->center - seq < reach && (!o->from || seq < o->from))
			o->from = seq;
	}
}
