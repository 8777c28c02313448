// SPDX-License-Identifier: GPL-2.0-only
/*
 * Round trip: a million synthetic events of every kind go through the writer
 * and come back from the reader equal, with the same seq, ts, vCPU and tid,
 * and a footer that counts them right.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "stream.h"
#include "trace_reader.h"
#include "trace_writer.h"

#define N_EVENTS 1000000
#define SEED 0x6b766d726563ull

static char dir[] = "/tmp/kvmrec-rt-XXXXXX";
static char path[64];

static void check_stream(const char *file, uint64_t n)
{
	static uint8_t a[8192], b[8192];
	struct synth_stream s = { .seed = SEED };
	struct trace_reader *r;
	struct trace_event ev, want;
	uint64_t kinds[128] = { 0 }, payloads[32] = { 0 };
	const Kvmrec__Footer *f;
	uint64_t i = 0;
	int ret;

	assert_int_equal(trace_reader_open(file, &r), 0);
	assert_string_equal(trace_reader_header(r)->recorder, "synthetic");
	assert_int_equal(trace_reader_header(r)->format_major, TRACE_FORMAT_MAJOR);
	assert_int_equal(trace_reader_header(r)->n_vmm_argv, 4);
	while ((ret = trace_reader_next(r, &ev)) == 1) {
		size_t la, lb;

		synth_stream_event(&s, i, &want);
		assert_int_equal(ev.seq, i + 1);
		assert_int_equal(ev.ts_ns, want.ts_ns);
		assert_int_equal(ev.vcpu, want.vcpu);
		assert_int_equal(ev.tid, want.tid);
		la = synth_stream_pack_body(ev.rec, a, sizeof(a));
		lb = synth_stream_pack_body(want.rec, b, sizeof(b));
		assert_true(la > 0);
		assert_int_equal(la, lb);
		assert_memory_equal(a, b, la);
		kinds[ev.rec->body_case & 127]++;
		if (ev.rec->body_case == KVMREC__RECORD__BODY_EXIT)
			payloads[ev.rec->exit->payload_case & 31]++;
		i++;
	}
	assert_int_equal(ret, 0);
	assert_string_equal(trace_reader_error(r), "");
	assert_int_equal(i, n);

	/* Every body kind and every exit payload kind made the trip. */
	for (int k = KVMREC__RECORD__BODY_EXIT; n >= SYNTH_CYCLE && k <= KVMREC__RECORD__BODY_DROP; k++)
		assert_true(kinds[k] > 0);
	for (int p = KVMREC__RUN_EXIT__PAYLOAD_IO; n >= SYNTH_CYCLE && p <= KVMREC__RUN_EXIT__PAYLOAD_MSR; p++)
		assert_true(payloads[p] > 0);
	if (n >= SYNTH_CYCLE) {
		assert_true(payloads[KVMREC__RUN_EXIT__PAYLOAD_RAW] > 0);
		assert_true(payloads[0] > 0);
	}

	f = trace_reader_footer(r);
	assert_non_null(f);
	assert_int_equal(f->events, n);
	assert_int_equal(f->has_first_seq, n > 0);
	assert_int_equal(f->first_seq, n > 0);
	assert_int_equal(f->last_seq, n);
	for (size_t c = 0; c < f->n_counts; c++)
		assert_int_equal(f->counts[c]->count, kinds[f->counts[c]->kind & 127]);
	trace_reader_close(r);
}

static void test_million_events_of_every_kind(void **state)
{
	(void)state;
	assert_int_equal(synth_stream_write(path, SEED, N_EVENTS, 0), 0);
	check_stream(path, N_EVENTS);
}

/* The same trace read from memory and through stdin gives the same events. */
static void test_small_frames_and_stdin(void **state)
{
	(void)state;
	assert_int_equal(synth_stream_write(path, SEED, 5000, 7), 0);
	check_stream(path, 5000);
	assert_non_null(freopen(path, "r", stdin));
	check_stream("-", 5000);
}

static void test_empty_trace(void **state)
{
	(void)state;
	assert_int_equal(synth_stream_write(path, SEED, 0, 0), 0);
	check_stream(path, 0);
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/t.zst", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	return rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_million_events_of_every_kind),
		cmocka_unit_test(test_small_frames_and_stdin),
		cmocka_unit_test(test_empty_trace),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
