// SPDX-License-Identifier: GPL-2.0-only
/*
 * check_ledger: the exactly-once ledger of DESIGN §3 (see replay.c for how
 * the evidence is read). Per vCPU and vector it counts outstanding requests,
 * remembers the last delivery and the sync that last saw the vector pending,
 * matches each delivery to one request and records the first violation.
 */
#include <string.h>

#include "replay_state.h"

/* A LAPIC accept: the request a delivery of @vec must match. */
void ledger_request(struct replay *r, struct vcpu_state *v, unsigned int vec,
		    const struct trace_event *ev)
{
	vec &= 0xff;
	if (v->req[vec] < UINT16_MAX)
		v->req[vec]++;
	v->req_at[vec] = ref_of(ev);
	r->lapic_requests++;
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
}

/* The ledger in force: accepts once one was seen, else the inferred one. */
static uint16_t *ledger(struct replay *r, struct vcpu_state *v, struct check_once_ref **at)
{
	bool accepts = r->saw_accept || r->have_accept;

	*at = accepts ? v->req_at : v->ireq_at;
	return accepts ? v->req : v->ireq;
}

/* pic_irq_request(): the PIC's INTR goes to vCPU 0's interrupt request. */
void ledger_pic_line(struct replay *r, unsigned int irq, int level)
{
	uint16_t before = r->pic.chip[0].irr | (r->pic.chip[1].irr << 8);
	uint16_t after;

	pic_set_irq(&r->pic, irq, level);
	after = r->pic.chip[0].irr | (r->pic.chip[1].irr << 8);
	replay_pic_changed(r);
	/* IRQ 2 is the cascade, not a request of its own. */
	if ((after & ~before) & ~(1u << 2))
		r->other_requests++;
}

static void violation(struct replay *r, struct vcpu_state *v, int32_t vcpu,
		      enum check_once_kind kind, unsigned int vec,
		      struct check_once_ref at, enum check_once_path path,
		      enum check_once_evidence evidence)
{
	struct check_once_violation *x = &r->res.first;
	bool earlier_is_extra;

	if (kind == CHECK_ONCE_DOUBLE)
		r->doubles++;
	else if (kind == CHECK_ONCE_SPURIOUS)
		r->spurious++;
	else
		r->lost++;
	if (r->res.violations++)
		return;
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

/*
 * A PIC vector from a VMM whose PIC lines the trace lacks (QEMU). The PIC
 * must at least have been able to deliver it (not masked, nothing of equal
 * or higher priority in service); IRQ 0 must have had an 8254 edge left.
 * Anything else is undecided. Returns false if it recorded a violation.
 */
static bool pic_unseen_line(struct replay *r, struct vcpu_state *v, int32_t vcpu,
			    unsigned int vec, enum check_once_path path,
			    enum check_once_evidence evidence, const struct trace_event *ev)
{
	int irq = pic_vector_irq(&r->pic, vec), got;
	struct pic_pair before = r->pic;

	pic_set_irq(&r->pic, irq, 1);
	if (pic_pending_irq(&r->pic) != irq) {
		r->pic = before;
		violation(r, v, vcpu, CHECK_ONCE_SPURIOUS, vec, ref_of(ev), path, evidence);
		r->pic_blocked++;
		return false;
	}
	pic_intack(&r->pic, &got);
	pic_set_irq(&r->pic, irq, 0);
	replay_pic_changed(r);
	if (irq != 0 || !pit_edges(&r->pit, ev->ts_ns)) {
		r->und_count[UND_PIC_LINES]++;
		return true;
	}
	if (pit_edges(&r->pit, ev->ts_ns) <= r->pit_used) {
		violation(r, v, vcpu, v->del_at[vec].seq ? CHECK_ONCE_DOUBLE :
			  CHECK_ONCE_SPURIOUS, vec, ref_of(ev), path, evidence);
		return false;
	}
	r->pit_used++;
	r->pit_matched++;
	r->other_requests++;
	return true;
}

/* One delivery of @vec; matches it to a request or records a violation. */
void ledger_deliver(struct replay *r, int32_t vcpu, unsigned int vec,
		    enum check_once_path path, enum check_once_evidence evidence,
		    const struct trace_event *ev)
{
	struct vcpu_state *v = replay_vcpu(r, vcpu);
	struct check_once_ref at = ref_of(ev), matched = { 0, 0 }, *req_at;
	int irq = pic_pending_irq(&r->pic), got;
	uint16_t *req;

	if (!v)
		return;
	req = ledger(r, v, &req_at);
	vec &= 0xff;
	r->res.deliveries++;
	if (irq >= 0 && pic_irq_vector(&r->pic, irq) == (int)vec &&
	    (path == CHECK_PATH_USER || !req[vec])) {
		pic_intack(&r->pic, &got);
		replay_pic_changed(r);
	} else if (req[vec]) {
		req[vec]--;
		matched = req_at[vec];
	} else if (path == CHECK_PATH_USER && pic_vector_irq(&r->pic, vec) >= 0 &&
		   !r->pic_lines_visible) {
		if (!pic_unseen_line(r, v, vcpu, vec, path, evidence, ev))
			return;
	} else if (!r->have_eoi && !r->have_inj && !r->saw_inj && !r->saw_eoi &&
		   pic_vector_irq(&r->pic, vec) < 0) {
		/*
		 * Without kernel deliveries in the trace the LAPIC ledger cannot
		 * balance: whether the kernel also delivered it is unknowable.
		 */
		r->unmatched_blind++;
	} else if (r->imported && path != CHECK_PATH_USER &&
		   !req_at[vec].seq && !v->del_at[vec].seq) {
		/* In service before the excerpt began: its request is older. */
		r->before_start++;
		path = CHECK_PATH_BEFORE;
	} else {
		violation(r, v, vcpu, v->del_at[vec].seq ? CHECK_ONCE_DOUBLE :
			  CHECK_ONCE_SPURIOUS, vec, at, path, evidence);
	}
	v->del_at[vec] = at;
	v->del_path[vec] = path;
	v->del_ev[vec] = evidence;
	v->del_exit[vec] = v->last_exit;
	v->del_exit_reason[vec] = v->last_exit_reason;
	v->del_exit_flags[vec] = v->last_exit_flags;
	v->del_asked[vec] = v->window_asked;
	v->del_req[vec] = matched;
}

bool ledger_outstanding(struct replay *r, struct vcpu_state *v, unsigned int vec)
{
	struct check_once_ref *req_at;

	return ledger(r, v, &req_at)[vec & 0xff] > 0;
}

void ledger_wiped(struct replay *r, struct vcpu_state *v, int32_t vcpu, unsigned int vec,
		  const struct trace_event *ev)
{
	struct check_once_violation *x = &r->res.first;
	struct check_once_ref *req_at;
	uint16_t *req = ledger(r, v, &req_at);
	bool first = !r->res.violations;

	vec &= 0xff;
	if (!req[vec])
		return;
	req[vec]--;
	violation(r, v, vcpu, CHECK_ONCE_LOST, vec, req_at[vec], CHECK_PATH_NONE, CHECK_EV_NONE);
	if (!first)
		return;
	x->request = req_at[vec];
	x->stale_sync = v->last_get;
	x->wiped_by = ref_of(ev);
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
	for (int i = 0; i < REPLAY_MAX_VCPUS; i++) {
		struct vcpu_state *v = &r->vcpu[i];
		struct check_once_ref *req_at;
		uint16_t *req = ledger(r, v, &req_at);

		for (int vec = 0; vec < 256 && complete; vec++) {
			if (!req[vec])
				continue;
			/*
			 * Unless kvm_inj_virq showed this vCPU's kernel
			 * deliveries, one shows only at its EOI (this host; and
			 * APICv posts interrupts with neither), so a request
			 * without one may have been delivered: undecided, not lost.
			 */
			if (!v->inj_kernel_seen) {
				open += req[vec];
				continue;
			}
			violation(r, v, i, CHECK_ONCE_LOST, vec, req_at[vec], CHECK_PATH_NONE,
				  CHECK_EV_NONE);
		}
	}
	r->und_count[UND_NO_EOI_AT_END] = open;
	if (!r->have_inj && !r->have_eoi && !r->saw_inj && !r->saw_eoi)
		r->und_count[UND_NO_KERNEL_DELIVERY] = 1;

	res->undecided[0] = 0;
	if (r->und_count[UND_NO_KERNEL_DELIVERY])
		append_text(res->undecided, sizeof(res->undecided),
			    "kernel deliveries are not in the trace (no kvm_inj_virq or kvm_eoi events)");
	if (r->unmatched_blind)
		append(res->undecided, sizeof(res->undecided),
		       "%llu userspace injections of LAPIC vectors had no request in the trace "
		       "(its kernel side is not recorded)", r->unmatched_blind);
	if (r->und_count[UND_PIC_LINES])
		append(res->undecided, sizeof(res->undecided),
		       "%llu PIC deliveries not matched: the VMM's PIC input lines are not in the trace",
		       r->und_count[UND_PIC_LINES]);
	if (r->und_count[UND_DROPPED])
		append(res->undecided, sizeof(res->undecided),
		       "%llu records were dropped while recording", r->und_count[UND_DROPPED]);
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

	if (res->violations)
		res->verdict = 1;
	else if (res->undecided[0])
		res->verdict = 125;
	else
		res->verdict = 0;
}

