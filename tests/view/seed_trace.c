// SPDX-License-Identifier: GPL-2.0-only
/* seed_trace: seed-shaped synthetic traces (see seed_trace.h). */
#include "seed_trace.h"
#include "synth.h"

#define READY (KVMREC__RUN_FLAG__RUN_READY_FOR_INJECTION | KVMREC__RUN_FLAG__RUN_IF_FLAG)
#define WINDOW KVMREC__RUN_FLAG__RUN_REQUEST_IRQ_WINDOW
#define EXIT_IRQ_WINDOW_OPEN 7

/*
 * What a newer recorder may write and this reader must pass over: a kernel
 * event whose id it does not know, with more arguments than any it knows; a
 * known one with extra arguments; an exit and a record with fields it does
 * not know; a record whose body kind it does not know.
 */
static void seed_future(struct synth *s)
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
	synth_record(s, 0, &rec);
	x.has_reason = 1;
	x.reason = 200;        /* an exit reason from a newer kernel */
	x.base.n_unknown_fields = 1;
	x.base.unknown_fields = &field;
	rec.body_case = KVMREC__RECORD__BODY_EXIT;
	rec.exit = &x;
	rec.base.unknown_fields = &field;
	synth_record(s, 1, &rec);
}

/* IRQ 0 through the 8259 and KVM_INTERRUPT, then through the IOAPIC and the LAPIC. */
static void seed_linux_irq0(struct synth *s)
{
	synth_pic_init(s, 0, 0x30, 0);
	/* QEMU's PIT ticks (untraced): the window opens, the PIC's vector goes in. */
	synth_exit(s, 0, EXIT_IRQ_WINDOW_OPEN, WINDOW | READY);
	synth_interrupt(s, 0, 0x30);
	synth_outb(s, 0, 0x20, 0x20, READY);	/* EOI at the PIC */
	/* Later the IOAPIC routes IRQ 0 to the in-kernel LAPIC: same vector. */
	synth_outb(s, 0, 0x80, 1, READY);
	synth_accept(s, 0, 0x30, false);
	synth_eoi(s, 0, 0x30);
	synth_outb(s, 0, 0x80, 2, READY);
}

/* The seed: TPR 0xf0, self-IPIs 32 and 62, the stale read, and under QEMU 2.7 62 again. */
static void seed_tpr(struct synth *s, const struct seed_trace_opts *o, uint64_t *seq_dup)
{
	synth_setup(s, KVMREC__SETUP_KIND__SETUP_TPR_ACCESS_REPORTING, 1, 0);
	synth_outb(s, 0, 0x80, 1, 0);
	synth_outb(s, 1, 0x80, 1, 0);
	synth_accept(s, 0, 32, false);
	synth_accept(s, 0, 62, false);
	synth_tpr_access(s, 0, 0x401f33, true, 0);
	synth_lapic_page(s, 0, 62);
	if (o->ts_seed & 1)
		synth_eintr(s, 0);
	/* The kernel delivers 62 and 32; the guest EOIs them. */
	synth_eoi(s, 0, 62);
	synth_eoi(s, 0, 32);
	if (o->qemu27) {
		/* The stale copy still shows 62: ask for a window, inject it again. */
		synth_outb(s, 0, 0x80, 2, WINDOW);
		synth_exit(s, 0, EXIT_IRQ_WINDOW_OPEN, WINDOW | READY);
		uint64_t seq = synth_interrupt(s, 0, 62);
		if (seq_dup)
			*seq_dup = seq;
		synth_eoi(s, 0, -1);
	} else {
		synth_outb(s, 0, 0x80, 2, 0);
	}
}

int seed_trace_write(const char *path, const struct seed_trace_opts *o, uint64_t *seq_dup)
{
	Kvmrec__Header hdr = KVMREC__HEADER__INIT;
	uint64_t ts0 = 1000000000ull + o->ts_seed * 7919;
	char *argv[] = { "kvmrec-vmm", o->qemu27 ? "--policy=qemu-2.7" : "--policy=fixed", "tpr.elf" };
	char *qemu_argv[] = { "qemu-system-x86_64", "-machine", "accel=kvm,kernel_irqchip=split" };
	char *enabled[] = { "kvm_apic_accept_irq", "kvm_eoi", "kvm_userspace_exit" };
	struct synth s;
	int ret;

	hdr.recorder = "synthetic";
	hdr.clock = "mono";
	hdr.has_start_ns = 1;
	hdr.start_ns = ts0;
	hdr.n_vmm_argv = 3;
	hdr.vmm_argv = o->linux_irq0 ? qemu_argv : argv;
	hdr.n_kernel_events_enabled = 3;
	hdr.kernel_events_enabled = enabled;
	ret = synth_open(&s, path, &hdr, ts0, 0);
	if (ret < 0)
		return ret;
	/* Timestamps, thread ids and EINTR exits vary with the seed, nothing else does. */
	synth_jitter(&s, o->ts_seed * 2654435761u + 1);
	s.tid[0] = 1000 + (uint32_t)(o->ts_seed % 1000);
	s.tid[1] = s.tid[0] + 1;

	synth_setup(&s, KVMREC__SETUP_KIND__SETUP_CREATE_VCPU, 0, 10 + (int64_t)(o->ts_seed % 3));
	synth_setup(&s, KVMREC__SETUP_KIND__SETUP_CREATE_VCPU, 1, 11 + (int64_t)(o->ts_seed % 3));
	if (o->linux_irq0) {
		synth_setup(&s, KVMREC__SETUP_KIND__SETUP_ENABLE_CAP, 121 /* SPLIT_IRQCHIP */, 0);
		seed_linux_irq0(&s);
	} else {
		seed_tpr(&s, o, seq_dup);
	}
	for (unsigned int i = 0; i < o->loops; i++) {
		synth_outb(&s, 0, 0x80, (uint8_t)(3 + i), 0);
		if (o->rtc && (i == 1 || i + 2 == o->loops)) {
			uint8_t rtc = (uint8_t)(o->rtc + i);

			synth_io(&s, 0, false, 0x71, &rtc, 1, 0);
		}
		if (o->extra_at[0] == i + 1 || o->extra_at[1] == i + 1)
			synth_outb(&s, 0, 0x81, (uint8_t)i, 0);
		synth_outb(&s, 1, 0x80, (uint8_t)(3 + i), 0);
		if (o->ts_seed % 3 == 2 && i == o->loops / 2)
			synth_eintr(&s, 1);
	}
	if (o->drops)
		synth_drop(&s, 0, o->drops, "userspace ring full (--lossy)");
	if (o->future)
		seed_future(&s);
	synth_outb(&s, 0, 0xf4, 0, 0);   /* debug exit */
	return synth_close(&s, !o->no_footer);
}
