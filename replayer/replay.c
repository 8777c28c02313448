// SPDX-License-Identifier: GPL-2.0-only
/*
 * How the evidence is read (docs/design.md §3; README, "On this host"):
 * - A request is a LAPIC accept (kvm_apic_accept_irq, not coalesced), or,
 *   when that tracepoint was not recorded, an IPI or MSI the trace shows; or
 *   a PIC IRR bit raised by a line change the trace shows.
 * - A delivery is a kvm_inj_virq, a KVM_INTERRUPT (or the model's decision
 *   under bisect's what-if), or a kvm_eoi of a vector the model did not know
 *   was in service: the kernel delivered it without a kvm_inj_virq (this
 *   host, APICv). A kvm_inj_virq that follows a KVM_INTERRUPT of the same
 *   vector is that delivery, not a second one.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <asm/svm.h>	/* SVM_EXIT_*: the kvm_exit tracepoint's reason on AMD */
#include <asm/vmx.h>	/* EXIT_REASON_*: the kvm_exit tracepoint's reason on Intel */
#include <stdlib.h>
#include <string.h>

#include "check_wipe.h"
#include "kevent_table.h"
#include "lapic_page.h"
#include "replay_state.h"
#include "trace_names.h"
#include "trace_reader.h"

#define LAPIC_REG_DFR 0xe0

struct replay *replay_alloc(const struct replay_opts *opts)
{
	struct replay *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->opts = *opts;
	pic_init(&r->pic);
	pit_init(&r->pit);
	for (int i = 0; i < REPLAY_MAX_VCPUS; i++) {
		lapic_model_init(&r->vcpu[i].kern);
		apic_copy_init(&r->vcpu[i].pv.copy);
		r->vcpu[i].pv.bsp = i == 0;
		r->vcpu[i].pending_user_vec = -1;
		r->vcpu[i].recorded_vector = -1;
		apic_dest_reset(&r->apic_ids[i], i);
	}
	r->set_irq_level = -1;
	r->policy_applies = true;
	return r;
}

void replay_free(struct replay *r)
{
	free(r);
}

static bool hdr_lists(const Kvmrec__Header *h, const char *ev)
{
	for (size_t i = 0; i < h->n_kernel_events_enabled; i++)
		if (!strcmp(h->kernel_events_enabled[i], ev))
			return true;
	return false;
}

void replay_begin(struct replay *r, const Kvmrec__Header *h)
{
	const char *base = profile_argv0_base(h);

	r->profile = profile_choose(h);
	r->imported = h->recorder && !strncmp(h->recorder, "import", 6);
	r->mid_run = h->has_mid_run && h->mid_run;
	r->have_accept = hdr_lists(h, "kvm_apic_accept_irq");
	r->have_inj = hdr_lists(h, "kvm_inj_virq");
	r->have_eoi = hdr_lists(h, "kvm_eoi");
	/* An in-kernel PIC's lines move through kvm_pic_set_irq. */
	r->hdr_pic_events = hdr_lists(h, "kvm_pic_set_irq");
	r->hdr_pio_events = hdr_lists(h, "kvm_pio");
	r->pic_lines_visible = r->profile->pic_lines_in_trace ||
			       (r->imported && r->hdr_pic_events);
	/* Attached mid-run: line changes before the trace began are unknown. */
	if (r->mid_run)
		r->pic_lines_visible = false;
	/* A recorded trace has the PIC's port I/O as exits; an import has only kvm_pio. */
	r->pic_from_kvm_pio = r->imported;

	if (r->opts.model && !policy_is_from_trace(r->opts.model)) {
		r->model = r->opts.model;
		snprintf(r->model_origin, sizeof(r->model_origin), "--model");
	} else if (r->profile->argv_policy) {
		r->model = r->profile->argv_policy(h, r->model_origin, sizeof(r->model_origin));
	} else {
		r->model = policy_find(r->profile->default_model);
		snprintf(r->model_origin, sizeof(r->model_origin), "default");
		if (r->opts.model)
			snprintf(r->model_error, sizeof(r->model_error),
				 "--model %s does not apply: the trace's VMM is not %s (%s)",
				 r->opts.model->name, r->opts.model->name,
				 *base ? base : "no VMM argv in the header");
	}
}

/*
 * The irqchip is set up before the first vCPU runs: at the first KVM_RUN a
 * VM whose creation is in the trace and that enabled neither irqchip has
 * its LAPIC and PIC in userspace. Only split mode has the userspace
 * injection policy the models describe.
 */
static void irqchip_settle(struct replay *r)
{
	if (r->irqchip == CHECK_IRQCHIP_UNKNOWN && r->saw_create_vm)
		r->irqchip = CHECK_IRQCHIP_USERSPACE;
	r->policy_applies = r->irqchip == CHECK_IRQCHIP_SPLIT ||
			    r->irqchip == CHECK_IRQCHIP_UNKNOWN;
	if (!r->policy_applies && r->opts.model && !r->model_error[0])
		snprintf(r->model_error, sizeof(r->model_error),
			 "--model %s does not apply: the trace's irqchip is %s, and the models "
			 "describe a userspace PIC beside an in-kernel LAPIC (split)",
			 r->opts.model->name, check_once_irqchip_name(r->irqchip));
}

struct vcpu_state *replay_vcpu(struct replay *r, int32_t id)
{
	if (id < 0 || id >= REPLAY_MAX_VCPUS) {
		if (id >= REPLAY_MAX_VCPUS)
			r->und_count[UND_VCPU_RANGE]++;
		return NULL;
	}
	r->vcpu[id].seen = true;
	r->present |= UINT64_C(1) << id;
	return &r->vcpu[id];
}

void replay_pic_changed(struct replay *r)
{
	policy_pic_output(r->model, &r->vcpu[0].pv, pic_pending_irq(&r->pic) >= 0);
}

static void divergence(struct replay *r, struct vcpu_state *v, int32_t vcpu,
		       bool recorded_window)
{
	struct replay_divergence d = {
		v->decided_at.seq, v->decided_at.ts_ns, vcpu, v->model_vector,
		v->recorded_vector, v->model_window, recorded_window,
	};

	if (!r->pic_lines_visible &&
	    ((v->recorded_vector >= 0 && pic_vector_irq(&r->pic, v->recorded_vector) >= 0) ||
	     (v->model_vector >= 0 && pic_vector_irq(&r->pic, v->model_vector) >= 0) ||
	     v->model_window != recorded_window)) {
		/* Turns on the PIC's input lines, which the trace does not have. */
		if (v->model_vector != v->recorded_vector || v->model_window != recorded_window)
			r->unpredictable++;
		return;
	}
	/* What the guest sees (the injection) apart from what it does not. */
	if (v->model_vector != v->recorded_vector) {
		if (!r->divergences++)
			r->first_div = d;
	} else if (v->model_window != recorded_window) {
		if (!r->window_divergences++)
			r->first_window_div = d;
	}
}

/*
 * The VMM's pre-run for the next KVM_RUN of @v. In a faithful replay the
 * model decides on scratch copies of the devices (the recorded action is
 * then applied); in what-if mode its decision is what happens.
 */
static void pre_run(struct replay *r, struct vcpu_state *v, int32_t vcpu,
		    const struct trace_event *ev)
{
	struct policy_decision d;

	if (r->opts.what_if) {
		policy_pre_run(r->model, &r->pic, &v->pv, v->ready, v->if_flag, &d);
		if (d.vector >= 0 && (d.from_copy || d.spurious)) {
			/* Not the PIC's request: the ledger decides. */
			ledger_deliver(r, vcpu, d.vector, CHECK_PATH_USER, CHECK_EV_MODEL, ev);
		} else if (d.vector >= 0) {
			/* The policy's INTA cycle matched it to the PIC's request. */
			r->res.deliveries++;
			v->del_at[d.vector] = ref_of(ev);
			v->del_path[d.vector] = CHECK_PATH_USER;
			v->del_ev[d.vector] = CHECK_EV_MODEL;
			v->del_req[d.vector] = (struct check_once_ref){ 0, 0 };
		}
	} else if (!(v->ready && v->if_flag && v->pv.irq_hard)) {
		/* Nothing to inject: the decision changes no state, no scratch copy. */
		d.vector = -1;
		d.window = v->pv.irq_hard;
	} else {
		struct pic_pair pic = r->pic;
		struct policy_vcpu pv = v->pv;

		policy_pre_run(r->model, &pic, &pv, v->ready, v->if_flag, &d);
	}
	v->decided = true;
	v->decided_at = ref_of(ev);
	v->model_vector = d.vector;
	v->model_window = d.window;
}

/* What the VMM did with KVM_INTERRUPT, applied to its devices and checked. */
static void recorded_interrupt(struct replay *r, struct vcpu_state *v, int32_t vcpu,
			       unsigned int vec, const struct trace_event *ev)
{
	int irq = pic_pending_irq(&r->pic);

	if (!r->policy_applies) {
		v->pending_user_vec = vec;
		ledger_deliver(r, vcpu, vec, CHECK_PATH_USER, CHECK_EV_KVM_INTERRUPT, ev);
		return;
	}
	if (!v->decided)
		pre_run(r, v, vcpu, ev);
	v->recorded_vector = vec;
	/* Its kvm_inj_virq, if the trace has one, is this injection. */
	v->pending_user_vec = vec;
	if (r->opts.what_if)
		return;
	/* The VMM's own state after it: request taken, vector from the copy or the PIC. */
	v->pv.irq_hard = false;
	if (!(irq >= 0 && pic_irq_vector(&r->pic, irq) == (int)vec) &&
	    apic_copy_irq_pending(&v->pv.copy) == (int)vec)
		apic_copy_get_interrupt(&v->pv.copy);
	ledger_deliver(r, vcpu, vec, CHECK_PATH_USER, CHECK_EV_KVM_INTERRUPT, ev);
}

/* The userspace policy's view of this exit: what the model would have asked on entry. */
static void run_exit_policy(struct replay *r, struct vcpu_state *v, const struct trace_event *ev,
			    bool recorded_window)
{
	if (!r->policy_applies) {
		/* No userspace policy to compare: the recording is what happened. */
	} else {
		if (!v->decided)
			pre_run(r, v, ev->vcpu, ev);
		divergence(r, v, ev->vcpu, recorded_window);
	}
	/*
	 * The window request is the VMM's interrupt request as it entered;
	 * where the model agreed so far, take it from the recording, so one
	 * modelling gap does not drift into every later entry.
	 */
	if (!r->opts.what_if && ((v->model_vector == v->recorded_vector &&
				  v->model_window == recorded_window) || !r->pic_lines_visible))
		v->pv.irq_hard = recorded_window;
	v->decided = false;
	v->recorded_vector = -1;
}

/* What every KVM_RUN return says of the vCPU, failed or not: flags, APIC base, TPR. */
static void run_exit_vcpu_state(struct replay *r, struct vcpu_state *v,
				const struct trace_event *ev, const Kvmrec__RunExit *x,
				bool recorded_window)
{
	v->ready = x->flags & KVMREC__RUN_FLAG__RUN_READY_FOR_INJECTION;
	v->if_flag = x->flags & KVMREC__RUN_FLAG__RUN_IF_FLAG;
	if (x->has_apic_base) {
		v->pv.copy.apic_base = x->apic_base;
		if (vcpu_apic(r, v)->x2apic != !!(x->apic_base & (1u << 10)))
			apic_dest_set_x2apic(vcpu_apic(r, v), x->apic_base & (1u << 10));
	}
	if (x->has_cr8)
		lapic_model_set_tpr(&v->kern, (x->cr8 & 0xf) << 4);
	/* Since when the VMM has been asking for a window, for the report. */
	if (!recorded_window)
		v->window_asked = (struct check_once_ref){ 0, 0 };
	else if (!v->window_asked.seq)
		v->window_asked = ref_of(ev);
}

/* An IO exit to a device the checker models: the VMM's private ports, the 8254, the 8259. */
static void run_exit_io(struct replay *r, const struct trace_event *ev, const Kvmrec__ExitIo *io)
{
	uint32_t port = io->port;
	const uint8_t *b = io->data.data;
	size_t n = io->has_data ? io->data.len : 0;
	struct profile_line lines[2];
	int nl;

	/* The VMM's private ports first: its PIC lines (profile.h). */
	if (io->out && (nl = profile_port_out(r->profile, port, b, n, lines)) >= 0) {
		for (int i = 0; i < nl; i++)
			ledger_pic_line(r, lines[i].irq, lines[i].level, ev);
	} else if ((port == 0x40 || port == 0x43) && io->out && !r->pic_from_kvm_pio) {
		for (size_t i = 0; i < n; i++)
			pit_ioport_write(&r->pit, port, b[i], ev->ts_ns);
	} else if (pic_is_port(port) && !r->pic_from_kvm_pio && io->size == 1) {
		for (size_t i = 0; i < n; i++) {
			uint8_t val = b[i];

			if (io->out) {
				ledger_pic_eoi(r, port, val, ev);
				pic_ioport_write(&r->pic, port, val);
			}
			else
				pic_ioport_read(&r->pic, port, &val);
		}
		replay_pic_changed(r);
	}
}

static void on_run_exit(struct replay *r, const struct trace_event *ev, const Kvmrec__RunExit *x)
{
	struct vcpu_state *v = replay_vcpu(r, ev->vcpu);
	bool recorded_window = x->flags & KVMREC__RUN_FLAG__RUN_REQUEST_IRQ_WINDOW;

	if (!r->run_exits++)
		irqchip_settle(r);
	r->ran = true;
	if (!v)
		return;
	wipe_run_exit(v);
	v->run_seq[1] = v->run_seq[0];
	v->run_seq[0] = ev->seq;
	run_exit_policy(r, v, ev, recorded_window);
	run_exit_vcpu_state(r, v, ev, x, recorded_window);
	/* KVM_RUN failed (EINTR, ...): kvm_run still holds the previous exit. */
	if (x->has_ret && x->ret < 0)
		return;
	v->last_exit = ref_of(ev);
	v->last_exit_reason = x->reason;
	v->last_exit_flags = x->flags;
	if (x->reason == KVM_EXIT_IRQ_WINDOW_OPEN) {
		v->window = v->last_exit;
		v->window_reason = x->reason;
	}
	if (x->reason == KVM_EXIT_TPR_ACCESS)
		v->tpr_report = true;
	if (x->payload_case == KVMREC__RUN_EXIT__PAYLOAD_IO && x->io)
		run_exit_io(r, ev, x->io);
}

/* The vCPUs an interrupt message reaches; requests only for fixed and single targets. */
static void ipi_request(struct replay *r, const struct trace_event *ev,
		       const struct apic_dest_msg *m, unsigned int dm, unsigned int vec)
{
	uint64_t hit = apic_dest_match(r->apic_ids, REPLAY_MAX_VCPUS, r->present, m);

	/* A physical destination not seen yet: APIC ID = vCPU index, as at reset. */
	if (!hit && m->shorthand == APIC_SH_NONE && !m->logical && m->dest < REPLAY_MAX_VCPUS &&
	    replay_vcpu(r, m->dest))
		hit = UINT64_C(1) << m->dest;
	/* Lowest priority picks one of the set: only its accept can say which. */
	if (dm == 1 && __builtin_popcountll(hit) > 1)
		return;
	if (dm > 1)
		return;
	for (int i = 0; i < REPLAY_MAX_VCPUS; i++)
		if ((hit >> i) & 1)
			ledger_request_inferred(r, &r->vcpu[i], vec, ev);
}

/* MSI: destination in address bits 19:12, logical if bit 2; mode in data 10:8. */
static void msi_request(struct replay *r, const struct trace_event *ev, uint64_t addr,
			uint32_t data)
{
	struct apic_dest_msg m = {
		.logical = addr & 4, .dest = (addr >> 12) & 0xff, .self = 0,
	};

	ipi_request(r, ev, &m, (data >> 8) & 7, data & 0xff);
}

static void on_inject(struct replay *r, const struct trace_event *ev, const Kvmrec__Injection *in)
{
	struct vcpu_state *v;

	if (in->has_ret && in->ret < 0)
		return;		/* the kernel refused it: nothing was injected */
	switch (in->kind) {
	case KVMREC__INJECT_KIND__INJECT_INTERRUPT:
		v = replay_vcpu(r, ev->vcpu);
		r->saw_user_inject = true;
		if (v)
			recorded_interrupt(r, v, ev->vcpu, in->vector & 0xff, ev);
		break;
	case KVMREC__INJECT_KIND__INJECT_SIGNAL_MSI:
		msi_request(r, ev, in->msi_addr, in->msi_data);
		break;
	default:
		break;
	}
}

static void lapic_words(const Kvmrec__LapicSync *s, const uint32_t *dec, size_t n,
			uint32_t base, uint32_t out[8])
{
	if (n == 8) {
		memcpy(out, dec, 8 * sizeof(uint32_t));
	} else if (s->has_regs && s->regs.len >= LAPIC_PAGE_SIZE) {
		lapic_page_vec256(s->regs.data, base, out);
	} else {
		memset(out, 0, 8 * sizeof(uint32_t));
	}
}

static void on_lapic(struct replay *r, const struct trace_event *ev, const Kvmrec__LapicSync *s)
{
	struct vcpu_state *v = replay_vcpu(r, ev->vcpu);
	uint32_t irr[8], isr[8], spiv = 0, lvt0 = 0;
	uint8_t tpr = s->tpr;
	bool page = s->has_regs && s->regs.len >= LAPIC_PAGE_SIZE;
	bool tpr_sync;

	if (!v || (s->has_ret && s->ret < 0))
		return;
	lapic_words(s, s->irr, s->n_irr, LAPIC_REG_IRR, irr);
	lapic_words(s, s->isr, s->n_isr, LAPIC_REG_ISR, isr);
	if (page) {
		tpr = lapic_page_reg(s->regs.data, LAPIC_REG_TPR);
		spiv = lapic_page_reg(s->regs.data, LAPIC_REG_SPIV);
		lvt0 = lapic_page_reg(s->regs.data, 0x350);
	}
	if (s->has_spiv)
		spiv = s->spiv;
	if (page) {
		apic_dest_set_id_reg(vcpu_apic(r, v), lapic_page_reg(s->regs.data, LAPIC_REG_ID));
		if (!vcpu_apic(r, v)->x2apic) {
			vcpu_apic(r, v)->ldr = lapic_page_reg(s->regs.data, LAPIC_REG_LDR);
			vcpu_apic(r, v)->dfr = lapic_page_reg(s->regs.data, LAPIC_REG_DFR);
		}
	} else if (s->has_id) {
		apic_dest_set_id_reg(vcpu_apic(r, v), s->id);
	}
	if (s->n_lvt > 3)
		lvt0 = s->lvt[3];
	tpr_sync = v->tpr_report;
	v->tpr_report = false;
	if (s->set) {
		if (!wipe_lapic_set(r, v, ev->vcpu, irr, ev))
			return;
		lapic_model_load(&v->kern, irr, isr, tpr);
		apic_copy_sync(&v->pv.copy, irr, isr, tpr, spiv, lvt0);
		return;
	}
	wipe_lapic_get(v, irr, ev);
	v->last_sync = ref_of(ev);
	for (int vec = 0; vec < 256; vec++)
		if (lapic_vec_test(irr, vec))
			v->sync_irr[vec] = ref_of(ev);
	if (r->opts.what_if && tpr_sync && !policy_has(r->model, KNOB_SYNC_ON_TPR))
		return;
	apic_copy_sync(&v->pv.copy, irr, isr, tpr, spiv, lvt0);
	policy_lapic_synced(r->model, &v->pv, pic_pending_irq(&r->pic) >= 0);
}

/* Field @f of @k; 0 when the event stops short of it (an older producer). */
static int64_t arg(const Kvmrec__KernelEvent *k, enum kev_field f)
{
	return kevent_get(k, f, 0);
}

/* IPI as kvm_apic_ipi shows it; a request only when accepts are not traced. */
static void kev_ipi(struct replay *r, const struct trace_event *ev, const Kvmrec__KernelEvent *k)
{
	uint32_t icr = arg(k, KEV_F_ICR_LOW);
	struct vcpu_state *self = replay_vcpu(r, ev->vcpu);
	struct apic_dest_msg m = {
		.shorthand = (icr >> 18) & 3, .logical = icr & (1u << 11),
		.x2apic = self && vcpu_apic(r, self)->x2apic, .dest = (uint32_t)arg(k, KEV_F_DEST_ID),
		.self = ev->vcpu >= 0 ? (uint32_t)ev->vcpu : UINT32_MAX,
	};

	ipi_request(r, ev, &m, (icr >> 8) & 7, icr & 0xff);
}

/* kvm_apic_accept_irq: a request into the kernel LAPIC's IRR (fixed and lowest-priority only). */
static void kev_accept(struct replay *r, const struct trace_event *ev, const Kvmrec__KernelEvent *k)
{
	int64_t dm = arg(k, KEV_F_DM), vec = arg(k, KEV_F_VEC), coalesced = arg(k, KEV_F_COALESCED);
	struct vcpu_state *v;

	r->saw_accept = true;
	/*
	 * dm is APIC_DM_* as the kernel passes it (0x000 fixed, 0x100
	 * lowest priority, ...); vectors 0-15 are illegal and never delivered.
	 */
	if (dm > 0x100 || vec < 16 || vec > 255)
		return;
	v = replay_vcpu(r, (int32_t)arg(k, KEV_F_APICID));
	if (!v)
		return;
	if (lapic_model_accept(&v->kern, vec & 0xff) || coalesced)
		ledger_coalesced(r, v, vec, coalesced, ev);
	else
		ledger_request(r, v, vec, ev);
	wipe_accept(v, vec);
}

static void kev_eoi(struct replay *r, const struct trace_event *ev, const Kvmrec__KernelEvent *k)
{
	int64_t vec = arg(k, KEV_F_VECTOR);
	struct vcpu_state *v;

	r->saw_eoi = true;
	r->ran = true;
	v = replay_vcpu(r, ev->vcpu >= 0 ? ev->vcpu : (int32_t)arg(k, KEV_F_APICID));
	if (!v || vec < 0 || vec > 255)
		return;
	if (!lapic_vec_test(v->kern.isr, vec)) {
		/* In service, yet no delivery seen: this EOI is its evidence. */
		ledger_deliver(r, v - r->vcpu, vec, CHECK_PATH_KERNEL, CHECK_EV_EOI, ev);
		lapic_model_deliver(&v->kern, vec);
	}
	lapic_model_eoi(&v->kern, vec);
}

static void kev_inj_virq(struct replay *r, const struct trace_event *ev, const Kvmrec__KernelEvent *k)
{
	struct vcpu_state *v = replay_vcpu(r, ev->vcpu);
	int64_t vec = arg(k, KEV_F_IRQ) & 0xff;

	r->saw_inj = true;
	r->ran = true;
	if (!v || arg(k, KEV_F_SOFT) || arg(k, KEV_F_REINJECTED))
		return;	/* soft interrupt or re-injection: not a new delivery */
	if (v->pending_user_vec == vec ||
	    (v->from_user && !lapic_vec_test(v->kern.irr, vec))) {
		v->pending_user_vec = -1;
		if (!r->opts.what_if)
			ledger_deliver(r, ev->vcpu, vec, CHECK_PATH_USER, CHECK_EV_INJ_VIRQ, ev);
	} else {
		ledger_deliver(r, ev->vcpu, vec, CHECK_PATH_KERNEL, CHECK_EV_INJ_VIRQ, ev);
		lapic_model_deliver(&v->kern, vec);
		v->inj_kernel_seen = true;
	}
}

/* kvm_apic writes the kernel LAPIC model follows: TPR, and what routes IPIs. */
static void kev_apic(struct replay *r, const struct trace_event *ev, const Kvmrec__KernelEvent *k)
{
	struct vcpu_state *v = replay_vcpu(r, ev->vcpu);
	int64_t reg = arg(k, KEV_F_REG), val = arg(k, KEV_F_VAL);

	if (!v || arg(k, KEV_F_RW) != 1)
		return;
	if (reg == LAPIC_REG_TPR)
		lapic_model_set_tpr(&v->kern, val & 0xff);
	else if (reg == LAPIC_REG_LDR && !vcpu_apic(r, v)->x2apic)
		vcpu_apic(r, v)->ldr = val;
	else if (reg == LAPIC_REG_DFR && !vcpu_apic(r, v)->x2apic)
		vcpu_apic(r, v)->dfr = val;
	else if (reg == LAPIC_REG_ID && !vcpu_apic(r, v)->x2apic)
		apic_dest_set_id_reg(vcpu_apic(r, v), val);
}

static void kev_msr(struct replay *r, const struct trace_event *ev, const Kvmrec__KernelEvent *k)
{
	struct vcpu_state *v = replay_vcpu(r, ev->vcpu);
	int64_t ecx = arg(k, KEV_F_ECX), data = arg(k, KEV_F_DATA);

	if (!v || arg(k, KEV_F_WRITE) != 1)
		return;
	if (ecx == 0x808)	/* x2APIC TPR */
		lapic_model_set_tpr(&v->kern, data & 0xff);
	/* IA32_APIC_BASE: EXTD switches x2APIC mode. */
	if (ecx == 0x1b && vcpu_apic(r, v)->x2apic != !!(data & (1 << 10)))
		apic_dest_set_x2apic(vcpu_apic(r, v), data & (1 << 10));
}

/*
 * kvm_pic_set_irq: the level is not in the event but in the kvm_set_irq
 * before it; without one, a pulse.
 */
static void kev_pic_set_irq(struct replay *r, const struct trace_event *ev, const Kvmrec__KernelEvent *k)
{
	int64_t line = arg(k, KEV_F_CHIP) * 8 + arg(k, KEV_F_PIN);

	if (r->set_irq_level >= 0) {
		ledger_pic_line(r, line, r->set_irq_level, ev);
	} else if (!arg(k, KEV_F_COALESCED)) {
		ledger_pic_line(r, line, 1, ev);
		ledger_pic_line(r, line, 0, ev);
	}
	r->set_irq_level = -1;
}

/* kvm_pio of an in-kernel PIC or PIT: the only trace of their port I/O. */
static void kev_pio(struct replay *r, const struct trace_event *ev, const Kvmrec__KernelEvent *k)
{
	int64_t port = arg(k, KEV_F_PORT);
	bool out = arg(k, KEV_F_RW) == 1;
	uint8_t val = arg(k, KEV_F_VAL);

	if (!r->pic_from_kvm_pio || arg(k, KEV_F_SIZE) != 1)
		return;
	if (out)
		pit_ioport_write(&r->pit, port, val, ev->ts_ns);
	if (!pic_is_port(port))
		return;
	if (out) {
		ledger_pic_eoi(r, port, val, ev);
		pic_ioport_write(&r->pic, port, val);
	} else {
		pic_ioport_read(&r->pic, port, &val);
	}
	replay_pic_changed(r);
}

static void kev_userspace_exit(struct replay *r, const struct trace_event *ev,
			       const Kvmrec__KernelEvent *k)
{
	struct vcpu_state *v = replay_vcpu(r, ev->vcpu);
	int64_t reason = arg(k, KEV_F_REASON);

	if (!v)
		return;
	r->ran = true;
	v->from_user = true;
	if (!r->imported)
		return;
	v->last_exit = ref_of(ev);
	v->last_exit_reason = reason;
	if (reason == KVM_EXIT_IRQ_WINDOW_OPEN) {
		v->window = v->last_exit;
		v->window_reason = KVM_EXIT_IRQ_WINDOW_OPEN;
		if (!r->first_window.seq) {
			r->first_window = v->last_exit;
			r->first_window_vcpu = ev->vcpu;
		}
	}
}

/* kvm_exit: the kernel's interrupt-window exit (isa 1 VMX, 2 SVM). */
static void kev_exit(struct replay *r, const struct trace_event *ev, const Kvmrec__KernelEvent *k)
{
	struct vcpu_state *v = replay_vcpu(r, ev->vcpu);
	int64_t isa = arg(k, KEV_F_ISA), reason = arg(k, KEV_F_EXIT_REASON);

	if (v && r->imported &&
	    ((isa == 1 && reason == EXIT_REASON_INTERRUPT_WINDOW) ||
	     (isa == 2 && reason == SVM_EXIT_VINTR))) {
		v->window = ref_of(ev);
		v->window_reason = KVM_EXIT_IRQ_WINDOW_OPEN;
	}
}

static void on_kevent(struct replay *r, const struct trace_event *ev, const Kvmrec__KernelEvent *k)
{
	struct vcpu_state *v;

	switch (k->id) {
	case KVMREC__KERNEL_EVENT_ID__KEV_APIC_ACCEPT_IRQ:
		kev_accept(r, ev, k);
		break;
	case KVMREC__KERNEL_EVENT_ID__KEV_EOI:
		kev_eoi(r, ev, k);
		break;
	case KVMREC__KERNEL_EVENT_ID__KEV_INJ_VIRQ:
		kev_inj_virq(r, ev, k);
		break;
	case KVMREC__KERNEL_EVENT_ID__KEV_APIC:
		kev_apic(r, ev, k);
		break;
	case KVMREC__KERNEL_EVENT_ID__KEV_MSR:
		kev_msr(r, ev, k);
		break;
	case KVMREC__KERNEL_EVENT_ID__KEV_APIC_IPI:
		kev_ipi(r, ev, k);
		break;
	case KVMREC__KERNEL_EVENT_ID__KEV_MSI_SET_IRQ:
		msi_request(r, ev, arg(k, KEV_F_ADDRESS), arg(k, KEV_F_DATA));
		break;
	case KVMREC__KERNEL_EVENT_ID__KEV_SET_IRQ:
		/* kvm_pic_set_irq, when it follows, is this line change. */
		r->set_irq_level = arg(k, KEV_F_LEVEL) ? 1 : 0;
		break;
	case KVMREC__KERNEL_EVENT_ID__KEV_PIC_SET_IRQ:
		kev_pic_set_irq(r, ev, k);
		break;
	case KVMREC__KERNEL_EVENT_ID__KEV_PIO:
		kev_pio(r, ev, k);
		break;
	case KVMREC__KERNEL_EVENT_ID__KEV_USERSPACE_EXIT:
		kev_userspace_exit(r, ev, k);
		break;
	case KVMREC__KERNEL_EVENT_ID__KEV_EXIT:
		kev_exit(r, ev, k);
		break;
	case KVMREC__KERNEL_EVENT_ID__KEV_ENTRY:
		v = replay_vcpu(r, ev->vcpu);
		if (v)
			v->from_user = false;
		r->ran = true;
		break;
	default:
		break;
	}
}

/* Where the PIC lives decides whether its lines can be in the trace. */
static void on_setup(struct replay *r, const Kvmrec__VmSetup *s)
{
	if (s->has_ret && s->ret < 0)
		return;
	if (s->kind == KVMREC__SETUP_KIND__SETUP_CREATE_VM)
		r->saw_create_vm = true;
	if (s->kind == KVMREC__SETUP_KIND__SETUP_CREATE_VCPU && s->n_args && s->args[0] < 64)
		r->present |= UINT64_C(1) << s->args[0];
	if (s->kind == KVMREC__SETUP_KIND__SETUP_ENABLE_CAP && s->cap == KVM_CAP_SPLIT_IRQCHIP) {
		r->split_irqchip = true;
		r->irqchip = CHECK_IRQCHIP_SPLIT;
	}
	if (s->kind == KVMREC__SETUP_KIND__SETUP_CREATE_IRQCHIP && !r->split_irqchip) {
		r->kernel_pic = true;
		r->irqchip = CHECK_IRQCHIP_KERNEL;
		/* The in-kernel PIC's port I/O never exits: kvm_pio is all there is. */
		r->pic_from_kvm_pio = r->hdr_pio_events;
	}
	r->pic_lines_visible = !r->mid_run &&
			       (r->profile->pic_lines_in_trace || (r->imported && r->hdr_pic_events) ||
				(r->kernel_pic && r->hdr_pic_events));
}

void replay_feed(struct replay *r, const struct trace_event *ev)
{
	const Kvmrec__Record *rec = ev->rec;

	r->res.events++;
	switch (rec->body_case) {
	case KVMREC__RECORD__BODY_EXIT:
		on_run_exit(r, ev, rec->exit);
		break;
	case KVMREC__RECORD__BODY_INJECT:
		on_inject(r, ev, rec->inject);
		break;
	case KVMREC__RECORD__BODY_LAPIC:
		on_lapic(r, ev, rec->lapic);
		break;
	case KVMREC__RECORD__BODY_KEVENT:
		on_kevent(r, ev, rec->kevent);
		break;
	case KVMREC__RECORD__BODY_SETUP:
		on_setup(r, rec->setup);
		break;
	case KVMREC__RECORD__BODY_DROP:
		r->und_count[UND_DROPPED] += rec->drop->has_count ? rec->drop->count : 1;
		break;
	default:
		break;
	}
}

void replay_end(struct replay *r, bool complete)
{
	if (!r->run_exits)
		irqchip_settle(r);
	r->res.irqchip = r->irqchip;
	ledger_end(r, complete);
}

const char *replay_model_error(const struct replay *r)
{
	return r->model_error[0] ? r->model_error : NULL;
}

bool replay_policy_applies(const struct replay *r)
{
	return r->policy_applies;
}

const struct check_once_result *replay_result(const struct replay *r)
{
	return &r->res;
}

const struct policy *replay_model(const struct replay *r)
{
	return r->model;
}

const char *replay_model_origin(const struct replay *r)
{
	return r->model_origin;
}

uint64_t replay_divergences(const struct replay *r)
{
	return r->divergences;
}

const struct replay_divergence *replay_first_divergence(const struct replay *r)
{
	return r->divergences ? &r->first_div : NULL;
}

uint64_t replay_window_divergences(const struct replay *r)
{
	return r->window_divergences;
}

const struct replay_divergence *replay_first_window_divergence(const struct replay *r)
{
	return r->window_divergences ? &r->first_window_div : NULL;
}

uint64_t replay_run_exits(const struct replay *r)
{
	return r->run_exits;
}

int replay_file(const char *path, const struct replay_opts *opts, struct replay **out)
{
	struct trace_reader *rd = NULL;
	struct trace_event ev;
	struct replay *r;
	int ret;

	*out = r = replay_alloc(opts);
	if (!r)
		return 2;
	ret = trace_reader_open(path, &rd);
	if (ret < 0) {
		snprintf(r->res.error, sizeof(r->res.error), "%s",
			 rd ? trace_reader_error(rd) : strerror(-ret));
		if (rd)
			trace_reader_close(rd);
		r->res.verdict = 2;
		return 2;
	}
	replay_begin(r, trace_reader_header(rd));
	while ((ret = trace_reader_next(rd, &ev)) > 0)
		replay_feed(r, &ev);
	replay_end(r, ret == 0);
	if (r->model_error[0]) {
		snprintf(r->res.error, sizeof(r->res.error), "%s: %s", path, r->model_error);
		trace_reader_close(rd);
		r->res.verdict = 2;
		return 2;
	}
	if (ret < 0) {
		/* The prefix was replayed and its verdict kept; the file is still bad. */
		snprintf(r->res.error, sizeof(r->res.error), "%s", trace_reader_error(rd));
		trace_reader_close(rd);
		return 2;
	}
	trace_reader_close(rd);
	return r->res.verdict;
}

int check_once_file(const char *path, const char *model, struct check_once_result *out)
{
	struct replay_opts opts = { 0 };
	struct replay *r;
	int ret;

	memset(out, 0, sizeof(*out));
	if (model && !(opts.model = policy_find(model))) {
		snprintf(out->error, sizeof(out->error), "unknown model '%s'", model);
		out->verdict = 2;
		return 2;
	}
	ret = replay_file(path, &opts, &r);
	if (r) {
		*out = r->res;
		replay_free(r);
	}
	out->verdict = ret;
	return ret;
}
