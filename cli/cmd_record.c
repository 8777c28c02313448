// SPDX-License-Identifier: GPL-2.0-only
/* kvmrec record: run a VMM under the interposer and write its trace. */
#include <errno.h>
#include <limits.h>
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
		"output exists). With --pid: 0, or 2 when it cannot attach (no BPF permission,\n"
		"no BTF, PID not a KVM VMM, PID already being recorded).\n");
}

static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -EINVAL;
	if (*end == 'k' || *end == 'K')
		v <<= 10, end++;
	else if (*end == 'm' || *end == 'M')
		v <<= 20, end++;
	if (*end || v < RING_MIN_SIZE || v > RING_MAX_SIZE)
		return -EINVAL;
	while (v & (v - 1))
		v = (v | (v - 1)) + 1;
	*out = v;
	return 0;
}

int cmd_record(int argc, char **argv)
{
	struct recorder_opts o = { .out = "trace.zst", .kernel_events = true, .self = argv[0] };
	struct recorder_result res;
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
	if (ret < 0 && !res.wait_status && res.error[0] && !res.events) {
		fprintf(stderr, "kvmrec record: %s\n", res.error);
		return KVMREC_EXIT_USAGE;
	}
	if (res.backend_note[0])
		fprintf(stderr, "kvmrec record: %s\n", res.backend_note);
	if (res.kernel_note[0])
		fprintf(stderr, "kvmrec record: recording without kernel events: %s\n",
			res.kernel_note);
	if (ret < 0)
		fprintf(stderr, "kvmrec record: %s\n", res.error);
	if (res.not_attached)
		fprintf(stderr, "kvmrec record: %s: the interposer never started in the VMM "
			"(setuid, or it clears LD_PRELOAD); nothing of it was recorded\n", o.argv[0]);
	/* The bpf backend cannot wait for the parent: say what it lost, every time. */
	if (res.backend && !strcmp(res.backend, "bpf") && res.dropped)
		fprintf(stderr, "kvmrec record: %s: %llu records lost by the bpf backend (Drop "
			"records in the trace; a larger --ring-size helps)\n", o.out,
			(unsigned long long)res.dropped);
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
	if (o.attach_pid)
		return ret < 0 ? KVMREC_EXIT_USAGE : KVMREC_EXIT_OK;
	if (WIFSIGNALED(res.wait_status))
		return 128 + WTERMSIG(res.wait_status);
	if (WIFEXITED(res.wait_status))
		return WEXITSTATUS(res.wait_status);
	return KVMREC_EXIT_USAGE;
}
