// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvmrec replay: model replay of a trace, and the exactly-once check.
 * A damaged trace is bad input (exit 2) even when its readable prefix was
 * replayed: the report for the prefix is printed first, marked as such,
 * then the reader's one-line error.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "replay.h"

void replay_usage(FILE *f)
{
	const struct policy *const *p;

	fprintf(f, "usage: kvmrec replay TRACE [--model NAME] [--check-once] [--json]\n\n"
		   "Replays TRACE through the PIC, kernel LAPIC and userspace-APIC-copy models\n"
		   "and compares the injection policy's decision at every KVM_RUN entry with\n"
		   "what was recorded (divergences: the first in detail, then a count).\n\n"
		   "  --model NAME   injection policy to replay with (default: the one the\n"
		   "                 trace header names, else qemu-fixed); only for a split\n"
		   "                 irqchip, and kvmrec-vmm only for its own traces:\n");
	for (p = policy_variants(); *p; p++)
		fprintf(f, "                   %-14s %s\n", (*p)->name, (*p)->what);
	fprintf(f, "  --check-once   match every delivery to exactly one request; report\n"
		   "                 double, spurious and lost interrupts\n"
		   "  --json         one JSON object instead of text\n\n"
		   "The irqchip mode comes from the trace's set-up records and is named in the\n"
		   "report: split (models compared), in-kernel (kernel events alone), userspace\n"
		   "(the VMM injects everything). A --model that does not apply is exit 2.\n\n"
		   "A damaged trace: the readable prefix is replayed and reported, then the\n"
		   "reader's error; the exit status is 2.\n"
		   KVMREC_EXIT_CODES_HELP);
}

int cmd_replay(int argc, char **argv)
{
	struct replay_opts opts = { 0 };
	const char *path = NULL, *model = NULL;
	bool check = false, json = false;
	struct replay *r;
	int ret;

	if (cli_wants_help(argc, argv)) {
		replay_usage(stdout);
		return KVMREC_EXIT_OK;
	}
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--check-once")) {
			check = true;
		} else if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "--model") && i + 1 >= argc) {
			fprintf(stderr, "kvmrec replay: --model needs a value (see --help)\n");
			return KVMREC_EXIT_USAGE;
		} else if (!strcmp(argv[i], "--model")) {
			model = argv[++i];
		} else if (!strncmp(argv[i], "--model=", 8)) {
			model = argv[i] + 8;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "kvmrec replay: unknown option '%s' (see --help)\n", argv[i]);
			return KVMREC_EXIT_USAGE;
		} else if (!path) {
			path = argv[i];
		} else {
			fprintf(stderr, "kvmrec replay: more than one TRACE given ('%s')\n", argv[i]);
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
