/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * check_wipe: interrupts erased by a KVM_SET_LAPIC. KVM_SET_LAPIC replaces
 * the vCPU's IRR with the page's; a vector the kernel held in IRR that the
 * page lacks is gone, and its request can never be delivered. That is
 * certain only while the vCPU has not run since the vector was known to be
 * pending (an accept, or a KVM_GET_LAPIC showing it, after its last exit):
 * vCPU ioctls are serialised with KVM_RUN, so nothing delivered it between.
 * A vector older than that may already have been delivered; the ledger
 * decides it at its delivery or at the end as usual.
 *
 * Internal to replayer/, fed by replay.c; violations go through the ledger
 * (ledger_wiped()). Under bisect's what-if a policy without the
 * stale-setlapic knob would not have written the page back: the write is
 * skipped and each vector it would have erased counts as the kernel's
 * delivery (the model's decision, as for injections). Nothing here fails.
 */
#ifndef KVMREC_CHECK_WIPE_H
#define KVMREC_CHECK_WIPE_H

#include "replay_state.h"

/* KVM_RUN returned: the vCPU ran, what it held may have been delivered. */
void wipe_run_exit(struct vcpu_state *v);
/* The kernel accepted @vec into the vCPU's IRR. */
void wipe_accept(struct vcpu_state *v, unsigned int vec);
/* A KVM_GET_LAPIC read @irr. */
void wipe_lapic_get(struct vcpu_state *v, const uint32_t irr[8], const struct trace_event *ev);
/*
 * A KVM_SET_LAPIC writes @irr. Records the requests it erases; returns
 * false if the replay is to skip the write (what-if, knob off).
 */
bool wipe_lapic_set(struct replay *r, struct vcpu_state *v, int32_t vcpu,
		    const uint32_t irr[8], const struct trace_event *ev);

#endif
