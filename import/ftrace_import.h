/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ftrace_import: ftrace text (raw tracefs trace or trace_pipe output,
 * trace-cmd report output, or either pasted into a mail with lines wrapped)
 * or a trace-cmd .dat file (recognised by its magic, read with libtracecmd:
 * tracecmd_source.h) to a kvmrec trace written through trace_writer. Both
 * give the same event records for the same recording.
 *
 * Reads the input twice ("-" is stdin, spooled to a temporary file): once to learn which
 * thread is which vCPU and which events the text holds, once to write.
 * Every line is accounted for: events (known kvm events decoded, all others
 * kept as KEV_UNKNOWN with name and text), wrapped continuations joined to
 * their event, and lines that are not events counted and described in an
 * Annotation at the head of the trace. Returns 0, or a negative errno with
 * @err set to one line naming the file.
 */
#ifndef KVMREC_FTRACE_IMPORT_H
#define KVMREC_FTRACE_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ftrace_import_stats {
	uint64_t lines;
	uint64_t events;		/* written */
	uint64_t kvm_known;		/* decoded kvm events */
	uint64_t kvm_unknown;		/* kvm events kept as KEV_UNKNOWN */
	uint64_t malformed;		/* known kvm events whose text did not parse */
	uint64_t other_events;		/* non-kvm events, kept as KEV_UNKNOWN */
	uint64_t joined;		/* wrapped lines joined to their event */
	uint64_t not_events;		/* lines that are not events (text, headers) */
	uint64_t blank;
	uint64_t first_not_event_line;	/* 1-based, 0 if none */
	uint64_t guessed_vcpus;		/* threads whose vCPU the text does not say */
	uint64_t dropped;		/* .dat: events the kernel's ring buffer lost */
	uint64_t instances;		/* .dat: buffer instances read */
};

/*
 * @out is created as every kvmrec output (trace/out_file.h): never over an
 * existing file unless @force, never through a symlink, never over @in.
 */
int ftrace_import(const char *in, const char *out, bool force, struct ftrace_import_stats *st,
		  char *err, size_t errlen);

#endif
