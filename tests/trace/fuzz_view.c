// SPDX-License-Identifier: GPL-2.0-only
/*
 * The view commands under the fuzzer: what `kvmrec stat`, `replay
 * --check-once`, `diff`, `export` (chrome-json, perfetto) and `plot` do with a trace, through the
 * same library entries, on an input the reader accepted (see fuzz_reader.c).
 * Each must not crash, and each must call the trace damaged exactly when
 * the reader did: no command may read a damaged trace as a whole one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "chrome_json.h"
#include "cli.h"
#include "diff.h"
#include "fuzz_view.h"
#include "perfetto.h"
#include "plot_focus.h"
#include "plot_window.h"
#include "replay.h"
#include "stat.h"
#include "svg_plot.h"
#include "trace_reader.h"

/* The commands open traces by name: the input is put in a memfd and named by /proc. */
static const char *input_path(const uint8_t *data, size_t size)
{
	static char path[64];
	static int fd = -1;

	if (fd < 0) {
		fd = memfd_create("fuzz-trace", MFD_CLOEXEC);
		if (fd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	return path;
}

static void check(bool ok, const char *cmd, const char *why)
{
	if (ok)
		return;
	fprintf(stderr, "fuzz_view: %s: %s\n", cmd, why);
	abort();
}

static void fuzz_stat(const char *path, FILE *null, bool damaged)
{
	struct trace_reader *r = NULL;
	struct stat_report *s;
	struct trace_event ev;
	int ret;

	check(trace_reader_open(path, &r) == 0, "stat", "the reader opened it from memory, not from the file");
	if (stat_report_alloc(path, trace_reader_header(r), &s) < 0)
		abort();
	while ((ret = trace_reader_next(r, &ev)) > 0)
		if (stat_report_add(s, &ev) < 0)
			abort();
	stat_report_finish(s, ret == 0 ? trace_reader_footer(r) : NULL,
			   ret < 0 ? trace_reader_error(r) : NULL);
	stat_report_print_text(s, null);
	stat_report_print_json(s, null);
	check((ret < 0) == damaged, "stat", "damage seen differently");
	stat_report_free(s);
	trace_reader_close(r);
}

static void fuzz_replay(const char *path, FILE *null, bool damaged)
{
	struct replay_opts opts = { 0 };
	struct replay *r;
	int ret = replay_file(path, &opts, &r);

	if (!r)
		abort();
	if (replay_model(r)) {
		replay_print(r, null, true, path);
		replay_print_json(r, null, true, path);
	}
	check((ret == KVMREC_EXIT_USAGE) == damaged, "replay --check-once", "damage seen differently");
	replay_free(r);
}

static void fuzz_diff(const char *path, FILE *null, bool damaged, bool kernel)
{
	struct diff_opts o = { .context = 3 };
	char err[512];
	int ret;

	o.stream.kernel = kernel;
	ret = diff_traces(path, path, &o, null, err, sizeof(err));
	check((ret < 0) == damaged, "diff", "damage seen differently");
	check(ret != DIFF_DIFFER, "diff", "a trace differs from itself");
}

static void fuzz_export(const char *path, FILE *null, bool damaged, bool perfetto)
{
	struct trace_reader *r = NULL;
	char err[512];
	int ret;

	check(trace_reader_open(path, &r) == 0, "export", "cannot open");
	ret = perfetto ? perfetto_export(r, path, null, err, sizeof(err))
		       : chrome_json_export(r, path, null, err, sizeof(err));
	check((ret < 0) == damaged, "export", "damage seen differently");
	trace_reader_close(r);
}

static void fuzz_plot(const char *path, FILE *null, bool damaged, uint64_t around)
{
	struct plot_window_opts wo = { .before = 12, .after = 12 };
	static struct plot_window w;
	struct plot_focus focus;
	char err[512];

	memset(&w, 0, sizeof(w));
	if (around)
		plot_focus_at(&focus, around);
	else if (plot_focus_find(path, NULL, &focus, err, sizeof(err)) != 0) /* or NOTHING */
		return;
	wo.around = focus.center;
	for (unsigned int i = 0; i < focus.n_marks; i++)
		if (focus.marks[i].seq < focus.center && focus.center - focus.marks[i].seq < 400 &&
		    (!wo.from || focus.marks[i].seq < wo.from))
			wo.from = focus.marks[i].seq;
	if (plot_window_read(path, &wo, &w, err, sizeof(err)) < 0) {
		check(damaged, "plot", "an intact trace failed to read");
		return;
	}
	if (w.found)
		svg_plot_write(null, path, &w, &focus);
}

void fuzz_view_commands(const uint8_t *data, size_t size, bool damaged, uint8_t knobs)
{
	static FILE *null;
	const char *path = input_path(data, size);

	if (!null)
		null = fopen("/dev/null", "w");
	fuzz_stat(path, null, damaged);
	fuzz_replay(path, null, damaged);
	fuzz_diff(path, null, damaged, knobs & 1);
	fuzz_export(path, null, damaged, knobs & 0x80);
	fuzz_plot(path, null, damaged, knobs & 2 ? (knobs >> 2) + 1 : 0);
}
