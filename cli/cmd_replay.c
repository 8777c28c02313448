// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvmrec replay: model replay of a trace, and the exactly-once check.
 * A damaged trace is bad input (exit 2) even when its readable prefix was
 * replayed: the report for the prefix is printed first, marked as such,
 * then the reader's one-line error.
 */
#include <stdio.h>

#include "cli.h"
#include "opts.h"
#include "replay.h"

static void list_models(FILE *f, int col)
{
	for (const struct policy *const *p = policy_variants(); *p; p++)
		fprintf(f, "%*s%-14s %s\n", col + 2, "", (*p)->name, (*p)->what);
}

enum { OPT_MODEL = 1, OPT_CHECK_ONCE, OPT_JSON };

static const struct cli_opt replay_opts[] = {
	{ .id = OPT_MODEL, .name = "model", .metavar = "NAME",
	  .help = "injection policy to replay with (default: the one the "
	  "trace header names, else qemu-fixed); only for a split irqchip, and kvmrec-vmm only "
	  "for its own traces:", .help_more = list_models },
	{ .id = OPT_CHECK_ONCE, .name = "check-once",
	  .help = "match every delivery to exactly one request; "
	  "report double, spurious and lost interrupts" },
	{ .id = OPT_JSON, .name = "json",
	  .help = "one JSON object instead of text" },
	{ 0 }
};

const struct cli_cmd replay_cli = {
	.name = "replay",
	.forms = { { .lead = "TRACE" } },
	.about = "Replays TRACE through the PIC, kernel LAPIC and userspace-APIC-copy models\n"
		 "and compares the injection policy's decision at every KVM_RUN entry with\n"
		 "what was recorded (divergences: the first in detail, then a count).\n",
	.opts = replay_opts,
	.tail = "The irqchip mode comes from the trace's set-up records and is named in the\n"
		"report: split (models compared), in-kernel (kernel events alone), userspace\n"
		"(the VMM injects everything). A --model that does not apply is exit 2.\n\n"
		"A damaged trace: the readable prefix is replayed and reported, then the\n"
		"reader's error; the exit status is 2.\n"
		KVMREC_EXIT_CODES_HELP,
	.missing = "%s needs a value (see --help)",
};

int cmd_replay(int argc, char **argv)
{
	struct replay_opts opts = { 0 };
	const char *path = NULL, *model = NULL;
	bool check = false, json = false;
	struct replay *r;
	int ret;

	struct cli_parser p;
	int id;

	if (cli_parse_begin(&p, &replay_cli, argc, argv))
		return KVMREC_EXIT_OK;
	while ((id = cli_next(&p)) != CLI_END) {
		switch (id) {
		case OPT_CHECK_ONCE:
			check = true;
			break;
		case OPT_JSON:
			json = true;
			break;
		case OPT_MODEL:
			model = p.arg;
			break;
		case CLI_OPERAND:
			if (path) {
				fprintf(stderr, "kvmrec replay: more than one TRACE given ('%s')\n", p.arg);
				return KVMREC_EXIT_USAGE;
			}
			path = p.arg;
			break;
		default:
			return KVMREC_EXIT_USAGE;
		}
	}
	if (!path) {
		fprintf(stderr, "kvmrec replay: no TRACE given (see --help)\n");
		return KVMREC_EXIT_USAGE;
	}
	if (model && !(opts.model = policy_find(model))) {
		fprintf(stderr, "kvmrec replay: unknown model '%s' (see --help)\n", model);
		return KVMREC_EXIT_USAGE;
	}
	ret = replay_file(path, &opts, &r);
	if (!r) {
		fprintf(stderr, "kvmrec replay: %s: out of memory\n", path);
		return KVMREC_EXIT_USAGE;
	}
	if (replay_model_error(r)) {
		/* A usage error: the model named cannot describe this trace. */
		fprintf(stderr, "kvmrec replay: %s\n", replay_result(r)->error);
		replay_free(r);
		return KVMREC_EXIT_USAGE;
	}
	if (!replay_model(r)) {
		/* Nothing readable at all: only the error. */
		fprintf(stderr, "kvmrec replay: %s\n", replay_result(r)->error);
		replay_free(r);
		return ret;
	}
	if (json)
		replay_print_json(r, stdout, check, path);
	else
		replay_print(r, stdout, check, path);
	if (ret == KVMREC_EXIT_USAGE)
		fprintf(stderr, "kvmrec replay: %s\n", replay_result(r)->error);
	else if (!check && replay_divergences(r))
		ret = KVMREC_EXIT_FAIL;
	else if (!check)
		ret = replay_result(r)->vm_ran ? KVMREC_EXIT_OK : KVMREC_EXIT_UNDECIDED;
	replay_free(r);
	return ret;
}
