// SPDX-License-Identifier: GPL-2.0-only
/*
 * check-once scenarios fed to the replayer event by event, each with its
 * verdict: what must pass (a vector raised again after its EOI, raised
 * again while in service, PIC lines pulsed again and again through IRQ
 * windows) and what must fail (a second injection, a lost request, a
 * request erased by a stale KVM_SET_LAPIC, a delivery with no request),
 * and what cannot be decided.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "kevent_table.h"
#include "replay.h"

struct scen {
	struct replay *r;
	uint64_t seq, ts;
	Kvmrec__Header hdr;
	char *argv[4];
	char *enabled[4];
};

static void begin_observed(struct scen *s, bool kvmrec_vmm, bool kernel_events,
			   const char *model, const struct judge_observer *observer)
{
	struct replay_opts o = { .model = model ? policy_find(model) : NULL, .observer = observer };
	Kvmrec__Header h = KVMREC__HEADER__INIT;

	memset(s, 0, sizeof(*s));
	s->hdr = h;
	s->hdr.recorder = "preload";
	if (kvmrec_vmm) {
		s->argv[0] = "/usr/bin/kvmrec-vmm";
		s->argv[1] = "--policy";
		s->argv[2] = "qemu-2.7";
		s->argv[3] = "tpr.elf";
		s->hdr.vmm_argv = s->argv;
		s->hdr.n_vmm_argv = 4;
	}
	if (kernel_events) {
		s->enabled[0] = "kvm_apic_accept_irq";
		s->enabled[1] = "kvm_eoi";
		s->hdr.kernel_events_enabled = s->enabled;
		s->hdr.n_kernel_events_enabled = 2;
	}
	s->r = replay_alloc(&o);
	assert_non_null(s->r);
	replay_begin(s->r, &s->hdr);
}

static void begin(struct scen *s, bool kvmrec_vmm, bool kernel_events, const char *model)
{
	begin_observed(s, kvmrec_vmm, kernel_events, model, NULL);
}

static void feed(struct scen *s, int32_t vcpu, Kvmrec__Record *rec)
{
	struct trace_event ev = { ++s->seq, s->ts += 1000, vcpu, 1, rec };

	replay_feed(s->r, &ev);
}

struct kev_value {
	enum kev_field field;
	int64_t value;
};

/* A kernel event with every field of its row: 0 unless named. */
static void kev_fields(struct scen *s, Kvmrec__KernelEventId id, const struct kev_value *v)
{
	Kvmrec__Record rec = KVMREC__RECORD__INIT;
	Kvmrec__KernelEvent k = KVMREC__KERNEL_EVENT__INIT;
	int64_t args[KEVENT_MAX_FIELDS] = { 0 };

	for (; v->field != KEV_F_NR; v++)
		assert_int_equal(kevent_args_set(id, args, v->field, v->value), 0);
	k.has_id = 1;
	k.id = id;
	k.n_args = kevent_nfields(id);
	k.args = args;
	rec.body_case = KVMREC__RECORD__BODY_KEVENT;
	rec.kevent = &k;
	feed(s, 0, &rec);
}

/* kev(s, APIC_IPI, { KEV_F_ICR_LOW, 0x8f1 }, { KEV_F_DEST_ID, 0x81 }) */
#define kev(s, id, ...) \
	kev_fields(s, KVMREC__KERNEL_EVENT_ID__KEV_##id, \
		   (const struct kev_value[]){ __VA_ARGS__, { KEV_F_NR, 0 } })

static void accept_irq(struct scen *s, int vec, bool coalesced)
{
	kev(s, APIC_ACCEPT_IRQ, { KEV_F_VEC, vec }, { KEV_F_COALESCED, coalesced });
}

static void eoi(struct scen *s, int vec)
{
	kev(s, EOI, { KEV_F_VECTOR, vec });
}

static void inj_virq(struct scen *s, int vec)
{
	kev(s, INJ_VIRQ, { KEV_F_IRQ, vec });
}

static void kvm_interrupt(struct scen *s, int vec)
{
	Kvmrec__Record rec = KVMREC__RECORD__INIT;
	Kvmrec__Injection in = KVMREC__INJECTION__INIT;

	in.has_kind = 1;
	in.kind = KVMREC__INJECT_KIND__INJECT_INTERRUPT;
	in.has_vector = 1;
	in.vector = vec;
	rec.body_case = KVMREC__RECORD__BODY_INJECT;
	rec.inject = &in;
	feed(s, 0, &rec);
}

/* A KVM_RUN return: @flags as RunFlag, an OUT of @len bytes if @port. */
static void run_exit(struct scen *s, uint32_t reason, uint32_t flags, int port,
		     const uint8_t *data, size_t len)
{
	Kvmrec__Record rec = KVMREC__RECORD__INIT;
	Kvmrec__RunExit x = KVMREC__RUN_EXIT__INIT;
	Kvmrec__ExitIo io = KVMREC__EXIT_IO__INIT;

	x.has_reason = 1;
	x.reason = reason;
	x.has_flags = 1;
	x.flags = flags;
	if (port >= 0) {
		io.has_out = 1;
		io.out = 1;
		io.has_size = 1;
		io.size = len == 4 ? 4 : 1;
		io.has_port = 1;
		io.port = port;
		io.has_data = 1;
		io.data.data = (uint8_t *)data;
		io.data.len = len;
		x.payload_case = KVMREC__RUN_EXIT__PAYLOAD_IO;
		x.io = &io;
	}
	rec.body_case = KVMREC__RECORD__BODY_EXIT;
	rec.exit = &x;
	feed(s, 0, &rec);
}

static void outb(struct scen *s, int port, uint8_t v)
{
	run_exit(s, 2, 4 | 8, port, &v, 1);
}

/* kvmrec-vmm's interrupt test port: pulse PIC line @line. */
static void pulse(struct scen *s, int line)
{
	uint8_t cmd[4] = { line, 0, 2, 0 };

	run_exit(s, 2, 4 | 8, 0xe0, cmd, 4);
}

/* The guest's ICW1-4: master PIC at vector 0x20, slave on IRQ 2, 8086 mode. */
static void pic_setup(struct scen *s)
{
	outb(s, 0x20, 0x11);
	outb(s, 0x21, 0x20);
	outb(s, 0x21, 0x04);
	outb(s, 0x21, 0x01);
}

/* KVM_GET_LAPIC or KVM_SET_LAPIC (@set) of a page with only @vec in IRR (0: none). */
static void lapic_sync(struct scen *s, bool set, int vec)
{
	Kvmrec__Record rec = KVMREC__RECORD__INIT;
	Kvmrec__LapicSync l = KVMREC__LAPIC_SYNC__INIT;
	uint32_t irr[8] = { 0 }, isr[8] = { 0 };

	if (vec)
		irr[vec / 32] = 1u << (vec % 32);
	l.has_set = 1;
	l.set = set;
	l.n_irr = 8;
	l.irr = irr;
	l.n_isr = 8;
	l.isr = isr;
	rec.body_case = KVMREC__RECORD__BODY_LAPIC;
	rec.lapic = &l;
	feed(s, 0, &rec);
}

/* As begin(), for bisect's what-if: the model's decisions are what happens. */
static void begin_what_if(struct scen *s, const char *model)
{
	struct replay_opts o = { .model = policy_find(model), .what_if = true };

	begin(s, true, true, model);
	replay_free(s->r);
	s->r = replay_alloc(&o);
	assert_non_null(s->r);
	replay_begin(s->r, &s->hdr);
}

static int end(struct scen *s, bool complete)
{
	int v;

	replay_end(s->r, complete);
	v = replay_result(s->r)->verdict;
	return v;
}

static void test_raised_again_after_eoi_passes(void **state)
{
	struct scen s;

	(void)state;
	begin(&s, false, true, NULL);
	for (int i = 0; i < 5; i++) {
		accept_irq(&s, 0x40, false);
		eoi(&s, 0x40);
		eoi(&s, -1);	/* kvm-pvm's second EOI trace */
	}
	assert_int_equal(end(&s, true), 0);
	assert_int_equal(replay_result(s.r)->deliveries, 5);
	replay_free(s.r);
}

static void test_raised_again_in_service_passes(void **state)
{
	struct scen s;

	(void)state;
	begin(&s, false, true, NULL);
	accept_irq(&s, 0x41, false);
	inj_virq(&s, 0x41);
	accept_irq(&s, 0x41, false);	/* in service, IRR set again */
	accept_irq(&s, 0x41, true);	/* coalesced: no new request */
	eoi(&s, 0x41);
	inj_virq(&s, 0x41);
	eoi(&s, 0x41);
	assert_int_equal(end(&s, true), 0);
	replay_free(s.r);
}

static void test_userspace_second_injection_fails(void **state)
{
	struct scen s;
	const struct check_once_violation *x;

	(void)state;
	begin(&s, false, true, NULL);
	accept_irq(&s, 62, false);
	run_exit(&s, 2, 4 | 8, -1, NULL, 0);
	kvm_interrupt(&s, 62);		/* the VMM injects the kernel's vector */
	run_exit(&s, 7, 4 | 8, -1, NULL, 0);
	eoi(&s, -1);			/* its EOI: nothing in the kernel ISR */
	eoi(&s, 62);			/* the kernel delivered it too */
	assert_int_equal(end(&s, true), 1);
	x = &replay_result(s.r)->first;
	assert_int_equal(x->kind, CHECK_ONCE_DOUBLE);
	assert_int_equal(x->vector, 62);
	assert_int_equal(x->path, CHECK_PATH_USER);	/* the extra one */
	assert_int_equal(x->delivery.seq, 3);
	assert_int_equal(x->window.seq, 2);
	assert_int_equal(x->first_path, CHECK_PATH_KERNEL);
	assert_int_equal(x->request.seq, 1);
	replay_free(s.r);
}

static void test_lost_with_inj_virq(void **state)
{
	struct scen s;

	(void)state;
	begin(&s, false, true, NULL);
	accept_irq(&s, 0x30, false);	/* kvm_inj_virq fires here: deliveries are seen */
	inj_virq(&s, 0x30);
	eoi(&s, 0x30);
	accept_irq(&s, 0x50, false);
	assert_int_equal(end(&s, true), 1);
	assert_int_equal(replay_result(s.r)->first.kind, CHECK_ONCE_LOST);
	replay_free(s.r);
}

static void test_truncated_is_not_lost(void **state)
{
	struct scen s;

	(void)state;
	begin(&s, false, true, NULL);
	inj_virq(&s, 0x31);
	accept_irq(&s, 0x31, false);
	assert_int_equal(end(&s, false), 1);	/* the 0x31 before any request */
	assert_int_equal(replay_result(s.r)->first.kind, CHECK_ONCE_SPURIOUS);
	assert_true(replay_result(s.r)->truncated);
	replay_free(s.r);
}

static void test_no_kernel_events_undecided(void **state)
{
	struct scen s;

	(void)state;
	begin(&s, false, false, NULL);
	run_exit(&s, 2, 4 | 8, -1, NULL, 0);
	assert_int_equal(end(&s, true), 125);
	assert_non_null(strstr(replay_result(s.r)->undecided, "kernel deliveries are not in the trace"));
	replay_free(s.r);
}

/* `record --pid`: the header says the trace began mid-run. */
static void begin_mid_run(struct scen *s)
{
	begin(s, false, true, NULL);
	s->hdr.recorder = "bpf";
	s->hdr.has_mid_run = 1;
	s->hdr.mid_run = 1;
	replay_begin(s->r, &s->hdr);
}

/*
 * Attached while 0x30 was pending: its kernel delivery (seen at the EOI) and
 * the userspace injection of 0x31 answer requests older than the trace.
 */
static void test_mid_run_requests_before_start_pass(void **state)
{
	struct scen s;

	(void)state;
	begin_mid_run(&s);
	eoi(&s, 0x30);
	run_exit(&s, 7, 4 | 8, -1, NULL, 0);
	kvm_interrupt(&s, 0x31);
	accept_irq(&s, 0x30, false);	/* a new request, delivered once */
	eoi(&s, 0x30);
	assert_int_equal(end(&s, true), 0);
	assert_int_equal(replay_result(s.r)->before_start, 2);
	replay_free(s.r);
}

/* The seed's double injection is still caught when the recording began mid-run. */
static void test_mid_run_double_still_fails(void **state)
{
	struct scen s;

	(void)state;
	begin_mid_run(&s);
	accept_irq(&s, 62, false);
	run_exit(&s, 2, 4 | 8, -1, NULL, 0);
	kvm_interrupt(&s, 62);
	run_exit(&s, 7, 4 | 8, -1, NULL, 0);
	eoi(&s, 62);
	assert_int_equal(end(&s, true), 1);
	assert_int_equal(replay_result(s.r)->first.kind, CHECK_ONCE_DOUBLE);
	replay_free(s.r);
}

/* A PIC programmed before the trace: its second injection cannot be placed, named 125. */
static void test_mid_run_unprogrammed_pic_undecided(void **state)
{
	struct scen s;

	(void)state;
	begin_mid_run(&s);
	eoi(&s, -1);
	kvm_interrupt(&s, 0x20);
	kvm_interrupt(&s, 0x20);
	assert_int_equal(end(&s, true), 125);
	assert_non_null(strstr(replay_result(s.r)->undecided, "began mid-run"));
	replay_free(s.r);
}

/* kvmrec-vmm's PIC: line 3 pulsed and delivered through IRQ windows, 4 times. */
static void test_pic_again_and_again_passes_extra_fails(void **state)
{
	struct scen s;

	(void)state;
	begin(&s, true, true, "qemu-fixed");
	pic_setup(&s);
	for (int i = 0; i < 4; i++) {
		pulse(&s, 3);
		run_exit(&s, 7, 4 | 8 | 1, -1, NULL, 0);	/* window open */
		kvm_interrupt(&s, 0x23);
		outb(&s, 0x20, 0x20);			/* EOI */
	}
	assert_int_equal(replay_result(s.r)->violations, 0);
	assert_int_equal(replay_result(s.r)->deliveries, 4);
	kvm_interrupt(&s, 0x23);			/* no new edge */
	assert_int_equal(end(&s, true), 1);
	assert_int_equal(replay_result(s.r)->first.kind, CHECK_ONCE_DOUBLE);
	replay_free(s.r);
}

/* What an observer was told, in order. */
struct told {
	struct judge_item item[16];
	struct check_once_violation violation[16];
	int n;
};

static void tell(void *ctx, const struct judge_item *it)
{
	struct told *t = ctx;

	assert_true(t->n < 16);
	t->item[t->n] = *it;
	if (it->violation)
		t->violation[t->n] = *it->violation;
	t->n++;
}

static void assert_item(const struct told *t, int i, enum judge_kind kind, uint32_t vec,
			uint64_t at, uint64_t request)
{
	assert_int_equal(t->item[i].kind, kind);
	assert_int_equal(t->item[i].vector, vec);
	assert_int_equal(t->item[i].at.seq, at);
	assert_int_equal(t->item[i].request.seq, request);
}

/* The observer hears each decision once, the verdict's own violation included. */
static void test_observer_told_request_delivery_violation(void **state)
{
	struct told t = { .n = 0 };
	struct judge_observer o = { tell, &t };
	struct scen s;

	(void)state;
	begin_observed(&s, false, true, NULL, &o);
	accept_irq(&s, 62, false);
	run_exit(&s, 2, 4 | 8, -1, NULL, 0);
	kvm_interrupt(&s, 62);
	run_exit(&s, 7, 4 | 8, -1, NULL, 0);
	eoi(&s, -1);
	eoi(&s, 62);
	assert_int_equal(end(&s, true), 1);
	assert_int_equal(t.n, 3);
	assert_item(&t, 0, JUDGE_REQUEST, 62, 1, 0);
	assert_int_equal(t.item[0].source, JUDGE_SRC_LAPIC);
	assert_item(&t, 1, JUDGE_DELIVERY, 62, 3, 1);
	assert_int_equal(t.item[1].path, CHECK_PATH_USER);
	/* Told at the EOI (seq 6); the extra delivery it names is the KVM_INTERRUPT. */
	assert_item(&t, 2, JUDGE_VIOLATION, 62, 3, 1);
	assert_int_equal(t.violation[2].kind, CHECK_ONCE_DOUBLE);
	assert_int_equal(t.violation[2].first.seq, 6);
	assert_memory_equal(&t.violation[2], &replay_result(s.r)->first, sizeof(t.violation[2]));
	replay_free(s.r);
}

/* Every violation, not only the first the report keeps. */
static void test_observer_told_every_violation(void **state)
{
	struct told t = { .n = 0 };
	struct judge_observer o = { tell, &t };
	struct scen s;
	int violations = 0, requests = 0, deliveries = 0;

	(void)state;
	begin_observed(&s, true, true, "qemu-fixed", &o);
	pic_setup(&s);
	pulse(&s, 3);
	run_exit(&s, 7, 4 | 8 | 1, -1, NULL, 0);
	kvm_interrupt(&s, 0x23);
	outb(&s, 0x20, 0x20);
	kvm_interrupt(&s, 0x23);
	kvm_interrupt(&s, 0x23);
	assert_int_equal(end(&s, true), 1);
	for (int i = 0; i < t.n; i++) {
		violations += t.item[i].kind == JUDGE_VIOLATION;
		requests += t.item[i].kind == JUDGE_REQUEST;
		deliveries += t.item[i].kind == JUDGE_DELIVERY;
	}
	assert_int_equal(requests, 1);
	assert_int_equal(t.item[0].source, JUDGE_SRC_PIC);
	assert_int_equal(t.item[0].vector, 0x23);
	assert_int_equal(deliveries, 1);
	assert_int_equal(violations, 2);
	assert_int_equal(replay_result(s.r)->violations, 2);
	assert_int_equal(t.item[t.n - 1].kind, JUDGE_VIOLATION);
	assert_int_equal(t.item[t.n - 1].at.seq, s.seq);
	replay_free(s.r);
}

/* A request with no delivery seen, kernel deliveries visible only at EOIs. */
static void test_observer_told_undecided_request(void **state)
{
	struct told t = { .n = 0 };
	struct judge_observer o = { tell, &t };
	struct scen s;

	(void)state;
	begin_observed(&s, false, true, NULL, &o);
	run_exit(&s, 2, 4 | 8, -1, NULL, 0);
	accept_irq(&s, 0x41, false);
	accept_irq(&s, 0x50, false);
	eoi(&s, 0x41);
	run_exit(&s, 2, 4 | 8, -1, NULL, 0);	/* the guest ran on past 0x50: */
	run_exit(&s, 2, 4 | 8, -1, NULL, 0);	/* not a request cut short by the end */
	assert_int_equal(end(&s, true), 125);
	assert_int_equal(t.n, 4);
	assert_item(&t, 2, JUDGE_DELIVERY, 0x41, 4, 2);
	assert_item(&t, 3, JUDGE_UNDECIDED, 0x50, 3, 0);
	assert_non_null(t.item[3].why);
	replay_free(s.r);
}

/*
 * kvmrec-vmm --policy stale-setlapic: the test port's handler read the
 * LAPIC, the pulse it handled was accepted, and the page read before went
 * back with KVM_SET_LAPIC while the vCPU was stopped.
 */
static void test_stale_set_lapic_erases_request(void **state)
{
	const struct check_once_violation *x;
	struct scen s;

	(void)state;
	begin(&s, false, true, NULL);
	run_exit(&s, 2, 4 | 8, -1, NULL, 0);
	lapic_sync(&s, false, 0);	/* seq 2: the read */
	accept_irq(&s, 0x61, false);	/* seq 3 */
	lapic_sync(&s, true, 0);	/* seq 4: the stale write */
	run_exit(&s, 2, 4 | 8, -1, NULL, 0);
	assert_int_equal(end(&s, true), 1);
	x = &replay_result(s.r)->first;
	assert_int_equal(x->kind, CHECK_ONCE_LOST);
	assert_int_equal(x->vector, 0x61);
	assert_int_equal(x->request.seq, 3);
	assert_int_equal(x->stale_sync.seq, 2);
	assert_int_equal(x->wiped_by.seq, 4);
	replay_free(s.r);
}

/* A write that keeps the vector, or one after the vCPU ran, erases nothing for sure. */
static void test_set_lapic_not_erasing_passes(void **state)
{
	struct scen s;

	(void)state;
	begin(&s, false, true, NULL);
	run_exit(&s, 2, 4 | 8, -1, NULL, 0);
	accept_irq(&s, 0x61, false);
	lapic_sync(&s, true, 0x61);
	run_exit(&s, 2, 4 | 8, -1, NULL, 0);
	eoi(&s, 0x61);
	accept_irq(&s, 0x62, false);
	run_exit(&s, 2, 4 | 8, -1, NULL, 0);	/* ran: 0x62 may be in service by now */
	lapic_sync(&s, true, 0);
	eoi(&s, 0x62);
	assert_int_equal(end(&s, true), 0);
	assert_int_equal(replay_result(s.r)->deliveries, 2);
	replay_free(s.r);
}

/* Bisect's what-if: without the knob the write is not made and the kernel delivers. */
static void test_what_if_without_stale_setlapic_delivers(void **state)
{
	const char *models[] = { "stale-setlapic", "qemu-fixed" };
	const int want[] = { 1, 0 };
	struct scen s;

	(void)state;
	for (int i = 0; i < 2; i++) {
		begin_what_if(&s, models[i]);
		lapic_sync(&s, true, 0);	/* set-up, before the first run: always made */
		run_exit(&s, 2, 4 | 8, -1, NULL, 0);
		lapic_sync(&s, false, 0);
		accept_irq(&s, 0x61, false);
		lapic_sync(&s, true, 0);
		run_exit(&s, 2, 4 | 8, -1, NULL, 0);
		assert_int_equal(end(&s, true), want[i]);
		replay_free(s.r);
	}
}

static void setup(struct scen *s, Kvmrec__SetupKind kind, uint32_t cap)
{
	Kvmrec__Record rec = KVMREC__RECORD__INIT;
	Kvmrec__VmSetup st = KVMREC__VM_SETUP__INIT;

	st.has_kind = 1;
	st.kind = kind;
	st.has_cap = cap != 0;
	st.cap = cap;
	rec.body_case = KVMREC__RECORD__BODY_SETUP;
	rec.setup = &st;
	feed(s, -1, &rec);
}

/* This host's kvm_apic_accept_irq: coalesced=0 for accepts into a set IRR bit. */
static void test_accepts_into_set_irr_are_coalesces(void **state)
{
	struct scen s;

	(void)state;
	begin(&s, false, true, NULL);
	for (int i = 0; i < 3; i++) {
		accept_irq(&s, 0xef, false);
		accept_irq(&s, 0xef, false);
		accept_irq(&s, 0xef, false);
		eoi(&s, 0xef);
		eoi(&s, -1);
	}
	assert_int_equal(end(&s, true), 0);
	assert_int_equal(replay_result(s.r)->requests, 3);
	assert_int_equal(replay_result(s.r)->coalesced, 6);
	replay_free(s.r);
}

/* An unseen delivery between two accepts: the second was a request after all. */
static void test_coalesce_guess_answers_a_second_eoi(void **state)
{
	struct scen s;

	(void)state;
	begin(&s, false, true, NULL);
	accept_irq(&s, 0xef, false);
	accept_irq(&s, 0xef, false);	/* delivered in between, unseen */
	eoi(&s, 0xef);
	eoi(&s, 0xef);
	assert_int_equal(end(&s, true), 0);
	assert_int_equal(replay_result(s.r)->deliveries, 2);
	replay_free(s.r);
}

static void test_in_kernel_mode_model_does_not_apply(void **state)
{
	struct scen s;

	(void)state;
	begin(&s, false, true, "qemu-2.7");
	setup(&s, KVMREC__SETUP_KIND__SETUP_CREATE_VM, 0);
	setup(&s, KVMREC__SETUP_KIND__SETUP_CREATE_IRQCHIP, 0);
	run_exit(&s, 2, 4 | 8, -1, NULL, 0);
	accept_irq(&s, 0x40, false);
	eoi(&s, 0x40);
	run_exit(&s, 2, 4 | 8, -1, NULL, 0);
	assert_int_equal(end(&s, true), 0);
	assert_int_equal(replay_result(s.r)->irqchip, CHECK_IRQCHIP_KERNEL);
	assert_false(replay_policy_applies(s.r));
	assert_non_null(replay_model_error(s.r));
	replay_free(s.r);
}

/* kernel_irqchip=off: a LAPIC vector's request lives in the VMM, untraced. */
static void test_userspace_lapic_vector_is_named_undecided(void **state)
{
	struct scen s;
	const struct check_once_undecided *u;

	(void)state;
	begin(&s, false, true, "qemu-fixed");
	setup(&s, KVMREC__SETUP_KIND__SETUP_CREATE_VM, 0);
	run_exit(&s, 7, 4 | 8, -1, NULL, 0);
	kvm_interrupt(&s, 0xec);
	run_exit(&s, 2, 4 | 8, -1, NULL, 0);
	assert_int_equal(end(&s, true), 125);
	assert_int_equal(replay_result(s.r)->irqchip, CHECK_IRQCHIP_USERSPACE);
	assert_non_null(replay_model_error(s.r));	/* --model has nothing to describe */
	u = &replay_result(s.r)->undecided_items[0];
	assert_int_equal(u->vcpu, 0);
	assert_int_equal(u->vector, 0xec);
	assert_int_equal(u->at.seq, 3);
	assert_non_null(strstr(u->why, "userspace LAPIC"));
	replay_free(s.r);
}

static void test_no_kvm_run_is_undecided(void **state)
{
	struct scen s;

	(void)state;
	begin(&s, false, true, NULL);
	setup(&s, KVMREC__SETUP_KIND__SETUP_CREATE_VM, 0);
	assert_int_equal(end(&s, true), 125);
	assert_int_equal(replay_result(s.r)->n_undecided, 1);
	assert_non_null(strstr(replay_result(s.r)->undecided_items[0].why, "no KVM_RUN"));
	replay_free(s.r);
}

/* kvm-unit-tests apic: logical-cluster IPIs and a broadcast are no vCPU numbers. */
static void test_logical_ipis_are_not_vcpu_indexes(void **state)
{
	struct scen s;

	(void)state;
	begin(&s, false, true, NULL);
	run_exit(&s, 2, 4 | 8, -1, NULL, 0);
	kev(&s, APIC_IPI, { KEV_F_ICR_LOW, 0x8f1 }, { KEV_F_DEST_ID, 0x81 });
	kev(&s, APIC_IPI, { KEV_F_ICR_LOW, 0x0f1 }, { KEV_F_DEST_ID, 0xff });
	accept_irq(&s, 0xf1, false);
	eoi(&s, 0xf1);
	assert_int_equal(end(&s, true), 0);
	assert_int_equal(replay_result(s.r)->n_undecided, 0);
	replay_free(s.r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_raised_again_after_eoi_passes),
		cmocka_unit_test(test_raised_again_in_service_passes),
		cmocka_unit_test(test_userspace_second_injection_fails),
		cmocka_unit_test(test_lost_with_inj_virq),
		cmocka_unit_test(test_truncated_is_not_lost),
		cmocka_unit_test(test_no_kernel_events_undecided),
		cmocka_unit_test(test_pic_again_and_again_passes_extra_fails),
		cmocka_unit_test(test_mid_run_requests_before_start_pass),
		cmocka_unit_test(test_mid_run_double_still_fails),
		cmocka_unit_test(test_mid_run_unprogrammed_pic_undecided),
		cmocka_unit_test(test_observer_told_request_delivery_violation),
		cmocka_unit_test(test_observer_told_every_violation),
		cmocka_unit_test(test_observer_told_undecided_request),
		cmocka_unit_test(test_stale_set_lapic_erases_request),
		cmocka_unit_test(test_set_lapic_not_erasing_passes),
		cmocka_unit_test(test_what_if_without_stale_setlapic_delivers),
		cmocka_unit_test(test_accepts_into_set_irr_are_coalesces),
		cmocka_unit_test(test_coalesce_guess_answers_a_second_eoi),
		cmocka_unit_test(test_in_kernel_mode_model_does_not_apply),
		cmocka_unit_test(test_no_kvm_run_is_undecided),
		cmocka_unit_test(test_userspace_lapic_vector_is_named_undecided),
		cmocka_unit_test(test_logical_ipis_are_not_vcpu_indexes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
