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
#include "synth.h"

struct scen {
	struct replay *r;
	struct synth b;		/* the events, fed to r as they are made */
	Kvmrec__Header hdr;
	char *argv[4];
	char *enabled[4];
};

static void feed(void *ctx, const struct trace_event *ev)
{
	struct scen *s = ctx;

	replay_feed(s->r, ev);
}

static void begin_observed(struct scen *s, bool kvmrec_vmm, bool kernel_events,
			   const char *model, const struct judge_observer *observer)
{
	struct replay_opts o = { .model = model ? policy_find(model) : NULL, .observer = observer };
	Kvmrec__Header h = KVMREC__HEADER__INIT;

	memset(s, 0, sizeof(*s));
	synth_feed_init(&s->b, feed, s, 1000, 1000);
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

	assert_int_equal(s->b.err, 0);	/* every event was made as asked */
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
		synth_accept(&s.b, 0, 0x40, false);
		synth_eoi(&s.b, 0, 0x40);
		synth_eoi(&s.b, 0, -1);	/* kvm-pvm's second EOI trace */
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
	synth_accept(&s.b, 0, 0x41, false);
	synth_inj_virq(&s.b, 0, 0x41);
	synth_accept(&s.b, 0, 0x41, false);	/* in service, IRR set again */
	synth_accept(&s.b, 0, 0x41, true);	/* coalesced: no new request */
	synth_eoi(&s.b, 0, 0x41);
	synth_inj_virq(&s.b, 0, 0x41);
	synth_eoi(&s.b, 0, 0x41);
	assert_int_equal(end(&s, true), 0);
	replay_free(s.r);
}

static void test_userspace_second_injection_fails(void **state)
{
	struct scen s;
	const struct check_once_violation *x;

	(void)state;
	begin(&s, false, true, NULL);
	synth_accept(&s.b, 0, 62, false);
	synth_exit(&s.b, 0, 2, 4 | 8);
	synth_interrupt(&s.b, 0, 62);		/* the VMM injects the kernel's vector */
	synth_exit(&s.b, 0, 7, 4 | 8);
	synth_eoi(&s.b, 0, -1);			/* its EOI: nothing in the kernel ISR */
	synth_eoi(&s.b, 0, 62);			/* the kernel delivered it too */
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
	synth_accept(&s.b, 0, 0x30, false);	/* kvm_inj_virq fires here: deliveries are seen */
	synth_inj_virq(&s.b, 0, 0x30);
	synth_eoi(&s.b, 0, 0x30);
	synth_accept(&s.b, 0, 0x50, false);
	assert_int_equal(end(&s, true), 1);
	assert_int_equal(replay_result(s.r)->first.kind, CHECK_ONCE_LOST);
	replay_free(s.r);
}

static void test_truncated_is_not_lost(void **state)
{
	struct scen s;

	(void)state;
	begin(&s, false, true, NULL);
	synth_inj_virq(&s.b, 0, 0x31);
	synth_accept(&s.b, 0, 0x31, false);
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
	synth_exit(&s.b, 0, 2, 4 | 8);
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
	synth_eoi(&s.b, 0, 0x30);
	synth_exit(&s.b, 0, 7, 4 | 8);
	synth_interrupt(&s.b, 0, 0x31);
	synth_accept(&s.b, 0, 0x30, false);	/* a new request, delivered once */
	synth_eoi(&s.b, 0, 0x30);
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
	synth_accept(&s.b, 0, 62, false);
	synth_exit(&s.b, 0, 2, 4 | 8);
	synth_interrupt(&s.b, 0, 62);
	synth_exit(&s.b, 0, 7, 4 | 8);
	synth_eoi(&s.b, 0, 62);
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
	synth_eoi(&s.b, 0, -1);
	synth_interrupt(&s.b, 0, 0x20);
	synth_interrupt(&s.b, 0, 0x20);
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
	synth_pic_init(&s.b, 0, 0x20, 4 | 8);
	for (int i = 0; i < 4; i++) {
		synth_pulse(&s.b, 0, 3, 4 | 8);
		synth_exit(&s.b, 0, 7, 4 | 8 | 1);	/* window open */
		synth_interrupt(&s.b, 0, 0x23);
		synth_outb(&s.b, 0, 0x20, 0x20, 4 | 8);			/* EOI */
	}
	assert_int_equal(replay_result(s.r)->violations, 0);
	assert_int_equal(replay_result(s.r)->deliveries, 4);
	synth_interrupt(&s.b, 0, 0x23);			/* no new edge */
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
	synth_accept(&s.b, 0, 62, false);
	synth_exit(&s.b, 0, 2, 4 | 8);
	synth_interrupt(&s.b, 0, 62);
	synth_exit(&s.b, 0, 7, 4 | 8);
	synth_eoi(&s.b, 0, -1);
	synth_eoi(&s.b, 0, 62);
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
	synth_pic_init(&s.b, 0, 0x20, 4 | 8);
	synth_pulse(&s.b, 0, 3, 4 | 8);
	synth_exit(&s.b, 0, 7, 4 | 8 | 1);
	synth_interrupt(&s.b, 0, 0x23);
	synth_outb(&s.b, 0, 0x20, 0x20, 4 | 8);
	synth_interrupt(&s.b, 0, 0x23);
	synth_interrupt(&s.b, 0, 0x23);
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
	assert_int_equal(t.item[t.n - 1].at.seq, s.b.seq);
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
	synth_exit(&s.b, 0, 2, 4 | 8);
	synth_accept(&s.b, 0, 0x41, false);
	synth_accept(&s.b, 0, 0x50, false);
	synth_eoi(&s.b, 0, 0x41);
	synth_exit(&s.b, 0, 2, 4 | 8);	/* the guest ran on past 0x50: */
	synth_exit(&s.b, 0, 2, 4 | 8);	/* not a request cut short by the end */
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
	synth_exit(&s.b, 0, 2, 4 | 8);
	synth_lapic_sync(&s.b, 0, false, 0);	/* seq 2: the read */
	synth_accept(&s.b, 0, 0x61, false);	/* seq 3 */
	synth_lapic_sync(&s.b, 0, true, 0);	/* seq 4: the stale write */
	synth_exit(&s.b, 0, 2, 4 | 8);
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
	synth_exit(&s.b, 0, 2, 4 | 8);
	synth_accept(&s.b, 0, 0x61, false);
	synth_lapic_sync(&s.b, 0, true, 0x61);
	synth_exit(&s.b, 0, 2, 4 | 8);
	synth_eoi(&s.b, 0, 0x61);
	synth_accept(&s.b, 0, 0x62, false);
	synth_exit(&s.b, 0, 2, 4 | 8);	/* ran: 0x62 may be in service by now */
	synth_lapic_sync(&s.b, 0, true, 0);
	synth_eoi(&s.b, 0, 0x62);
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
		synth_lapic_sync(&s.b, 0, true, 0);	/* set-up, before the first run: always made */
		synth_exit(&s.b, 0, 2, 4 | 8);
		synth_lapic_sync(&s.b, 0, false, 0);
		synth_accept(&s.b, 0, 0x61, false);
		synth_lapic_sync(&s.b, 0, true, 0);
		synth_exit(&s.b, 0, 2, 4 | 8);
		assert_int_equal(end(&s, true), want[i]);
		replay_free(s.r);
	}
}

/* This host's kvm_apic_accept_irq: coalesced=0 for accepts into a set IRR bit. */
static void test_accepts_into_set_irr_are_coalesces(void **state)
{
	struct scen s;

	(void)state;
	begin(&s, false, true, NULL);
	for (int i = 0; i < 3; i++) {
		synth_accept(&s.b, 0, 0xef, false);
		synth_accept(&s.b, 0, 0xef, false);
		synth_accept(&s.b, 0, 0xef, false);
		synth_eoi(&s.b, 0, 0xef);
		synth_eoi(&s.b, 0, -1);
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
	synth_accept(&s.b, 0, 0xef, false);
	synth_accept(&s.b, 0, 0xef, false);	/* delivered in between, unseen */
	synth_eoi(&s.b, 0, 0xef);
	synth_eoi(&s.b, 0, 0xef);
	assert_int_equal(end(&s, true), 0);
	assert_int_equal(replay_result(s.r)->deliveries, 2);
	replay_free(s.r);
}

static void test_in_kernel_mode_model_does_not_apply(void **state)
{
	struct scen s;

	(void)state;
	begin(&s, false, true, "qemu-2.7");
	synth_setup(&s.b, KVMREC__SETUP_KIND__SETUP_CREATE_VM, 0, 0);
	synth_setup(&s.b, KVMREC__SETUP_KIND__SETUP_CREATE_IRQCHIP, 0, 0);
	synth_exit(&s.b, 0, 2, 4 | 8);
	synth_accept(&s.b, 0, 0x40, false);
	synth_eoi(&s.b, 0, 0x40);
	synth_exit(&s.b, 0, 2, 4 | 8);
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
	synth_setup(&s.b, KVMREC__SETUP_KIND__SETUP_CREATE_VM, 0, 0);
	synth_exit(&s.b, 0, 7, 4 | 8);
	synth_interrupt(&s.b, 0, 0xec);
	synth_exit(&s.b, 0, 2, 4 | 8);
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
	synth_setup(&s.b, KVMREC__SETUP_KIND__SETUP_CREATE_VM, 0, 0);
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
	synth_exit(&s.b, 0, 2, 4 | 8);
	SYNTH_KEV(&s.b, 0, APIC_IPI, { KEV_F_ICR_LOW, 0x8f1 }, { KEV_F_DEST_ID, 0x81 });
	SYNTH_KEV(&s.b, 0, APIC_IPI, { KEV_F_ICR_LOW, 0x0f1 }, { KEV_F_DEST_ID, 0xff });
	synth_accept(&s.b, 0, 0xf1, false);
	synth_eoi(&s.b, 0, 0xf1);
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
