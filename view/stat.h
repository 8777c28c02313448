/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * stat: the numbers of one trace, in the spirit of `perf kvm stat report`.
 *
 * Per vCPU and overall: exits by reason with count, share and percentiles of
 * the time in the guest before the exit (RunExit.run_ns) and of the time in
 * userspace after it (until the next KVM_RUN entry of that vCPU); injections
 * by vector and source (userspace ioctl, kernel tracepoint); LAPIC syncs;
 * kernel events by name; everything lost (Footer counters, Drop records, a
 * damaged end). Which deliveries answer which requests is the replayer's
 * call, not stat's: the same events go through a replay (replayer/judge.h)
 * and its verdict, violations and undecided items are shown per vector.
 *
 * Memory is fixed per vCPU and per exit reason (log-linear histograms, see
 * hist.h), whatever the trace length. stat_report_add() returns 0 or -ENOMEM;
 * printing is deterministic: the same trace gives byte-identical output.
 */
#ifndef KVMREC_VIEW_STAT_H
#define KVMREC_VIEW_STAT_H

#include <stdio.h>
#include "trace_event.h"

struct stat_report;

/* @path is only printed. Returns 0 or -ENOMEM. */
int stat_report_alloc(const char *path, const Kvmrec__Header *hdr, struct stat_report **out);
int stat_report_add(struct stat_report *s, const struct trace_event *ev);
/*
 * Ends the input: @footer is NULL when the trace has none; @damage is the
 * reader's error line when it stopped early, else NULL or "".
 */
void stat_report_finish(struct stat_report *s, const Kvmrec__Footer *footer, const char *damage);
void stat_report_print_text(const struct stat_report *s, FILE *f);
void stat_report_print_json(const struct stat_report *s, FILE *f);
/* Violations the replayer found (0 before stat_report_finish()). */
uint64_t stat_report_violations(const struct stat_report *s);
void stat_report_free(struct stat_report *s);

#endif
