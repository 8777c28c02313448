/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ftrace_parse: one line of ftrace text (raw tracefs trace / trace_pipe,
 * trace-cmd report) to an event, and a kvm event's text to KernelEvent
 * arguments in the order trace/kevent_table.h gives, for the 2016 formats
 * ("kvm_inj_virq: irq 62", "kvm_exit: reason MSR_WRITE rip 0x... info 0 0")
 * and the current ones ("IRQ 0x3e", "vcpu 0 reason ... info1 ...").
 *
 * Pure functions on caller buffers; no allocation. A line that is not an
 * event gives 0, never an error: the caller counts it.
 */
#ifndef KVMREC_FTRACE_PARSE_H
#define KVMREC_FTRACE_PARSE_H

#include <stdint.h>

#include "kvmrec.pb-c.h"
#include "kevent_table.h"

#define FTRACE_MAX_ARGS KEVENT_MAX_FIELDS

struct ftrace_line {
	int pid;
	int cpu;
	uint64_t ts_ns;
	char event[64];		/* "kvm_exit" (a "kvm:" system prefix is dropped) */
	const char *fields;	/* the rest of the line, points into the input */
};

struct ftrace_kev {
	Kvmrec__KernelEventId id;
	int64_t args[FTRACE_MAX_ARGS];
	unsigned int nargs;
	char exit_name[48];	/* kvm_exit / kvm_userspace_exit reason text */
	int vcpu;		/* the vCPU the text names (kvm_entry, kvm_exit), or -1 */
};

/* 1 and @out filled if @line is an event line; 0 if it is not. */
int ftrace_line_parse(const char *line, struct ftrace_line *out);

/*
 * Parses the fields of a kvm event. Returns 0 with @out filled for a known
 * event, 1 for an event kvmrec has no decoder for (id KEV_UNKNOWN), and
 * -1 for a known event whose text does not parse (also KEV_UNKNOWN).
 */
int ftrace_kevent_parse(const char *event, const char *fields, struct ftrace_kev *out);

/* KVM exit reason for a VMX/SVM kvm_exit name ("MSR_WRITE", "vintr"), or -1. */
int ftrace_exit_reason_parse(const char *name);

#endif
