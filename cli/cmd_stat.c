// SPDX-License-Identifier: GPL-2.0-only
/* kvmrec stat: exits, latencies, injections and losses of one trace. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "opts.h"
#include "stat.h"
#include "trace_reader.h"

enum { OPT_JSON = 1 };

static const struct cli_opt stat_opts[] = {
	{ .id = OPT_JSON, .name = "json",
	  .help = "one JSON object instead of the text report" },
	{ 0 }
};

const struct cli_cmd stat_cli = {
	.name = "stat",
	.forms = { { .lead = "TRACE" } },
	.about = "Per vCPU and overall: exits by reason (count, share, percentiles of the\n"
		 "time in the guest before the exit and in userspace after it), interrupt\n"
		 "injections by vector and source (KVM_INTERRUPT, kvm_inj_virq, LAPIC accepts,\n"
		 "EOIs), LAPIC syncs, kernel events, and everything lost or dropped; and\n"
		 "the verdict of `kvmrec replay --check-once` on the same events, with its\n"
		 "violations and undecided items per vector (stat decides nothing itself).\n"
		 "The exit status is stat's own, not the verdict's.\n",
	.opts = stat_opts,
	.tail = "A damaged trace is reported up to the damage, then exits 2.\n"
		KVMREC_EXIT_CODES_HELP,
	.unknown = "unknown option '%s' (see kvmrec stat --help)",
};

int cmd_stat(int argc, char **argv)
{
	const char *path = NULL;
	int json = 0, id;
	struct cli_parser p;

	if (cli_parse_begin(&p, &stat_cli, argc, argv))
		return KVMREC_EXIT_OK;
	while ((id = cli_next(&p)) != CLI_END) {
		if (id == OPT_JSON) {
			json = 1;
		} else if (id != CLI_OPERAND) {
			return KVMREC_EXIT_USAGE;
		} else if (!path) {
			path = p.arg;
		} else {
			fprintf(stderr, "kvmrec stat: one trace only ('%s')\n", p.arg);
			return KVMREC_EXIT_USAGE;
		}
	}
	if (!path) {
		fprintf(stderr, "kvmrec stat: no trace given (see kvmrec stat --help)\n");
		return KVMREC_EXIT_USAGE;
	}

	struct trace_reader *r = cli_trace_open("stat", path);
	if (!r)
		return KVMREC_EXIT_USAGE;

	struct stat_report *s;
	if (stat_report_alloc(path, trace_reader_header(r), &s) < 0) {
		fprintf(stderr, "kvmrec stat: %s: out of memory\n", path);
		trace_reader_close(r);
		return KVMREC_EXIT_USAGE;
	}

	struct trace_event ev;
	int ret;
	while ((ret = trace_reader_next(r, &ev)) > 0) {
		if (stat_report_add(s, &ev) < 0) {
			ret = -ENOMEM;
			break;
		}
	}

	const char *damage = ret < 0 ? trace_reader_error(r) : NULL;
	if (ret == -ENOMEM)
		damage = "out of memory";
	stat_report_finish(s, ret == 0 ? trace_reader_footer(r) : NULL, damage);
	if (json)
		stat_report_print_json(s, stdout);
	else
		stat_report_print_text(s, stdout);
	fflush(stdout);

	int rc = KVMREC_EXIT_OK;
	if (ret < 0) {
		if (ret == -ENOMEM || !*trace_reader_error(r))
			fprintf(stderr, "kvmrec stat: %s: %s\n", path, strerror(-ret));
		else
			fprintf(stderr, "kvmrec stat: %s\n", trace_reader_error(r));
		rc = KVMREC_EXIT_USAGE;
	} else if (ferror(stdout)) {
		fprintf(stderr, "kvmrec stat: writing the report: %s\n", strerror(errno));
		rc = KVMREC_EXIT_USAGE;
	}
	stat_report_free(s);
	trace_reader_close(r);
	return rc;
}
