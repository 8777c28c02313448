// SPDX-License-Identifier: GPL-2.0-only
/* kvmrec bisect: the smallest knob change that makes --check-once pass. */
#include <stdio.h>

#include "bisect.h"
#include "cli.h"
#include "opts.h"

static void list_knobs(FILE *f)
{
	fprintf(f, "\nKnobs:\n");
	for (int k = 0; k < KNOB_COUNT; k++)
		fprintf(f, "  %-18s %s\n", policy_knob(k)->name, policy_knob(k)->on);
}

enum { OPT_MODEL = 1 };

static const struct cli_opt bisect_opts[] = {
	{ .id = OPT_MODEL, .name = "model", .metavar = "NAME",
	  .help = "the injection policy that reproduces the trace "
	  "(default: the one the trace header names; the names: kvmrec replay --help)" },
	{ 0 }
};

const struct cli_cmd bisect_cli = {
	.name = "bisect",
	.forms = { { .lead = "TRACE" } },
	.about = "Replays TRACE under the injection policy that reproduces it (the one the\n"
		 "trace header names, or --model), then searches the policy's knobs for the\n"
		 "smallest set of changes that makes 'replay --check-once' pass, and prints\n"
		 "it in words. Usable with 'git bisect run': 0 clean (nothing to fix), 1 the\n"
		 "trace has a violation, 125 cannot decide.\n",
	.about_more = list_knobs,
	.opts = bisect_opts,
	.tail = KVMREC_EXIT_CODES_HELP,
	.missing = "%s needs a value (see --help)",
};

int cmd_bisect(int argc, char **argv)
{
	const struct policy *base = NULL;
	const char *path = NULL;
	struct bisect_result b;
	struct cli_parser p;
	int id, ret;

	if (cli_parse_begin(&p, &bisect_cli, argc, argv))
		return KVMREC_EXIT_OK;
	while ((id = cli_next(&p)) != CLI_END) {
		if (id == OPT_MODEL && !(base = policy_find(p.arg))) {
			fprintf(stderr, "kvmrec bisect: unknown model '%s' (see replay --help)\n", p.arg);
			return KVMREC_EXIT_USAGE;
		} else if (id == CLI_OPERAND && path) {
			fprintf(stderr, "kvmrec bisect: more than one TRACE given ('%s')\n", p.arg);
			return KVMREC_EXIT_USAGE;
		} else if (id == CLI_OPERAND) {
			path = p.arg;
		} else if (id != OPT_MODEL) {
			return KVMREC_EXIT_USAGE;
		}
	}
	if (!path) {
		fprintf(stderr, "kvmrec bisect: no TRACE given (see --help)\n");
		return KVMREC_EXIT_USAGE;
	}
	ret = bisect_file(path, base, &b);
	if (ret == KVMREC_EXIT_USAGE) {
		fprintf(stderr, "kvmrec bisect: %s\n", b.recorded.error);
		return ret;
	}
	bisect_print(&b, ret, stdout, path);
	return ret;
}
