// SPDX-License-Identifier: GPL-2.0-only
/*
 * trace_format_short: the short form of an event (trace_format.h), for
 * diff context, plot labels and export names.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "kevent_table.h"
#include "trace_format.h"
#include "trace_names.h"

struct sbuf {
	char *p;
	size_t n, len;
};

static void sb_printf(struct sbuf *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void sb_printf(struct sbuf *s, const char *fmt, ...)
{
	va_list ap;

	if (s->len + 1 >= s->n)
		return;
	va_start(ap, fmt);
	int r = vsnprintf(s->p + s->len, s->n - s->len, fmt, ap);
	va_end(ap);
	if (r < 0)
		return;
	s->len += (size_t)r;
	if (s->len >= s->n)
		s->len = s->n - 1;
}

static void sb_hex(struct sbuf *s, const ProtobufCBinaryData *d)
{
	/* Port and MMIO data are at most 8 bytes; longer (rep) data is cut. */
	size_t n = d->len < 8 ? d->len : 8;

	sb_printf(s, " data ");
	for (size_t i = 0; i < n; i++)
		sb_printf(s, "%02x", d->data[i]);
	if (d->len > n)
		sb_printf(s, "..(%zu bytes)", d->len);
}

size_t trace_format_vec256(const uint32_t *words, size_t nwords, char *buf, size_t n)
{
	struct sbuf s = { buf, n, 0 };
	int first = 1;

	if (!n)
		return 0;
	buf[0] = 0;
	sb_printf(&s, "{");
	for (size_t v = 0; v < nwords * 32 && v < 256; v++) {
		if (!((words[v / 32] >> (v % 32)) & 1))
			continue;
		sb_printf(&s, first ? "%zu" : ",%zu", v);
		first = 0;
	}
	sb_printf(&s, "}");
	return s.len;
}

static void short_exit(struct sbuf *s, const Kvmrec__RunExit *x)
{
	if (x->has_ret && x->ret < 0) {
		sb_printf(s, "KVM_RUN error %d (errno %u), reason %s", x->ret, x->err,
			  trace_exit_reason_name(x->reason));
	} else {
		sb_printf(s, "exit %s", trace_exit_reason_name(x->reason));
	}
	switch (x->payload_case) {
	case KVMREC__RUN_EXIT__PAYLOAD_IO: {
		const Kvmrec__ExitIo *io = x->io;
		sb_printf(s, " %s port 0x%x size %u", io->out ? "out" : "in", io->port, io->size);
		if (io->count != 1)
			sb_printf(s, " count %u", io->count);
		if (io->has_data)
			sb_hex(s, &io->data);
		break;
	}
	case KVMREC__RUN_EXIT__PAYLOAD_MMIO: {
		const Kvmrec__ExitMmio *m = x->mmio;
		sb_printf(s, " %s 0x%" PRIx64 " len %u", m->write ? "write" : "read", m->addr, m->len);
		if (m->has_data)
			sb_hex(s, &m->data);
		break;
	}
	case KVMREC__RUN_EXIT__PAYLOAD_TPR_ACCESS:
		sb_printf(s, " %s rip 0x%" PRIx64, x->tpr_access->write ? "write" : "read",
			  x->tpr_access->rip);
		break;
	case KVMREC__RUN_EXIT__PAYLOAD_EOI:
		sb_printf(s, " vector %u", x->eoi->vector);
		break;
	case KVMREC__RUN_EXIT__PAYLOAD_SYSTEM_EVENT:
		sb_printf(s, " type %u", x->system_event->type);
		break;
	case KVMREC__RUN_EXIT__PAYLOAD_INTERNAL:
		sb_printf(s, " suberror %u", x->internal->suberror);
		break;
	case KVMREC__RUN_EXIT__PAYLOAD_FAIL_ENTRY:
		sb_printf(s, " hw reason 0x%" PRIx64, x->fail_entry->reason);
		break;
	case KVMREC__RUN_EXIT__PAYLOAD_HYPERCALL:
		sb_printf(s, " nr %" PRIu64, x->hypercall->nr);
		break;
	case KVMREC__RUN_EXIT__PAYLOAD_DEBUG:
		sb_printf(s, " exception %u pc 0x%" PRIx64, x->debug->exception, x->debug->pc);
		break;
	case KVMREC__RUN_EXIT__PAYLOAD_MSR:
		sb_printf(s, " msr 0x%x data 0x%" PRIx64, x->msr->index, x->msr->data);
		break;
	case KVMREC__RUN_EXIT__PAYLOAD_RAW:
		sb_printf(s, " (%zu raw bytes)", x->raw.len);
		break;
	default:
		break;
	}
	if (x->flags & KVMREC__RUN_FLAG__RUN_REQUEST_IRQ_WINDOW)
		sb_printf(s, " [asked irq window]");
	if (x->flags & KVMREC__RUN_FLAG__RUN_IMMEDIATE_EXIT)
		sb_printf(s, " [immediate_exit]");
	if (x->flags & KVMREC__RUN_FLAG__RUN_READY_FOR_INJECTION)
		sb_printf(s, " [ready]");
	if (x->flags & KVMREC__RUN_FLAG__RUN_IF_FLAG)
		sb_printf(s, " [IF]");
	if (x->has_cr8 && x->cr8)
		sb_printf(s, " cr8 %" PRIu64, x->cr8);
}

static void short_inject(struct sbuf *s, const Kvmrec__Injection *in)
{
	switch (in->kind) {
	case KVMREC__INJECT_KIND__INJECT_INTERRUPT:
		sb_printf(s, "KVM_INTERRUPT vector %u", in->vector);
		break;
	case KVMREC__INJECT_KIND__INJECT_NMI:
		sb_printf(s, "KVM_NMI");
		break;
	case KVMREC__INJECT_KIND__INJECT_IRQ_LINE:
		sb_printf(s, "KVM_IRQ_LINE gsi %u level %u", in->gsi, in->level);
		break;
	case KVMREC__INJECT_KIND__INJECT_IRQ_LINE_STATUS:
		sb_printf(s, "KVM_IRQ_LINE_STATUS gsi %u level %u status %d", in->gsi,
			  in->level, in->status);
		break;
	case KVMREC__INJECT_KIND__INJECT_SIGNAL_MSI:
		sb_printf(s, "KVM_SIGNAL_MSI addr 0x%" PRIx64 " data 0x%x (vector %u)",
			  in->msi_addr, in->msi_data, in->msi_data & 0xff);
		break;
	default:
		sb_printf(s, "inject %s", trace_inject_kind_name(in->kind));
		break;
	}
	if (in->has_ret && in->ret < 0)
		sb_printf(s, " failed (errno %u)", in->err);
}

static void short_lapic(struct sbuf *s, const Kvmrec__LapicSync *l)
{
	char v[128];

	sb_printf(s, "%s", l->set ? "KVM_SET_LAPIC" : "KVM_GET_LAPIC");
	if (l->has_ret && l->ret < 0) {
		sb_printf(s, " failed (errno %u)", l->err);
		return;
	}
	sb_printf(s, " tpr 0x%x", l->tpr);
	trace_format_vec256(l->irr, l->n_irr, v, sizeof(v));
	sb_printf(s, " irr %s", v);
	trace_format_vec256(l->isr, l->n_isr, v, sizeof(v));
	sb_printf(s, " isr %s", v);
}

static void short_kevent(struct sbuf *s, const Kvmrec__KernelEvent *k)
{
	if (k->id == KVMREC__KERNEL_EVENT_ID__KEV_UNKNOWN) {
		sb_printf(s, "%s", k->name ? k->name : "kernel event");
		for (size_t i = 0; i < k->n_fields; i++) {
			const Kvmrec__KernelField *f = k->fields[i];
			if (f->text)
				sb_printf(s, " %s=%s", f->name ? f->name : "?", f->text);
			else
				sb_printf(s, " %s=%" PRId64, f->name ? f->name : "?", f->value);
		}
		return;
	}
	struct kevent_arg a;

	sb_printf(s, "%s", trace_kevent_name(k->id));
	if (k->exit_name && *k->exit_name)
		sb_printf(s, " %s", k->exit_name);
	/* A newer recorder may give more args than this reader has names for. */
	for (size_t i = 0; kevent_arg_at(k, i, &a); i++) {
		const char *name = a.field != KEV_F_NR ? kevent_field_name(a.field) : "arg";

		/* Registers, ports and addresses read better in hex. */
		if (kevent_field_hex(a.field))
			sb_printf(s, " %s 0x%" PRIx64, name, (uint64_t)a.value);
		else
			sb_printf(s, " %s %" PRId64, name, a.value);
		if (a.field == KEV_F_REG) {
			const char *r = trace_lapic_reg_name((uint32_t)a.value);
			if (*r)
				sb_printf(s, "(%s)", r);
		}
	}
}

static void short_setup(struct sbuf *s, const Kvmrec__VmSetup *v)
{
	sb_printf(s, "setup %s", trace_setup_kind_name(v->kind));
	if (v->has_cap)
		sb_printf(s, " cap %u", v->cap);
	for (size_t i = 0; i < v->n_args && i < 4; i++)
		sb_printf(s, " 0x%" PRIx64, v->args[i]);
	if (v->n_routes)
		sb_printf(s, " %zu routes", v->n_routes);
	if (v->has_ret)
		sb_printf(s, " = %" PRId64, v->ret);
}

static void short_vcpu_events(struct sbuf *s, const Kvmrec__VcpuEvents *e)
{
	sb_printf(s, "%s", e->set ? "KVM_SET_VCPU_EVENTS" : "KVM_GET_VCPU_EVENTS");
	if (e->interrupt_injected)
		sb_printf(s, " interrupt %u", e->interrupt_nr);
	if (e->nmi_injected)
		sb_printf(s, " nmi");
	if (e->nmi_pending)
		sb_printf(s, " nmi-pending");
	if (e->exception_injected)
		sb_printf(s, " exception %u", e->exception_nr);
}

const char *trace_format_kind(const Kvmrec__Record *rec)
{
	const char *kind = trace_body_kind_name(rec->body_case);

	return strcmp(kind, "unknown") ? kind : "empty";
}

size_t trace_format_short(const Kvmrec__Record *rec, char *buf, size_t n)
{
	struct sbuf s = { buf, n, 0 };

	if (!n)
		return 0;
	buf[0] = 0;
	switch (rec->body_case) {
	case KVMREC__RECORD__BODY_EXIT:
		short_exit(&s, rec->exit);
		break;
	case KVMREC__RECORD__BODY_INJECT:
		short_inject(&s, rec->inject);
		break;
	case KVMREC__RECORD__BODY_LAPIC:
		short_lapic(&s, rec->lapic);
		break;
	case KVMREC__RECORD__BODY_KEVENT:
		short_kevent(&s, rec->kevent);
		break;
	case KVMREC__RECORD__BODY_VCPU_EVENTS:
		short_vcpu_events(&s, rec->vcpu_events);
		break;
	case KVMREC__RECORD__BODY_SETUP:
		short_setup(&s, rec->setup);
		break;
	case KVMREC__RECORD__BODY_NOTE:
		sb_printf(&s, "note %s: %s", rec->note->key ? rec->note->key : "",
			  rec->note->text ? rec->note->text : "");
		break;
	case KVMREC__RECORD__BODY_DROP:
		sb_printf(&s, "DROPPED %" PRIu64 " records: %s", rec->drop->count,
			  rec->drop->what ? rec->drop->what : "");
		break;
	default:
		sb_printf(&s, "%s", trace_format_kind(rec));
		break;
	}
	/* Serial output and imported names may hold control characters. */
	for (size_t i = 0; i < s.len; i++)
		if ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f)
			buf[i] = ' ';
	return s.len;
}

size_t trace_format_label(const Kvmrec__Record *rec, char *buf, size_t n)
{
	trace_format_short(rec, buf, n);
	char *sp = strchr(buf, ' ');
	/* "setup irqfd ..." names itself by its first two words. */
	if (sp && rec->body_case == KVMREC__RECORD__BODY_SETUP)
		sp = strchr(sp + 1, ' ');
	if (sp)
		*sp = 0;
	return strlen(buf);
}
