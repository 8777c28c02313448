// SPDX-License-Identifier: GPL-2.0-only
/*
 * The lost-interrupt class of docs/replay.md ("Lost interrupts"): a VMM
 * writes back a LAPIC page it read before the kernel accepted a vector.
 */
#include <string.h>

#include "check_wipe.h"

void wipe_run_exit(struct vcpu_state *v)
{
	memset(v->held_irr, 0, sizeof(v->held_irr));
}

void wipe_accept(struct vcpu_state *v, unsigned int vec)
{
	vec &= 0xff;
	v->held_irr[vec / 32] |= 1u << (vec % 32);
}

void wipe_lapic_get(struct vcpu_state *v, const uint32_t irr[8], const struct trace_event *ev)
{
	for (int i = 0; i < 8; i++)
		v->held_irr[i] |= irr[i];
	v->last_get = ref_of(ev);
}

bool wipe_lapic_set(struct replay *r, struct vcpu_state *v, int32_t vcpu,
		    const uint32_t irr[8], const struct trace_event *ev)
{
	/* Set-up writes before the first KVM_RUN are the VMM's reset, not a write-back. */
	bool skip = r->opts.what_if && v->last_exit.seq &&
		    !policy_has(r->model, KNOB_STALE_SETLAPIC);

	for (int vec = 16; vec < 256; vec++) {
		if (!lapic_vec_test(v->held_irr, vec) || lapic_vec_test(irr, vec) ||
		    !ledger_outstanding(r, v, vec))
			continue;
		if (skip) {
			/* Left in IRR, the kernel LAPIC delivers it on its own. */
			ledger_deliver(r, vcpu, vec, CHECK_PATH_KERNEL, CHECK_EV_MODEL, ev);
			lapic_model_deliver(&v->kern, vec);
		} else {
			ledger_wiped(r, v, vcpu, vec, ev);
		}
	}
	if (!skip)
		memcpy(v->held_irr, irr, sizeof(v->held_irr));
	return !skip;
}
