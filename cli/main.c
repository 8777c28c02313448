// SPDX-License-Identifier: GPL-2.0-only
/* kvmrec: dispatch to the subcommands. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "trace_event.h"
#include "trace_reader.h"

static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	void (*usage)(FILE *f);
} commands[] = {
	{ "record", cmd_record, record_usage },
	{ "replay", cmd_replay, replay_usage },
	{ "bisect", cmd_bisect, bisect_usage },
	{ "dump",   cmd_dump,   dump_usage },
	{ "stat",   cmd_stat,   stat_usage },
	{ "diff",   cmd_diff,   diff_usage },
	{ "import", cmd_import, import_usage },
	{ "export", cmd_export, export_usage },
	{ "plot",   cmd_plot,   plot_usage },
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

/*
 * A command's synopsis as its own --help gives it (the paragraph before the
 * first blank line), so this list cannot miss an option.
 */
static void print_synopsis(FILE *f, const struct command *c)
{
	char *text = NULL, *p, *end;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);

	if (!m)
		return;
	c->usage(m);
	if (fclose(m) || !text)
		return;
	end = strstr(text, "\n\n");
	if (end)
		end[1] = '\0';
	/* "usage: kvmrec x ..." becomes "  kvmrec x ...", continuations move with it. */
	for (p = text; *p; ) {
		char *nl = strchrnul(p, '\n');
		const char *line = p;

		if (!strncmp(line, "usage: ", 7))
			line += 7;
		else if (!strncmp(line, "       ", 7))
			line += 7;
		fprintf(f, "  %.*s\n", (int)(nl - line), line);
		p = *nl ? nl + 1 : nl;
	}
	free(text);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: kvmrec COMMAND [ARGS...]\n\n"
		   "Deterministic record/replay of KVM vCPU exit streams.\n\n"
		   "Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		print_synopsis(f, &commands[i]);
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
		/* Every command that reads a long trace shows how far it got, on a terminal. */
		static char what[32];
		snprintf(what, sizeof(what), "kvmrec %s", commands[i].name);
		trace_reader_progress(what);
		return commands[i].fn(argc - 1, argv + 1);
	}
	fprintf(stderr, "kvmrec: unknown command '%s' (see kvmrec --help)\n", argv[1]);
	return KVMREC_EXIT_USAGE;
}
