// SPDX-License-Identifier: GPL-2.0-only
/* kvmrec diff: every divergent region of two traces' exit streams, per vCPU. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "opts.h"
#include "diff.h"

#define STR_(x) #x
#define STR(x) STR_(x)

enum { OPT_CONTEXT = 1, OPT_KERNEL, OPT_INPUTS };

static const struct cli_opt diff_opts[] = {
	{ .id = OPT_CONTEXT, .name = "context", .short_name = 'C', .metavar = "N",
	  .missing = "%s needs a number",
	  .help = "events of context before and after (default 3)" },
	{ .id = OPT_KERNEL, .name = "kernel",
	  .help = "also compare kernel tracepoint events" },
	{ .id = OPT_INPUTS, .name = "inputs", .metavar = "MODE", .choices = "fail|report|ignore",
	  .missing = "--inputs '': want fail, report or ignore",
	  .help = "what input differences do:\n"
		  "  fail    listed, and alone make exit 1 (default: the runs were not "
		  "given the same inputs)\n"
		  "  report  listed; alone they do not make exit 1\n"
		  "  ignore  only counted in the summary; do not make exit 1" },
	{ 0 }
};

static const char diff_about[] =
	"Compares the exit streams of two traces vCPU by vCPU and shows every\n"
	"divergent region of each, with N events of context (default 3, at most "
	STR(DIFF_MAX_CONTEXT) "):\n"
	"after a region the streams are resynchronised (4 events in a row alike\n"
	"again, searched 4096 events ahead) and compared to their ends. An exit\n"
	"that is the same but for the value the guest was given (IN data, MMIO\n"
	"read data, RDMSR value: an RTC read, say) is an input difference, marked\n"
	"'!', not a region. A summary line gives the regions, the input\n"
	"differences and the first divergence.\n\n"
	"Compared: exit reasons and payloads (port/MMIO data, TPR accesses, ...),\n"
	"the irq-window/ready/IF flags and cr8, userspace injections, LAPIC syncs\n"
	"(without the timer count), vCPU events and VM set-up. Not compared: times,\n"
	"sequence numbers, thread ids, KVM_RUN calls cut short by a signal, and\n"
	"kernel tracepoint events, whose number depends on host timing.\n";

const struct cli_cmd diff_cli = {
	.name = "diff",
	.forms = { { .lead = "A B" } },
	.about = diff_about,
	.opts = diff_opts,
	.tail = "Exit status: 0 same, 1 differ, 2 usage error or bad input (a damaged\n"
		"trace), 125 same as far as recorded but a trace lost records.\n",
	.unknown = "unknown option '%s' (see kvmrec diff --help)",
};

/* --context N: 0 or -1 after the one-line error. */
static int parse_context(const char *s, unsigned int *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*end || !*s || v > DIFF_MAX_CONTEXT) {
		fprintf(stderr, "kvmrec diff: --context '%s': want 0..%d\n", s, DIFF_MAX_CONTEXT);
		return -1;
	}
	*out = (unsigned int)v;
	return 0;
}

static int parse_inputs(const char *v, enum diff_inputs *out)
{
	if (!strcmp(v, "fail")) {
		*out = DIFF_INPUTS_FAIL;
	} else if (!strcmp(v, "report")) {
		*out = DIFF_INPUTS_REPORT;
	} else if (!strcmp(v, "ignore")) {
		*out = DIFF_INPUTS_IGNORE;
	} else {
		fprintf(stderr, "kvmrec diff: --inputs '%s': want fail, report or ignore\n", v);
		return -1;
	}
	return 0;
}

int cmd_diff(int argc, char **argv)
{
	struct diff_opts o = { .context = 3 };
	const char *path[2] = { NULL, NULL };
	struct cli_parser p;
	int n = 0, id;

	if (cli_parse_begin(&p, &diff_cli, argc, argv))
		return KVMREC_EXIT_OK;
	while ((id = cli_next(&p)) != CLI_END) {
		if (id == OPT_KERNEL) {
			o.stream.kernel = true;
		} else if (id == OPT_INPUTS) {
			if (parse_inputs(p.arg, &o.inputs))
				return KVMREC_EXIT_USAGE;
		} else if (id == OPT_CONTEXT) {
			if (parse_context(p.arg, &o.context))
				return KVMREC_EXIT_USAGE;
		} else if (id != CLI_OPERAND) {
			return KVMREC_EXIT_USAGE;
		} else if (n < 2) {
			path[n++] = p.arg;
		} else {
			fprintf(stderr, "kvmrec diff: two traces only ('%s')\n", p.arg);
			return KVMREC_EXIT_USAGE;
		}
	}
	if (n != 2) {
		fprintf(stderr, "kvmrec diff: want two traces, A and B (see kvmrec diff --help)\n");
		return KVMREC_EXIT_USAGE;
	}

	char err[512] = "";
	int ret = diff_traces(path[0], path[1], &o, stdout, err, sizeof(err));
	fflush(stdout);
	if (ret < 0) {
		fprintf(stderr, "kvmrec diff: %s\n", err);
		return KVMREC_EXIT_USAGE;
	}
	switch (ret) {
	case DIFF_SAME:
		return KVMREC_EXIT_OK;
	case DIFF_DIFFER:
		return KVMREC_EXIT_FAIL;
	default:
		fprintf(stderr, "kvmrec diff: %s, %s: streams agree but records were lost\n",
			path[0], path[1]);
		return KVMREC_EXIT_UNDECIDED;
	}
}
