// SPDX-License-Identifier: GPL-2.0-only
/* stream: every kind of trace event, reproducibly, from an index. */
#include <string.h>
#include <stdio.h>

#include "stream.h"
#include "trace_writer.h"

static uint64_t mix(uint64_t x)
{
	/* splitmix64: one multiply-xorshift chain, enough to scatter field values. */
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static void exit_payload(struct synth_stream *s, unsigned int k, uint64_t h)
{
	Kvmrec__RunExit *e = &s->exit;

	switch (k) {
	case 0:
		kvmrec__exit_io__init(&s->io);
		e->reason = 2;
		s->io.has_out = 1;
		s->io.out = h & 1;
		s->io.has_size = 1;
		s->io.size = 1u << (h >> 1 & 3) % 3;
		s->io.has_port = 1;
		s->io.port = (h >> 8) & 0xffff;
		s->io.has_data = 1;
		s->io.data.len = s->io.size;
		s->io.data.data = s->bytes;
		if (h & 0x100000) {
			s->io.has_count = 1;
			s->io.count = 1 + (h >> 24 & 7);
		}
		e->payload_case = KVMREC__RUN_EXIT__PAYLOAD_IO;
		e->io = &s->io;
		break;
	case 1:
		kvmrec__exit_mmio__init(&s->mmio);
		e->reason = 6;
		s->mmio.has_addr = 1;
		s->mmio.addr = 0xfee00000 + (h & 0x3f0);
		s->mmio.has_len = 1;
		s->mmio.len = 4;
		s->mmio.has_write = 1;
		s->mmio.write = h >> 12 & 1;
		s->mmio.has_data = 1;
		s->mmio.data.len = 4;
		s->mmio.data.data = s->bytes + 8;
		e->payload_case = KVMREC__RUN_EXIT__PAYLOAD_MMIO;
		e->mmio = &s->mmio;
		break;
	case 2:
		kvmrec__exit_tpr_access__init(&s->tpr);
		e->reason = 12;
		s->tpr.has_rip = 1;
		s->tpr.rip = 0x100000 + (h & 0xfff);
		s->tpr.has_write = 1;
		s->tpr.write = h >> 20 & 1;
		e->payload_case = KVMREC__RUN_EXIT__PAYLOAD_TPR_ACCESS;
		e->tpr_access = &s->tpr;
		break;
	case 3:
		kvmrec__exit_ioapic_eoi__init(&s->eoi);
		e->reason = 26;
		s->eoi.has_vector = 1;
		s->eoi.vector = 32 + (h & 0xbf);
		e->payload_case = KVMREC__RUN_EXIT__PAYLOAD_EOI;
		e->eoi = &s->eoi;
		break;
	case 4:
		kvmrec__exit_system_event__init(&s->sysev);
		e->reason = 24;
		s->sysev.has_type = 1;
		s->sysev.type = 1 + (h & 3);
		s->sysev.n_data = h >> 4 & 3;
		s->sysev.data = s->u64;
		e->payload_case = KVMREC__RUN_EXIT__PAYLOAD_SYSTEM_EVENT;
		e->system_event = &s->sysev;
		break;
	case 5:
		kvmrec__exit_internal__init(&s->internal);
		e->reason = 17;
		s->internal.has_suberror = 1;
		s->internal.suberror = 1 + (h & 3);
		s->internal.n_data = 1 + (h >> 4 & 3);
		s->internal.data = s->u64 + 1;
		e->payload_case = KVMREC__RUN_EXIT__PAYLOAD_INTERNAL;
		e->internal = &s->internal;
		break;
	case 6:
		kvmrec__exit_fail_entry__init(&s->fail);
		e->reason = 9;
		s->fail.has_reason = 1;
		s->fail.reason = h & 0xffff;
		s->fail.has_cpu = 1;
		s->fail.cpu = h >> 16 & 1;
		e->payload_case = KVMREC__RUN_EXIT__PAYLOAD_FAIL_ENTRY;
		e->fail_entry = &s->fail;
		break;
	case 7:
		kvmrec__exit_hypercall__init(&s->hcall);
		e->reason = 3;
		s->hcall.has_nr = 1;
		s->hcall.nr = h & 15;
		s->hcall.n_args = 6;
		s->hcall.args = s->u64 + 2;
		s->hcall.has_ret = 1;
		s->hcall.ret = h >> 40;
		e->payload_case = KVMREC__RUN_EXIT__PAYLOAD_HYPERCALL;
		e->hypercall = &s->hcall;
		break;
	case 8:
		kvmrec__exit_debug__init(&s->debug);
		e->reason = 4;
		s->debug.has_exception = 1;
		s->debug.exception = 1 + (h & 2);
		s->debug.has_pc = 1;
		s->debug.pc = h >> 16;
		s->debug.has_dr6 = 1;
		s->debug.dr6 = 0xffff0ff0;
		s->debug.has_dr7 = 1;
		s->debug.dr7 = 0x400;
		e->payload_case = KVMREC__RUN_EXIT__PAYLOAD_DEBUG;
		e->debug = &s->debug;
		break;
	case 9:
		kvmrec__exit_msr__init(&s->msr);
		e->reason = 29 + (h & 1);
		s->msr.has_index = 1;
		s->msr.index = 0x800 + (h >> 4 & 0xff);
		s->msr.has_data = 1;
		s->msr.data = h >> 8;
		s->msr.has_reason = 1;
		s->msr.reason = 1;
		e->payload_case = KVMREC__RUN_EXIT__PAYLOAD_MSR;
		e->msr = &s->msr;
		break;
	case 10:
		e->reason = 37;
		e->payload_case = KVMREC__RUN_EXIT__PAYLOAD_RAW;
		e->raw.len = 8 + (h & 63);
		e->raw.data = s->bytes + 64;
		break;
	default:
		/* No payload: HLT, IRQ_WINDOW_OPEN, INTR, a failed KVM_RUN. */
		e->reason = (h & 1) ? 7 : 5;
		if ((h & 6) == 6) {
			e->reason = 10;
			e->has_ret = 1;
			e->ret = -1;
			e->has_err = 1;
			e->err = 4;
		}
		break;
	}
}

static void fill_exit(struct synth_stream *s, unsigned int k, uint64_t h)
{
	Kvmrec__RunExit *e = &s->exit;

	kvmrec__run_exit__init(e);
	e->has_reason = 1;
	e->has_flags = 1;
	e->flags = h >> 50 & 15;
	if (h & 0x10) {
		e->has_cr8 = 1;
		e->cr8 = h >> 60;
	}
	if ((h & 0x60) == 0x60) {
		e->has_run_ns = 1;
		e->run_ns = 2000 + (h >> 32 & 0xfff);
		e->has_apic_base = 1;
		e->apic_base = 0xfee00900;
		e->has_run_flags = 1;
		e->run_flags = 0;
		e->has_cr8_in = 1;
		e->cr8_in = 15;
	}
	exit_payload(s, k, h);
	s->rec.body_case = KVMREC__RECORD__BODY_EXIT;
	s->rec.exit = e;
}

static void fill_other(struct synth_stream *s, unsigned int k, uint64_t h)
{
	Kvmrec__Record *r = &s->rec;

	switch (k) {
	case 0:
		kvmrec__injection__init(&s->inj);
		s->inj.has_kind = 1;
		s->inj.kind = 1 + h % 5;
		s->inj.has_vector = 1;
		s->inj.vector = 32 + (h >> 8 & 0xbf);
		s->inj.has_gsi = 1;
		s->inj.gsi = h >> 16 & 23;
		s->inj.has_level = 1;
		s->inj.level = h >> 21 & 1;
		if (s->inj.kind == KVMREC__INJECT_KIND__INJECT_SIGNAL_MSI) {
			s->inj.has_msi_addr = s->inj.has_msi_data = 1;
			s->inj.msi_addr = 0xfee00000;
			s->inj.msi_data = s->inj.vector;
			s->inj.has_msi_flags = s->inj.has_msi_devid = 1;
		}
		if (s->inj.kind == KVMREC__INJECT_KIND__INJECT_IRQ_LINE_STATUS) {
			s->inj.has_status = 1;
			s->inj.status = -1 + (int)(h >> 30 & 3);
		}
		s->inj.has_ret = 1;
		s->inj.ret = (h >> 24 & 15) ? 0 : -1;
		s->inj.has_err = s->inj.ret < 0;
		s->inj.err = 22;
		r->body_case = KVMREC__RECORD__BODY_INJECT;
		r->inject = &s->inj;
		break;
	case 1:
		kvmrec__lapic_sync__init(&s->lapic);
		s->lapic.has_set = 1;
		s->lapic.set = h & 1;
		s->lapic.has_regs = 1;
		s->lapic.regs.len = 1024;
		s->lapic.regs.data = s->bytes;
		for (int w = 0; w < 3; w++)
			for (int j = 0; j < 8; j++)
				s->u32[w][j] = (j == (int)(h >> (4 + w) & 7)) ? 1u << (h >> 12 & 31) : 0;
		s->lapic.n_irr = s->lapic.n_isr = s->lapic.n_tmr = 8;
		s->lapic.irr = s->u32[0];
		s->lapic.isr = s->u32[1];
		s->lapic.tmr = s->u32[2];
		s->lapic.has_tpr = s->lapic.has_ppr = s->lapic.has_id = s->lapic.has_spiv = 1;
		s->lapic.tpr = h >> 20 & 0xf0;
		s->lapic.ppr = s->lapic.tpr;
		s->lapic.id = (h >> 28 & 3) << 24;
		s->lapic.spiv = 0x1ff;
		for (int j = 0; j < 6; j++)
			s->lvt[j] = 0x10000 | (uint32_t)(j + 0x30);
		s->lapic.n_lvt = 6;
		s->lapic.lvt = s->lvt;
		s->lapic.has_icr_lo = s->lapic.has_icr_hi = 1;
		s->lapic.icr_lo = 0x4000 | (uint32_t)(h >> 32 & 0xff);
		r->body_case = KVMREC__RECORD__BODY_LAPIC;
		r->lapic = &s->lapic;
		break;
	case 2:
	case 3:
		kvmrec__kernel_event__init(&s->kev);
		s->kev.has_id = 1;
		s->kev.id = h % 18;
		s->kev.has_cpu = 1;
		s->kev.cpu = h >> 8 & 1;
		if (s->kev.id == KVMREC__KERNEL_EVENT_ID__KEV_UNKNOWN || k == 3) {
			s->kev.id = KVMREC__KERNEL_EVENT_ID__KEV_UNKNOWN;
			s->kev.name = "kvm_fpu";
			for (int j = 0; j < 2; j++) {
				kvmrec__kernel_field__init(&s->kfield[j]);
				s->kfield[j].name = j ? "load" : "vcpu";
				s->kfield[j].has_value = 1;
				s->kfield[j].value = (int64_t)(h >> (8 * j)) & 0xff;
				s->kfieldp[j] = &s->kfield[j];
			}
			s->kfield[1].text = "load";
			s->kev.n_fields = 2;
			s->kev.fields = s->kfieldp;
		} else {
			s->kev.n_args = 1 + h % 7;
			for (int j = 0; j < 8; j++)
				s->s64[j] = (int64_t)(mix(h + j) >> (j * 7)) - (j == 1);
			s->kev.args = s->s64;
			if (s->kev.id == KVMREC__KERNEL_EVENT_ID__KEV_EXIT)
				s->kev.exit_name = "IO_INSTRUCTION";
		}
		r->body_case = KVMREC__RECORD__BODY_KEVENT;
		r->kevent = &s->kev;
		break;
	case 4:
		kvmrec__vcpu_events__init(&s->vev);
		s->vev.has_set = 1;
		s->vev.set = h & 1;
		s->vev.has_exception_injected = s->vev.has_exception_nr = 1;
		s->vev.exception_nr = h >> 4 & 31;
		s->vev.has_interrupt_injected = s->vev.has_interrupt_nr = 1;
		s->vev.interrupt_injected = h >> 9 & 1;
		s->vev.interrupt_nr = 32 + (h >> 10 & 0xbf);
		s->vev.has_nmi_pending = 1;
		s->vev.nmi_pending = h >> 18 & 1;
		s->vev.has_flags = 1;
		s->vev.flags = 0xf;
		s->vev.has_ret = 1;
		s->vev.has_raw = 1;
		s->vev.raw.len = 64;
		s->vev.raw.data = s->bytes + 128;
		r->body_case = KVMREC__RECORD__BODY_VCPU_EVENTS;
		r->vcpu_events = &s->vev;
		break;
	case 5:
		kvmrec__vm_setup__init(&s->setup);
		s->setup.has_kind = 1;
		s->setup.kind = 1 + h % 10;
		s->setup.has_cap = s->setup.kind == KVMREC__SETUP_KIND__SETUP_ENABLE_CAP;
		s->setup.cap = 190;
		s->setup.n_args = h >> 8 & 3;
		s->setup.args = s->u64;
		if (s->setup.kind == KVMREC__SETUP_KIND__SETUP_SET_GSI_ROUTING) {
			for (int j = 0; j < 3; j++) {
				kvmrec__gsi_route__init(&s->route[j]);
				s->route[j].has_gsi = s->route[j].has_type = 1;
				s->route[j].gsi = (uint32_t)j;
				s->route[j].type = 1 + (j == 2);
				s->route[j].has_msi_addr = j == 2;
				s->route[j].msi_addr = 0xfee00000;
				s->routep[j] = &s->route[j];
			}
			s->setup.n_routes = 3;
			s->setup.routes = s->routep;
		}
		s->setup.has_ret = 1;
		s->setup.ret = (int64_t)(h >> 40 & 15);
		r->body_case = KVMREC__RECORD__BODY_SETUP;
		r->setup = &s->setup;
		break;
	case 6:
		kvmrec__annotation__init(&s->note);
		s->note.key = "serial";
		snprintf(s->text, sizeof(s->text), "line %llu", (unsigned long long)(h & 0xffff));
		s->note.text = s->text;
		r->body_case = KVMREC__RECORD__BODY_NOTE;
		r->note = &s->note;
		break;
	default:
		kvmrec__drop__init(&s->drop);
		s->drop.has_count = 1;
		s->drop.count = 1 + (h & 0xff);
		s->drop.what = "kernel ring overrun";
		r->body_case = KVMREC__RECORD__BODY_DROP;
		r->drop = &s->drop;
		break;
	}
}

void synth_stream_event(struct synth_stream *s, uint64_t i, struct trace_event *ev)
{
	uint64_t h = mix(s->seed ^ (i * 0x2545f4914f6cdd1dull));
	unsigned int slot = (unsigned int)(i % SYNTH_CYCLE);

	kvmrec__record__init(&s->rec);
	for (int j = 0; j < 8; j++)
		s->u64[j] = mix(h + (uint64_t)j) >> (j * 8);
	for (int j = 0; j < 8; j++)
		s->bytes[j] = (uint8_t)(h >> (8 * j));

	/* Slots 0..11 cover the exit payloads, 12..19 the other bodies, the rest are PIO exits. */
	if (slot < 12)
		fill_exit(s, slot, h);
	else if (slot < 20)
		fill_other(s, slot - 12, h);
	else
		fill_exit(s, 0, h);

	/* ~10 us apart with jitter; every 16th event (a merged kernel event) a little earlier. */
	ev->ts_ns = 1000000000ull + i * 10000 + (h >> 40 & 1023);
	if ((i & 15) == 15)
		ev->ts_ns -= 3000;
	ev->vcpu = (h >> 36 & 7) == 7 ? TRACE_VCPU_NONE : (int32_t)(i / 1000 % 4);
	ev->tid = 4000 + (uint32_t)(ev->vcpu + 1);
	ev->seq = 0;
	ev->rec = &s->rec;
}

void synth_stream_header(Kvmrec__Header *hdr)
{
	static char *argv[] = { "kvmrec-vmm", "--policy", "qemu-2.7", "guest.elf" };
	static const char *avail[] = { "kvm_eoi", "kvm_apic", "kvm_pio" };

	kvmrec__header__init(hdr);
	hdr->kvmrec_version = KVMREC_VERSION;
	hdr->host_kernel = "6.1.0-synthetic";
	hdr->cpu_vendor = "GenuineIntel";
	hdr->has_kvm_api_version = 1;
	hdr->kvm_api_version = 12;
	hdr->n_vmm_argv = 4;
	hdr->vmm_argv = argv;
	hdr->clock = "mono";
	hdr->has_start_ns = 1;
	hdr->start_ns = 1000000000ull;
	hdr->n_kernel_events_available = 3;
	hdr->kernel_events_available = (char **)avail;
	hdr->recorder = "synthetic";
}

int synth_stream_write(const char *path, uint64_t seed, uint64_t n, uint64_t flush_every)
{
	/* The trace id too depends only on the seed: the same call, the same bytes. */
	struct trace_writer_opts opts = { .overwrite = true, .trace_id = 0x73796e7468000000ull + seed };
	struct synth_stream s = { .seed = seed };
	struct trace_writer *w;
	struct trace_event ev;
	Kvmrec__Header hdr;
	int ret;

	synth_stream_header(&hdr);
	ret = trace_writer_open(path, &hdr, &opts, &w);
	if (ret)
		return ret;
	for (uint64_t i = 0; i < n; i++) {
		synth_stream_event(&s, i, &ev);
		ret = trace_writer_append(w, &ev);
		if (!ret && flush_every && (i + 1) % flush_every == 0)
			ret = trace_writer_flush(w);
		if (ret) {
			trace_writer_abort(w);
			return ret;
		}
	}
	return trace_writer_close(w, NULL);
}

size_t synth_stream_pack_body(Kvmrec__Record *rec, uint8_t *buf, size_t cap)
{
	Kvmrec__Record copy = *rec;

	copy.has_seq_delta = copy.has_ts_delta = copy.has_vcpu = copy.has_tid = 0;
	copy.frame = NULL;
	if (protobuf_c_message_get_packed_size(&copy.base) > cap)
		return 0;
	return protobuf_c_message_pack(&copy.base, buf);
}
