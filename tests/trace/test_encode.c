// SPDX-License-Identifier: GPL-2.0-only
/*
 * The writer's one-pass encoder gives protobuf-c's bytes exactly, for every
 * record kind and payload the synthetic stream has (every kind within any
 * SYNTH_CYCLE events), with position fields set and unset, and declines
 * (returns 0) rather than writing past a buffer that is too small.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "stream.h"
#include "trace_encode.h"

#define N_EVENTS 20000
#define BUF 8192

static void test_same_bytes_as_protobuf_c(void **state)
{
	static uint8_t want[BUF], got[BUF];
	struct synth_stream s = { .seed = 5 };
	struct trace_event ev;

	(void)state;
	for (uint64_t i = 0; i < N_EVENTS; i++) {
		synth_stream_event(&s, i, &ev);
		Kvmrec__Record *rec = ev.rec;
		/* The writer sets these per record; cover both states of each. */
		rec->has_ts_delta = i & 1;
		rec->ts_delta = (int64_t)(i * 7919) - 40000;
		rec->has_vcpu = (i >> 1) & 1;
		rec->vcpu = (int32_t)(i % 5) - 1;
		rec->has_tid = (i >> 2) & 1;
		rec->tid = (uint32_t)i;
		rec->has_seq_delta = (i % 7) == 0;
		rec->seq_delta = i;
		/* A frame's first record carries its mark. */
		Kvmrec__FrameMark mark = KVMREC__FRAME_MARK__INIT;
		mark.has_trace_id = mark.has_index = mark.has_first_seq = 1;
		mark.trace_id = 0x123456789abcdefull;
		mark.index = i / 3;
		mark.first_seq = i + 1;
		rec->frame = (i % 3) == 0 ? &mark : NULL;

		/* Format 1.2's ExitIo.data_add, set and unset, with data and without. */
		Kvmrec__ExitIo *io = rec->body_case == KVMREC__RECORD__BODY_EXIT &&
				     rec->exit->payload_case == KVMREC__RUN_EXIT__PAYLOAD_IO ?
				     rec->exit->io : NULL;
		protobuf_c_boolean had_data = io ? io->has_data : 0;
		if (io && i % 3) {
			io->has_data_add = 1;
			io->data_add = (int64_t)(i * 31) - 5000;
			io->has_data = i % 3 == 2 && had_data;
		}

		size_t n = protobuf_c_message_get_packed_size(&rec->base);
		assert_true(n < BUF);
		protobuf_c_message_pack(&rec->base, want);
		memset(got, 0xa5, sizeof(got));
		size_t m = trace_encode(&rec->base, got, sizeof(got));
		if (m != n || memcmp(want, got, n))
			fail_msg("event %llu (body %d): %zu bytes, protobuf-c %zu",
				 (unsigned long long)i, rec->body_case, m, n);
		/* Too small a buffer: declined, nothing written past it. */
		memset(got, 0xa5, sizeof(got));
		assert_int_equal(trace_encode(&rec->base, got, n / 2), 0);
		for (size_t k = n / 2; k < n; k++)
			assert_int_equal(got[k], 0xa5);
		if (io) {
			io->has_data_add = 0;
			io->has_data = had_data;
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_bytes_as_protobuf_c),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
