// SPDX-License-Identifier: GPL-2.0-only
/* kvmrec diff: every divergent region of two traces' exit streams, per vCPU. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "diff.h"

void diff_usage(FILE *f)
{
	fprintf(f,
		"usage: kvmrec diff A B [--context N] [--kernel] [--inputs fail|report|ignore]\n\n"
		"Compares the exit streams of two traces vCPU by vCPU and shows every\n"
		"divergent region of each, with N events of context (default 3, at most %d):\n"
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
		"kernel tracepoint events, whose number depends on host timing.\n\n"
		"  --context N   events of context before and after (default 3)\n"
		"  --kernel      also compare kernel tracepoint events\n"
		"  --inputs fail    input differences are listed and alone make exit 1\n"
		"                   (default: the runs were not given the same inputs)\n"
		"  --inputs report  listed; alone they do not make exit 1\n"
		"  --inputs ignore  only counted in the summary; do not make exit 1\n\n"
		"Exit status: 0 same, 1 differ, 2 usage error or bad input (a damaged\n"
		"trace), 125 same as far as recorded but a trace lost records.\n",
		DIFF_MAX_CONTEXT);
}

int cmd_diff(int argc, char **argv)
{
	struct diff_opts o = { .context = 3 };
	const char *path[2] = { NULL, NULL };
	int n = 0;

	if (cli_wants_help(argc, argv)) {
		diff_usage(stdout);
		return KVMREC_EXIT_OK;
	}
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--kernel")) {
			o.stream.kernel = true;
		} else if (!strcmp(argv[i], "--inputs")) {
			const char *v = i + 1 < argc ? argv[++i] : "";
			if (!strcmp(v, "fail")) {
				o.inputs = DIFF_INPUTS_FAIL;
			} else if (!strcmp(v, "report")) {
				o.inputs = DIFF_INPUTS_REPORT;
			} else if (!strcmp(v, "ignore")) {
				o.inputs = DIFF_INPUTS_IGNORE;
			} else {
				fprintf(stderr, "kvmrec diff: --inputs '%s': want fail, report or ignore\n", v);
				return KVMREC_EXIT_USAGE;
			}
		} else if (!strcmp(argv[i], "--context") || !strcmp(argv[i], "-C")) {
			char *end;
			if (i + 1 >= argc) {
				fprintf(stderr, "kvmrec diff: %s needs a number\n", argv[i]);
				return KVMREC_EXIT_USAGE;
			}
			unsigned long v = strtoul(argv[++i], &end, 10);
			if (*end || !*argv[i] || v > DIFF_MAX_CONTEXT) {
				fprintf(stderr, "kvmrec diff: --context '%s': want 0..%d\n", argv[i],
					DIFF_MAX_CONTEXT);
				return KVMREC_EXIT_USAGE;
			}
			o.context = (unsigned int)v;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "kvmrec diff: unknown option '%s' (see kvmrec diff --help)\n", argv[i]);
			return KVMREC_EXIT_USAGE;
		} else if (n < 2) {
			path[n++] = argv[i];
		} else {
			fprintf(stderr, "kvmrec diff: two traces only ('%s')\n", argv[i]);
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
