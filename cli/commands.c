// SPDX-License-Identifier: GPL-2.0-only
/* commands: every kvmrec subcommand, in the order `kvmrec --help` lists them. */
#include "cli.h"

const struct cli_command cli_commands[] = {
	{ &record_cli, cmd_record },
	{ &replay_cli, cmd_replay },
	{ &bisect_cli, cmd_bisect },
	{ &dump_cli,   cmd_dump },
	{ &stat_cli,   cmd_stat },
	{ &diff_cli,   cmd_diff },
	{ &import_cli, cmd_import },
	{ &export_cli, cmd_export },
	{ &plot_cli,   cmd_plot },
};

const unsigned int cli_ncommands = sizeof(cli_commands) / sizeof(cli_commands[0]);
