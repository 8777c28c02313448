// SPDX-License-Identifier: GPL-2.0-only
/* kvmrec export: a trace as a timeline other tools open. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "chrome_json.h"
#include "cli.h"
#include "opts.h"
#include "perfetto.h"
#include "trace_reader.h"

enum { OPT_FORMAT = 1, OPT_OUTPUT };

static const struct cli_opt export_opts[] = {
	{ .id = OPT_FORMAT, .name = "format", .metavar = "FORMAT", .required = true,
	  .choices = "perfetto|chrome-json", .help = "the file's format:\n"
	  "  perfetto     Perfetto protobuf (.pftrace), about 10 B per event\n"
	  "  chrome-json  Chrome trace-event JSON, about 170 B per event" },
	{ .id = OPT_OUTPUT, .name = "output", .short_name = 'o', .metavar = "OUT",
	  .required = true, .help = "output file (\"-\": stdout)" },
	{ 0 }
};

const struct cli_cmd export_cli = {
	.name = "export",
	.forms = { { .lead = "TRACE" } },
	.about = "Writes the trace as a timeline: Perfetto's native protobuf trace for\n"
		 "ui.perfetto.dev and trace_processor (compact, any size), or Chrome\n"
		 "trace-event JSON for chrome://tracing. A track per vCPU with a slice for each stretch in the\n"
		 "guest and in userspace, instants for injections, EOIs, LAPIC accepts and\n"
		 "syncs, counters for TPR and the highest IRR/ISR vector, and what\n"
		 "`kvmrec replay --check-once` decides: arrows from each interrupt request\n"
		 "to the delivery it was matched to, violations marked red, undecided items\n"
		 "yellow, the verdict in the file's metadata.\n",
	.opts = export_opts,
	.tail = "A damaged trace is exported up to the damage (noted in the file), then\n"
		"exits 2.\n"
		KVMREC_EXIT_CODES_HELP,
	.unknown = "unknown option '%s' (see kvmrec export --help)",
};

int cmd_export(int argc, char **argv)
{
	const char *path = NULL, *out_path = NULL, *format = NULL;
	struct cli_parser p;
	int id;

	if (cli_parse_begin(&p, &export_cli, argc, argv))
		return KVMREC_EXIT_OK;
	while ((id = cli_next(&p)) != CLI_END) {
		if (id == OPT_FORMAT) {
			format = p.arg;
		} else if (id == OPT_OUTPUT) {
			out_path = p.arg;
		} else if (id != CLI_OPERAND) {
			return KVMREC_EXIT_USAGE;
		} else if (!path) {
			path = p.arg;
		} else {
			fprintf(stderr, "kvmrec export: one trace only ('%s')\n", p.arg);
			return KVMREC_EXIT_USAGE;
		}
	}
	bool perfetto = format && !strcmp(format, "perfetto");
	if (!format || (!perfetto && strcmp(format, "chrome-json"))) {
		fprintf(stderr, "kvmrec export: %s format '%s' (want --format perfetto or chrome-json)\n",
			format ? "unknown" : "no", format ? format : "");
		return KVMREC_EXIT_USAGE;
	}
	if (!path || !out_path) {
		fprintf(stderr, "kvmrec export: want TRACE and -o OUT (see kvmrec export --help)\n");
		return KVMREC_EXIT_USAGE;
	}

	struct trace_reader *r = cli_trace_open("export", path);
	if (!r)
		return KVMREC_EXIT_USAGE;
	FILE *out = strcmp(out_path, "-") ? fopen(out_path, "w") : stdout;
	if (!out) {
		fprintf(stderr, "kvmrec export: %s: %s\n", out_path, strerror(errno));
		trace_reader_close(r);
		return KVMREC_EXIT_USAGE;
	}

	char msg[512] = "";
	int ret = perfetto ? perfetto_export(r, path, out, msg, sizeof(msg))
			   : chrome_json_export(r, path, out, msg, sizeof(msg));
	int rc = KVMREC_EXIT_OK;
	if (ret < 0) {
		fprintf(stderr, "kvmrec export: %s (exported what came before)\n", msg);
		rc = KVMREC_EXIT_USAGE;
	}
	if (ferror(out) || (out != stdout ? fclose(out) : fflush(out))) {
		fprintf(stderr, "kvmrec export: %s: write failed: %s\n", out_path, strerror(errno));
		rc = KVMREC_EXIT_USAGE;
	}
	trace_reader_close(r);
	return rc;
}
