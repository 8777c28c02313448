// SPDX-License-Identifier: GPL-2.0-only
/* kvmrec: dispatch to the subcommands. */
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "opts.h"
#include "trace_event.h"
#include "trace_reader.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: kvmrec COMMAND [ARGS...]\n\n"
		   "Deterministic record/replay of KVM vCPU exit streams.\n\n"
		   "Commands:\n");
	/* Each command's synopsis as its own --help gives it: it cannot miss an option. */
	for (unsigned int i = 0; i < cli_ncommands; i++)
		cli_synopsis(f, cli_commands[i].cli, "  ", "  ");
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
	for (unsigned int i = 0; i < cli_ncommands; i++) {
		const char *name = cli_commands[i].cli->name;

		if (strcmp(argv[1], name))
			continue;
		/* Every command that reads a long trace shows how far it got, on a terminal. */
		static char what[32];
		snprintf(what, sizeof(what), "kvmrec %s", name);
		trace_reader_progress(what);
		return cli_commands[i].run(argc - 1, argv + 1);
	}
	fprintf(stderr, "kvmrec: unknown command '%s' (see kvmrec --help)\n", argv[1]);
	return KVMREC_EXIT_USAGE;
}
