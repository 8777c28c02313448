/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * session: one `kvmrec record` run. Starts the VMM with the interposer
 * preloaded and its rings passed in the environment, or with the kernel-side
 * backend (bpf_backend.h) loaded for it, or attaches that backend to a VMM
 * already running (attach_pid); takes the kernel's kvm tracepoints for it when
 * tracefs allows, drains and merges everything by timestamp into a
 * trace_writer, and after the VMM ends (however it ends), or the attached
 * recording is stopped, drains what is left and writes the footer.
 *
 * recorder_run() returns 0 when the VMM ran and the trace was finished (its
 * wait status is in the result, whatever it was), or a negative errno with
 * res->error set to one line naming the file and the problem: with
 * res->vmm_ran false nothing ran (VMM not found, static VMM, output exists,
 * ...) and no VMM was left running; with it true the VMM ran and the
 * recording failed (a write error: the trace ends where it failed). What
 * the recording lost without failing is counted in dropped and kernel_lost.
 */
#ifndef KVMREC_RECORDER_SESSION_H
#define KVMREC_RECORDER_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum recorder_backend {
	RECORDER_AUTO = 0,         /* preload; bpf for a static VMM when BPF is usable */
	RECORDER_PRELOAD,
	RECORDER_BPF,
};

struct recorder_opts {
	const char *out;           /* trace path */
	enum recorder_backend backend;
	int attach_pid;            /* > 0: record this running VMM (bpf) instead of argv */
	double duration;           /* attach: stop after this many seconds, 0 = until it exits */
	char **argv;               /* VMM argv, NULL-terminated */
	bool kernel_events;
	bool lossy;
	bool run_times;            /* RunExit.run_ns: one more clock read per exit */
	uint64_t ring_size;        /* 0: default */
	const char *preload;       /* NULL: next to the kvmrec binary, or the libdir */
	const char *self;          /* argv[0] of kvmrec, for finding the preload */
};

struct recorder_result {
	int wait_status;           /* from waitpid() */
	uint64_t events;
	uint64_t bytes;            /* compressed trace bytes */
	uint64_t runs;             /* KVM_RUN records */
	uint64_t kernel_events;
	uint64_t kernel_lost;
	uint64_t stalls;
	uint64_t dropped;
	uint64_t kevq_peak;        /* most kernel samples held for ordering */
	uint64_t peak_rss_kb;      /* of the recorder process itself */
	bool vmm_ran;              /* the VMM was started: wait_status is its own */
	bool not_attached;         /* the VMM ran without the interposer (setuid?) */
	const char *backend;       /* "preload" or "bpf" */
	char backend_note[256];    /* why bpf was chosen by itself, or "" */
	char end_reason[256];      /* attach: "vmm exited", "stopped by SIGINT", "--duration 5 s" */
	char kernel_note[256];     /* why there are no kernel events, or "" */
	char error[512];
};

int recorder_run(const struct recorder_opts *o, struct recorder_result *res);
/* Whether `--backend bpf` can work here: 0, or -errno and one line in @why. */
int recorder_bpf_usable(char *why, size_t whylen);

#endif
