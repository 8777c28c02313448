// SPDX-License-Identifier: GPL-2.0-only
/* kvmrec record: run a VMM under the interposer and write its trace. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "cli.h"
#include "ring.h"
#include "session.h"

void record_usage(FILE *f)
{
	fprintf(f,
		"usage: kvmrec record [-o FILE] [--no-kernel-events] [--ring-size SIZE] [--lossy]\n"
		"                     [--run-times] [--stats] [--preload PATH]\n"
		"                     [--backend preload|bpf] -- VMM ARGS...\n"
		"       kvmrec record --pid PID [--duration S] [-o FILE] [--no-kernel-events]\n"
		"                     [--ring-size SIZE] [--run-times] [--stats]\n\n"
		"Runs VMM with kvmrec's interposer preloaded (or, with the bpf backend, a BPF\n"
		"program on its ioctl calls) and records every KVM_RUN exit, interrupt\n"
		"injection, LAPIC sync and VM set-up ioctl, merged with the kernel's kvm\n"
		"tracepoints when tracefs is usable. With --pid, attaches the bpf backend to a\n"
		"VMM already running, until it exits, Ctrl-C or --duration; the VMM runs on.\n\n"
		"  -o, --output FILE    trace to write (default trace.zst; created 0600,\n"
		"                       never overwritten)\n"
		"  --no-kernel-events   do not take kvm:* tracepoints\n"
		"  --ring-size SIZE     bytes per VMM thread ring, K/M suffix (default 1M);\n"
		"                       with bpf, the BPF ring buffer shared by all threads\n"
		"                       (default 16M); rounded up to a power of two\n"
		"  --lossy              drop records (counted) instead of stalling a vCPU\n"
		"                       when its ring is full\n"
		"  --run-times          also record the time each KVM_RUN spent in the kernel\n"
		"                       (RunExit.run_ns; one more clock read per exit)\n"
		"  --preload PATH       interposer library to use\n"
		"  --backend NAME       preload (default) or bpf; a statically linked VMM gets\n"
		"                       bpf by itself when BPF is usable\n"
		"  --pid PID            record the running VMM PID (bpf backend)\n"
		"  --duration S         with --pid: detach after S seconds\n"
		"  --stats              print events, bytes, drops, stalls and the recorder's\n"
		"                       peak RSS when done\n\n"
		"Exit status: the VMM's (128+N if it was killed by signal N); 2 when the VMM\n"
		"cannot be started or recorded (not found, statically linked without BPF,\n"
		"output exists); 4 when the VMM ran but the recording failed or lost data\n"
		"(a write error such as a full disk, dropped records, lost kernel events, an\n"
		"interposer that never started): one line says what was lost and how the VMM\n"
		"ended. With --pid: 0, 2 when it cannot attach (no BPF permission, no BTF,\n"
		"PID not a KVM VMM, PID already being recorded), 4 when it lost data.\n");
}

static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -EINVAL;
	/* Range-checked before the shift: 17592186044417M must not wrap to 1M. */
	if (*end == 'k' || *end == 'K') {
		if (v > RING_MAX_SIZE >> 10)
			return -EINVAL;
		v <<= 10, end++;
	} else if (*end == 'm' || *end == 'M') {
		if (v > RING_MAX_SIZE >> 20)
			return -EINVAL;
		v <<= 20, end++;
	}
	if (*end || v < RING_MIN_SIZE || v > RING_MAX_SIZE)
		return -EINVAL;
	while (v & (v - 1))
		v = (v | (v - 1)) + 1;
	*out = v;
	return 0;
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

int cmd_record(int argc, char **argv)
{
	struct recorder_opts o = { .out = "trace.zst", .kernel_events = true, .self = argv[0] };
	struct recorder_result res;
	char lost[600], status[64];
	bool stats = false;
	int i, ret;

	if (cli_wants_help(argc, argv)) {
		record_usage(stdout);
		return KVMREC_EXIT_OK;
	}
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (a[0] != '-')
			break;
		if ((!strcmp(a, "-o") || !strcmp(a, "--output") || !strcmp(a, "--ring-size") ||
		     !strcmp(a, "--preload")) && i + 1 >= argc) {
			fprintf(stderr, "kvmrec record: %s needs a value (see --help)\n", a);
			return KVMREC_EXIT_USAGE;
		}
		if ((!strcmp(a, "-o") || !strcmp(a, "--output")) && i + 1 < argc) {
			o.out = argv[++i];
		} else if (!strcmp(a, "--no-kernel-events")) {
			o.kernel_events = false;
		} else if (!strcmp(a, "--run-times")) {
			o.run_times = true;
		} else if (!strcmp(a, "--stats")) {
			stats = true;
		} else if (!strcmp(a, "--lossy")) {
			o.lossy = true;
		} else if (!strcmp(a, "--ring-size") && i + 1 < argc) {
			if (parse_size(argv[++i], &o.ring_size)) {
				fprintf(stderr, "kvmrec record: --ring-size %s: want 64K..256M\n", argv[i]);
				return KVMREC_EXIT_USAGE;
			}
		} else if (!strcmp(a, "--preload") && i + 1 < argc) {
			o.preload = argv[++i];
		} else if (!strcmp(a, "--backend") && i + 1 < argc) {
			i++;
			if (!strcmp(argv[i], "preload")) {
				o.backend = RECORDER_PRELOAD;
			} else if (!strcmp(argv[i], "bpf")) {
				o.backend = RECORDER_BPF;
			} else {
				fprintf(stderr, "kvmrec record: --backend %s: want preload or bpf\n",
					argv[i]);
				return KVMREC_EXIT_USAGE;
			}
		} else if (!strcmp(a, "--pid") && i + 1 < argc) {
			char *end;
			long v = strtol(argv[++i], &end, 10);

			if (*end || v <= 0 || v > INT_MAX) {
				fprintf(stderr, "kvmrec record: --pid %s: not a process id\n", argv[i]);
				return KVMREC_EXIT_USAGE;
			}
			o.attach_pid = (int)v;
		} else if (!strcmp(a, "--duration") && i + 1 < argc) {
			char *end;

			o.duration = strtod(argv[++i], &end);
			if (*end || !(o.duration > 0) || o.duration > 1e7) {
				fprintf(stderr, "kvmrec record: --duration %s: want seconds > 0\n", argv[i]);
				return KVMREC_EXIT_USAGE;
			}
		} else {
			fprintf(stderr, "kvmrec record: unknown or incomplete option '%s' (see --help)\n", a);
			return KVMREC_EXIT_USAGE;
		}
	}
	if (o.attach_pid) {
		if (i < argc) {
			fprintf(stderr, "kvmrec record: --pid records a running VMM; give no VMM command\n");
			return KVMREC_EXIT_USAGE;
		}
		if (o.backend == RECORDER_PRELOAD || o.lossy || o.preload) {
			fprintf(stderr, "kvmrec record: --pid uses the bpf backend (no --backend preload, "
				"--lossy or --preload)\n");
			return KVMREC_EXIT_USAGE;
		}
		o.argv = NULL;
	} else if (o.duration > 0) {
		fprintf(stderr, "kvmrec record: --duration needs --pid\n");
		return KVMREC_EXIT_USAGE;
	} else if (i >= argc) {
		fprintf(stderr, "kvmrec record: no VMM given (kvmrec record [OPTIONS] -- VMM ARGS...)\n");
		return KVMREC_EXIT_USAGE;
	} else {
		o.argv = argv + i;
	}
	if (o.backend == RECORDER_BPF && o.lossy) {
		fprintf(stderr, "kvmrec record: --lossy is the bpf backend's only mode; drop the flag\n");
		return KVMREC_EXIT_USAGE;
	}
	ret = recorder_run(&o, &res);
	if (ret < 0 && !res.vmm_ran) {
		fprintf(stderr, "kvmrec record: %s\n", res.error);
		return KVMREC_EXIT_USAGE;
	}
	if (res.backend_note[0])
		fprintf(stderr, "kvmrec record: %s\n", res.backend_note);
	if (res.kernel_note[0])
		fprintf(stderr, "kvmrec record: recording without kernel events: %s\n",
			res.kernel_note);
	if (o.attach_pid)
		fprintf(stderr, "kvmrec record: PID %d: %s; %llu KVM_RUN recorded into %s\n",
			o.attach_pid, res.end_reason, (unsigned long long)res.runs, o.out);
	if (stats)
		fprintf(stderr,
			"kvmrec record: %s: %llu events, %llu KVM_RUN, %llu kernel, %llu bytes, "
			"%llu dropped, %llu kernel lost, %llu stalls, peak RSS %llu KiB\n",
			o.out, (unsigned long long)res.events, (unsigned long long)res.runs,
			(unsigned long long)res.kernel_events, (unsigned long long)res.bytes,
			(unsigned long long)res.dropped, (unsigned long long)res.kernel_lost,
			(unsigned long long)res.stalls, (unsigned long long)res.peak_rss_kb);
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
