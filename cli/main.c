// SPDX-License-Identifier: GPL-2.0-only
/* kvmrec: dispatch to the subcommands. */
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "trace_event.h"

/*
 * The synopsis only: each command's options are in its own --help, the one
 * place they are written, so this list cannot fall behind them.
 */
static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;
	const char *what;
} commands[] = {
	{ "record", cmd_record, "record [OPTIONS] -- VMM ARGS...",
	  "record a VMM's KVM exits and events" },
	{ "replay", cmd_replay, "replay TRACE [OPTIONS]",
	  "model replay; exactly-once check" },
	{ "bisect", cmd_bisect, "bisect TRACE [OPTIONS]",
	  "smallest fix for a violation" },
	{ "dump", cmd_dump, "dump TRACE",
	  "the trace as text" },
	{ "stat", cmd_stat, "stat TRACE [OPTIONS]",
	  "exits, latencies, injections, losses" },
	{ "diff", cmd_diff, "diff A B [OPTIONS]",
	  "where two exit streams part" },
	{ "import", cmd_import, "import FILE [OPTIONS]",
	  "ftrace / trace-cmd text to a trace" },
	{ "export", cmd_export, "export --format FORMAT TRACE -o OUT",
	  "timeline for ui.perfetto.dev" },
	{ "plot", cmd_plot, "plot TRACE -o OUT.svg [OPTIONS]",
	  "SVG around a violation" },
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
		fprintf(f, "  %-40s %s\n", commands[i].usage, commands[i].what);
	fprintf(f, "\nEvery command's options: kvmrec COMMAND --help.\n"
		   "kvmrec --version: version and trace format.\n\n"
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
