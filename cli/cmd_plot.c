// SPDX-License-Identifier: GPL-2.0-only
/* kvmrec plot: an SVG timeline of the events around a violation. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "policy.h"
#include "plot_focus.h"
#include "plot_window.h"
#include "svg_plot.h"
#include "trace_reader.h"

void plot_usage(FILE *f)
{
	fprintf(f,
		"usage: kvmrec plot TRACE [--around SEQ] [--model NAME] [--before N] [--after N]\n"
		"                  [--all-events] -o OUT.svg\n\n"
		"Draws the events around one point of the trace as an SVG timeline: a lane\n"
		"per vCPU with its stretches in the guest and in userspace, exits,\n"
		"injections, LAPIC accepts, EOIs and syncs, one column per event in trace\n"
		"order. By default the point is the first violation `kvmrec replay\n"
		"--check-once` finds, highlighted in red with the events that explain it\n"
		"(earlier delivery, request, window exit, stale sync) in amber; else the\n"
		"first delivery or request the replay could not decide, in amber; else\n"
		"there is nothing to show: one line says so, no file is written, exit 2.\n\n"
		"  --around SEQ    centre on event SEQ instead\n"
		"  --model NAME    replay model for the verdict (default: the trace's)\n"
		"  --before N      events before the window's first mark (default 12)\n"
		"  --after N       events after the centre (default 12)\n"
		"  --all-events    keep kvm_pio, kvm_mmio, kvm_userspace_exit, kvm_apic\n"
		"  -o OUT.svg      output file (\"-\": stdout)\n\n"
		KVMREC_EXIT_CODES_HELP);
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

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return !*s || *end || errno || s[0] == '-' ? -EINVAL : 0;
}

int cmd_plot(int argc, char **argv)
{
	const char *path = NULL, *out_path = NULL, *model = NULL;
	struct plot_window_opts wo = { .before = 12, .after = 12 };
	uint64_t around = 0, v;
	int have_around = 0;

	if (cli_wants_help(argc, argv)) {
		plot_usage(stdout);
		return KVMREC_EXIT_OK;
	}
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int takes = !strcmp(a, "--around") || !strcmp(a, "-o") || !strcmp(a, "--model") ||
			    !strcmp(a, "--before") || !strcmp(a, "--after");
		if (takes && i + 1 >= argc) {
			fprintf(stderr, "kvmrec plot: %s needs a value\n", a);
			return KVMREC_EXIT_USAGE;
		}
		if (!strcmp(a, "-o")) {
			out_path = argv[++i];
		} else if (!strcmp(a, "--model")) {
			model = argv[++i];
		} else if (!strcmp(a, "--all-events")) {
			wo.all_events = true;
		} else if (takes) {
			if (parse_u64(argv[++i], &v) || (strcmp(a, "--around") && v > PLOT_WINDOW_MAX / 2)) {
				fprintf(stderr, "kvmrec plot: %s '%s': want a number%s\n", a, argv[i],
					strcmp(a, "--around") ? " up to 120" : "");
				return KVMREC_EXIT_USAGE;
			}
			if (!strcmp(a, "--around")) {
				around = v;
				have_around = 1;
			} else if (!strcmp(a, "--before")) {
				wo.before = (unsigned int)v;
			} else {
				wo.after = (unsigned int)v;
			}
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "kvmrec plot: unknown option '%s' (see kvmrec plot --help)\n", a);
			return KVMREC_EXIT_USAGE;
		} else if (!path) {
			path = a;
		} else {
			fprintf(stderr, "kvmrec plot: one trace only ('%s')\n", a);
			return KVMREC_EXIT_USAGE;
		}
	}
	if (!path || !out_path) {
		fprintf(stderr, "kvmrec plot: want TRACE and -o OUT.svg (see kvmrec plot --help)\n");
		return KVMREC_EXIT_USAGE;
	}
	if (model && !policy_find(model)) {
		fprintf(stderr, "kvmrec plot: unknown model '%s' (see kvmrec replay --help)\n", model);
		return KVMREC_EXIT_USAGE;
	}

	struct plot_focus focus;
	struct plot_window *w = calloc(1, sizeof(*w));
	char err[512] = "";
	int ret, rc = KVMREC_EXIT_OK;

	if (!w) {
		fprintf(stderr, "kvmrec plot: %s: out of memory\n", path);
		return KVMREC_EXIT_USAGE;
	}
	if (have_around)
		plot_focus_at(&focus, around);
	else if ((ret = plot_focus_find(path, model, &focus, err, sizeof(err))) != 0)
		goto bad;	/* PLOT_FOCUS_NOTHING too: asked for a point the trace has not */

	wo.around = focus.center;
	for (unsigned int i = 0; i < focus.n_marks; i++)
		/* Take in the marks before the centre, unless they are far away. */
		if (focus.marks[i].seq < focus.center && focus.center - focus.marks[i].seq < 400 &&
		    (!wo.from || focus.marks[i].seq < wo.from))
			wo.from = focus.marks[i].seq;
	if ((ret = plot_window_read(path, &wo, w, err, sizeof(err))) < 0)
		goto bad;
	if (!w->found) {
		fprintf(stderr, "kvmrec plot: %s: no event with seq %" PRIu64 " (the trace ends before)\n",
			path, focus.center);
		free(w);
		return KVMREC_EXIT_USAGE;
	}

	FILE *out = strcmp(out_path, "-") ? fopen(out_path, "w") : stdout;
	if (!out) {
		fprintf(stderr, "kvmrec plot: %s: %s\n", out_path, strerror(errno));
		free(w);
		return KVMREC_EXIT_USAGE;
	}
	svg_plot_write(out, path, w, &focus);
	if (ferror(out) || (out != stdout ? fclose(out) : fflush(out))) {
		fprintf(stderr, "kvmrec plot: %s: write failed: %s\n", out_path, strerror(errno));
		rc = KVMREC_EXIT_USAGE;
	}
	if (!w->damage[0])
		plot_read_rest(path, w->damage, sizeof(w->damage));
	if (w->damage[0]) {
		/* The window was drawn; the trace is still damaged further on. */
		fprintf(stderr, "kvmrec plot: %s\n", w->damage);
		rc = KVMREC_EXIT_USAGE;
	}
	free(w);
	return rc;
bad:
	/* Nothing to draw from a damaged trace: the damage is the line to give. */
	if (plot_read_rest(path, w->damage, sizeof(w->damage)) < 0)
		snprintf(err, sizeof(err), "%s", w->damage);
	fprintf(stderr, "kvmrec plot: %s\n", err);
	free(w);
	return KVMREC_EXIT_USAGE;
}
