// SPDX-License-Identifier: GPL-2.0-only
/* plot_window: the events around a seq, copied for plotting (see plot_window.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kevent_table.h"
#include "lapic_page.h"
#include "plot_window.h"
#include "trace_names.h"
#include "trace_reader.h"

static bool plot_keep(const Kvmrec__Record *rec, const struct plot_window_opts *o)
{
	if (o->all_events || rec->body_case != KVMREC__RECORD__BODY_KEVENT)
		return true;
	const Kvmrec__KernelEvent *k = rec->kevent;
	switch (k->id) {
	case KVMREC__KERNEL_EVENT_ID__KEV_USERSPACE_EXIT:
	case KVMREC__KERNEL_EVENT_ID__KEV_PIO:
	case KVMREC__KERNEL_EVENT_ID__KEV_MMIO:
		return false;
	case KVMREC__KERNEL_EVENT_ID__KEV_APIC:
		/* TPR writes change what can be delivered; EOI writes repeat kvm_eoi. */
		return kevent_get(k, KEV_F_RW, 0) == 1 &&
		       kevent_get(k, KEV_F_REG, -1) == LAPIC_REG_TPR;
	default:
		return true;
	}
}

static void plot_fill_exit(struct plot_event *p, const Kvmrec__RunExit *x)
{
	p->kind = PLOT_EXIT;
	p->reason = x->reason;
	p->flags = x->flags;
	p->run_ns = x->has_run_ns ? x->run_ns : 0;
	p->timed = x->has_run_ns;
	if (x->payload_case == KVMREC__RUN_EXIT__PAYLOAD_IO)
		snprintf(p->label, sizeof(p->label), "%s 0x%x", x->io->out ? "OUT" : "IN",
			 x->io->port);
	else
		snprintf(p->label, sizeof(p->label), "%s", trace_exit_reason_name(x->reason));
	if (x->flags & KVMREC__RUN_FLAG__RUN_REQUEST_IRQ_WINDOW) {
		size_t n = strlen(p->label);
		snprintf(p->label + n, sizeof(p->label) - n, " +win");
	}
}

static void plot_fill_lapic(struct plot_event *p, const Kvmrec__LapicSync *l)
{
	char irr[64];

	p->kind = PLOT_LAPIC;
	p->set = l->set;
	trace_format_vec256(l->irr, l->n_irr, irr, sizeof(irr));
	snprintf(p->label, sizeof(p->label), "%s irr%.26s", l->set ? "SET_LAPIC" : "GET_LAPIC", irr);
}

/* Accepts and EOIs are drawn on the lane of the vCPU they name (apicid). */
static void plot_fill_kevent(struct plot_event *p, const Kvmrec__KernelEvent *k, int32_t vcpu)
{
	int64_t v;

	switch (k->id) {
	case KVMREC__KERNEL_EVENT_ID__KEV_APIC_ACCEPT_IRQ:
		p->kind = PLOT_ACCEPT;
		p->vcpu = (int32_t)kevent_get(k, KEV_F_APICID, vcpu);
		snprintf(p->label, sizeof(p->label), "accept %" PRId64,
			 kevent_get(k, KEV_F_VEC, -1));
		break;
	case KVMREC__KERNEL_EVENT_ID__KEV_EOI:
		p->kind = PLOT_EOI;
		p->vcpu = (int32_t)kevent_get(k, KEV_F_APICID, vcpu);
		v = kevent_get(k, KEV_F_VECTOR, -1);
		if (v < 0)
			snprintf(p->label, sizeof(p->label), "EOI (none)");
		else
			snprintf(p->label, sizeof(p->label), "EOI %" PRId64, v);
		break;
	case KVMREC__KERNEL_EVENT_ID__KEV_INJ_VIRQ:
		p->kind = PLOT_KERNEL;
		snprintf(p->label, sizeof(p->label), "inj_virq %" PRId64,
			 kevent_get(k, KEV_F_IRQ, -1));
		break;
	case KVMREC__KERNEL_EVENT_ID__KEV_APIC:
		p->kind = PLOT_KERNEL;
		snprintf(p->label, sizeof(p->label), "TPR=0x%" PRIx64,
			 (uint64_t)kevent_get(k, KEV_F_VAL, 0));
		break;
	default:
		p->kind = PLOT_KERNEL;
		snprintf(p->label, sizeof(p->label), "%s",
			 k->id ? trace_kevent_name(k->id) : (k->name ? k->name : "kernel"));
		break;
	}
}

static void plot_fill(struct plot_event *p, const struct trace_event *ev)
{
	const Kvmrec__Record *rec = ev->rec;

	memset(p, 0, sizeof(*p));
	p->seq = ev->seq;
	p->ts = ev->ts_ns;
	p->vcpu = ev->vcpu;
	trace_format_short(rec, p->text, sizeof(p->text));
	switch (rec->body_case) {
	case KVMREC__RECORD__BODY_EXIT:
		plot_fill_exit(p, rec->exit);
		break;
	case KVMREC__RECORD__BODY_INJECT:
		p->kind = PLOT_INJECT;
		if (rec->inject->kind == KVMREC__INJECT_KIND__INJECT_INTERRUPT)
			snprintf(p->label, sizeof(p->label), "KVM_INTERRUPT %u", rec->inject->vector);
		else
			snprintf(p->label, sizeof(p->label), "%.*s", PLOT_LABEL_MAX - 1, p->text);
		break;
	case KVMREC__RECORD__BODY_LAPIC:
		plot_fill_lapic(p, rec->lapic);
		break;
	case KVMREC__RECORD__BODY_KEVENT:
		plot_fill_kevent(p, rec->kevent, ev->vcpu);
		break;
	case KVMREC__RECORD__BODY_DROP:
		p->kind = PLOT_DROP;
		snprintf(p->label, sizeof(p->label), "DROPPED %" PRIu64, rec->drop->count);
		break;
	default:
		p->kind = PLOT_OTHER;
		snprintf(p->label, sizeof(p->label), "%.*s", PLOT_LABEL_MAX - 1, p->text);
		break;
	}
}

int plot_window_read(const char *path, const struct plot_window_opts *o,
		     struct plot_window *w, char *err, size_t errlen)
{
	unsigned int before = o->before < PLOT_WINDOW_MAX / 2 ? o->before : PLOT_WINDOW_MAX / 2;
	struct plot_event *ring = calloc(before + 1, sizeof(*ring));
	struct trace_reader *r = NULL;
	struct trace_event ev;
	size_t ring_n = 0, ring_head = 0;
	unsigned int after = 0;
	uint64_t start = o->from && o->from < o->around ? o->from : o->around;
	bool collecting = false;
	int ret;

	memset(w, 0, sizeof(*w));
	if (!ring) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	ret = trace_reader_open(path, &r);
	if (ret < 0)
		goto fail;
	while ((ret = trace_reader_next(r, &ev)) > 0) {
		if (!plot_keep(ev.rec, o))
			continue;
		if (!collecting && ev.seq < start) {
			if (before) {
				plot_fill(&ring[ring_head], &ev);
				ring_head = (ring_head + 1) % before;
				if (ring_n < before)
					ring_n++;
			}
			continue;
		}
		if (!collecting) {
			collecting = true;
			for (size_t k = 0; k < ring_n; k++)
				w->ev[w->n++] = ring[(ring_head + before - ring_n + k) % before];
		}
		if (ev.seq >= o->around) {
			w->found = true;
			if (ev.seq > o->around && ++after > o->after)
				break;
		}
		if (w->n == PLOT_WINDOW_MAX) {
			w->cut = true;
			/* Keep the centre: slide the window rather than stop before it. */
			memmove(&w->ev[0], &w->ev[1], (PLOT_WINDOW_MAX - 1) * sizeof(w->ev[0]));
			w->n--;
		}
		plot_fill(&w->ev[w->n++], &ev);
	}
	if (ret < 0) {
		/* Damage after the window does not spoil it: keep what was read. */
		snprintf(w->damage, sizeof(w->damage), "%s", trace_reader_error(r));
		if (!w->found)
			goto fail;
	}
	if (!collecting)
		for (size_t k = 0; k < ring_n; k++)
			w->ev[w->n++] = ring[(ring_head + before - ring_n + k) % before];
	trace_reader_close(r);
	free(ring);
	return 0;
fail:
	trace_reader_explain(r, path, ret, err, errlen);
	trace_reader_close(r);
	free(ring);
	return ret;
}
