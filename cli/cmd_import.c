// SPDX-License-Identifier: GPL-2.0-only
/* kvmrec import: ftrace / trace-cmd report text, or a trace-cmd .dat -> kvmrec trace. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "ftrace_import.h"
#include "out_file.h"

void import_usage(FILE *f)
{
	fprintf(f, "usage: kvmrec import FILE [-o OUT] [--force]\n\n"
		   "Converts ftrace text to a kvmrec trace: raw tracefs 'trace' or 'trace_pipe'\n"
		   "output, 'trace-cmd report' output, or either pasted into a mail with its\n"
		   "lines wrapped. kvm events in the 2016 and current formats are decoded;\n"
		   "other events are kept by name with their text; lines that are not events\n"
		   "are counted, reported here and noted in the trace. A trace-cmd .dat\n"
		   "file (any version, any number of CPU buffers and instances) is read\n"
		   "with libtracecmd and gives the records its 'trace-cmd report -N -t'\n"
		   "text would.\n\n"
		   "  FILE     the text or .dat; - reads stdin\n"
		   "  -o OUT   output trace (default: FILE with .zst appended; required for stdin);\n"
		   "           created 0600, never over an existing file, a symlink or FILE\n"
		   "  --force  replace OUT if it exists (still never a symlink or FILE)\n\n"
		   "Exit status: 0 ok, 2 usage error or unreadable input.\n");
}

int cmd_import(int argc, char **argv)
{
	struct ftrace_import_stats st;
	const char *in = NULL, *out = NULL;
	char def[4096], err[512];
	bool force = false;
	int ret;

	if (cli_wants_help(argc, argv)) {
		import_usage(stdout);
		return KVMREC_EXIT_OK;
	}
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-o") && i + 1 >= argc) {
			fprintf(stderr, "kvmrec import: -o needs a value\n");
			return KVMREC_EXIT_USAGE;
		} else if (!strcmp(argv[i], "-o")) {
			out = argv[++i];
		} else if (!strcmp(argv[i], "--force")) {
			force = true;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "kvmrec import: unknown option '%s' (see --help)\n", argv[i]);
			return KVMREC_EXIT_USAGE;
		} else if (!in) {
			in = argv[i];
		} else {
			fprintf(stderr, "kvmrec import: more than one FILE given ('%s')\n", argv[i]);
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
	fprintf(stderr, "kvmrec import: %s -> %s: %llu events (%llu kvm decoded, %llu kvm undecoded, "
		"%llu malformed, %llu other), %llu wrapped lines joined\n", in, out,
		(unsigned long long)st.events, (unsigned long long)st.kvm_known,
		(unsigned long long)st.kvm_unknown, (unsigned long long)st.malformed,
		(unsigned long long)st.other_events, (unsigned long long)st.joined);
	if (st.not_events)
		fprintf(stderr, "kvmrec import: %s: %llu lines are not events (first: line %llu); "
			"counted in the trace's import note\n", in,
			(unsigned long long)st.not_events, (unsigned long long)st.first_not_event_line);
	if (st.guessed_vcpus)
		fprintf(stderr, "kvmrec import: %s: %llu threads do not say their vCPU; numbered in order of appearance\n",
			in, (unsigned long long)st.guessed_vcpus);
	return KVMREC_EXIT_OK;
}
