/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * replay_state: the replay's state, shared by the driver (replay.c) and the
 * exactly-once ledger (check_ledger.c). Internal to replayer/: nothing
 * outside includes it. All of it lives in one struct replay, allocated once.
 */
#ifndef KVMREC_REPLAY_STATE_H
#define KVMREC_REPLAY_STATE_H

#include "apic_dest.h"
#include "lapic_model.h"
#include "pit8254.h"
#include "profile.h"
#include "replay.h"

enum undecided_bit {
	UND_NO_KERNEL_DELIVERY,
	UND_DROPPED,
	UND_VCPU_RANGE,
	UND_NO_EOI_AT_END,
	UND_USER_LAPIC,		/* userspace irqchip: LAPIC requests not in the trace */
	UND_MID_RUN_PIC,	/* a PIC vector from a PIC programmed before the trace began */
	UND_COUNT
};

struct vcpu_state {
	bool seen;
	struct lapic_model kern;
	struct policy_vcpu pv;		/* the VMM's copy and request flag */
	/*
	 * Outstanding LAPIC requests: seen as accepts, and inferred from IPIs
	 * and MSIs. The inferred ledger is used only while no accept has been
	 * seen: a header may list kvm_apic_accept_irq on a kernel that never
	 * fires it, or not list it at all.
	 */
	uint16_t req[256], ireq[256];
	/*
	 * Accepts into an IRR bit the model had set: a coalesce, whatever the
	 * event said (docs/replay.md). Where the vCPU's kernel deliveries are not
	 * all seen, the model's IRR may be stale, so such an accept may still
	 * be a new request: it can answer a delivery no other request does.
	 */
	uint16_t creq[256];
	struct check_once_ref last_sync;	/* the latest KVM_GET_LAPIC */
	uint64_t run_seq[2];		/* the last two KVM_RUN returns, newest first */
	struct check_once_ref req_at[256];	/* the latest request */
	struct check_once_ref ireq_at[256];
	struct check_once_ref del_at[256];	/* the latest delivery */
	struct check_once_ref del_req[256];	/* the request it matched */
	uint8_t del_path[256];
	uint8_t del_ev[256];			/* enum check_once_evidence */
	struct check_once_ref del_exit[256];	/* the exit before a userspace delivery */
	uint32_t del_exit_reason[256];
	uint32_t del_exit_flags[256];
	struct check_once_ref del_asked[256];
	struct check_once_ref sync_irr[256];	/* latest KVM_GET_LAPIC with the bit in IRR */
	struct check_once_ref window, last_exit;
	uint32_t window_reason, last_exit_reason, last_exit_flags;
	struct check_once_ref window_asked;	/* first entry of the current window request */
	bool ready, if_flag;
	bool from_user;		/* a userspace exit since the last kvm_entry */
	bool decided;		/* the pre-run decision for the next entry was taken */
	struct check_once_ref decided_at;	/* the KVM_INTERRUPT, or the exit */
	bool model_window;
	int model_vector;
	int recorded_vector;
	int pending_user_vec;	/* KVM_INTERRUPT waiting for its kvm_inj_virq */
	bool tpr_report;	/* the next KVM_GET_LAPIC answers a TPR report */
	bool inj_kernel_seen;	/* kvm_inj_virq showed a kernel delivery here */
	/* check_wipe.c: vectors surely in IRR since the last exit, the last read. */
	uint32_t held_irr[8];
	struct check_once_ref last_get;
};

struct replay {
	struct replay_opts opts;
	const struct policy *model;
	char model_origin[160];
	bool imported;
	bool mid_run;		/* attached to a running VMM: its past is not in the trace */
	const struct vmm_profile *profile;	/* what is known of the VMM */
	bool pic_lines_visible;
	bool pic_from_kvm_pio;
	bool have_accept, have_inj, have_eoi;
	bool saw_inj, saw_accept, saw_user_inject, saw_eoi;
	struct pic_pair pic;
	struct check_once_ref pic_req_at[16];	/* the edge that set each PIC IRR bit */
	struct pit8254 pit;
	uint64_t pit_used;	/* IRQ 0 edges matched to deliveries */
	uint64_t pit_matched;
	bool split_irqchip, kernel_pic, hdr_pic_events, hdr_pio_events;
	uint64_t unpredictable;	/* entries whose PIC input the trace lacks */
	struct vcpu_state vcpu[REPLAY_MAX_VCPUS];
	uint64_t present;	/* vCPUs created or seen, for IPI destinations */
	struct apic_dest_id apic_ids[REPLAY_MAX_VCPUS];	/* APIC ID, LDR, DFR per vCPU */
	bool saw_create_vm;	/* the VM's set-up is in the trace */
	bool ran;		/* a KVM_RUN, or a kernel event of a running vCPU */
	bool policy_applies;	/* split irqchip (or unknown): the policy is compared */
	enum check_once_irqchip irqchip;
	char model_error[200];	/* --model does not apply to the trace */
	int set_irq_level;	/* level of the kvm_set_irq just before, -1 none */
	/*
	 * PIC vectors delivered while the trace never showed the PIC
	 * programmed: in service until the guest EOIs at the PIC, newest on top.
	 */
	uint8_t pic_vstack[16];
	unsigned int pic_vdepth;
	uint64_t pic_inferred, coalesced, pending_at_end;
	struct check_once_ref first_window;	/* an import's first IRQ-window exit */
	int32_t first_window_vcpu;
	uint64_t und_count[UND_COUNT];
	uint64_t before_start;	/* deliveries of requests older than the trace */
	uint64_t pic_blocked;	/* PIC vectors the PIC could not have given */
	uint64_t inferred_requests;	/* IPIs and MSIs seen */
	uint64_t lapic_requests;	/* accepts */
	uint64_t other_requests;	/* PIC edges, 8254 edges */
	uint64_t unmatched_blind;	/* deliveries with no request, kernel side unseen */
	uint64_t doubles, spurious, lost;
	uint64_t divergences, window_divergences, run_exits;
	struct replay_divergence first_div, first_window_div;
	struct check_once_result res;
};

static inline struct check_once_ref ref_of(const struct trace_event *ev)
{
	return (struct check_once_ref){ ev->seq, ev->ts_ns };
}

static inline struct apic_dest_id *vcpu_apic(struct replay *r, const struct vcpu_state *v)
{
	return &r->apic_ids[v - r->vcpu];
}

/* The vCPU's state, or NULL (counted) for ids the replay does not model. */
struct vcpu_state *replay_vcpu(struct replay *r, int32_t id);
/* The PIC changed: its INTR output goes to vCPU 0's interrupt request. */
void replay_pic_changed(struct replay *r);

/* check_ledger.c: requests, deliveries, violations, the end-of-trace verdict. */
void ledger_request(struct replay *r, struct vcpu_state *v, unsigned int vec,
		    const struct trace_event *ev);
/* An accept into an IRR bit already set, by the model or by the event's word. */
void ledger_coalesced(struct replay *r, struct vcpu_state *v, unsigned int vec,
		      bool certain, const struct trace_event *ev);
void ledger_request_inferred(struct replay *r, struct vcpu_state *v, unsigned int vec,
			     const struct trace_event *ev);
void ledger_pic_line(struct replay *r, unsigned int irq, int level,
		     const struct trace_event *ev);
void ledger_deliver(struct replay *r, int32_t vcpu, unsigned int vec,
		    enum check_once_path path, enum check_once_evidence evidence,
		    const struct trace_event *ev);
void ledger_end(struct replay *r, bool complete);
/*
 * A KVM_SET_LAPIC at @ev erased a pending @vec: if a request of it is
 * outstanding it is lost, and the violation names the write; else nothing.
 */
void ledger_wiped(struct replay *r, struct vcpu_state *v, int32_t vcpu, unsigned int vec,
		  const struct trace_event *ev);
/* A request of @vec is outstanding on @v in the ledger in force. */
bool ledger_outstanding(struct replay *r, struct vcpu_state *v, unsigned int vec);
/* Something the check cannot decide: counted, the first few kept with @why. */
void ledger_undecided(struct replay *r, int32_t vcpu, int vector, struct check_once_ref at,
		      const char *why);
/* The guest EOI'd at the PIC (OCW2 with EOI): @port 0x20 or 0xa0. */
void ledger_pic_eoi(struct replay *r, uint16_t port, uint8_t ocw2, const struct trace_event *ev);

#endif
