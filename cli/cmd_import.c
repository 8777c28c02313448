// SPDX-License-Identifier: GPL-2.0-only
/* kvmrec import: ftrace / trace-cmd report text, or a trace-cmd .dat -> kvmrec trace. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "opts.h"
#include "ftrace_import.h"
#include "out_file.h"

enum { OPT_FILE = 1, OPT_OUTPUT, OPT_FORCE };

static const struct cli_opt import_opts[] = {
	{ .id = OPT_FILE, .metavar = "FILE",
	  .help = "the text or .dat; - reads stdin" },
	{ .id = OPT_OUTPUT, .name = "output", .short_name = 'o', .metavar = "OUT",
	  .help = "output trace (default: FILE with .zst appended; "
	  "required for stdin); created 0600, never over an existing file, a symlink or FILE" },
	{ .id = OPT_FORCE, .name = "force",
	  .help = "replace OUT if it exists (still never a symlink or FILE)" },
	{ 0 }
};

const struct cli_cmd import_cli = {
	.name = "import",
	.forms = { { .lead = "FILE" } },
	.about = "Converts ftrace text to a kvmrec trace: raw tracefs 'trace' or 'trace_pipe'\n"
		 "output, 'trace-cmd report' output, or either pasted into a mail with its\n"
		 "lines wrapped. kvm events in the 2016 and current formats are decoded;\n"
		 "other events are kept by name with their text; lines that are not events\n"
		 "are counted, reported here and noted in the trace. A trace-cmd .dat\n"
		 "file (any version, any number of CPU buffers and instances) is read\n"
		 "with libtracecmd and gives the records its 'trace-cmd report -N -t'\n"
		 "text would.\n",
	.opts = import_opts,
	.tail = "Exit status: 0 ok, 2 usage error or unreadable input.\n",
};

/* What was imported, and what could not be, on stderr. */
static void import_report(const char *in, const char *out, const struct ftrace_import_stats *st)
{
	fprintf(stderr, "kvmrec import: %s -> %s: %llu events (%llu kvm decoded, %llu kvm undecoded, "
		"%llu malformed, %llu other), %llu wrapped lines joined\n", in, out,
		(unsigned long long)st->events, (unsigned long long)st->kvm_known,
		(unsigned long long)st->kvm_unknown, (unsigned long long)st->malformed,
		(unsigned long long)st->other_events, (unsigned long long)st->joined);
	if (st->not_events)
		fprintf(stderr, "kvmrec import: %s: %llu lines are not events (first: line %llu); "
			"counted in the trace's import note\n", in,
			(unsigned long long)st->not_events, (unsigned long long)st->first_not_event_line);
	if (st->guessed_vcpus)
		fprintf(stderr, "kvmrec import: %s: %llu threads do not say their vCPU; numbered in order of appearance\n",
			in, (unsigned long long)st->guessed_vcpus);
}

int cmd_import(int argc, char **argv)
{
	struct ftrace_import_stats st;
	const char *in = NULL, *out = NULL;
	char def[4096], err[512];
	bool force = false;
	struct cli_parser p;
	int ret, id;

	if (cli_parse_begin(&p, &import_cli, argc, argv))
		return KVMREC_EXIT_OK;
	while ((id = cli_next(&p)) != CLI_END) {
		if (id == OPT_OUTPUT) {
			out = p.arg;
		} else if (id == OPT_FORCE) {
			force = true;
		} else if (id != CLI_OPERAND) {
			return KVMREC_EXIT_USAGE;
		} else if (!in) {
			in = p.arg;
		} else {
			fprintf(stderr, "kvmrec import: more than one FILE given ('%s')\n", p.arg);
			return KVMREC_EXIT_USAGE;
		}
	}
	if (!in) {
		fprintf(stderr, "kvmrec import: no FILE given (see --help)\n");
		return KVMREC_EXIT_USAGE;
	}
	if (!out && !strcmp(in, "-")) {
		fprintf(stderr, "kvmrec import: reading stdin needs -o OUT\n");
		return KVMREC_EXIT_USAGE;
	}
	if (!out) {
		snprintf(def, sizeof(def), "%s.zst", in);
		out = def;
	}
	/* Refused before the input is read, not after. */
	if (strcmp(out, "-") &&
	    out_file_check(out, &(struct out_file_opts){ .overwrite = force, .input = in },
			   err, sizeof(err)) < 0) {
		fprintf(stderr, "kvmrec import: %s: %s\n", out, err);
		return KVMREC_EXIT_USAGE;
	}
	ret = ftrace_import(in, out, force, &st, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "kvmrec import: %s\n", err);
		return KVMREC_EXIT_USAGE;
	}
	import_report(in, out, &st);
	return KVMREC_EXIT_OK;
}
