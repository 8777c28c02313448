// SPDX-License-Identifier: GPL-2.0-only
/*
 * The builder's two sinks give the same events: a scenario written to a
 * trace file reads back, event for event, as the callback was handed it
 * (sequence numbers, times, vCPUs, threads and the record's text); a
 * writer error is kept and returned by synth_close().
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "synth.h"
#include "trace_format.h"
#include "trace_reader.h"

#define MAX_EVENTS 64

struct seen {
	size_t n;
	struct trace_event ev[MAX_EVENTS];
	char *text[MAX_EVENTS];
};

static void remember(void *ctx, const struct trace_event *ev)
{
	struct seen *s = ctx;
	size_t len;
	FILE *f;

	assert_true(s->n < MAX_EVENTS);
	s->ev[s->n] = *ev;
	f = open_memstream(&s->text[s->n], &len);
	trace_format_event(f, ev);
	fclose(f);
	s->n++;
}

/* Every verb once, on two vCPUs, jittered or not. */
static void scenario(struct synth *s)
{
	const uint8_t rtc = 0x42;

	synth_setup(s, KVMREC__SETUP_KIND__SETUP_CREATE_VCPU, 1, 11);
	synth_pic_init(s, 0, 0x20, 0);
	synth_pulse(s, 0, 3, 12);
	synth_exit(s, 0, 7, 13);
	synth_interrupt(s, 0, 0x23);
	synth_io(s, 1, false, 0x71, &rtc, 1, 0);
	synth_accept(s, 1, 0x41, false);
	synth_inj_virq(s, 1, 0x41);
	synth_eoi(s, 1, 0x41);
	synth_tpr_access(s, 0, 0x401f33, true, 0);
	synth_lapic_page(s, 0, 62);
	synth_lapic_sync(s, 0, true, 0);
	synth_eintr(s, 1);
	synth_drop(s, 0, 3, "ring full");
	synth_outb(s, 0, 0xf4, 0, 0);
}

static void check_file_as_fed(bool jitter)
{
	char path[] = "/tmp/kvmrec-synth-XXXXXX";
	Kvmrec__Header hdr = KVMREC__HEADER__INIT;
	struct seen fed = { 0 };
	struct trace_reader *r;
	struct trace_event ev;
	struct synth s;
	size_t i = 0, len;
	int fd = mkstemp(path), ret;

	assert_true(fd >= 0);
	close(fd);
	synth_feed_init(&s, remember, &fed, 5000, 250);
	if (jitter)
		synth_jitter(&s, 7);
	scenario(&s);
	assert_int_equal(s.seq, fed.n);
	assert_int_equal(fed.ev[0].seq, 1);
	assert_int_equal(fed.ev[0].ts_ns, 5000);
	assert_int_equal(fed.ev[0].vcpu, TRACE_VCPU_NONE);

	hdr.recorder = "synthetic";
	assert_int_equal(synth_open(&s, path, &hdr, 5000, 250), 0);
	if (jitter)
		synth_jitter(&s, 7);
	scenario(&s);
	assert_int_equal(s.seq, fed.n);
	assert_int_equal(synth_close(&s, true), 0);

	assert_int_equal(trace_reader_open(path, &r), 0);
	while ((ret = trace_reader_next(r, &ev)) == 1) {
		char *text;
		FILE *f;

		assert_true(i < fed.n);
		assert_int_equal(ev.seq, fed.ev[i].seq);
		assert_int_equal(ev.ts_ns, fed.ev[i].ts_ns);
		if (!jitter)
			assert_int_equal(ev.ts_ns, 5000 + 250 * i);
		assert_int_equal(ev.vcpu, fed.ev[i].vcpu);
		assert_int_equal(ev.tid, fed.ev[i].tid);
		f = open_memstream(&text, &len);
		trace_format_event(f, &ev);
		fclose(f);
		assert_string_equal(text, fed.text[i]);
		free(text);
		free(fed.text[i]);
		i++;
	}
	assert_int_equal(ret, 0);
	assert_int_equal(i, fed.n);
	trace_reader_close(r);
	unlink(path);
}

static void test_file_reads_back_as_fed(void **state)
{
	(void)state;
	check_file_as_fed(false);
}

static void test_jittered_file_reads_back_as_fed(void **state)
{
	(void)state;
	check_file_as_fed(true);
}

/* The same seed, the same times; the test port command is kvmrec-vmm's pulse. */
static void test_jitter_is_seeded_and_pulse_is_the_test_port(void **state)
{
	struct seen a = { 0 }, b = { 0 };
	struct synth s;

	(void)state;
	synth_feed_init(&s, remember, &a, 0, 0);
	synth_jitter(&s, 99);
	scenario(&s);
	synth_feed_init(&s, remember, &b, 0, 0);
	synth_jitter(&s, 99);
	scenario(&s);
	assert_int_equal(a.n, b.n);
	for (size_t i = 0; i < a.n; i++) {
		assert_int_equal(a.ev[i].ts_ns, b.ev[i].ts_ns);
		assert_string_equal(a.text[i], b.text[i]);
		if (i)
			assert_true(a.ev[i].ts_ns - a.ev[i - 1].ts_ns >= 500 &&
				    a.ev[i].ts_ns - a.ev[i - 1].ts_ns < 3500);
	}
	/* Event 6: the pulse of PIC line 3, TESTDEV_CMD(2, 0, 3) at port 0xe0. */
	assert_non_null(strstr(a.text[5], "port=0xe0"));
	assert_non_null(strstr(a.text[5], "0x00020003"));
	for (size_t i = 0; i < a.n; i++) {
		free(a.text[i]);
		free(b.text[i]);
	}
}

/* A writer that failed keeps its first error; the verbs go on without effect. */
static void test_writer_error_is_kept(void **state)
{
	char path[] = "/tmp/kvmrec-synth-XXXXXX";
	Kvmrec__Header hdr = KVMREC__HEADER__INIT;
	Kvmrec__Record rec = KVMREC__RECORD__INIT;
	Kvmrec__Annotation note = KVMREC__ANNOTATION__INIT;
	char *big = malloc(TRACE_RECORD_MAX + 1);
	struct synth s;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_non_null(big);
	close(fd);
	memset(big, 'x', TRACE_RECORD_MAX);
	big[TRACE_RECORD_MAX] = 0;
	assert_int_equal(synth_open(&s, path, &hdr, 1, 1), 0);
	synth_outb(&s, 0, 0x80, 1, 0);
	note.text = big;
	rec.body_case = KVMREC__RECORD__BODY_NOTE;
	rec.note = &note;
	synth_record(&s, 0, &rec);	/* larger than any record may be */
	assert_int_equal(s.err, -EMSGSIZE);
	synth_outb(&s, 0, 0x80, 2, 0);
	assert_int_equal(s.seq, 1);
	assert_int_equal(synth_close(&s, true), -EMSGSIZE);
	free(big);
	unlink(path);
}

/* Kernel events by field name: the table's order; a field the event lacks makes none. */
static void test_kev_by_field_name(void **state)
{
	struct seen a = { 0 };
	struct synth s;

	(void)state;
	synth_feed_init(&s, remember, &a, 0, 1);
	synth_accept(&s, 1, 0x41, true);
	SYNTH_KEV(&s, 0, APIC_IPI, { KEV_F_ICR_LOW, 0x8f1 }, { KEV_F_DEST_ID, 0x81 });
	assert_int_equal(s.err, 0);
	assert_int_equal(a.n, 2);
	assert_non_null(strstr(a.text[0], "kvm_apic_accept_irq apicid=1 dm=0 tm=0 vec=65 coalesced=1"));
	assert_non_null(strstr(a.text[1], "kvm_apic_ipi"));
	SYNTH_KEV(&s, 0, EOI, { KEV_F_PORT, 0x80 });
	assert_int_equal(s.err, -EINVAL);
	assert_int_equal(a.n, 2);
	for (size_t i = 0; i < a.n; i++)
		free(a.text[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_reads_back_as_fed),
		cmocka_unit_test(test_jittered_file_reads_back_as_fed),
		cmocka_unit_test(test_jitter_is_seeded_and_pulse_is_the_test_port),
		cmocka_unit_test(test_writer_error_is_kept),
		cmocka_unit_test(test_kev_by_field_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
