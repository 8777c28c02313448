// SPDX-License-Identifier: GPL-2.0-only
/* synth: the synthetic-trace builder (see synth.h). */
#include <errno.h>
#include <string.h>

#include "synth.h"
#include "lapic_page.h"
#include "trace_writer.h"
/* kvmrec-vmm's guest ABI is the one definition of its test port. */
#include "../../vmm/guest_abi.h"

#define EXIT_IO			2	/* KVM_EXIT_IO */
#define EXIT_INTR		10	/* KVM_EXIT_INTR */
#define EXIT_TPR_ACCESS		12	/* KVM_EXIT_TPR_ACCESS */
#define LAPIC_REG_TMCCT		0x390

void synth_feed_init(struct synth *s, synth_feed_fn *feed, void *ctx, uint64_t ts0,
		     uint64_t step_ns)
{
	memset(s, 0, sizeof(*s));
	s->feed = feed;
	s->ctx = ctx;
	s->ts = ts0;
	s->step_ns = step_ns;
	s->tid[0] = s->tid[1] = 1;
}

int synth_open(struct synth *s, const char *path, Kvmrec__Header *hdr, uint64_t ts0,
	       uint64_t step_ns)
{
	struct trace_writer_opts wo = { .overwrite = true };

	synth_feed_init(s, NULL, NULL, ts0, step_ns);
	return trace_writer_open(path, hdr, &wo, &s->w);
}

void synth_jitter(struct synth *s, uint64_t seed)
{
	s->rnd = seed ? seed : 1;
}

int synth_close(struct synth *s, bool footer)
{
	int ret = s->err;

	if (!s->w)
		return ret;
	if (ret)
		trace_writer_abort(s->w);
	else if (!footer) {
		ret = trace_writer_flush(s->w);
		trace_writer_abort(s->w);
	} else
		ret = trace_writer_close(s->w, NULL);
	s->w = NULL;
	return ret;
}

/* xorshift: only times, run times and CPUs vary with the seed. */
static uint64_t synth_rand(struct synth *s)
{
	s->rnd ^= s->rnd << 13;
	s->rnd ^= s->rnd >> 7;
	s->rnd ^= s->rnd << 17;
	return s->rnd;
}

uint64_t synth_record(struct synth *s, int32_t vcpu, Kvmrec__Record *rec)
{
	struct trace_event ev = {
		.ts_ns = s->ts,
		.vcpu = vcpu,
		.tid = vcpu >= 0 ? s->tid[vcpu & 1] : s->tid[0],
		.rec = rec,
	};

	s->ts += s->rnd ? 500 + synth_rand(s) % 3000 : s->step_ns;
	if (s->feed) {
		ev.seq = ++s->seq;
		s->feed(s->ctx, &ev);
	} else if (!s->err) {
		s->err = trace_writer_append(s->w, &ev);
		if (!s->err)
			s->seq = ev.seq;
	}
	return ev.seq;
}

uint64_t synth_kevent(struct synth *s, int32_t vcpu, Kvmrec__KernelEventId id,
		      const int64_t *args, size_t n)
{
	Kvmrec__Record rec = KVMREC__RECORD__INIT;
	Kvmrec__KernelEvent k = KVMREC__KERNEL_EVENT__INIT;

	k.has_id = 1;
	k.id = id;
	k.n_args = n;
	k.args = (int64_t *)args;
	if (s->rnd) {
		k.has_cpu = 1;
		k.cpu = (uint32_t)(synth_rand(s) % 2);
	}
	rec.body_case = KVMREC__RECORD__BODY_KEVENT;
	rec.kevent = &k;
	return synth_record(s, vcpu, &rec);
}

uint64_t synth_kev(struct synth *s, int32_t vcpu, Kvmrec__KernelEventId id,
		   const struct synth_field *f)
{
	int64_t args[KEVENT_MAX_FIELDS] = { 0 };

	for (; f->field != KEV_F_NR; f++) {
		if (kevent_args_set(id, args, f->field, f->value) < 0) {
			if (!s->err)
				s->err = -EINVAL;
			return 0;
		}
	}
	return synth_kevent(s, vcpu, id, args, kevent_nfields(id));
}

void synth_accept(struct synth *s, int32_t vcpu, int vec, bool coalesced)
{
	SYNTH_KEV(s, vcpu, APIC_ACCEPT_IRQ, { KEV_F_APICID, vcpu }, { KEV_F_VEC, vec },
		  { KEV_F_COALESCED, coalesced });
}

void synth_eoi(struct synth *s, int32_t vcpu, int vec)
{
	SYNTH_KEV(s, vcpu, EOI, { KEV_F_APICID, vcpu }, { KEV_F_VECTOR, vec });
}

void synth_inj_virq(struct synth *s, int32_t vcpu, int vec)
{
	SYNTH_KEV(s, vcpu, INJ_VIRQ, { KEV_F_IRQ, vec });
}

uint64_t synth_interrupt(struct synth *s, int32_t vcpu, uint32_t vec)
{
	Kvmrec__Record rec = KVMREC__RECORD__INIT;
	Kvmrec__Injection in = KVMREC__INJECTION__INIT;

	in.has_kind = 1;
	in.kind = KVMREC__INJECT_KIND__INJECT_INTERRUPT;
	in.has_vector = 1;
	in.vector = vec;
	rec.body_case = KVMREC__RECORD__BODY_INJECT;
	rec.inject = &in;
	return synth_record(s, vcpu, &rec);
}

/* The exit @x (reason and payload set), with @flags and, jittered, a run time. */
static void exit_emit(struct synth *s, int32_t vcpu, Kvmrec__RunExit *x, uint32_t flags)
{
	Kvmrec__Record rec = KVMREC__RECORD__INIT;

	x->has_reason = 1;
	x->has_flags = flags != 0;
	x->flags = flags;
	if (s->rnd) {
		x->has_run_ns = 1;
		x->run_ns = 200 + synth_rand(s) % 400;
	}
	rec.body_case = KVMREC__RECORD__BODY_EXIT;
	rec.exit = x;
	synth_record(s, vcpu, &rec);
}

void synth_exit(struct synth *s, int32_t vcpu, uint32_t reason, uint32_t flags)
{
	Kvmrec__RunExit x = KVMREC__RUN_EXIT__INIT;

	x.reason = reason;
	exit_emit(s, vcpu, &x, flags);
}

void synth_io(struct synth *s, int32_t vcpu, bool out, uint32_t port, const uint8_t *data,
	      uint32_t len, uint32_t flags)
{
	Kvmrec__RunExit x = KVMREC__RUN_EXIT__INIT;
	Kvmrec__ExitIo io = KVMREC__EXIT_IO__INIT;

	io.has_out = 1;
	io.out = out;
	io.has_size = 1;
	io.size = len;
	io.has_port = 1;
	io.port = port;
	io.has_data = 1;
	io.data.len = len;
	io.data.data = (uint8_t *)data;
	x.reason = EXIT_IO;
	x.payload_case = KVMREC__RUN_EXIT__PAYLOAD_IO;
	x.io = &io;
	exit_emit(s, vcpu, &x, flags);
}

void synth_outb(struct synth *s, int32_t vcpu, uint32_t port, uint8_t val, uint32_t flags)
{
	synth_io(s, vcpu, true, port, &val, 1, flags);
}

void synth_pulse(struct synth *s, int32_t vcpu, unsigned int line, uint32_t flags)
{
	uint32_t cmd = TESTDEV_CMD(TESTDEV_OP_PULSE, TESTDEV_CHIP_PIC, line);
	const uint8_t b[4] = { cmd, cmd >> 8, cmd >> 16, cmd >> 24 };

	synth_io(s, vcpu, true, GUEST_TESTDEV_IRQ_PORT, b, 4, flags);
}

void synth_pic_init(struct synth *s, int32_t vcpu, uint8_t vector_base, uint32_t flags)
{
	synth_outb(s, vcpu, 0x20, 0x11, flags);
	synth_outb(s, vcpu, 0x21, vector_base, flags);
	synth_outb(s, vcpu, 0x21, 0x04, flags);
	synth_outb(s, vcpu, 0x21, 0x01, flags);
}

void synth_tpr_access(struct synth *s, int32_t vcpu, uint64_t rip, bool write, uint32_t flags)
{
	Kvmrec__RunExit x = KVMREC__RUN_EXIT__INIT;
	Kvmrec__ExitTprAccess tpr = KVMREC__EXIT_TPR_ACCESS__INIT;

	tpr.has_rip = 1;
	tpr.rip = rip;
	tpr.has_write = 1;
	tpr.write = write;
	x.reason = EXIT_TPR_ACCESS;
	x.payload_case = KVMREC__RUN_EXIT__PAYLOAD_TPR_ACCESS;
	x.tpr_access = &tpr;
	exit_emit(s, vcpu, &x, flags);
}

void synth_eintr(struct synth *s, int32_t vcpu)
{
	Kvmrec__Record rec = KVMREC__RECORD__INIT;
	Kvmrec__RunExit x = KVMREC__RUN_EXIT__INIT;

	x.has_reason = 1;
	x.reason = EXIT_INTR;
	x.has_ret = 1;
	x.ret = -1;
	x.has_err = 1;
	x.err = EINTR;
	x.has_run_ns = 1;
	x.run_ns = 100;
	rec.body_case = KVMREC__RECORD__BODY_EXIT;
	rec.exit = &x;
	synth_record(s, vcpu, &rec);
}

/* A LAPIC sync of @l, IRR and ISR arrays from @irr (ISR empty). */
static void lapic_emit(struct synth *s, int32_t vcpu, Kvmrec__LapicSync *l, uint32_t *irr)
{
	Kvmrec__Record rec = KVMREC__RECORD__INIT;
	uint32_t isr[8] = { 0 };

	l->n_irr = 8;
	l->irr = irr;
	l->n_isr = 8;
	l->isr = isr;
	rec.body_case = KVMREC__RECORD__BODY_LAPIC;
	rec.lapic = l;
	synth_record(s, vcpu, &rec);
}

void synth_lapic_sync(struct synth *s, int32_t vcpu, bool set, int irr_vec)
{
	Kvmrec__LapicSync l = KVMREC__LAPIC_SYNC__INIT;
	uint32_t irr[8] = { 0 };

	if (irr_vec)
		irr[irr_vec / 32] = 1u << (irr_vec % 32);
	l.has_set = set;
	l.set = set;
	lapic_emit(s, vcpu, &l, irr);
}

void synth_lapic_page(struct synth *s, int32_t vcpu, int irr_vec)
{
	Kvmrec__LapicSync l = KVMREC__LAPIC_SYNC__INIT;
	uint8_t page[LAPIC_PAGE_SIZE] = { 0 };
	uint32_t irr[8] = { 0 }, tmcct = s->rnd ? (uint32_t)synth_rand(s) : 0;

	if (irr_vec)
		irr[irr_vec / 32] = 1u << (irr_vec % 32);
	for (int i = 0; i < 8; i++)
		memcpy(page + LAPIC_REG_IRR + 0x10 * i, &irr[i], 4);
	memcpy(page + LAPIC_REG_TMCCT, &tmcct, 4);
	l.has_regs = 1;
	l.regs.len = sizeof(page);
	l.regs.data = page;
	l.has_tpr = 1;
	l.tpr = 0;
	lapic_emit(s, vcpu, &l, irr);
}

void synth_setup(struct synth *s, Kvmrec__SetupKind kind, uint64_t arg, int64_t ret)
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
	synth_record(s, TRACE_VCPU_NONE, &rec);
}

void synth_drop(struct synth *s, int32_t vcpu, uint64_t count, const char *what)
{
	Kvmrec__Record rec = KVMREC__RECORD__INIT;
	Kvmrec__Drop d = KVMREC__DROP__INIT;

	d.has_count = 1;
	d.count = count;
	d.what = (char *)what;
	rec.body_case = KVMREC__RECORD__BODY_DROP;
	rec.drop = &d;
	synth_record(s, vcpu, &rec);
}
