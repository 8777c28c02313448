// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvmrec dump TRACE: the trace as text, one event a line (trace/trace_format.h),
 * header first, footer summary last. Streams in constant memory. On damage it
 * prints everything recovered, then the reader's one-line error, and exits 2.
 */
#include <stdio.h>

#include "cli.h"
#include "opts.h"
#include "trace_format.h"
#include "trace_reader.h"

static const struct cli_opt dump_opts[] = {
	{ 0 }
};

const struct cli_cmd dump_cli = {
	.name = "dump",
	.forms = { { .lead = "TRACE" } },
	.about = "Prints TRACE (\"-\" for stdin) one event a line:\n"
		 "  SEQ TS(s.us) VCPU TID KIND PAYLOAD\n"
		 "after '# key: value' lines for the header and before the footer\n"
		 "summary. A damaged trace prints every event recovered, then one\n"
		 "error line on stderr saying where reading stopped.\n",
	.opts = dump_opts,
	.tail = KVMREC_EXIT_CODES_HELP,
	.unknown = "unknown option '%s' (see kvmrec dump --help)",
};

int cmd_dump(int argc, char **argv)
{
	struct trace_reader *r;
	struct trace_event ev;
	const char *path = NULL;
	int ret, status = KVMREC_EXIT_OK;
	struct cli_parser p;
	int id;

	if (cli_parse_begin(&p, &dump_cli, argc, argv))
		return KVMREC_EXIT_OK;
	while ((id = cli_next(&p)) != CLI_END) {
		if (id != CLI_OPERAND)
			return KVMREC_EXIT_USAGE;
		if (path) {
			fprintf(stderr, "kvmrec dump: one trace at a time ('%s' is extra)\n", p.arg);
			return KVMREC_EXIT_USAGE;
		}
		path = p.arg;
	}
	if (!path) {
		fprintf(stderr, "kvmrec dump: no TRACE given (see kvmrec dump --help)\n");
		return KVMREC_EXIT_USAGE;
	}

	r = cli_trace_open("dump", path);
	if (!r)
		return KVMREC_EXIT_USAGE;
	trace_format_header(stdout, trace_reader_header(r));
	while ((ret = trace_reader_next(r, &ev)) == 1)
		trace_format_event(stdout, &ev);
	if (ret == 0) {
		trace_format_footer(stdout, trace_reader_footer(r));
	} else {
		/* Everything recovered is out before the error says where it stopped. */
		fflush(stdout);
		fprintf(stderr, "kvmrec dump: %s\n", trace_reader_error(r));
		status = KVMREC_EXIT_USAGE;
	}
	trace_reader_close(r);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "kvmrec dump: write error on standard output\n");
		status = KVMREC_EXIT_USAGE;
	}
	return status;
}
