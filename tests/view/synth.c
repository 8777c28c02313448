// SPDX-License-Identifier: GPL-2.0-only
/* synth: seed-shaped synthetic traces (see synth.h). */
#include <errno.h>
#include <string.h>
#include "synth.h"
#include "lapic_page.h"
#include "trace_writer.h"

struct synth {
	struct trace_writer *w;
	uint64_t ts, rnd;
	uint32_t tid[2];
	int err;
};

/* xorshift: timestamps vary with the seed, nothing else does. */
static uint64_t synth_rand(struct synth *s)
{
	s->rnd ^= s->rnd << 13;
	s->rnd ^= s->rnd >> 7;
	s->rnd ^= s->rnd << 17;
	return s->rnd;
}

static uint64_t synth_emit(struct synth *s, int32_t vcpu, Kvmrec__Record *rec)
{
	struct trace_event ev = {
		.ts_ns = s->ts,
		.vcpu = vcpu,
		.tid = vcpu >= 0 ? s->tid[vcpu & 1] : s->tid[0],
		.rec = rec,
	};

	s->ts += 500 + synth_rand(s) % 3000;
	if (!s->err)
		s->err = trace_writer_append(s->w, &ev);
	return ev.seq;
}

static void synth_exit(struct synth *s, int32_t vcpu, uint32_t reason, uint32_t flags,
		       Kvmrec__ExitIo *io, Kvmrec__ExitTprAccess *tpr)
{
	Kvmrec__Record rec = KVMREC__RECORD__INIT;
	Kvmrec__RunExit x = KVMREC__RUN_EXIT__INIT;

	x.has_reason = 1;
	x.reason = reason;
	x.has_flags = flags != 0;
	x.flags = flags;
	x.has_run_ns = 1;
	x.run_ns = 200 + synth_rand(s) % 400;
	if (io) {
		x.payload_case = KVMREC__RUN_EXIT__PAYLOAD_IO;
		x.io = io;
	} else if (tpr) {
		x.payload_case = KVMREC__RUN_EXIT__PAYLOAD_TPR_ACCESS;
		x.tpr_access = tpr;
	}
	rec.body_case = KVMREC__RECORD__BODY_EXIT;
	rec.exit = &x;
	synth_emit(s, vcpu, &rec);
}

/* Port I/O; for IN the data is what userspace gave the guest. */
static void synth_io(struct synth *s, int32_t vcpu, bool out, uint32_t port, uint8_t val,
		     uint32_t flags)
{
	Kvmrec__ExitIo io = KVMREC__EXIT_IO__INIT;

	io.has_out = 1;
	io.out = out;
	io.has_size = 1;
	io.size = 1;
	io.has_port = 1;
	io.port = port;
	io.has_data = 1;
	io.data.len = 1;
	io.data.data = &val;
	synth_exit(s, vcpu, 2 /* KVM_EXIT_IO */, flags, &io, NULL);
}

static void synth_pio(struct synth *s, int32_t vcpu, uint32_t port, uint8_t val, uint32_t flags)
{
	synth_io(s, vcpu, true, port, val, flags);
}

/* A KVM_RUN cut short by a signal: only the seed's timing decides it. */
static void synth_eintr(struct synth *s, int32_t vcpu)
{
	Kvmrec__Record rec = KVMREC__RECORD__INIT;
	Kvmrec__RunExit x = KVMREC__RUN_EXIT__INIT;

	x.has_reason = 1;
	x.reason = 10;  /* KVM_EXIT_INTR */
	x.has_ret = 1;
	x.ret = -1;
	x.has_err = 1;
	x.err = EINTR;
	x.has_run_ns = 1;
	x.run_ns = 100;
	rec.body_case = KVMREC__RECORD__BODY_EXIT;
	rec.exit = &x;
	synth_emit(s, vcpu, &rec);
}

static void synth_kevent(struct synth *s, int32_t vcpu, Kvmrec__KernelEventId id,
			 int64_t *args, size_t n)
{
	Kvmrec__Record rec = KVMREC__RECORD__INIT;
	Kvmrec__KernelEvent k = KVMREC__KERNEL_EVENT__INIT;

	k.has_id = 1;
	k.id = id;
	k.n_args = n;
	k.args = args;
	k.has_cpu = 1;
	k.cpu = (uint32_t)(synth_rand(s) % 2);
	rec.body_case = KVMREC__RECORD__BODY_KEVENT;
	rec.kevent = &k;
	synth_emit(s, vcpu, &rec);
}

static void synth_accept(struct synth *s, int32_t vcpu, int64_t vec)
{
	int64_t a[] = { vcpu, 0, 0, vec, 0 };
	synth_kevent(s, vcpu, KVMREC__KERNEL_EVENT_ID__KEV_APIC_ACCEPT_IRQ, a, 5);
}

static void synth_eoi(struct synth *s, int32_t vcpu, int64_t vec)
{
	int64_t a[] = { vcpu, vec };
	synth_kevent(s, vcpu, KVMREC__KERNEL_EVENT_ID__KEV_EOI, a, 2);
}

static void synth_get_lapic(struct synth *s, int32_t vcpu, unsigned int irr_vec)
{
	Kvmrec__Record rec = KVMREC__RECORD__INIT;
	Kvmrec__LapicSync l = KVMREC__LAPIC_SYNC__INIT;
	uint8_t page[LAPIC_PAGE_SIZE] = { 0 };
	uint32_t irr[8] = { 0 }, isr[8] = { 0 }, tmcct = (uint32_t)synth_rand(s);

	irr[irr_vec / 32] |= 1u << (irr_vec % 32);
	for (int i = 0; i < 8; i++)
		memcpy(page + LAPIC_REG_IRR + 0x10 * i, &irr[i], 4);
	memcpy(page + 0x390, &tmcct, 4);   /* TMCCT: the timer count moves with time */
	l.has_regs = 1;
	l.regs.len = sizeof(page);
	l.regs.data = page;
	l.n_irr = 8;
	l.irr = irr;
	l.n_isr = 8;
	l.isr = isr;
	l.has_tpr = 1;
	l.tpr = 0;
	rec.body_case = KVMREC__RECORD__BODY_LAPIC;
	rec.lapic = &l;
	synth_emit(s, vcpu, &rec);
}

static uint64_t synth_interrupt(struct synth *s, int32_t vcpu, uint32_t vec)
{
	Kvmrec__Record rec = KVMREC__RECORD__INIT;
	Kvmrec__Injection in = KVMREC__INJECTION__INIT;

	in.has_kind = 1;
	in.kind = KVMREC__INJECT_KIND__INJECT_INTERRUPT;
	in.has_vector = 1;
	in.vector = vec;
	rec.body_case = KVMREC__RECORD__BODY_INJECT;
	rec.inject = &in;
	return synth_emit(s, vcpu, &rec);
}

static void synth_setup(struct synth *s, Kvmrec__SetupKind kind, uint64_t arg, int64_t ret)
{
	Kvmrec__Record rec = KVMREC__RECORD__INIT;
	Kvmrec__VmSetup v = KVMREC__VM_SETUP__INIT;

	v.has_kind = 1;
	v.kind = kind;
	if (kind == KVMREC__SETUP_KIND__SETUP_ENABLE_CAP) {
		v.has_cap = 1;
		v.cap = (uint32_t)arg;
	}
	v.n_args = 1;
	v.args = &arg;
	v.has_ret = 1;
	v.ret = ret;
	rec.body_case = KVMREC__RECORD__BODY_SETUP;
	rec.setup = &v;
	synth_emit(s, TRACE_VCPU_NONE, &rec);
}

/*
 * What a newer recorder may write and this reader must pass over: a kernel
 * event whose id it does not know, with more arguments than any it knows; a
 * known one with extra arguments; an exit and a record with fields it does
 * not know; a record whose body kind it does not know.
 */
static void synth_future(struct synth *s)
{
	/* An unknown length-prefixed field's data holds its length first. */
	static uint8_t varint1[] = { 1 }, text[] = { 3, 'n', 'e', 'w' };
	ProtobufCMessageUnknownField body = { .tag = 60, .wire_type = PROTOBUF_C_WIRE_TYPE_VARINT,
					      .len = 1, .data = varint1 };
	ProtobufCMessageUnknownField field = { .tag = 99, .wire_type = PROTOBUF_C_WIRE_TYPE_LENGTH_PREFIXED,
					       .len = sizeof(text), .data = text };
	int64_t many[] = { 0, 62, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
	Kvmrec__Record rec = KVMREC__RECORD__INIT;
	Kvmrec__RunExit x = KVMREC__RUN_EXIT__INIT;

	synth_kevent(s, 0, (Kvmrec__KernelEventId)40, many, 12);
	synth_kevent(s, 0, KVMREC__KERNEL_EVENT_ID__KEV_USERSPACE_EXIT, many, 12);
	synth_kevent(s, 0, KVMREC__KERNEL_EVENT_ID__KEV_APIC, many, 12);
	synth_kevent(s, 0, (Kvmrec__KernelEventId)-3, many, 3);
	rec.base.n_unknown_fields = 1;
	rec.base.unknown_fields = &body;
	synth_emit(s, 0, &rec);
	x.has_reason = 1;
	x.reason = 200;        /* an exit reason from a newer kernel */
	x.base.n_unknown_fields = 1;
	x.base.unknown_fields = &field;
	rec.body_case = KVMREC__RECORD__BODY_EXIT;
	rec.exit = &x;
	rec.base.unknown_fields = &field;
	synth_emit(s, 1, &rec);
}

/* IRQ 0 through the 8259 and KVM_INTERRUPT, then through the IOAPIC and the LAPIC. */
static void synth_linux_irq0(struct synth *s)
{
	const uint8_t icw[][2] = { { 0x20, 0x11 }, { 0x21, 0x30 }, { 0x21, 0x04 }, { 0x21, 0x01 } };
	const uint32_t ready = KVMREC__RUN_FLAG__RUN_READY_FOR_INJECTION |
			       KVMREC__RUN_FLAG__RUN_IF_FLAG;

	for (size_t i = 0; i < sizeof(icw) / sizeof(icw[0]); i++)
		synth_pio(s, 0, icw[i][0], icw[i][1], 0);
	/* QEMU's PIT ticks (untraced): the window opens, the PIC's vector goes in. */
	synth_exit(s, 0, 7 /* KVM_EXIT_IRQ_WINDOW_OPEN */,
		   KVMREC__RUN_FLAG__RUN_REQUEST_IRQ_WINDOW | ready, NULL, NULL);
	synth_interrupt(s, 0, 0x30);
	synth_pio(s, 0, 0x20, 0x20, ready);	/* EOI at the PIC */
	/* Later the IOAPIC routes IRQ 0 to the in-kernel LAPIC: same vector. */
	synth_pio(s, 0, 0x80, 1, ready);
	synth_accept(s, 0, 0x30);
	synth_eoi(s, 0, 0x30);
	synth_pio(s, 0, 0x80, 2, ready);
}

int synth_write(const char *path, const struct synth_opts *o, uint64_t *seq_dup)
{
	Kvmrec__Header hdr = KVMREC__HEADER__INIT;
	struct trace_writer_opts wo = { .overwrite = true };
	struct synth s = { .ts = 1000000000ull + o->ts_seed * 7919, .rnd = o->ts_seed * 2654435761u + 1 };
	char *argv[] = { "kvmrec-vmm", o->qemu27 ? "--policy=qemu-2.7" : "--policy=fixed", "tpr.elf" };
	char *qemu_argv[] = { "qemu-system-x86_64", "-machine", "accel=kvm,kernel_irqchip=split" };
	char *enabled[] = { "kvm_apic_accept_irq", "kvm_eoi", "kvm_userspace_exit" };
	Kvmrec__ExitTprAccess tpr = KVMREC__EXIT_TPR_ACCESS__INIT;
	int ret;

	s.tid[0] = 1000 + (uint32_t)(o->ts_seed % 1000);
	s.tid[1] = s.tid[0] + 1;
	hdr.recorder = "synthetic";
	hdr.clock = "mono";
	hdr.has_start_ns = 1;
	hdr.start_ns = s.ts;
	hdr.n_vmm_argv = 3;
	hdr.vmm_argv = o->linux_irq0 ? qemu_argv : argv;
	hdr.n_kernel_events_enabled = 3;
	hdr.kernel_events_enabled = enabled;
	ret = trace_writer_open(path, &hdr, &wo, &s.w);
	if (ret < 0)
		return ret;

	synth_setup(&s, KVMREC__SETUP_KIND__SETUP_CREATE_VCPU, 0, 10 + (int64_t)(o->ts_seed % 3));
	synth_setup(&s, KVMREC__SETUP_KIND__SETUP_CREATE_VCPU, 1, 11 + (int64_t)(o->ts_seed % 3));
	if (o->linux_irq0) {
		synth_setup(&s, KVMREC__SETUP_KIND__SETUP_ENABLE_CAP, 121 /* SPLIT_IRQCHIP */, 0);
		synth_linux_irq0(&s);
		goto tail;
	}
	synth_setup(&s, KVMREC__SETUP_KIND__SETUP_TPR_ACCESS_REPORTING, 1, 0);
	/* The guest sets TPR 0xf0, masks, sends self-IPIs 32 and 62. */
	synth_pio(&s, 0, 0x80, 1, 0);
	synth_pio(&s, 1, 0x80, 1, 0);
	synth_accept(&s, 0, 32);
	synth_accept(&s, 0, 62);
	tpr.has_rip = 1;
	tpr.rip = 0x401f33;
	tpr.has_write = tpr.write = 1;
	synth_exit(&s, 0, 12 /* KVM_EXIT_TPR_ACCESS */, 0, NULL, &tpr);
	synth_get_lapic(&s, 0, 62);
	if (o->ts_seed & 1)
		synth_eintr(&s, 0);
	/* The kernel delivers 62 and 32; the guest EOIs them. */
	synth_eoi(&s, 0, 62);
	synth_eoi(&s, 0, 32);
	if (o->qemu27) {
		/* The stale copy still shows 62: ask for a window, inject it again. */
		synth_pio(&s, 0, 0x80, 2, KVMREC__RUN_FLAG__RUN_REQUEST_IRQ_WINDOW);
		synth_exit(&s, 0, 7 /* KVM_EXIT_IRQ_WINDOW_OPEN */,
			   KVMREC__RUN_FLAG__RUN_REQUEST_IRQ_WINDOW |
			   KVMREC__RUN_FLAG__RUN_READY_FOR_INJECTION | KVMREC__RUN_FLAG__RUN_IF_FLAG,
			   NULL, NULL);
		uint64_t seq = synth_interrupt(&s, 0, 62);
		if (seq_dup)
			*seq_dup = seq;
		synth_eoi(&s, 0, -1);
	} else {
		synth_pio(&s, 0, 0x80, 2, 0);
	}
tail:
	for (unsigned int i = 0; i < o->loops; i++) {
		synth_pio(&s, 0, 0x80, (uint8_t)(3 + i), 0);
		if (o->rtc && (i == 1 || i + 2 == o->loops))
			synth_io(&s, 0, false, 0x71, (uint8_t)(o->rtc + i), 0);
		if (o->extra_at[0] == i + 1 || o->extra_at[1] == i + 1)
			synth_pio(&s, 0, 0x81, (uint8_t)i, 0);
		synth_pio(&s, 1, 0x80, (uint8_t)(3 + i), 0);
		if (o->ts_seed % 3 == 2 && i == o->loops / 2)
			synth_eintr(&s, 1);
	}
	if (o->drops) {
		Kvmrec__Record rec = KVMREC__RECORD__INIT;
		Kvmrec__Drop d = KVMREC__DROP__INIT;
		d.has_count = 1;
		d.count = o->drops;
		d.what = "userspace ring full (--lossy)";
		rec.body_case = KVMREC__RECORD__BODY_DROP;
		rec.drop = &d;
		synth_emit(&s, 0, &rec);
	}
	if (o->future)
		synth_future(&s);
	synth_pio(&s, 0, 0xf4, 0, 0);   /* debug exit */
	if (s.err) {
		trace_writer_abort(s.w);
		return s.err;
	}
	if (o->no_footer) {
		trace_writer_flush(s.w);
		trace_writer_abort(s.w);
		return 0;
	}
	return trace_writer_close(s.w, NULL);
}
