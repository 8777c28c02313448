/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * perfetto: a trace as Perfetto's native protobuf trace (proto/perfetto_trace.proto),
 * the format ui.perfetto.dev and trace_processor read natively.
 *
 * One process track (the VMM), a "VM" track for VM-wide events and a track
 * per vCPU. On a vCPU track: slices for each stretch in the guest (KVM_RUN
 * entry to exit) and in userspace (exit to the next entry), named after the
 * exit; without entry times (recorded without --run-times) one slice per
 * exit-to-exit stretch, named after the exit it starts with. Instants for
 * injections, EOIs, LAPIC accepts, IPIs and syncs; counter tracks for TPR and
 * the highest IRR and ISR vector; flows from each request to the delivery
 * that answered it, as the replayer matched them (docs/replay.md), and to an
 * "undelivered" instant at the end for a request nothing answered.
 *
 * Bytes: names are interned per packet sequence, timestamps are deltas on a
 * sequence-scoped incremental clock (the trace clock, CLOCK_MONOTONIC, is
 * named the trace's primary clock), the track is a sequence default. Each
 * vCPU writes two sequences, slices and instants, so that each sequence's
 * timestamps only grow. Streams: memory is fixed per vCPU, whatever the trace
 * size. The same trace gives the same bytes.
 */
#ifndef KVMREC_VIEW_PERFETTO_H
#define KVMREC_VIEW_PERFETTO_H

#include <stdio.h>
#include "trace_reader.h"

/*
 * Writes the events @r still has to give to @out. A damaged trace gives a
 * valid file holding what was read (the damage as an instant on the VM
 * track), then -EIO with @err set. Returns 0 or -errno.
 */
int perfetto_export(struct trace_reader *r, const char *path, FILE *out,
		    char *err, size_t errlen);

#endif
