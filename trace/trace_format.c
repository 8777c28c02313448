// SPDX-License-Identifier: GPL-2.0-only
/* trace_format: events as `trace-cmd report`-like text lines. */
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "kevent_table.h"
#include "lapic_sync.h"
#include "trace_format.h"
#include "trace_names.h"

static void put_vector(FILE *f, const char *key, uint32_t v)
{
	fprintf(f, " %s=0x%x (%u)", key, v, v);
}

static void put_errno(FILE *f, int has_ret, int64_t ret, uint32_t err)
{
	const char *name;

	if (has_ret)
		fprintf(f, " ret=%" PRId64, ret);
	if (err) {
		name = strerrorname_np((int)err);
		fprintf(f, " errno=%u (%s)", err, name ? name : "?");
	}
}

/* Bytes the guest moved: as a little-endian number when they fit one, else hex. */
static void put_data(FILE *f, const char *key, ProtobufCBinaryData d)
{
	uint64_t v = 0;

	if (d.len && d.len <= 8) {
		for (size_t i = 0; i < d.len; i++)
			v |= (uint64_t)d.data[i] << (8 * i);
		fprintf(f, " %s=0x%0*" PRIx64, key, (int)d.len * 2, v);
		return;
	}
	fprintf(f, " %s=", key);
	for (size_t i = 0; i < d.len; i++)
		fprintf(f, "%02x", d.data[i]);
	if (!d.len)
		fputs("\"\"", f);
}

static void put_u64s(FILE *f, const char *key, size_t n, const uint64_t *v)
{
	fprintf(f, " %s=[", key);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s0x%" PRIx64, i ? " " : "", v[i]);
	fputc(']', f);
}

/* Strings from a trace may hold anything: quote them, escape the unprintable. */
static void put_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void put_vec256(FILE *f, const char *key, size_t n, const uint32_t *w)
{
	bool first = true;

	fprintf(f, " %s=[", key);
	for (size_t i = 0; i < n && i < 8; i++)
		for (unsigned int b = 0; b < 32; b++)
			if (w[i] >> b & 1) {
				unsigned int v = (unsigned int)i * 32 + b;

				fprintf(f, "%s0x%x (%u)", first ? "" : " ", v, v);
				first = false;
			}
	fputc(']', f);
}

/* What the exit reason's part of kvm_run held. */
static void format_exit_payload(FILE *f, const Kvmrec__RunExit *e)
{
	switch (e->payload_case) {
	case KVMREC__RUN_EXIT__PAYLOAD_IO:
		fprintf(f, " %s port=0x%x size=%u", e->io->out ? "out" : "in", e->io->port, e->io->size);
		if (e->io->count != 1)
			fprintf(f, " count=%u", e->io->count);
		if (e->io->has_data)
			put_data(f, "data", e->io->data);
		break;
	case KVMREC__RUN_EXIT__PAYLOAD_MMIO:
		fprintf(f, " %s addr=0x%" PRIx64 " len=%u", e->mmio->write ? "write" : "read",
			e->mmio->addr, e->mmio->len);
		if (e->mmio->has_data)
			put_data(f, "data", e->mmio->data);
		if ((e->mmio->addr & ~0xfffull) == 0xfee00000ull && *trace_lapic_reg_name(e->mmio->addr & 0xff0))
			fprintf(f, " (%s)", trace_lapic_reg_name(e->mmio->addr & 0xff0));
		break;
	case KVMREC__RUN_EXIT__PAYLOAD_TPR_ACCESS:
		fprintf(f, " %s rip=0x%" PRIx64, e->tpr_access->write ? "write" : "read", e->tpr_access->rip);
		break;
	case KVMREC__RUN_EXIT__PAYLOAD_EOI:
		put_vector(f, "vector", e->eoi->vector);
		break;
	case KVMREC__RUN_EXIT__PAYLOAD_SYSTEM_EVENT:
		fprintf(f, " type=%u", e->system_event->type);
		put_u64s(f, "data", e->system_event->n_data, e->system_event->data);
		break;
	case KVMREC__RUN_EXIT__PAYLOAD_INTERNAL:
		fprintf(f, " suberror=%u", e->internal->suberror);
		put_u64s(f, "data", e->internal->n_data, e->internal->data);
		break;
	case KVMREC__RUN_EXIT__PAYLOAD_FAIL_ENTRY:
		fprintf(f, " hardware_entry_failure_reason=0x%" PRIx64 " cpu=%u",
			e->fail_entry->reason, e->fail_entry->cpu);
		break;
	case KVMREC__RUN_EXIT__PAYLOAD_HYPERCALL:
		fprintf(f, " nr=%" PRIu64, e->hypercall->nr);
		put_u64s(f, "args", e->hypercall->n_args, e->hypercall->args);
		fprintf(f, " ret=0x%" PRIx64, e->hypercall->ret);
		break;
	case KVMREC__RUN_EXIT__PAYLOAD_DEBUG:
		fprintf(f, " exception=%u pc=0x%" PRIx64 " dr6=0x%" PRIx64 " dr7=0x%" PRIx64,
			e->debug->exception, e->debug->pc, e->debug->dr6, e->debug->dr7);
		break;
	case KVMREC__RUN_EXIT__PAYLOAD_MSR:
		fprintf(f, " index=0x%x data=0x%" PRIx64 " error=%u reason=%u", e->msr->index,
			e->msr->data, e->msr->error, e->msr->reason);
		break;
	case KVMREC__RUN_EXIT__PAYLOAD_RAW:
		put_data(f, "raw", e->raw);
		break;
	default:
		break;
	}
}

/* The kvm_run fields around the exit: flags, CR8, APIC base, timing, result. */
static void format_exit_state(FILE *f, const Kvmrec__RunExit *e)
{
	if (e->flags & KVMREC__RUN_FLAG__RUN_REQUEST_IRQ_WINDOW)
		fputs(" req_irq_window", f);
	if (e->flags & KVMREC__RUN_FLAG__RUN_IMMEDIATE_EXIT)
		fputs(" immediate_exit", f);
	if (e->flags & KVMREC__RUN_FLAG__RUN_READY_FOR_INJECTION)
		fputs(" ready", f);
	if (e->flags & KVMREC__RUN_FLAG__RUN_IF_FLAG)
		fputs(" if", f);
	if (e->flags & ~0xfu)
		fprintf(f, " flags=0x%x", e->flags);
	if (e->has_cr8)
		fprintf(f, " cr8=0x%" PRIx64, e->cr8);
	if (e->has_cr8_in)
		fprintf(f, " cr8_in=0x%" PRIx64, e->cr8_in);
	if (e->has_apic_base)
		fprintf(f, " apic_base=0x%" PRIx64, e->apic_base);
	if (e->has_run_flags)
		fprintf(f, " run_flags=0x%x", e->run_flags);
	if (e->has_run_ns)
		fprintf(f, " run_ns=%" PRIu64, e->run_ns);
	if (e->has_ret || e->err)
		put_errno(f, 1, e->ret, e->err);
}

static void format_exit(FILE *f, const Kvmrec__RunExit *e)
{
	const char *name = trace_exit_reason_name(e->reason);

	if (strcmp(name, "?"))
		fprintf(f, " %s", name);
	else
		fprintf(f, " reason=%u", e->reason);
	format_exit_payload(f, e);
	format_exit_state(f, e);
}

static void format_inject(FILE *f, const Kvmrec__Injection *in)
{
	fprintf(f, " %s", trace_inject_kind_name(in->kind));
	switch (in->kind) {
	case KVMREC__INJECT_KIND__INJECT_INTERRUPT:
		if (in->has_vector)
			put_vector(f, "vector", in->vector);
		else
			fputs(" arg=unreadable", f);
		break;
	case KVMREC__INJECT_KIND__INJECT_IRQ_LINE_STATUS:
	case KVMREC__INJECT_KIND__INJECT_IRQ_LINE:
		/* A call whose argument the kernel could not read is recorded without it. */
		if (!in->has_gsi) {
			fputs(" arg=unreadable", f);
			break;
		}
		fprintf(f, " gsi=%u level=%u", in->gsi, in->level);
		if (in->has_status)
			fprintf(f, " status=%d", in->status);
		break;
	case KVMREC__INJECT_KIND__INJECT_SIGNAL_MSI:
		if (!in->has_msi_addr) {
			fputs(" arg=unreadable", f);
			break;
		}
		fprintf(f, " addr=0x%" PRIx64 " data=0x%x flags=0x%x devid=0x%x", in->msi_addr,
			in->msi_data, in->msi_flags, in->msi_devid);
		if (in->msi_data & 0xff)
			put_vector(f, "vector", in->msi_data & 0xff);
		break;
	default:
		if (in->has_vector)
			put_vector(f, "vector", in->vector);
		break;
	}
	put_errno(f, 1, in->ret, in->err);
}

static void format_lapic(FILE *f, const Kvmrec__LapicSync *ls)
{
	static const char *const lvt_names[] = { "LVTT", "LVTTHMR", "LVTPC", "LVT0", "LVT1", "LVTERR" };
	struct lapic_sync_words words;
	Kvmrec__LapicSync dec;

	/* A sync with only the page still shows its registers. */
	if (!ls->n_irr && ls->has_regs && ls->regs.len >= 1024) {
		dec = *ls;
		lapic_sync_decode(&dec, ls->regs.data, ls->regs.len, &words);
		ls = &dec;
	}
	fputs(ls->set ? " set" : " get", f);
	put_vec256(f, "irr", ls->n_irr, ls->irr);
	put_vec256(f, "isr", ls->n_isr, ls->isr);
	put_vec256(f, "tmr", ls->n_tmr, ls->tmr);
	if (ls->has_tpr)
		fprintf(f, " TPR=0x%02x", ls->tpr);
	if (ls->has_ppr)
		fprintf(f, " PPR=0x%02x", ls->ppr);
	if (ls->has_id)
		fprintf(f, " ID=0x%x", ls->id);
	if (ls->has_spiv)
		fprintf(f, " SPIV=0x%x", ls->spiv);
	for (size_t i = 0; i < ls->n_lvt; i++) {
		if (i < 6)
			fprintf(f, " %s=0x%x", lvt_names[i], ls->lvt[i]);
		else
			fprintf(f, " LVT%zu=0x%x", i, ls->lvt[i]);
	}
	if (ls->has_icr_lo)
		fprintf(f, " ICR_LO=0x%x", ls->icr_lo);
	if (ls->has_icr_hi)
		fprintf(f, " ICR_HI=0x%x", ls->icr_hi);
	if (ls->has_regs)
		fprintf(f, " regs=%zuB", ls->regs.len);
	put_errno(f, ls->has_ret, ls->ret, ls->err);
}

static void format_kevent(FILE *f, const Kvmrec__KernelEvent *k)
{
	struct kevent_arg a;

	if (!kevent_desc(k->id)) {
		fputc(' ', f);
		if (k->name)
			put_str(f, k->name);
		else
			fprintf(f, "id=%d", (int)k->id);
	} else {
		fprintf(f, " %s", trace_kevent_name(k->id));
	}
	for (size_t i = 0; kevent_arg_at(k, i, &a); i++) {
		if (a.field != KEV_F_NR)
			fprintf(f, " %s=", kevent_field_name(a.field));
		else
			fprintf(f, " arg%zu=", i);
		/* Registers and addresses read best in hex; small numbers in decimal. */
		if (a.value > 255 || a.value < -1)
			fprintf(f, "0x%" PRIx64, (uint64_t)a.value);
		else
			fprintf(f, "%" PRId64, a.value);
		if (a.field == KEV_F_REG && *trace_lapic_reg_name((uint32_t)a.value))
			fprintf(f, " (%s)", trace_lapic_reg_name((uint32_t)a.value));
		if (a.field == KEV_F_REASON)
			fprintf(f, " (%s)", trace_exit_reason_name((uint32_t)a.value));
	}
	for (size_t i = 0; i < k->n_fields; i++) {
		const Kvmrec__KernelField *kf = k->fields[i];

		fputc(' ', f);
		fputs(kf->name ? kf->name : "?", f);
		fputc('=', f);
		if (kf->text)
			put_str(f, kf->text);
		else
			fprintf(f, "%" PRId64, kf->value);
	}
	if (k->exit_name) {
		fputs(" exit_name=", f);
		put_str(f, k->exit_name);
	}
	if (k->has_cpu)
		fprintf(f, " cpu=%u", k->cpu);
}

static void format_vcpu_events(FILE *f, const Kvmrec__VcpuEvents *v)
{
	fputs(v->set ? " set" : " get", f);
	if (v->exception_injected)
		fprintf(f, " exception=%u", v->exception_nr);
	if (v->exception_has_error)
		fprintf(f, " error_code=0x%x", v->exception_error);
	if (v->interrupt_injected) {
		put_vector(f, "interrupt", v->interrupt_nr);
		if (v->interrupt_soft)
			fputs(" soft", f);
	}
	if (v->interrupt_shadow)
		fprintf(f, " shadow=%u", v->interrupt_shadow);
	if (v->nmi_injected)
		fputs(" nmi_injected", f);
	if (v->nmi_pending)
		fputs(" nmi_pending", f);
	if (v->nmi_masked)
		fputs(" nmi_masked", f);
	if (v->has_sipi_vector)
		put_vector(f, "sipi", v->sipi_vector);
	if (v->has_flags)
		fprintf(f, " flags=0x%x", v->flags);
	if (v->has_raw)
		fprintf(f, " raw=%zuB", v->raw.len);
	put_errno(f, v->has_ret, v->ret, v->err);
}

static void format_setup(FILE *f, const Kvmrec__VmSetup *s)
{
	fprintf(f, " %s", trace_setup_kind_name(s->kind));
	if (s->has_cap) {
		fprintf(f, " cap=%u", s->cap);
		if (*trace_cap_name(s->cap))
			fprintf(f, " (%s)", trace_cap_name(s->cap));
	}
	if (s->n_args)
		put_u64s(f, "args", s->n_args, s->args);
	if (s->has_flags)
		fprintf(f, " flags=0x%x", s->flags);
	if (s->n_routes) {
		fputs(" routes=[", f);
		for (size_t i = 0; i < s->n_routes; i++) {
			const Kvmrec__GsiRoute *r = s->routes[i];

			fprintf(f, "%sgsi%u:", i ? " " : "", r->gsi);
			if (r->type == 2)  /* KVM_IRQ_ROUTING_MSI */
				fprintf(f, "msi(0x%" PRIx64 ",0x%x)", r->msi_addr, r->msi_data);
			else if (r->type == 1)  /* KVM_IRQ_ROUTING_IRQCHIP */
				fprintf(f, "irqchip%u.%u", r->irqchip, r->pin);
			else
				fprintf(f, "type%u", r->type);
			if (r->flags)
				fprintf(f, "/0x%x", r->flags);
		}
		fputc(']', f);
	}
	put_errno(f, s->has_ret, s->ret, s->err);
}

void trace_format_body(FILE *f, const Kvmrec__Record *rec)
{
	fputs(trace_body_kind_name(rec->body_case), f);
	switch (rec->body_case) {
	case KVMREC__RECORD__BODY_EXIT:
		format_exit(f, rec->exit);
		break;
	case KVMREC__RECORD__BODY_INJECT:
		format_inject(f, rec->inject);
		break;
	case KVMREC__RECORD__BODY_LAPIC:
		format_lapic(f, rec->lapic);
		break;
	case KVMREC__RECORD__BODY_KEVENT:
		format_kevent(f, rec->kevent);
		break;
	case KVMREC__RECORD__BODY_VCPU_EVENTS:
		format_vcpu_events(f, rec->vcpu_events);
		break;
	case KVMREC__RECORD__BODY_SETUP:
		format_setup(f, rec->setup);
		break;
	case KVMREC__RECORD__BODY_NOTE:
		fputc(' ', f);
		fputs(rec->note->key ? rec->note->key : "", f);
		fputs(": ", f);
		put_str(f, rec->note->text);
		break;
	case KVMREC__RECORD__BODY_DROP:
		fprintf(f, " count=%" PRIu64 " what=", rec->drop->count);
		put_str(f, rec->drop->what);
		break;
	default:
		fprintf(f, " (a record kind %u this kvmrec does not know)", (unsigned int)rec->body_case);
		break;
	}
}

void trace_format_event(FILE *f, const struct trace_event *ev)
{
	fprintf(f, "%8" PRIu64 " %6" PRIu64 ".%06" PRIu64 " ", ev->seq, ev->ts_ns / 1000000000u,
		ev->ts_ns % 1000000000u / 1000u);
	if (ev->vcpu == TRACE_VCPU_NONE)
		fputs("vm   ", f);
	else
		fprintf(f, "cpu%-2d", ev->vcpu);
	fprintf(f, " %6u ", ev->tid);
	trace_format_body(f, ev->rec);
	fputc('\n', f);
}

static void put_strv(FILE *f, const char *key, size_t n, char **v)
{
	if (!n)
		return;
	fprintf(f, "# %s:", key);
	for (size_t i = 0; i < n; i++) {
		fputc(' ', f);
		put_str(f, v[i]);
	}
	fputc('\n', f);
}

static void put_kv(FILE *f, const char *key, const char *v)
{
	if (!v)
		return;
	fprintf(f, "# %s: ", key);
	put_str(f, v);
	fputc('\n', f);
}

void trace_format_header(FILE *f, const Kvmrec__Header *h)
{
	fprintf(f, "# format: %u.%u\n", h->format_major, h->format_minor);
	if (h->has_trace_id)
		fprintf(f, "# trace_id: %016" PRIx64 "\n", h->trace_id);
	put_kv(f, "kvmrec_version", h->kvmrec_version);
	put_kv(f, "recorder", h->recorder);
	put_kv(f, "source", h->source);
	put_kv(f, "host_kernel", h->host_kernel);
	put_kv(f, "cpu_vendor", h->cpu_vendor);
	if (h->has_kvm_api_version)
		fprintf(f, "# kvm_api_version: %d\n", h->kvm_api_version);
	put_strv(f, "vmm_argv", h->n_vmm_argv, h->vmm_argv);
	if (h->has_vmm_pid)
		fprintf(f, "# vmm_pid: %u\n", h->vmm_pid);
	if (h->has_mid_run && h->mid_run)
		fprintf(f, "# mid_run: attached to a running VMM; what happened before start_ns is not in the trace\n");
	put_kv(f, "clock", h->clock);
	if (h->has_start_ns)
		fprintf(f, "# start_ns: %" PRIu64 "\n", h->start_ns);
	if (h->has_wall_start_unix_ns)
		fprintf(f, "# wall_start_unix_ns: %" PRIu64 "\n", h->wall_start_unix_ns);
	if (h->n_caps) {
		fputs("# caps:", f);
		for (size_t i = 0; i < h->n_caps; i++) {
			const char *name = trace_cap_name(h->caps[i]->cap);

			fprintf(f, " %s%s%u=%" PRId64, name, *name ? ":" : "", h->caps[i]->cap,
				h->caps[i]->value);
		}
		fputc('\n', f);
	}
	put_strv(f, "kernel_events_available", h->n_kernel_events_available, h->kernel_events_available);
	put_strv(f, "kernel_events_enabled", h->n_kernel_events_enabled, h->kernel_events_enabled);
	put_kv(f, "kernel_events_note", h->kernel_events_note);
}

void trace_format_footer(FILE *f, const Kvmrec__Footer *ft)
{
	fprintf(f, "# footer: events=%" PRIu64 " first_seq=%" PRIu64 " last_seq=%" PRIu64
		" dropped=%" PRIu64 " kernel_lost=%" PRIu64 " ring_stalls=%" PRIu64,
		ft->events, ft->first_seq, ft->last_seq, ft->dropped, ft->kernel_lost, ft->ring_stalls);
	if (ft->has_vmm_status)
		fprintf(f, " vmm_status=%d", ft->vmm_status);
	if (ft->end_reason) {
		fputs(" end_reason=", f);
		put_str(f, ft->end_reason);
	}
	fputc('\n', f);
	for (size_t i = 0; i < ft->n_counts; i++)
		fprintf(f, "# count %s: %" PRIu64 "\n", trace_body_kind_name(ft->counts[i]->kind),
			ft->counts[i]->count);
}
