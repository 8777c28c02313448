// SPDX-License-Identifier: GPL-2.0-only
/* cli_trace: opening a trace for a subcommand, with its one-line error. */
#include <stdio.h>
#include "cli.h"
#include "trace_reader.h"

struct trace_reader *cli_trace_open(const char *cmd, const char *path)
{
	struct trace_reader *r = NULL;
	int ret = trace_reader_open(path, &r);
	char why[640];

	if (ret >= 0)
		return r;
	trace_reader_explain(r, path, ret, why, sizeof(why));
	fprintf(stderr, "kvmrec %s: %s\n", cmd, why);
	trace_reader_close(r);
	return NULL;
}
