// SPDX-License-Identifier: GPL-2.0-only
/*
 * Raw records carry the kernel's structs as the VMM saw them; here they are
 * turned into the schema's messages. Fields that are zero are still set where
 * the schema gives them meaning (a TPR of 0 is evidence, not absence).
 */
#include <errno.h>
#include <linux/kvm.h>
#include <string.h>

#include "decode.h"
#include "lapic_page.h"
#include "lapic_sync.h"

static const uint8_t *raw_payload(const struct raw_hdr *h, uint32_t len, uint32_t fixed,
				  uint32_t need)
{
	if (len < sizeof(*h) + fixed || h->arglen > len - sizeof(*h) - fixed ||
	    need > h->arglen)
		return NULL;
	return (const uint8_t *)(h + 1) + fixed;
}

int decode_run_wants_entry(const struct raw_hdr *h, uint32_t len)
{
	const struct raw_run *x = (const struct raw_run *)(h + 1);
	const uint8_t *u;

	if (h->type != RAW_RUN || h->ret != 0 || len < sizeof(*h) + sizeof(*x))
		return 0;
	u = raw_payload(h, len, sizeof(*x), x->union_len);
	if (!u)
		return 0;
	/* io.direction is the union's first byte; mmio.is_write follows addr, data, len. */
	if (x->exit_reason == KVM_EXIT_IO && x->union_len >= 16)
		return u[0] == KVM_EXIT_IO_IN;
	if (x->exit_reason == KVM_EXIT_MMIO && x->union_len >= 24)
		return !u[20];
	return x->exit_reason == KVM_EXIT_X86_RDMSR;
}

static void bin(ProtobufCBinaryData *d, protobuf_c_boolean *has, const void *p, size_t n)
{
	d->data = (uint8_t *)p;
	d->len = n;
	*has = 1;
}

/*
 * One decoder per exit reason. Each gets the union already copied into a real
 * kvm_run (so the UAPI names do the work) and is called only when the union
 * the VMM saw is long enough for the fields it reads.
 */
struct exit_src {
	const struct kvm_run *run;
	uint32_t reason;
	const uint8_t *data;       /* what an OUT wrote, after the union */
	uint32_t dlen;
	const uint8_t *entry;      /* what the next entry found (IN, MMIO read, RDMSR) */
	uint32_t entry_len;
};

static void exit_io(struct decode_buf *b, Kvmrec__RunExit *e, const struct exit_src *s)
{
	const struct kvm_run *run = s->run;

	kvmrec__exit_io__init(&b->io);
	b->io.has_out = 1;
	b->io.out = run->io.direction == KVM_EXIT_IO_OUT;
	b->io.has_size = 1;
	b->io.size = run->io.size;
	b->io.has_port = 1;
	b->io.port = run->io.port;
	if (run->io.count != 1) {
		b->io.has_count = 1;
		b->io.count = run->io.count;
	}
	if (b->io.out && s->dlen)
		bin(&b->io.data, &b->io.has_data, s->data, s->dlen);
	else if (!b->io.out && s->entry)
		bin(&b->io.data, &b->io.has_data, s->entry, s->entry_len);
	e->payload_case = KVMREC__RUN_EXIT__PAYLOAD_IO;
	e->io = &b->io;
}

static void exit_mmio(struct decode_buf *b, Kvmrec__RunExit *e, const struct exit_src *s)
{
	const struct kvm_run *run = s->run;

	kvmrec__exit_mmio__init(&b->mmio);
	b->mmio.has_addr = 1;
	b->mmio.addr = run->mmio.phys_addr;
	b->mmio.has_len = 1;
	b->mmio.len = run->mmio.len;
	b->mmio.has_write = 1;
	b->mmio.write = run->mmio.is_write;
	if (run->mmio.is_write) {
		memcpy(b->bytes, run->mmio.data, 8);
		bin(&b->mmio.data, &b->mmio.has_data, b->bytes,
		    run->mmio.len > 8 ? 8 : run->mmio.len);
	} else if (s->entry) {
		bin(&b->mmio.data, &b->mmio.has_data, s->entry, s->entry_len);
	}
	e->payload_case = KVMREC__RUN_EXIT__PAYLOAD_MMIO;
	e->mmio = &b->mmio;
}

static void exit_tpr_access(struct decode_buf *b, Kvmrec__RunExit *e, const struct exit_src *s)
{
	kvmrec__exit_tpr_access__init(&b->tpr);
	b->tpr.has_rip = 1;
	b->tpr.rip = s->run->tpr_access.rip;
	b->tpr.has_write = 1;
	b->tpr.write = s->run->tpr_access.is_write;
	e->payload_case = KVMREC__RUN_EXIT__PAYLOAD_TPR_ACCESS;
	e->tpr_access = &b->tpr;
}

static void exit_ioapic_eoi(struct decode_buf *b, Kvmrec__RunExit *e, const struct exit_src *s)
{
	kvmrec__exit_ioapic_eoi__init(&b->eoi);
	b->eoi.has_vector = 1;
	b->eoi.vector = s->run->eoi.vector;
	e->payload_case = KVMREC__RUN_EXIT__PAYLOAD_EOI;
	e->eoi = &b->eoi;
}

static void exit_system_event(struct decode_buf *b, Kvmrec__RunExit *e,
			      const struct exit_src *s)
{
	uint32_t n = s->run->system_event.ndata;

	if (n > 16)
		n = 16;
	kvmrec__exit_system_event__init(&b->sysev);
	b->sysev.has_type = 1;
	b->sysev.type = s->run->system_event.type;
	memcpy(b->u64s, s->run->system_event.data, sizeof(b->u64s));
	if (!n && b->u64s[0])
		n = 1;  /* older kernels: one flags word */
	b->sysev.n_data = n;
	b->sysev.data = b->u64s;
	e->payload_case = KVMREC__RUN_EXIT__PAYLOAD_SYSTEM_EVENT;
	e->system_event = &b->sysev;
}

static void exit_internal(struct decode_buf *b, Kvmrec__RunExit *e, const struct exit_src *s)
{
	uint32_t n = s->run->internal.ndata;

	if (n > 16)
		n = 16;
	kvmrec__exit_internal__init(&b->internal);
	b->internal.has_suberror = 1;
	b->internal.suberror = s->run->internal.suberror;
	memcpy(b->u64s, s->run->internal.data, sizeof(b->u64s));
	b->internal.n_data = n;
	b->internal.data = b->u64s;
	e->payload_case = KVMREC__RUN_EXIT__PAYLOAD_INTERNAL;
	e->internal = &b->internal;
}

static void exit_fail_entry(struct decode_buf *b, Kvmrec__RunExit *e, const struct exit_src *s)
{
	kvmrec__exit_fail_entry__init(&b->fail);
	b->fail.has_reason = 1;
	b->fail.reason = s->run->fail_entry.hardware_entry_failure_reason;
	b->fail.has_cpu = 1;
	b->fail.cpu = s->run->fail_entry.cpu;
	e->payload_case = KVMREC__RUN_EXIT__PAYLOAD_FAIL_ENTRY;
	e->fail_entry = &b->fail;
}

static void exit_hypercall(struct decode_buf *b, Kvmrec__RunExit *e, const struct exit_src *s)
{
	kvmrec__exit_hypercall__init(&b->hcall);
	b->hcall.has_nr = 1;
	b->hcall.nr = s->run->hypercall.nr;
	memcpy(b->u64s, s->run->hypercall.args, 6 * sizeof(uint64_t));
	b->hcall.n_args = 6;
	b->hcall.args = b->u64s;
	b->hcall.has_ret = 1;
	b->hcall.ret = s->run->hypercall.ret;
	e->payload_case = KVMREC__RUN_EXIT__PAYLOAD_HYPERCALL;
	e->hypercall = &b->hcall;
}

static void exit_debug(struct decode_buf *b, Kvmrec__RunExit *e, const struct exit_src *s)
{
	kvmrec__exit_debug__init(&b->debug);
	b->debug.has_exception = 1;
	b->debug.exception = s->run->debug.arch.exception;
	b->debug.has_pc = 1;
	b->debug.pc = s->run->debug.arch.pc;
	b->debug.has_dr6 = 1;
	b->debug.dr6 = s->run->debug.arch.dr6;
	b->debug.has_dr7 = 1;
	b->debug.dr7 = s->run->debug.arch.dr7;
	e->payload_case = KVMREC__RUN_EXIT__PAYLOAD_DEBUG;
	e->debug = &b->debug;
}

static void exit_msr(struct decode_buf *b, Kvmrec__RunExit *e, const struct exit_src *s)
{
	kvmrec__exit_msr__init(&b->msr);
	b->msr.has_index = 1;
	b->msr.index = s->run->msr.index;
	b->msr.has_data = 1;
	b->msr.data = s->run->msr.data;
	b->msr.has_error = 1;
	b->msr.error = s->run->msr.error;
	b->msr.has_reason = 1;
	b->msr.reason = s->run->msr.reason;
	if (s->reason == KVM_EXIT_X86_RDMSR) {
		/* What userspace answered, as the next entry found it. */
		b->msr.has_data = s->entry && s->entry_len >= 9;
		if (b->msr.has_data) {
			memcpy(&b->msr.data, s->entry, 8);
			b->msr.error = s->entry[8];
		}
	}
	e->payload_case = KVMREC__RUN_EXIT__PAYLOAD_MSR;
	e->msr = &b->msr;
}

/* Indexed by exit reason; min_union is the bytes of the union the decoder reads. */
static const struct exit_decoder {
	uint32_t min_union;
	void (*decode)(struct decode_buf *b, Kvmrec__RunExit *e, const struct exit_src *s);
} exit_decoders[] = {
	[KVM_EXIT_IO]             = { 16, exit_io },
	[KVM_EXIT_MMIO]           = { 24, exit_mmio },
	[KVM_EXIT_TPR_ACCESS]     = { 16, exit_tpr_access },
	[KVM_EXIT_IOAPIC_EOI]     = { 1, exit_ioapic_eoi },
	[KVM_EXIT_SYSTEM_EVENT]   = { 136, exit_system_event },
	[KVM_EXIT_INTERNAL_ERROR] = { 136, exit_internal },
	[KVM_EXIT_FAIL_ENTRY]     = { 16, exit_fail_entry },
	[KVM_EXIT_HYPERCALL]      = { 72, exit_hypercall },
	[KVM_EXIT_DEBUG]          = { 32, exit_debug },
	[KVM_EXIT_X86_RDMSR]      = { 24, exit_msr },
	[KVM_EXIT_X86_WRMSR]      = { 24, exit_msr },
};

/* A reason without a decoder, or a union too short for it, is kept raw. */
static void decode_exit_payload(struct decode_buf *b, Kvmrec__RunExit *e, uint32_t reason,
				const uint8_t *u, uint32_t ulen, const uint8_t *data,
				uint32_t dlen, const uint8_t *entry, uint32_t entry_len)
{
	const struct exit_decoder *d = NULL;
	struct kvm_run run;
	struct exit_src s = {
		.run = &run, .reason = reason, .data = data, .dlen = dlen,
		.entry = entry, .entry_len = entry_len,
	};

	if (reason < sizeof(exit_decoders) / sizeof(exit_decoders[0]))
		d = &exit_decoders[reason];
	if (d && d->decode && ulen >= d->min_union) {
		memset(&run, 0, sizeof(run));
		memcpy(&run.hw, u, ulen > 256 ? 256 : ulen);
		d->decode(b, e, &s);
		return;
	}
	if (ulen) {
		e->payload_case = KVMREC__RUN_EXIT__PAYLOAD_RAW;
		e->raw.data = (uint8_t *)u;
		e->raw.len = ulen;
	}
}

static int decode_run(struct decode_buf *b, const struct raw_hdr *h, uint32_t len,
		      const uint8_t *entry, uint32_t entry_len)
{
	const struct raw_run *x = (const struct raw_run *)(h + 1);
	Kvmrec__RunExit *e = &b->exit;
	const uint8_t *u;

	if (len < sizeof(*h) + sizeof(*x))
		return -EINVAL;
	u = raw_payload(h, len, sizeof(*x), x->union_len);
	if (!u || x->union_len > 256 || (uint64_t)x->union_len + x->data_len != h->arglen)
		return -EINVAL;
	kvmrec__run_exit__init(e);
	b->rec.body_case = KVMREC__RECORD__BODY_EXIT;
	b->rec.exit = e;
	e->has_reason = 1;
	e->reason = x->exit_reason;
	if (h->ret) {
		e->has_ret = 1;
		e->ret = (int32_t)h->ret;
		e->has_err = 1;
		e->err = (uint32_t)h->err;
	}
	if (x->flags) {
		e->has_flags = 1;
		e->flags = x->flags;
	}
	if (x->entry_ts && h->ts > x->entry_ts) {
		e->has_run_ns = 1;
		e->run_ns = h->ts - x->entry_ts;
	}
	e->has_cr8 = 1;
	e->cr8 = x->cr8;
	e->has_apic_base = 1;
	e->apic_base = x->apic_base;
	if (x->run_flags) {
		e->has_run_flags = 1;
		e->run_flags = x->run_flags;
	}
	if (x->cr8_in != x->cr8) {
		e->has_cr8_in = 1;
		e->cr8_in = x->cr8_in;
	}
	if (h->ret == 0)
		decode_exit_payload(b, e, x->exit_reason, u, x->union_len,
				    u + x->union_len, x->data_len, entry, entry_len);
	return 0;
}

static void set_ret(protobuf_c_boolean *has_ret, int32_t *ret, protobuf_c_boolean *has_err,
		    uint32_t *err, const struct raw_hdr *h)
{
	if (h->ret) {
		*has_ret = 1;
		*ret = (int32_t)h->ret;
	}
	if (h->ret < 0) {
		*has_err = 1;
		*err = (uint32_t)h->err;
	}
}

static void decode_lapic(struct decode_buf *b, const struct raw_hdr *h, const uint8_t *page)
{
	Kvmrec__LapicSync *l = &b->lapic;

	kvmrec__lapic_sync__init(l);
	b->rec.body_case = KVMREC__RECORD__BODY_LAPIC;
	b->rec.lapic = l;
	l->has_set = 1;
	l->set = h->req == (uint32_t)KVM_SET_LAPIC;
	set_ret(&l->has_ret, &l->ret, &l->has_err, &l->err, h);
	if (!page)
		return;
	l->has_regs = 1;
	l->regs.data = (uint8_t *)page;
	l->regs.len = LAPIC_PAGE_SIZE;
	lapic_sync_decode(l, page, LAPIC_PAGE_SIZE, &b->lapic_words);
}

static void decode_vcpu_events(struct decode_buf *b, const struct raw_hdr *h, const uint8_t *p)
{
	Kvmrec__VcpuEvents *v = &b->vev;
	struct kvm_vcpu_events ev;

	kvmrec__vcpu_events__init(v);
	b->rec.body_case = KVMREC__RECORD__BODY_VCPU_EVENTS;
	b->rec.vcpu_events = v;
	v->has_set = 1;
	v->set = h->req == (uint32_t)KVM_SET_VCPU_EVENTS;
	set_ret(&v->has_ret, &v->ret, &v->has_err, &v->err, h);
	if (!p)
		return;
	memcpy(&ev, p, sizeof(ev));
	v->has_exception_injected = v->has_exception_nr = v->has_exception_has_error = 1;
	v->exception_injected = ev.exception.injected;
	v->exception_nr = ev.exception.nr;
	v->exception_has_error = ev.exception.has_error_code;
	v->has_exception_error = 1;
	v->exception_error = ev.exception.error_code;
	v->has_interrupt_injected = v->has_interrupt_nr = v->has_interrupt_soft = 1;
	v->interrupt_injected = ev.interrupt.injected;
	v->interrupt_nr = ev.interrupt.nr;
	v->interrupt_soft = ev.interrupt.soft;
	v->has_interrupt_shadow = 1;
	v->interrupt_shadow = ev.interrupt.shadow;
	v->has_nmi_injected = v->has_nmi_pending = v->has_nmi_masked = 1;
	v->nmi_injected = ev.nmi.injected;
	v->nmi_pending = ev.nmi.pending;
	v->nmi_masked = ev.nmi.masked;
	v->has_sipi_vector = v->has_flags = 1;
	v->sipi_vector = ev.sipi_vector;
	v->flags = ev.flags;
	v->has_raw = 1;
	v->raw.data = (uint8_t *)p;
	v->raw.len = sizeof(ev);
}

static Kvmrec__Injection *inj_init(struct decode_buf *b, const struct raw_hdr *h,
				   Kvmrec__InjectKind kind)
{
	Kvmrec__Injection *i = &b->inj;

	kvmrec__injection__init(i);
	b->rec.body_case = KVMREC__RECORD__BODY_INJECT;
	b->rec.inject = i;
	i->has_kind = 1;
	i->kind = kind;
	set_ret(&i->has_ret, &i->ret, &i->has_err, &i->err, h);
	return i;
}

static Kvmrec__VmSetup *setup_init(struct decode_buf *b, const struct raw_hdr *h,
				   Kvmrec__SetupKind kind, uint32_t nargs)
{
	Kvmrec__VmSetup *s = &b->setup;

	kvmrec__vm_setup__init(s);
	b->rec.body_case = KVMREC__RECORD__BODY_SETUP;
	b->rec.setup = s;
	s->has_kind = 1;
	s->kind = kind;
	if (h->ret) {
		s->has_ret = 1;
		s->ret = h->ret;
	}
	if (h->ret < 0) {
		s->has_err = 1;
		s->err = (uint32_t)h->err;
	}
	memset(b->u64s, 0, sizeof(b->u64s));
	s->n_args = nargs;
	s->args = b->u64s;
	return s;
}

/*
 * One decoder per ioctl family. @p/@n is the argument as the VMM passed it
 * (n bytes); IOCTL_ARG gives the struct only when all of it was captured.
 */
#define IOCTL_ARG(type, p, n) ((n) >= sizeof(type) ? (const type *)(p) : NULL)

static void ioctl_interrupt(struct decode_buf *b, const struct raw_hdr *h, const uint8_t *p,
			    uint32_t n)
{
	const struct kvm_interrupt *a = IOCTL_ARG(struct kvm_interrupt, p, n);
	Kvmrec__Injection *i = inj_init(b, h, KVMREC__INJECT_KIND__INJECT_INTERRUPT);

	if (a) {
		i->has_vector = 1;
		i->vector = a->irq;
	}
}

static void ioctl_nmi(struct decode_buf *b, const struct raw_hdr *h, const uint8_t *p,
		      uint32_t n)
{
	(void)p;
	(void)n;
	inj_init(b, h, KVMREC__INJECT_KIND__INJECT_NMI);
}

static void ioctl_irq_line(struct decode_buf *b, const struct raw_hdr *h, const uint8_t *p,
			   uint32_t n)
{
	bool st = h->req == (uint32_t)KVM_IRQ_LINE_STATUS;
	Kvmrec__Injection *i = inj_init(b, h, st ? KVMREC__INJECT_KIND__INJECT_IRQ_LINE_STATUS :
					KVMREC__INJECT_KIND__INJECT_IRQ_LINE);
	uint32_t w[4] = { 0 };

	memcpy(w, p, n < sizeof(w) ? n : sizeof(w));
	if (n >= 8) {
		i->has_gsi = i->has_level = 1;
		i->gsi = w[0];
		i->level = w[1];
	}
	if (st && n >= 12) {
		i->has_status = 1;
		i->status = (int32_t)w[2];
	}
}

static void ioctl_signal_msi(struct decode_buf *b, const struct raw_hdr *h, const uint8_t *p,
			     uint32_t n)
{
	const struct kvm_msi *a = IOCTL_ARG(struct kvm_msi, p, n);
	Kvmrec__Injection *i = inj_init(b, h, KVMREC__INJECT_KIND__INJECT_SIGNAL_MSI);

	if (a) {
		i->has_msi_addr = i->has_msi_data = i->has_msi_flags = i->has_msi_devid = 1;
		i->msi_addr = (uint64_t)a->address_hi << 32 | a->address_lo;
		i->msi_data = a->data;
		i->msi_flags = a->flags;
		i->msi_devid = a->devid;
	}
}

static void ioctl_lapic(struct decode_buf *b, const struct raw_hdr *h, const uint8_t *p,
			uint32_t n)
{
	decode_lapic(b, h, n >= LAPIC_PAGE_SIZE ? p : NULL);
}

static void ioctl_vcpu_events(struct decode_buf *b, const struct raw_hdr *h, const uint8_t *p,
			      uint32_t n)
{
	decode_vcpu_events(b, h, IOCTL_ARG(struct kvm_vcpu_events, p, n) ? p : NULL);
}

static void ioctl_create(struct decode_buf *b, const struct raw_hdr *h, const uint8_t *p,
			 uint32_t n)
{
	setup_init(b, h, h->req == (uint32_t)KVM_CREATE_VM ?
		   KVMREC__SETUP_KIND__SETUP_CREATE_VM :
		   KVMREC__SETUP_KIND__SETUP_CREATE_VCPU, 1);
	if (n >= 8)
		memcpy(&b->u64s[0], p, 8);
}

static void ioctl_enable_cap(struct decode_buf *b, const struct raw_hdr *h, const uint8_t *p,
			     uint32_t n)
{
	const struct kvm_enable_cap *a = IOCTL_ARG(struct kvm_enable_cap, p, n);
	Kvmrec__VmSetup *s = setup_init(b, h, KVMREC__SETUP_KIND__SETUP_ENABLE_CAP, 0);

	if (a) {
		s->has_cap = s->has_flags = 1;
		s->cap = a->cap;
		s->flags = a->flags;
		memcpy(b->u64s, a->args, sizeof(a->args));
		s->n_args = 4;
	}
}

static void ioctl_tpr_access_reporting(struct decode_buf *b, const struct raw_hdr *h,
				       const uint8_t *p, uint32_t n)
{
	const struct kvm_tpr_access_ctl *a = IOCTL_ARG(struct kvm_tpr_access_ctl, p, n);
	Kvmrec__VmSetup *s = setup_init(b, h, KVMREC__SETUP_KIND__SETUP_TPR_ACCESS_REPORTING,
					a ? 1 : 0);

	if (a) {
		b->u64s[0] = a->enabled;
		s->has_flags = 1;
		s->flags = a->flags;
	}
}

static void ioctl_irqfd(struct decode_buf *b, const struct raw_hdr *h, const uint8_t *p,
			uint32_t n)
{
	const struct kvm_irqfd *a = IOCTL_ARG(struct kvm_irqfd, p, n);
	Kvmrec__VmSetup *s = setup_init(b, h, KVMREC__SETUP_KIND__SETUP_IRQFD, a ? 4 : 0);

	if (a) {
		b->u64s[0] = a->fd;
		b->u64s[1] = a->gsi;
		b->u64s[2] = a->flags;
		b->u64s[3] = a->resamplefd;
		s->has_flags = 1;
		s->flags = a->flags;
	}
}

static void gsi_route_decode(Kvmrec__GsiRoute *r, const uint8_t *p)
{
	struct kvm_irq_routing_entry en;

	memcpy(&en, p, sizeof(en));
	kvmrec__gsi_route__init(r);
	r->has_gsi = r->has_type = r->has_flags = 1;
	r->gsi = en.gsi;
	r->type = en.type;
	r->flags = en.flags;
	if (en.type == KVM_IRQ_ROUTING_IRQCHIP) {
		r->has_irqchip = r->has_pin = 1;
		r->irqchip = en.u.irqchip.irqchip;
		r->pin = en.u.irqchip.pin;
	} else if (en.type == KVM_IRQ_ROUTING_MSI) {
		r->has_msi_addr = r->has_msi_data = 1;
		r->msi_addr = (uint64_t)en.u.msi.address_hi << 32 | en.u.msi.address_lo;
		r->msi_data = en.u.msi.data;
	}
}

static void ioctl_set_gsi_routing(struct decode_buf *b, const struct raw_hdr *h,
				  const uint8_t *p, uint32_t n)
{
	const struct kvm_irq_routing *a = IOCTL_ARG(struct kvm_irq_routing, p, n);
	Kvmrec__VmSetup *s = setup_init(b, h, KVMREC__SETUP_KIND__SETUP_SET_GSI_ROUTING, 0);
	uint32_t nr, i;

	if (!a)
		return;
	nr = (n - sizeof(*a)) / sizeof(a->entries[0]);
	if (nr > a->nr)
		nr = a->nr;
	if (nr > DECODE_MAX_ROUTES)
		nr = DECODE_MAX_ROUTES;
	b->u64s[0] = a->nr;  /* entries the VMM passed; routes holds what fitted */
	s->n_args = 1;
	for (i = 0; i < nr; i++) {
		gsi_route_decode(&b->routes[i],
				 p + sizeof(*a) + i * sizeof(struct kvm_irq_routing_entry));
		b->route_ptrs[i] = &b->routes[i];
	}
	s->n_routes = nr;
	s->routes = b->route_ptrs;
}

static void ioctl_create_irqchip(struct decode_buf *b, const struct raw_hdr *h,
				 const uint8_t *p, uint32_t n)
{
	(void)p;
	(void)n;
	setup_init(b, h, KVMREC__SETUP_KIND__SETUP_CREATE_IRQCHIP, 0);
}

static void ioctl_set_cpuid2(struct decode_buf *b, const struct raw_hdr *h, const uint8_t *p,
			     uint32_t n)
{
	const struct kvm_cpuid2 *a = IOCTL_ARG(struct kvm_cpuid2, p, n);

	setup_init(b, h, KVMREC__SETUP_KIND__SETUP_SET_CPUID, a ? 1 : 0);
	if (a)
		b->u64s[0] = a->nent;
}

static void ioctl_set_vapic_addr(struct decode_buf *b, const struct raw_hdr *h,
				 const uint8_t *p, uint32_t n)
{
	const struct kvm_vapic_addr *a = IOCTL_ARG(struct kvm_vapic_addr, p, n);

	setup_init(b, h, KVMREC__SETUP_KIND__SETUP_VAPIC_ADDR, a ? 1 : 0);
	if (a)
		b->u64s[0] = a->vapic_addr;
}

static const struct ioctl_decoder {
	uint32_t req;
	void (*decode)(struct decode_buf *b, const struct raw_hdr *h, const uint8_t *p,
		       uint32_t n);
} ioctl_decoders[] = {
	{ KVM_INTERRUPT,            ioctl_interrupt },
	{ KVM_NMI,                  ioctl_nmi },
	{ KVM_IRQ_LINE,             ioctl_irq_line },
	{ KVM_IRQ_LINE_STATUS,      ioctl_irq_line },
	{ KVM_SIGNAL_MSI,           ioctl_signal_msi },
	{ KVM_GET_LAPIC,            ioctl_lapic },
	{ KVM_SET_LAPIC,            ioctl_lapic },
	{ KVM_GET_VCPU_EVENTS,      ioctl_vcpu_events },
	{ KVM_SET_VCPU_EVENTS,      ioctl_vcpu_events },
	{ KVM_CREATE_VM,            ioctl_create },
	{ KVM_CREATE_VCPU,          ioctl_create },
	{ KVM_ENABLE_CAP,           ioctl_enable_cap },
	{ KVM_TPR_ACCESS_REPORTING, ioctl_tpr_access_reporting },
	{ KVM_IRQFD,                ioctl_irqfd },
	{ KVM_SET_GSI_ROUTING,      ioctl_set_gsi_routing },
	{ KVM_CREATE_IRQCHIP,       ioctl_create_irqchip },
	{ KVM_SET_CPUID2,           ioctl_set_cpuid2 },
	{ KVM_SET_VAPIC_ADDR,       ioctl_set_vapic_addr },
};

static int decode_ioctl(struct decode_buf *b, const struct raw_hdr *h, uint32_t len)
{
	const uint8_t *p = raw_payload(h, len, 0, 0);
	size_t i;

	if (!p)
		return -EINVAL;
	for (i = 0; i < sizeof(ioctl_decoders) / sizeof(ioctl_decoders[0]); i++) {
		if (ioctl_decoders[i].req == h->req) {
			ioctl_decoders[i].decode(b, h, p, h->arglen);
			return 0;
		}
	}
	return -EINVAL;
}

int decode_raw(struct decode_buf *b, const struct raw_hdr *h, uint32_t len,
	       const uint8_t *entry, uint32_t entry_len)
{
	kvmrec__record__init(&b->rec);
	if (len < sizeof(*h) || h->len != len)
		return -EINVAL;
	if (h->type == RAW_RUN)
		return decode_run(b, h, len, entry, entry_len);
	if (h->type == RAW_IOCTL)
		return decode_ioctl(b, h, len);
	return -EINVAL;
}

void decode_kevent(struct decode_buf *b, const struct kev *k)
{
	Kvmrec__KernelEvent *e = &b->kevent;

	kvmrec__record__init(&b->rec);
	kvmrec__kernel_event__init(e);
	b->rec.body_case = KVMREC__RECORD__BODY_KEVENT;
	b->rec.kevent = e;
	e->has_id = 1;
	e->id = (Kvmrec__KernelEventId)k->id;
	e->n_args = k->nargs;
	e->args = (int64_t *)k->args;
	e->has_cpu = 1;
	e->cpu = k->cpu;
}
