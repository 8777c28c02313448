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

#include "replay.h"

struct scen {
	struct replay *r;
	uint64_t seq, ts;
	Kvmrec__Header hdr;
	char *argv[4];
	char *enabled[4];
};

static void begin(struct scen *s, bool kvmrec_vmm, bool kernel_events, const char *model)
{
	struct replay_opts o = { .model = model ? policy_find(model) : NULL };
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

static void feed(struct scen *s, int32_t vcpu, Kvmrec__Record *rec)
{
	struct trace_event ev = { ++s->seq, s->ts += 1000, vcpu, 1, rec };

	replay_feed(s->r, &ev);
}

static void kev(struct scen *s, Kvmrec__KernelEventId id, int n, int64_t a0, int64_t a1,
		int64_t a2, int64_t a3, int64_t a4)
{
	Kvmrec__Record rec = KVMREC__RECORD__INIT;
	Kvmrec__KernelEvent k = KVMREC__KERNEL_EVENT__INIT;
	int64_t args[5] = { a0, a1, a2, a3, a4 };

	k.has_id = 1;
	k.id = id;
	k.n_args = n;
	k.args = args;
	rec.body_case = KVMREC__RECORD__BODY_KEVENT;
	rec.kevent = &k;
	feed(s, 0, &rec);
}

static void accept_irq(struct scen *s, int vec, bool coalesced)
{
	kev(s, KVMREC__KERNEL_EVENT_ID__KEV_APIC_ACCEPT_IRQ, 5, 0, 0, 0, vec, coalesced);
}

static void eoi(struct scen *s, int vec)
{
	kev(s, KVMREC__KERNEL_EVENT_ID__KEV_EOI, 2, 0, vec, 0, 0, 0);
}

static void inj_virq(struct scen *s, int vec)
{
	kev(s, KVMREC__KERNEL_EVENT_ID__KEV_INJ_VIRQ, 3, vec, 0, 0, 0, 0);
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

/* kvmrec-vmm's PIC: line 3 pulsed and delivered through IRQ windows, 4 times. */
static void test_pic_again_and_again_passes_extra_fails(void **state)
{
	struct scen s;

	(void)state;
	begin(&s, true, true, "qemu-fixed");
	outb(&s, 0x20, 0x11);
	outb(&s, 0x21, 0x20);
	outb(&s, 0x21, 0x04);
	outb(&s, 0x21, 0x01);
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
		cmocka_unit_test(test_stale_set_lapic_erases_request),
		cmocka_unit_test(test_set_lapic_not_erasing_passes),
		cmocka_unit_test(test_what_if_without_stale_setlapic_delivers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
