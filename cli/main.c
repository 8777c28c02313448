// SPDX-License-Identifier: GPL-2.0-only
/* kvmrec: dispatch to the subcommands. */
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "trace_event.h"

static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;
} commands[] = {
	{ "record", cmd_record, "record [-o FILE] [--no-kernel-events] [--ring-size SIZE] [--lossy] -- VMM ARGS..." },
	{ "replay", cmd_replay, "replay TRACE [--model NAME] [--check-once] [--json]" },
	{ "bisect", cmd_bisect, "bisect TRACE" },
	{ "dump",   cmd_dump,   "dump TRACE" },
	{ "stat",   cmd_stat,   "stat TRACE [--json]" },
	{ "diff",   cmd_diff,   "diff A B" },
	{ "import", cmd_import, "import FILE [-o OUT]" },
	{ "export", cmd_export, "export --format chrome-json TRACE -o OUT" },
	{ "plot",   cmd_plot,   "plot TRACE [--around SEQ] -o OUT.svg" },
};

int cli_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			return 0;
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return 1;
	}
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: kvmrec COMMAND [ARGS...]\n\n"
		   "Deterministic record/replay of KVM vCPU exit streams.\n\n"
		   "Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  kvmrec %s\n", commands[i].usage);
	fprintf(f, "\n'kvmrec COMMAND --help' describes each command.\n"
		   KVMREC_EXIT_CODES_HELP);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "kvmrec: no command given (see kvmrec --help)\n");
		return KVMREC_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return KVMREC_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("kvmrec %s (trace format %d.%d)\n", KVMREC_VERSION,
		       TRACE_FORMAT_MAJOR, TRACE_FORMAT_MINOR);
		return KVMREC_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name))
			continue;
		return commands[i].fn(argc - 1, argv + 1);
	}
	fprintf(stderr, "kvmrec: unknown command '%s' (see kvmrec --help)\n", argv[1]);
	return KVMREC_EXIT_USAGE;
}
