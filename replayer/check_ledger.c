// SPDX-License-Identifier: GPL-2.0-only
/*
 * check_ledger: the exactly-once ledger of docs/replay.md (see replay.c for
 * how the evidence is read). Per vCPU and vector it counts outstanding
 * requests, remembers the last delivery and the sync that last saw the vector
 * pending, matches each delivery to one request and records the first
 * violation. Where the trace lacks the request it infers it from the PIC
 * model's state; what it cannot decide it names (ledger_undecided); at the
 * end it tells pending requests from lost ones.
 */
#include <stdio.h>
#include <string.h>

#include "replay_state.h"

/* Tells the observer one decision; call only when r->opts.observer is set. */
static void judge(struct replay *r, const struct judge_item *it)
{
	r->opts.observer->item(r->opts.observer->ctx, it);
}

/* A LAPIC accept: the request a delivery of @vec must match. */
void ledger_request(struct replay *r, struct vcpu_state *v, unsigned int vec,
		    const struct trace_event *ev)
{
	vec &= 0xff;
	if (v->req[vec] < UINT16_MAX)
		v->req[vec]++;
	v->req_at[vec] = ref_of(ev);
	r->lapic_requests++;
	if (r->opts.observer)
		judge(r, &(struct judge_item){ .kind = JUDGE_REQUEST, .vcpu = v - r->vcpu,
			.vector = vec, .at = ref_of(ev), .source = JUDGE_SRC_LAPIC });
}

void ledger_coalesced(struct replay *r, struct vcpu_state *v, unsigned int vec,
		      bool certain, const struct trace_event *ev)
{
	(void)ev;
	vec &= 0xff;
	r->coalesced++;
	/*
	 * The model's IRR is exact only where kvm_inj_virq shows every kernel
	 * delivery; elsewhere an unseen delivery may have cleared the bit.
	 */
	if (!certain && !v->inj_kernel_seen && v->creq[vec] < UINT16_MAX)
		v->creq[vec]++;
}

void ledger_undecided(struct replay *r, int32_t vcpu, int vector, struct check_once_ref at,
		      const char *why)
{
	struct check_once_result *res = &r->res;
	struct check_once_undecided *u;

	if (r->opts.observer)
		judge(r, &(struct judge_item){ .kind = JUDGE_UNDECIDED, .vcpu = vcpu,
			.vector = vector, .at = at, .why = why });
	if (res->n_undecided++ >= CHECK_ONCE_MAX_UNDECIDED)
		return;
	u = &res->undecided_items[res->n_undecided - 1];
	u->vcpu = vcpu;
	u->vector = vector;
	u->at = at;
	snprintf(u->why, sizeof(u->why), "%s", why);
}

/* An IPI or MSI the trace shows; its accept, if traced, is the real request. */
void ledger_request_inferred(struct replay *r, struct vcpu_state *v, unsigned int vec,
			     const struct trace_event *ev)
{
	vec &= 0xff;
	if (vec < 16)
		return;		/* the LAPIC refuses vectors 0-15 */
	if (v->ireq[vec] < UINT16_MAX)
		v->ireq[vec]++;
	v->ireq_at[vec] = ref_of(ev);
	r->inferred_requests++;
	/* Only while it is the ledger in force (see ledger()). */
	if (r->opts.observer && !r->saw_accept && !r->have_accept)
		judge(r, &(struct judge_item){ .kind = JUDGE_REQUEST, .vcpu = v - r->vcpu,
			.vector = vec, .at = ref_of(ev), .source = JUDGE_SRC_INFERRED });
}

/* The ledger in force: accepts once one was seen, else the inferred one. */
static uint16_t *ledger(struct replay *r, struct vcpu_state *v, struct check_once_ref **at)
{
	bool accepts = r->saw_accept || r->have_accept;

	*at = accepts ? v->req_at : v->ireq_at;
	return accepts ? v->req : v->ireq;
}

/* pic_irq_request(): the PIC's INTR goes to vCPU 0's interrupt request. */
void ledger_pic_line(struct replay *r, unsigned int irq, int level,
		     const struct trace_event *ev)
{
	uint16_t before = r->pic.chip[0].irr | (r->pic.chip[1].irr << 8);
	uint16_t after;

	pic_set_irq(&r->pic, irq, level);
	after = r->pic.chip[0].irr | (r->pic.chip[1].irr << 8);
	replay_pic_changed(r);
	/* IRQ 2 is the cascade, not a request of its own. */
	if ((after & ~before) & ~(1u << 2)) {
		r->other_requests++;
		r->pic_req_at[irq & 15] = ref_of(ev);
		if (r->opts.observer)
			judge(r, &(struct judge_item){ .kind = JUDGE_REQUEST, .vcpu = 0,
				.vector = pic_irq_vector(&r->pic, irq) & 0xff, .at = ref_of(ev),
				.source = JUDGE_SRC_PIC });
	}
}

/* Fills @x: what explains the violation, from @v's state at the decision. */
static void violation_explain(struct vcpu_state *v, struct check_once_violation *x,
			      int32_t vcpu, enum check_once_kind kind, unsigned int vec,
			      struct check_once_ref at, enum check_once_path path,
			      enum check_once_evidence evidence)
{
	bool earlier_is_extra;

	memset(x, 0, sizeof(*x));
	x->kind = kind;
	x->vcpu = vcpu;
	x->vector = vec;
	x->delivery = at;
	x->path = path;
	x->evidence = evidence;
	if (kind == CHECK_ONCE_LOST)
		return;
	/* The window that let it in opened after the other delivery. */
	if (v->window.seq && v->window.seq > v->del_at[vec].seq) {
		x->window = v->window;
		x->window_reason = v->window_reason;
	} else {
		x->window = v->last_exit;
		x->window_reason = v->last_exit_reason;
		x->window_flags = v->last_exit_flags;
		x->window_asked = v->window_asked;
	}
	x->stale_sync = v->sync_irr[vec];
	if (kind != CHECK_ONCE_DOUBLE)
		return;
	x->request = v->del_req[vec];
	/*
	 * A kernel delivery seen only at its EOI may come after the userspace
	 * injection that really was the extra one.
	 */
	earlier_is_extra = path != CHECK_PATH_USER && v->del_path[vec] == CHECK_PATH_USER;
	if (earlier_is_extra) {
		x->first = at;
		x->first_path = path;
		x->first_evidence = evidence;
		x->delivery = v->del_at[vec];
		x->path = v->del_path[vec];
		x->evidence = v->del_ev[vec];
		x->window = v->del_exit[vec];
		x->window_reason = v->del_exit_reason[vec];
		x->window_flags = v->del_exit_flags[vec];
		x->window_asked = v->del_asked[vec];
	} else {
		x->first = v->del_at[vec];
		x->first_path = v->del_path[vec];
		x->first_evidence = v->del_ev[vec];
	}
}

/* @wiped: the KVM_SET_LAPIC that erased a LOST request, or NULL. */
static void violation_by(struct replay *r, struct vcpu_state *v, int32_t vcpu,
			 enum check_once_kind kind, unsigned int vec,
			 struct check_once_ref at, enum check_once_path path,
			 enum check_once_evidence evidence, const struct trace_event *wiped)
{
	struct check_once_violation later, *x = r->res.violations ? &later : &r->res.first;

	if (kind == CHECK_ONCE_DOUBLE)
		r->doubles++;
	else if (kind == CHECK_ONCE_SPURIOUS)
		r->spurious++;
	else
		r->lost++;
	/* The first is the report's; later ones only an observer wants. */
	if (r->res.violations++ && !r->opts.observer)
		return;
	violation_explain(v, x, vcpu, kind, vec, at, path, evidence);
	if (wiped) {
		x->request = at;
		x->stale_sync = v->last_get;
		x->wiped_by = ref_of(wiped);
	}
	if (r->opts.observer)
		judge(r, &(struct judge_item){ .kind = JUDGE_VIOLATION, .vcpu = vcpu,
			.vector = x->vector, .at = x->delivery, .path = x->path,
			.evidence = x->evidence, .request = x->request, .violation = x });
}

static void violation(struct replay *r, struct vcpu_state *v, int32_t vcpu,
		      enum check_once_kind kind, unsigned int vec,
		      struct check_once_ref at, enum check_once_path path,
		      enum check_once_evidence evidence)
{
	violation_by(r, v, vcpu, kind, vec, at, path, evidence, NULL);
}

/*
 * A PIC vector from a VMM whose PIC lines the trace lacks (QEMU). The PIC
 * must at least have been able to deliver it (not masked, nothing of equal
 * or higher priority in service); IRQ 0 must have had an 8254 edge left.
 * Anything else is undecided. Returns JUDGE_VIOLATION (recorded),
 * JUDGE_UNDECIDED, or JUDGE_DELIVERY (matched to an 8254 edge).
 */
static enum judge_kind pic_unseen_line(struct replay *r, struct vcpu_state *v, int32_t vcpu,
			    unsigned int vec, enum check_once_path path,
			    enum check_once_evidence evidence, const struct trace_event *ev,
			    enum judge_source *src)
{
	int irq = pic_vector_irq(&r->pic, vec), got;
	struct pic_pair before = r->pic;

	pic_set_irq(&r->pic, irq, 1);
	if (pic_pending_irq(&r->pic) != irq) {
		/* Still in service with no EOI since it was given: a second delivery. */
		bool in_service = (r->pic.chip[irq >> 3].isr >> (irq & 7)) & 1;

		r->pic = before;
		violation(r, v, vcpu, in_service && v->del_at[vec].seq ? CHECK_ONCE_DOUBLE :
			  CHECK_ONCE_SPURIOUS, vec, ref_of(ev), path, evidence);
		r->pic_blocked++;
		return JUDGE_VIOLATION;
	}
	pic_intack(&r->pic, &got);
	pic_set_irq(&r->pic, irq, 0);
	replay_pic_changed(r);
	if (irq != 0 || !pit_edges(&r->pit, ev->ts_ns)) {
		/*
		 * The source (a userspace PIT, a serial port) is not traced, but
		 * the PIC could give it: not masked, not in service, nothing
		 * higher in service. A request inferred from the PIC's state.
		 */
		r->pic_inferred++;
		r->other_requests++;
		*src = JUDGE_SRC_PIC;
		return JUDGE_DELIVERY;
	}
	if (pit_edges(&r->pit, ev->ts_ns) <= r->pit_used) {
		violation(r, v, vcpu, v->del_at[vec].seq ? CHECK_ONCE_DOUBLE :
			  CHECK_ONCE_SPURIOUS, vec, ref_of(ev), path, evidence);
		return JUDGE_VIOLATION;
	}
	r->pit_used++;
	r->pit_matched++;
	r->other_requests++;
	*src = JUDGE_SRC_PIT;
	return JUDGE_DELIVERY;
}

/* The LAPIC has had @vec for this vCPU: a request, or a kernel delivery. */
static bool lapic_vector(struct replay *r, struct vcpu_state *v, unsigned int vec)
{
	(void)r;
	return v->req_at[vec].seq || v->ireq_at[vec].seq ||
	       v->del_path[vec] == CHECK_PATH_KERNEL || v->del_path[vec] == CHECK_PATH_BEFORE;
}

/*
 * A PIC vector from a PIC whose programming the trace never showed (an
 * excerpt that began after it): it is in service from its delivery to the
 * guest's next EOI at the PIC. Delivered again in between: a double; else a
 * new request, inferred. Returns false if it recorded a violation.
 */
static bool pic_untracked(struct replay *r, struct vcpu_state *v, int32_t vcpu,
			  unsigned int vec, enum check_once_path path,
			  enum check_once_evidence evidence, const struct trace_event *ev)
{
	for (unsigned int i = 0; i < r->pic_vdepth; i++) {
		if (r->pic_vstack[i] == vec) {
			violation(r, v, vcpu, v->del_at[vec].seq ? CHECK_ONCE_DOUBLE :
				  CHECK_ONCE_SPURIOUS, vec, ref_of(ev), path, evidence);
			return false;
		}
	}
	if (r->pic_vdepth < sizeof(r->pic_vstack))
		r->pic_vstack[r->pic_vdepth++] = vec;
	r->pic_inferred++;
	r->other_requests++;
	return true;
}

void ledger_pic_eoi(struct replay *r, uint16_t port, uint8_t ocw2, const struct trace_event *ev)
{
	int irq, got;

	/* OCW2 (bits 4:3 clear) with EOI (bit 5): non-specific, or specific (bit 6). */
	if ((port != 0x20 && port != 0xa0) || (ocw2 & 0x18) || !(ocw2 & 0x20))
		return;
	/*
	 * The in-kernel PIC's deliveries are not traced without kvm_inj_virq:
	 * an EOI with nothing in service shows the pending line was given.
	 */
	if (r->irqchip == CHECK_IRQCHIP_KERNEL && !r->saw_inj && !r->have_inj &&
	    !r->pic.chip[port == 0xa0].isr && (irq = pic_pending_irq(&r->pic)) >= 0 &&
	    (irq >= 8) == (port == 0xa0) && pic_irq_vector(&r->pic, irq) >= 0) {
		ledger_deliver(r, 0, pic_irq_vector(&r->pic, irq), CHECK_PATH_KERNEL,
			       CHECK_EV_EOI, ev);
		/* ledger_deliver took it through the PIC's INTA unless a request did. */
		if (pic_pending_irq(&r->pic) == irq)
			pic_intack(&r->pic, &got);
	}
	if (!r->pic_vdepth)
		return;
	if (!(ocw2 & 0x40)) {
		r->pic_vdepth--;
		return;
	}
	for (int i = (int)r->pic_vdepth - 1; i >= 0; i--) {
		if ((r->pic_vstack[i] & 7) == (ocw2 & 7)) {
			memmove(&r->pic_vstack[i], &r->pic_vstack[i + 1], r->pic_vdepth - i - 1);
			r->pic_vdepth--;
			return;
		}
	}
}

/* One delivery being judged: what it is, and what the ledger makes of it. */
struct delivery {
	struct vcpu_state *v;
	int32_t vcpu;
	unsigned int vec;
	enum check_once_path path;
	enum check_once_evidence evidence;
	const struct trace_event *ev;
	struct check_once_ref at, matched;
	enum judge_kind said;
	enum judge_source src;
	uint16_t *req;                 /* the ledger in force */
	struct check_once_ref *req_at;
};

/* Matches a request the ledger holds: the PIC's pending line, or an outstanding accept. */
static bool deliver_requested(struct replay *r, struct delivery *d)
{
	struct vcpu_state *v = d->v;
	unsigned int vec = d->vec;
	int irq = pic_pending_irq(&r->pic), got;

	if (irq >= 0 && pic_irq_vector(&r->pic, irq) == (int)vec &&
	    (d->path == CHECK_PATH_USER || !d->req[vec])) {
		pic_intack(&r->pic, &got);
		replay_pic_changed(r);
		d->matched = r->pic_req_at[irq & 15];
		d->src = JUDGE_SRC_PIC;
	} else if (d->req[vec]) {
		d->req[vec]--;
		d->matched = d->req_at[vec];
		d->src = d->req == v->req ? JUDGE_SRC_LAPIC : JUDGE_SRC_INFERRED;
	} else if (v->creq[vec]) {
		/* An accept the model took for a coalesce: it was a new request. */
		v->creq[vec]--;
		d->matched = d->req_at[vec];
		d->src = JUDGE_SRC_LAPIC;
	} else {
		return false;
	}
	return true;
}

/*
 * A userspace PIC vector whose line (QEMU) or programming (an import that
 * began after it) the trace lacks. Returns 0 if this is not such a case, 1
 * if it was placed, -1 if it was judged a violation (told and recorded).
 */
static int deliver_pic_unseen(struct replay *r, struct delivery *d)
{
	if (d->path != CHECK_PATH_USER || r->pic_lines_visible)
		return 0;
	if (pic_vector_irq(&r->pic, d->vec) >= 0) {
		d->said = pic_unseen_line(r, d->v, d->vcpu, d->vec, d->path, d->evidence, d->ev,
					  &d->src);
		return d->said == JUDGE_VIOLATION ? -1 : 1;
	}
	if (d->vcpu == 0 && !r->saw_create_vm && !r->pic.chip[0].programmed && d->vec >= 8 &&
	    !lapic_vector(r, d->v, d->vec) && !r->mid_run) {
		/*
		 * An import that began after the PIC was programmed. (An attach,
		 * record --pid, is below: whether the guest's PIC uses auto-EOI
		 * is not in the trace, so a vector given again is undecided.)
		 */
		if (!pic_untracked(r, d->v, d->vcpu, d->vec, d->path, d->evidence, d->ev))
			return -1;
		d->src = JUDGE_SRC_PIC;
		return 1;
	}
	return 0;
}

/* No request to match: undecided, a request from before the trace began, or a violation. */
static void deliver_unrequested(struct replay *r, struct delivery *d)
{
	struct vcpu_state *v = d->v;
	unsigned int vec = d->vec;

	if (r->irqchip == CHECK_IRQCHIP_USERSPACE && d->path == CHECK_PATH_USER) {
		/* The LAPIC is the VMM's: its requests (IPIs, timer, MSIs) are not traced. */
		r->und_count[UND_USER_LAPIC]++;
		ledger_undecided(r, d->vcpu, vec, d->at,
				 "userspace LAPIC: the VMM's request for it is not in the trace");
		d->said = JUDGE_UNDECIDED;
	} else if (!r->have_eoi && !r->have_inj && !r->saw_inj && !r->saw_eoi &&
		   pic_vector_irq(&r->pic, vec) < 0) {
		/*
		 * Without kernel deliveries in the trace the LAPIC ledger cannot
		 * balance: whether the kernel also delivered it is unknowable.
		 */
		r->unmatched_blind++;
		ledger_undecided(r, d->vcpu, vec, d->at,
				 "injected by userspace with no request in the trace; the kernel side is not recorded");
		d->said = JUDGE_UNDECIDED;
	} else if (r->imported && d->path != CHECK_PATH_USER &&
		   !d->req_at[vec].seq && !v->del_at[vec].seq) {
		/* In service before the excerpt began: its request is older. */
		r->before_start++;
		d->path = CHECK_PATH_BEFORE;
		d->src = JUDGE_SRC_BEFORE;
	} else if (r->mid_run && !d->req_at[vec].seq && !v->del_at[vec].seq) {
		/*
		 * Attached to a running VMM: the first delivery of a vector the
		 * trace never saw requested answers a request made before it.
		 */
		r->before_start++;
		d->path = CHECK_PATH_BEFORE;
		d->src = JUDGE_SRC_BEFORE;
	} else if (r->mid_run && d->path == CHECK_PATH_USER && !r->pic.chip[0].programmed) {
		/* The PIC was programmed before the trace: its vectors cannot be placed. */
		r->und_count[UND_MID_RUN_PIC]++;
		ledger_undecided(r, d->vcpu, vec, d->at,
				 "given again by a PIC programmed before the trace began (record --pid)");
	} else {
		violation(r, v, d->vcpu, v->del_at[vec].seq ? CHECK_ONCE_DOUBLE :
			  CHECK_ONCE_SPURIOUS, vec, d->at, d->path, d->evidence);
		d->said = JUDGE_VIOLATION;
		d->src = JUDGE_SRC_NONE;
	}
}

/* One delivery of @vec; matches it to a request or records a violation. */
void ledger_deliver(struct replay *r, int32_t vcpu, unsigned int vec,
		    enum check_once_path path, enum check_once_evidence evidence,
		    const struct trace_event *ev)
{
	struct delivery d = {
		.v = replay_vcpu(r, vcpu), .vcpu = vcpu, .vec = vec & 0xff, .path = path,
		.evidence = evidence, .ev = ev, .at = ref_of(ev), .matched = { 0, 0 },
		.said = JUDGE_DELIVERY, .src = JUDGE_SRC_NONE,
	};
	struct vcpu_state *v = d.v;

	if (!v)
		return;
	d.req = ledger(r, v, &d.req_at);
	r->res.deliveries++;
	if (!deliver_requested(r, &d)) {
		int pic = deliver_pic_unseen(r, &d);

		if (pic < 0)
			return;
		if (!pic)
			deliver_unrequested(r, &d);
	}
	/* Undecided ones were told by ledger_undecided(), violations by violation(). */
	if (r->opts.observer && d.said == JUDGE_DELIVERY)
		judge(r, &(struct judge_item){ .kind = d.said, .vcpu = vcpu, .vector = d.vec,
			.at = d.at, .path = d.path, .evidence = evidence, .source = d.src,
			.request = d.matched });
	v->del_at[d.vec] = d.at;
	v->del_path[d.vec] = d.path;
	v->del_ev[d.vec] = evidence;
	v->del_exit[d.vec] = v->last_exit;
	v->del_exit_reason[d.vec] = v->last_exit_reason;
	v->del_exit_flags[d.vec] = v->last_exit_flags;
	v->del_asked[d.vec] = v->window_asked;
	v->del_req[d.vec] = d.matched;
}

bool ledger_outstanding(struct replay *r, struct vcpu_state *v, unsigned int vec)
{
	struct check_once_ref *req_at;

	return ledger(r, v, &req_at)[vec & 0xff] > 0;
}

void ledger_wiped(struct replay *r, struct vcpu_state *v, int32_t vcpu, unsigned int vec,
		  const struct trace_event *ev)
{
	struct check_once_ref *req_at;
	uint16_t *req = ledger(r, v, &req_at);

	vec &= 0xff;
	if (!req[vec])
		return;
	req[vec]--;
	violation_by(r, v, vcpu, CHECK_ONCE_LOST, vec, req_at[vec], CHECK_PATH_NONE,
		     CHECK_EV_NONE, ev);
}

static void append_text(char *buf, size_t size, const char *text)
{
	size_t len = strlen(buf);

	snprintf(buf + len, size - len, "%s%s", len ? "; " : "", text);
}

static void append(char *buf, size_t size, const char *fmt, unsigned long long n)
{
	size_t len = strlen(buf);

	if (len)
		snprintf(buf + len, size - len, "; ");
	len = strlen(buf);
	snprintf(buf + len, size - len, fmt, n);
}

/*
 * The requests vCPU @i still holds at the end of a complete trace: pending,
 * undecided or lost. Returns how many were left undecided.
 */
static uint64_t ledger_end_vcpu(struct replay *r, int i)
{
	struct vcpu_state *v = &r->vcpu[i];
	struct check_once_ref *req_at;
	uint16_t *req = ledger(r, v, &req_at);
	uint64_t open = 0;

	for (int vec = 0; vec < 256; vec++) {
		if (!req[vec])
			continue;
		/*
		 * Pending at the end: the vCPU's last KVM_GET_LAPIC, after
		 * the request, still had it in IRR (one of them, if several);
		 * or it came during the vCPU's last KVM_RUN, which the end
		 * of the VM cut short: the guest had no exit left to show
		 * its EOI by.
		 */
		if ((v->last_sync.seq > req_at[vec].seq &&
		     v->sync_irr[vec].seq == v->last_sync.seq) ||
		    (v->run_seq[0] && req_at[vec].seq > v->run_seq[1])) {
			r->pending_at_end++;
			if (r->opts.observer)
				judge(r, &(struct judge_item){ .kind = JUDGE_PENDING,
					.vcpu = i, .vector = vec, .at = req_at[vec],
					.why = "still pending at the end of the trace" });
			if (!--req[vec])
				continue;
		}
		/*
		 * Unless kvm_inj_virq showed this vCPU's kernel
		 * deliveries, one shows only at its EOI (this host; and
		 * APICv posts interrupts with neither), so a request
		 * without one may have been delivered: undecided, not lost.
		 */
		if (!v->inj_kernel_seen) {
			open += req[vec];
			ledger_undecided(r, i, vec, req_at[vec],
					 "requested, no delivery seen by the end, and no later KVM_GET_LAPIC shows it pending");
			continue;
		}
		violation(r, v, i, CHECK_ONCE_LOST, vec, req_at[vec], CHECK_PATH_NONE,
			  CHECK_EV_NONE);
	}
	return open;
}

/* The PIC's requests not yet acknowledged at the end (the cascade line is not one). */
static void ledger_end_pic(struct replay *r)
{
	for (int irq = 0; irq < 16; irq++) {
		if (irq == 2 || !((r->pic.chip[irq >> 3].irr >> (irq & 7)) & 1))
			continue;
		r->pending_at_end++;
		if (r->opts.observer)
			judge(r, &(struct judge_item){ .kind = JUDGE_PENDING, .vcpu = 0,
				.vector = pic_irq_vector(&r->pic, irq), .at = r->pic_req_at[irq],
				.source = JUDGE_SRC_PIC,
				.why = "still requested at the PIC at the end of the trace" });
	}
}

/* What the whole trace lacks, each named once as an undecided item. */
static void ledger_end_gaps(struct replay *r)
{
	if (!r->ran)
		ledger_undecided(r, -1, -1, (struct check_once_ref){ 0, 0 },
				 "no KVM_RUN in the trace: no vCPU ever ran");
	if (r->und_count[UND_VCPU_RANGE])
		ledger_undecided(r, -1, -1, (struct check_once_ref){ 0, 0 },
				 "events of vCPUs beyond 63 are not modelled");
	if (r->und_count[UND_DROPPED])
		ledger_undecided(r, -1, -1, (struct check_once_ref){ 0, 0 },
				 "records were dropped while recording");
	if (r->imported && !r->saw_inj && !r->saw_user_inject)
		ledger_undecided(r, r->first_window.seq ? r->first_window_vcpu : -1, -1,
				 r->first_window,
				 r->first_window.seq ?
				 "IRQ-window exit: what the VMM injected after it is not in the text (no kvm_inj_virq)" :
				 "imported text without kvm_inj_virq: userspace injections are unseen");
}

/* The result's undecided text: every reason, in a fixed order; @open as ledger_end_vcpu counted. */
static void ledger_end_text(struct replay *r, uint64_t open)
{
	struct check_once_result *res = &r->res;

	res->undecided[0] = 0;
	if (!r->ran)
		append_text(res->undecided, sizeof(res->undecided),
			    "no KVM_RUN in the trace: no vCPU ever ran, there is nothing to check");
	if (r->und_count[UND_NO_KERNEL_DELIVERY])
		append_text(res->undecided, sizeof(res->undecided),
			    "kernel deliveries are not in the trace (no kvm_inj_virq or kvm_eoi events)");
	if (r->unmatched_blind)
		append(res->undecided, sizeof(res->undecided),
		       "%llu userspace injections of LAPIC vectors had no request in the trace "
		       "(its kernel side is not recorded)", r->unmatched_blind);
	if (r->und_count[UND_DROPPED])
		append(res->undecided, sizeof(res->undecided),
		       "%llu records were dropped while recording", r->und_count[UND_DROPPED]);
	if (r->und_count[UND_USER_LAPIC])
		append(res->undecided, sizeof(res->undecided),
		       "%llu injections of LAPIC vectors by a userspace LAPIC, whose requests are not in the trace",
		       r->und_count[UND_USER_LAPIC]);
	if (r->und_count[UND_MID_RUN_PIC])
		append(res->undecided, sizeof(res->undecided),
		       "%llu userspace injections not matched: the trace began mid-run (record --pid), "
		       "after the guest programmed its PIC", r->und_count[UND_MID_RUN_PIC]);
	if (r->und_count[UND_VCPU_RANGE])
		append(res->undecided, sizeof(res->undecided),
		       "%llu events of vCPUs beyond 63 not modelled", r->und_count[UND_VCPU_RANGE]);
	/*
	 * An import has no KVM_INTERRUPT records: without kvm_inj_virq (this
	 * host never fires it) the VMM's injections are invisible.
	 */
	if (r->imported && !r->saw_inj && !r->saw_user_inject)
		append_text(res->undecided, sizeof(res->undecided),
			    "userspace injections are not in the trace (imported text without kvm_inj_virq)");
	if (open)
		append(res->undecided, sizeof(res->undecided),
		       "%llu requests had no delivery seen by the end (without kvm_inj_virq for the vCPU's kernel deliveries, one shows only at its EOI)",
		       open);
}

void ledger_end(struct replay *r, bool complete)
{
	struct check_once_result *res = &r->res;
	uint64_t open = 0;

	res->truncated = !complete;
	res->before_start = r->before_start;
	res->pit_matched = r->pit_matched;
	res->unpredictable = r->unpredictable;
	res->requests_inferred = !r->have_accept && !r->saw_accept;
	res->requests = r->other_requests +
			(res->requests_inferred ? r->inferred_requests : r->lapic_requests);
	for (int i = 0; i < REPLAY_MAX_VCPUS && complete; i++)
		open += ledger_end_vcpu(r, i);
	r->und_count[UND_NO_EOI_AT_END] = open;
	/* A userspace irqchip has no kernel deliveries to miss. */
	if (!r->have_inj && !r->have_eoi && !r->saw_inj && !r->saw_eoi &&
	    r->irqchip != CHECK_IRQCHIP_USERSPACE) {
		r->und_count[UND_NO_KERNEL_DELIVERY] = 1;
		ledger_undecided(r, -1, -1, (struct check_once_ref){ 0, 0 },
				 "no kvm_inj_virq or kvm_eoi in the trace: the kernel's deliveries are unseen");
	}
	if (complete)
		ledger_end_pic(r);
	res->vm_ran = r->ran;
	res->pic_inferred = r->pic_inferred;
	res->pending_at_end = r->pending_at_end;
	res->coalesced = r->coalesced;
	ledger_end_gaps(r);
	ledger_end_text(r, open);
	if (res->violations)
		res->verdict = 1;
	else if (res->undecided[0])
		res->verdict = 125;
	else
		res->verdict = 0;
}

