/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cli: the kvmrec command-line front end. Each subcommand is one file,
 * cmd_<name>.c, exporting its option table <name>_cli (cli/opts.h) and
 * cmd_<name>(argc, argv) with argv[0] the subcommand name, which parses the
 * options, calls one library function and returns one of the exit codes
 * below; it prints its own errors as one line on stderr ("kvmrec NAME:
 * FILE: problem").
 */
#ifndef KVMREC_CLI_H
#define KVMREC_CLI_H

#include <stdio.h>

enum kvmrec_exit {
	KVMREC_EXIT_OK = 0,          /* success; check passed */
	KVMREC_EXIT_FAIL = 1,        /* check failed: violation, traces differ */
	KVMREC_EXIT_USAGE = 2,       /* bad flags or bad input (unreadable, damaged trace) */
	KVMREC_EXIT_INCOMPLETE = 4,  /* record: the VMM ran, the recording failed or lost data */
	KVMREC_EXIT_UNDECIDED = 125, /* the trace lacks the evidence to decide */
};

#define KVMREC_EXIT_CODES_HELP \
	"Exit status: 0 ok/pass, 1 check failed, 2 usage error or bad input,\n" \
	"125 cannot decide (the trace lacks the evidence).\n"

/*
 * A subcommand: its option table (cli/opts.h), the one source of its parser,
 * its --help, the synopsis `kvmrec --help` lists, the man pages and the bash
 * completion (docs/man/README.md); and the function that runs it.
 */
struct cli_cmd;
struct cli_command {
	const struct cli_cmd *cli;
	int (*run)(int argc, char **argv);
};

extern const struct cli_command cli_commands[];
extern const unsigned int cli_ncommands;

extern const struct cli_cmd record_cli, replay_cli, bisect_cli, dump_cli, stat_cli,
	diff_cli, import_cli, export_cli, plot_cli;

int cmd_record(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_bisect(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_stat(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_plot(int argc, char **argv);

struct trace_reader;
/*
 * Opens @path for subcommand @cmd; on failure prints the one-line error
 * ("kvmrec CMD: FILE: problem") and returns NULL (exit KVMREC_EXIT_USAGE).
 */
struct trace_reader *cli_trace_open(const char *cmd, const char *path);

#endif
