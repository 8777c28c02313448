// SPDX-License-Identifier: GPL-2.0-only
/* kvmrec plot: an SVG timeline of the events around a violation. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "opts.h"
#include "policy.h"
#include "plot_focus.h"
#include "plot_window.h"
#include "svg_plot.h"
#include "trace_reader.h"

enum { OPT_AROUND = 1, OPT_MODEL, OPT_BEFORE, OPT_AFTER, OPT_ALL_EVENTS, OPT_OUTPUT };

static const struct cli_opt plot_opts[] = {
	{ .id = OPT_AROUND, .name = "around", .metavar = "SEQ",
	  .help = "centre on event SEQ instead" },
	{ .id = OPT_MODEL, .name = "model", .metavar = "NAME",
	  .help = "replay model for the verdict (default: the trace's)" },
	{ .id = OPT_BEFORE, .name = "before", .metavar = "N",
	  .help = "events before the window's first mark (default 12)" },
	{ .id = OPT_AFTER, .name = "after", .metavar = "N",
	  .help = "events after the centre (default 12)" },
	{ .id = OPT_ALL_EVENTS, .name = "all-events",
	  .help = "keep kvm_pio, kvm_mmio, kvm_userspace_exit, "
	  "kvm_apic" },
	{ .id = OPT_OUTPUT, .name = "output", .short_name = 'o', .metavar = "OUT.svg",
	  .required = true, .help = "output file (\"-\": stdout)" },
	{ 0 }
};

const struct cli_cmd plot_cli = {
	.name = "plot",
	.forms = { { .lead = "TRACE" } },
	.about = "Draws the events around one point of the trace as an SVG timeline: a lane\n"
		 "per vCPU with its stretches in the guest and in userspace, exits,\n"
		 "injections, LAPIC accepts, EOIs and syncs, one column per event in trace\n"
		 "order. By default the point is the first violation `kvmrec replay\n"
		 "--check-once` finds, highlighted in red with the events that explain it\n"
		 "(earlier delivery, request, window exit, stale sync) in amber; else the\n"
		 "first delivery or request the replay could not decide, in amber; else\n"
		 "there is nothing to show: one line says so, no file is written, exit 2.\n",
	.opts = plot_opts,
	.tail = KVMREC_EXIT_CODES_HELP,
	.unknown = "unknown option '%s' (see kvmrec plot --help)",
};

struct plot_args {
	const char *path, *out_path, *model;
	struct plot_window_opts wo;
	uint64_t around;
	bool have_around;
};

/* --around, --before, --after: a number; 0 or -1 after the one-line error. */
static int parse_count(const struct cli_parser *p, int id, struct plot_args *a)
{
	char *end;
	uint64_t v;

	errno = 0;
	v = strtoull(p->arg, &end, 0);
	if (!*p->arg || *end || errno || p->arg[0] == '-' ||
	    (id != OPT_AROUND && v > PLOT_WINDOW_MAX / 2)) {
		fprintf(stderr, "kvmrec plot: %s '%s': want a number%s\n", p->given, p->arg,
			id != OPT_AROUND ? " up to 120" : "");
		return -1;
	}
	if (id == OPT_AROUND) {
		a->around = v;
		a->have_around = true;
	} else if (id == OPT_BEFORE) {
		a->wo.before = (unsigned int)v;
	} else {
		a->wo.after = (unsigned int)v;
	}
	return 0;
}

/* 1: --help given; 0: @a filled; -1 after the one-line usage error. */
static int plot_parse(int argc, char **argv, struct plot_args *a)
{
	struct cli_parser p;
	int id;

	if (cli_parse_begin(&p, &plot_cli, argc, argv))
		return 1;
	while ((id = cli_next(&p)) != CLI_END) {
		if (id == OPT_OUTPUT) {
			a->out_path = p.arg;
		} else if (id == OPT_MODEL) {
			a->model = p.arg;
		} else if (id == OPT_ALL_EVENTS) {
			a->wo.all_events = true;
		} else if (id == OPT_AROUND || id == OPT_BEFORE || id == OPT_AFTER) {
			if (parse_count(&p, id, a))
				return -1;
		} else if (id != CLI_OPERAND) {
			return -1;
		} else if (!a->path) {
			a->path = p.arg;
		} else {
			fprintf(stderr, "kvmrec plot: one trace only ('%s')\n", p.arg);
			return -1;
		}
	}
	if (!a->path || !a->out_path) {
		fprintf(stderr, "kvmrec plot: want TRACE and -o OUT.svg (see kvmrec plot --help)\n");
		return -1;
	}
	if (a->model && !policy_find(a->model)) {
		fprintf(stderr, "kvmrec plot: unknown model '%s' (see kvmrec replay --help)\n", a->model);
		return -1;
	}
	return 0;
}

/*
 * The window may end before the damage does: read on to the end, so that a
 * damaged trace is bad input (exit 2) wherever the damage lies. 0, or -errno
 * with the reader's line in @err.
 */
static int plot_read_rest(const char *path, char *err, size_t errlen)
{
	struct trace_reader *r = NULL;
	struct trace_event ev;
	int ret = trace_reader_open(path, &r);

	while (ret >= 0 && (ret = trace_reader_next(r, &ev)) == 1)
		;
	if (ret < 0)
		trace_reader_explain(r, path, ret, err, errlen);
	trace_reader_close(r);
	return ret < 0 ? ret : 0;
}

/* Writes the picture of @w to @a->out_path; the exit code. */
static int plot_write(const struct plot_args *a, struct plot_window *w,
		      const struct plot_focus *focus)
{
	FILE *out = strcmp(a->out_path, "-") ? fopen(a->out_path, "w") : stdout;
	int rc = KVMREC_EXIT_OK;

	if (!out) {
		fprintf(stderr, "kvmrec plot: %s: %s\n", a->out_path, strerror(errno));
		return KVMREC_EXIT_USAGE;
	}
	svg_plot_write(out, a->path, w, focus);
	if (ferror(out) || (out != stdout ? fclose(out) : fflush(out))) {
		fprintf(stderr, "kvmrec plot: %s: write failed: %s\n", a->out_path, strerror(errno));
		rc = KVMREC_EXIT_USAGE;
	}
	if (!w->damage[0])
		plot_read_rest(a->path, w->damage, sizeof(w->damage));
	if (w->damage[0]) {
		/* The window was drawn; the trace is still damaged further on. */
		fprintf(stderr, "kvmrec plot: %s\n", w->damage);
		rc = KVMREC_EXIT_USAGE;
	}
	return rc;
}

/* Finds what to draw, reads its window and draws it; the exit code. */
static int plot_draw(struct plot_args *a, struct plot_window *w)
{
	struct plot_focus focus;
	char err[512] = "";

	if (a->have_around)
		plot_focus_at(&focus, a->around);
	else if (plot_focus_find(a->path, a->model, &focus, err, sizeof(err)) != 0)
		goto bad;	/* PLOT_FOCUS_NOTHING too: asked for a point the trace has not */
	plot_focus_window(&focus, &a->wo);
	if (plot_window_read(a->path, &a->wo, w, err, sizeof(err)) < 0)
		goto bad;
	if (!w->found) {
		fprintf(stderr, "kvmrec plot: %s: no event with seq %" PRIu64 " (the trace ends before)\n",
			a->path, focus.center);
		return KVMREC_EXIT_USAGE;
	}
	return plot_write(a, w, &focus);
bad:
	/* Nothing to draw from a damaged trace: the damage is the line to give. */
	if (plot_read_rest(a->path, w->damage, sizeof(w->damage)) < 0)
		snprintf(err, sizeof(err), "%s", w->damage);
	fprintf(stderr, "kvmrec plot: %s\n", err);
	return KVMREC_EXIT_USAGE;
}

int cmd_plot(int argc, char **argv)
{
	struct plot_args a = { .wo = { .before = 12, .after = 12 } };
	struct plot_window *w;
	int rc = plot_parse(argc, argv, &a);

	if (rc)
		return rc > 0 ? KVMREC_EXIT_OK : KVMREC_EXIT_USAGE;
	w = calloc(1, sizeof(*w));
	if (!w) {
		fprintf(stderr, "kvmrec plot: %s: out of memory\n", a.path);
		return KVMREC_EXIT_USAGE;
	}
	rc = plot_draw(&a, w);
	free(w);
	return rc;
}
