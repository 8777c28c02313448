/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * session: one `kvmrec record` run. Starts the VMM with the interposer
 * preloaded and its rings passed in the environment, takes the kernel's kvm
 * tracepoints for it when tracefs allows, drains and merges everything by
 * timestamp into a trace_writer, and after the VMM ends (however it ends)
 * drains what is left and writes the footer.
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
#include <stdint.h>

struct recorder_opts {
	const char *out;           /* trace path */
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
	char kernel_note[256];     /* why there are no kernel events, or "" */
	char error[512];
};

int recorder_run(const struct recorder_opts *o, struct recorder_result *res);

#endif
