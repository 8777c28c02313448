/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * chrome_json: a trace as Chrome trace-event JSON, the format
 * ui.perfetto.dev and chrome://tracing open.
 *
 * One process (the VMM), one thread track per vCPU and one "VM" track for
 * VM-wide events. On each vCPU track: an "X" slice per stretch in the guest
 * (KVM_RUN entry to exit, named "guest", the exit in its args) and per
 * stretch in userspace (exit to the next entry, named after the exit
 * reason); instants for injections, EOIs, LAPIC accepts and syncs and other
 * kernel events; counters for TPR and the highest IRR and ISR vector; and
 * what the replayer decided (replayer/judge.h), never a rule of its own: an
 * arrow from each request to the delivery the exactly-once ledger matched it
 * to (a second arrow when it was delivered twice), a red "cname": "terrible"
 * instant named after the violation ("double injection 62") on the extra
 * delivery, yellow ones for undecided and pending items, and the verdict in
 * "otherData"."check_once". Also an arrow from the KVM_GET_LAPIC that last
 * showed a vector pending in the VMM's copy to the KVM_INTERRUPT of it.
 *
 * Times are the trace clock (CLOCK_MONOTONIC) in microseconds. Slices on one
 * track never overlap. Streams: memory is fixed per vCPU. The same trace
 * gives the same bytes.
 */
#ifndef KVMREC_VIEW_CHROME_JSON_H
#define KVMREC_VIEW_CHROME_JSON_H

#include <stdio.h>
#include "trace_reader.h"

/*
 * Writes the whole JSON document for the events @r still has to give. A
 * damaged trace still gives a valid document (what was read, the damage in
 * "otherData"), then -EIO with @err set. Returns 0 or -errno.
 */
int chrome_json_export(struct trace_reader *r, const char *path, FILE *out,
		       char *err, size_t errlen);

#endif
