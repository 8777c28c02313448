// SPDX-License-Identifier: GPL-2.0-only
/* kvmrec record: run a VMM under the interposer and write its trace. */
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "cli.h"
#include "opts.h"
#include "ring.h"
#include "session.h"

enum {
	OPT_OUTPUT = 1, OPT_NO_KERNEL_EVENTS, OPT_RING_SIZE, OPT_LOSSY, OPT_RUN_TIMES,
	OPT_PRELOAD, OPT_BACKEND, OPT_PID, OPT_DURATION, OPT_STATS,
};

/* Synopsis forms: 0 runs a VMM, 1 attaches to one (--pid). */
#define RUN_ONLY (1u << 1)
#define PID_ONLY (1u << 0)

/* record's words for an unknown option, and for these three without a value. */
#define INCOMPLETE "unknown or incomplete option '%s' (see --help)"

static const struct cli_opt record_opts[] = {
	{ .id = OPT_OUTPUT, .name = "output", .short_name = 'o', .metavar = "FILE",
	  .help = "trace to write (default trace.zst; created 0600, "
	  "never overwritten)" },
	{ .id = OPT_NO_KERNEL_EVENTS, .name = "no-kernel-events",
	  .help = "do not take kvm:* tracepoints" },
	{ .id = OPT_RING_SIZE, .name = "ring-size", .metavar = "SIZE",
	  .help = "bytes per VMM thread ring, K/M suffix (default "
	  "1M); with bpf, the BPF ring buffer shared by all threads (default 16M); rounded up "
	  "to a power of two" },
	{ .id = OPT_LOSSY, .name = "lossy", .not_in = RUN_ONLY, .help = "drop records (counted) "
	  "instead of stalling a vCPU when its ring is full" },
	{ .id = OPT_RUN_TIMES, .name = "run-times",
	  .help = "also record the time each KVM_RUN spent in the "
	  "kernel (RunExit.run_ns; one more clock read per exit)" },
	{ .id = OPT_STATS, .name = "stats",
	  .help = "print events, bytes, drops, stalls and the recorder's "
	  "peak RSS when done" },
	{ .id = OPT_PRELOAD, .name = "preload", .metavar = "PATH", .not_in = RUN_ONLY,
	  .help = "interposer library to use" },
	{ .id = OPT_BACKEND, .name = "backend", .metavar = "NAME", .choices = "preload|bpf",
	  .not_in = RUN_ONLY, .missing = INCOMPLETE, .help = "preload (default) or bpf; a "
	  "statically linked VMM gets bpf by itself when BPF is usable" },
	{ .id = OPT_PID, .name = "pid", .metavar = "PID", .not_in = PID_ONLY | RUN_ONLY,
	  .missing = INCOMPLETE, .help = "record the running VMM PID (bpf backend)" },
	{ .id = OPT_DURATION, .name = "duration", .metavar = "S", .not_in = PID_ONLY,
	  .missing = INCOMPLETE, .help = "with --pid: detach after S seconds" },
	{ 0 }
};

const struct cli_cmd record_cli = {
	.name = "record",
	.forms = { { .trail = "-- VMM ARGS..." }, { .lead = "--pid PID" } },
	.about = "Runs VMM with kvmrec's interposer preloaded (or, with the bpf backend, a BPF\n"
		 "program on its ioctl calls) and records every KVM_RUN exit, interrupt\n"
		 "injection, LAPIC sync and VM set-up ioctl, merged with the kernel's kvm\n"
		 "tracepoints when tracefs is usable. With --pid, attaches the bpf backend to a\n"
		 "VMM already running, until it exits, Ctrl-C or --duration; the VMM runs on.\n",
	.opts = record_opts,
	.tail = "Exit status: the VMM's (128+N if it was killed by signal N); 2 when the VMM\n"
		"cannot be started or recorded (not found, statically linked without BPF,\n"
		"output exists); 4 when the VMM ran but the recording failed or lost data\n"
		"(a write error such as a full disk, dropped records, lost kernel events, an\n"
		"interposer that never started): one line says what was lost and how the VMM\n"
		"ended. With --pid: 0, 2 when it cannot attach (no BPF permission, no BTF,\n"
		"PID not a KVM VMM, PID already being recorded), 4 when it lost data.\n",
	.unknown = INCOMPLETE,
	.missing = "%s needs a value (see --help)",
	.operand_ends_options = true,
};

/* An option's value into @o; 0, or -1 after the one-line error. */
static int record_value(int id, const char *v, struct recorder_opts *o)
{
	char *end;

	switch (id) {
	case OPT_RING_SIZE:
		if (ring_size_parse(v, &o->ring_size)) {
			fprintf(stderr, "kvmrec record: --ring-size %s: want 64K..256M\n", v);
			return -1;
		}
		return 0;
	case OPT_BACKEND:
		if (!strcmp(v, "preload") || !strcmp(v, "bpf")) {
			o->backend = !strcmp(v, "bpf") ? RECORDER_BPF : RECORDER_PRELOAD;
			return 0;
		}
		fprintf(stderr, "kvmrec record: --backend %s: want preload or bpf\n", v);
		return -1;
	case OPT_PID: {
		long pid = strtol(v, &end, 10);

		if (!*v || *end || pid <= 0 || pid > INT_MAX) {
			fprintf(stderr, "kvmrec record: --pid %s: not a process id\n", v);
			return -1;
		}
		o->attach_pid = (int)pid;
		return 0;
	}
	case OPT_DURATION:
		o->duration = strtod(v, &end);
		if (!*v || *end || !(o->duration > 0) || o->duration > 1e7) {
			fprintf(stderr, "kvmrec record: --duration %s: want seconds > 0\n", v);
			return -1;
		}
		return 0;
	}
	return -1;
}

/* The options into @o and @stats; 1 --help, 0, or -1 after the one-line error. */
static int record_parse(int argc, char **argv, struct recorder_opts *o, bool *stats)
{
	struct cli_parser p;
	int id;

	if (cli_parse_begin(&p, &record_cli, argc, argv))
		return 1;
	while ((id = cli_next(&p)) != CLI_END) {
		if (id == OPT_OUTPUT)
			o->out = p.arg;
		else if (id == OPT_NO_KERNEL_EVENTS)
			o->kernel_events = false;
		else if (id == OPT_RUN_TIMES)
			o->run_times = true;
		else if (id == OPT_STATS)
			*stats = true;
		else if (id == OPT_LOSSY)
			o->lossy = true;
		else if (id == OPT_PRELOAD)
			o->preload = p.arg;
		else if (id < 0 || record_value(id, p.arg, o))
			return -1;
	}
	o->argv = p.next < argc ? argv + p.next : NULL;
	return 0;
}

/* The options that go together, or -1 after the one-line error. */
static int record_check(const struct recorder_opts *o)
{
	const char *bad = NULL;

	if (o->attach_pid && o->argv)
		bad = "--pid records a running VMM; give no VMM command";
	else if (o->attach_pid && (o->backend == RECORDER_PRELOAD || o->lossy || o->preload))
		bad = "--pid uses the bpf backend (no --backend preload, --lossy or --preload)";
	else if (!o->attach_pid && o->duration > 0)
		bad = "--duration needs --pid";
	else if (!o->attach_pid && !o->argv)
		bad = "no VMM given (kvmrec record [OPTIONS] -- VMM ARGS...)";
	else if (o->backend == RECORDER_BPF && o->lossy)
		bad = "--lossy is the bpf backend's only mode; drop the flag";
	if (bad)
		fprintf(stderr, "kvmrec record: %s\n", bad);
	return bad ? -1 : 0;
}

static const char *vmm_ending(int wait_status, char *buf, size_t len)
{
	if (WIFSIGNALED(wait_status))
		snprintf(buf, len, "was killed by signal %d", WTERMSIG(wait_status));
	else
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(wait_status));
	return buf;
}

/* Appends one "; "-separated clause to @buf, never past @len. */
static void clause(char *buf, size_t len, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	if (n && n + 2 < len)
		strcpy(buf + n, "; "), n += 2;
	va_start(ap, fmt);
	vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
}

/*
 * What the recording of a VMM that ran failed to keep, as clauses in @buf;
 * false if nothing. The VMM's own success says nothing about it.
 */
static bool record_losses(const struct recorder_opts *o, const struct recorder_result *res,
			  int ret, char *buf, size_t len)
{
	size_t plen = strlen(o->out);
	const char *why = res->error;

	buf[0] = '\0';
	if (res->not_attached)
		clause(buf, len, "nothing: the interposer never started in %s (setuid, or it "
		       "clears LD_PRELOAD)", o->argv[0]);
	if (ret < 0) {
		if (!strncmp(why, o->out, plen) && !strncmp(why + plen, ": ", 2))
			why += plen + 2;  /* the line names the file once */
		clause(buf, len, "%s, the trace ends there", why);
	}
	if (res->dropped)
		clause(buf, len, "%llu records dropped (Drop records in the trace say why)",
		       (unsigned long long)res->dropped);
	if (res->kernel_lost)
		clause(buf, len, "%llu kernel events lost (tracefs overrun)",
		       (unsigned long long)res->kernel_lost);
	return buf[0] != '\0';
}

/* What the recorder says when done, on stderr, before any loss. */
static void record_notes(const struct recorder_opts *o, const struct recorder_result *res,
			 bool stats)
{
	if (res->backend_note[0])
		fprintf(stderr, "kvmrec record: %s\n", res->backend_note);
	if (res->kernel_note[0])
		fprintf(stderr, "kvmrec record: recording without kernel events: %s\n",
			res->kernel_note);
	if (o->attach_pid)
		fprintf(stderr, "kvmrec record: PID %d: %s; %llu KVM_RUN recorded into %s\n",
			o->attach_pid, res->end_reason, (unsigned long long)res->runs, o->out);
	if (stats)
		fprintf(stderr,
			"kvmrec record: %s: %llu events, %llu KVM_RUN, %llu kernel, %llu bytes, "
			"%llu dropped, %llu kernel lost, %llu stalls, peak RSS %llu KiB\n",
			o->out, (unsigned long long)res->events, (unsigned long long)res->runs,
			(unsigned long long)res->kernel_events, (unsigned long long)res->bytes,
			(unsigned long long)res->dropped, (unsigned long long)res->kernel_lost,
			(unsigned long long)res->stalls, (unsigned long long)res->peak_rss_kb);
}

int cmd_record(int argc, char **argv)
{
	struct recorder_opts o = { .out = "trace.zst", .kernel_events = true, .self = argv[0] };
	struct recorder_result res;
	char lost[600], status[64];
	bool stats = false;
	int ret = record_parse(argc, argv, &o, &stats);

	if (ret)
		return ret > 0 ? KVMREC_EXIT_OK : KVMREC_EXIT_USAGE;
	if (record_check(&o))
		return KVMREC_EXIT_USAGE;
	ret = recorder_run(&o, &res);
	if (ret < 0 && !res.vmm_ran) {
		fprintf(stderr, "kvmrec record: %s\n", res.error);
		return KVMREC_EXIT_USAGE;
	}
	record_notes(&o, &res, stats);
	if (record_losses(&o, &res, ret, lost, sizeof(lost))) {
		if (o.attach_pid)
			fprintf(stderr, "kvmrec record: %s: recording incomplete: %s\n", o.out, lost);
		else
			fprintf(stderr, "kvmrec record: %s: recording incomplete: %s; the VMM %s\n",
				o.out, lost, vmm_ending(res.wait_status, status, sizeof(status)));
		return KVMREC_EXIT_INCOMPLETE;
	}
	if (o.attach_pid)
		return KVMREC_EXIT_OK;
	if (WIFSIGNALED(res.wait_status))
		return 128 + WTERMSIG(res.wait_status);
	return WEXITSTATUS(res.wait_status);
}
