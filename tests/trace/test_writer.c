// SPDX-License-Identifier: GPL-2.0-only
/*
 * When the writer ends frames, and what a crash leaves: a frame goes out when
 * 100 ms of trace time have passed, when it holds TRACE_FRAME_BYTES, or on
 * flush; a writer SIGKILLed mid-run leaves a trace whose every flushed event
 * reads back, followed by a "truncated" error.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "stream.h"
#include "trace_reader.h"
#include "trace_writer.h"

static char dir[] = "/tmp/kvmrec-wr-XXXXXX";
static char path[64];

static struct trace_writer *open_fresh(void)
{
	struct trace_writer_opts opts = { .overwrite = true };
	struct trace_writer *w;
	Kvmrec__Header hdr;

	synth_stream_header(&hdr);
	assert_int_equal(trace_writer_open(path, &hdr, &opts, &w), 0);
	return w;
}

static void test_frame_ends_after_100ms_of_trace_time(void **state)
{
	struct synth_stream s = { .seed = 1 };
	struct trace_writer *w = open_fresh();
	struct trace_event ev;
	uint64_t before;

	(void)state;
	/* Header frame is out at once. */
	before = trace_writer_frames(w);
	assert_int_equal(before, 1);
	synth_stream_event(&s, 0, &ev);
	ev.ts_ns = 2000000000ull;
	assert_int_equal(trace_writer_append(w, &ev), 0);
	synth_stream_event(&s, 1, &ev);
	ev.ts_ns = 2000000000ull + TRACE_FRAME_NS / 2;
	assert_int_equal(trace_writer_append(w, &ev), 0);
	/* A step back (a merged kernel event) does not end the frame. */
	synth_stream_event(&s, 2, &ev);
	ev.ts_ns = 2000000000ull - 5000;
	assert_int_equal(trace_writer_append(w, &ev), 0);
	assert_int_equal(trace_writer_frames(w), before);
	synth_stream_event(&s, 3, &ev);
	ev.ts_ns = 2000000000ull + TRACE_FRAME_NS;
	assert_int_equal(trace_writer_append(w, &ev), 0);
	assert_true(trace_writer_frames(w) > before);
	assert_int_equal(trace_writer_events(w), 4);
	assert_int_equal(trace_writer_close(w, NULL), 0);
}

static void test_frame_ends_at_frame_bytes(void **state)
{
	struct synth_stream s = { .seed = 2 };
	struct trace_writer *w = open_fresh();
	struct trace_event ev;
	uint64_t before = trace_writer_frames(w), i;
	struct timespec t0, t1;

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* Same timestamp throughout: only size (or 100 ms of wall clock) can end the frame. */
	for (i = 0; trace_writer_frames(w) == before; i++) {
		assert_true(i < TRACE_FRAME_BYTES);
		synth_stream_event(&s, i, &ev);
		ev.ts_ns = 7;
		assert_int_equal(trace_writer_append(w, &ev), 0);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* Dozens of raw bytes per event: a frame is thousands of events, unless the wall clock ended it. */
	if ((t1.tv_sec - t0.tv_sec) * 1000000000L + (t1.tv_nsec - t0.tv_nsec) < 50000000L)
		assert_true(i > 1000);
	assert_int_equal(trace_writer_close(w, NULL), 0);
}

static void test_flush_writes_the_open_frame(void **state)
{
	struct synth_stream s = { .seed = 3 };
	struct trace_writer *w = open_fresh();
	struct trace_event ev;
	uint64_t before = trace_writer_frames(w);

	(void)state;
	synth_stream_event(&s, 0, &ev);
	assert_int_equal(trace_writer_append(w, &ev), 0);
	assert_int_equal(trace_writer_frames(w), before);
	assert_int_equal(trace_writer_flush(w), 0);
	assert_true(trace_writer_frames(w) > before);
	before = trace_writer_frames(w);
	/* Nothing open: no empty frame. */
	assert_int_equal(trace_writer_flush(w), 0);
	assert_int_equal(trace_writer_frames(w), before);
	assert_int_equal(trace_writer_close(w, NULL), 0);
}

/* The footer keeps what the recorder says about the end; counts are the writer's. */
static void test_footer_extra(void **state)
{
	struct synth_stream s = { .seed = 4 };
	struct trace_writer *w = open_fresh();
	Kvmrec__Footer extra = KVMREC__FOOTER__INIT;
	const Kvmrec__Footer *f;
	struct trace_reader *r;
	struct trace_event ev;

	(void)state;
	for (int i = 0; i < 10; i++) {
		synth_stream_event(&s, (uint64_t)i, &ev);
		assert_int_equal(trace_writer_append(w, &ev), 0);
		assert_int_equal(ev.seq, (uint64_t)i + 1);
	}
	extra.has_dropped = 1;
	extra.dropped = 3;
	extra.end_reason = "vmm killed by signal 9";
	extra.has_vmm_status = 1;
	extra.vmm_status = -9;
	extra.has_events = 1;
	extra.events = 12345;    /* not the writer's to be told */
	assert_int_equal(trace_writer_close(w, &extra), 0);

	assert_int_equal(trace_reader_open(path, &r), 0);
	while (trace_reader_next(r, &ev) == 1)
		;
	f = trace_reader_footer(r);
	assert_non_null(f);
	assert_int_equal(f->events, 10);
	assert_int_equal(f->dropped, 3);
	assert_int_equal(f->vmm_status, -9);
	assert_string_equal(f->end_reason, "vmm killed by signal 9");
	trace_reader_close(r);
}

/* A recorder SIGKILLed mid-run: every event it flushed is there, then "truncated". */
static void test_sigkill_mid_run(void **state)
{
	struct synth_stream s = { .seed = 5 };
	struct trace_reader *r;
	struct trace_event ev;
	int pipefd[2], status, ret;
	uint64_t flushed = 0, got = 0;
	pid_t pid;

	(void)state;
	assert_int_equal(pipe(pipefd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct trace_writer *w = open_fresh();

		for (uint64_t i = 0;; i++) {
			synth_stream_event(&s, i, &ev);
			if (trace_writer_append(w, &ev))
				_exit(1);
			if (i == 4999) {
				trace_writer_flush(w);
				/* Tell the parent, then keep going with an open frame until killed. */
				if (write(pipefd[1], &i, sizeof(i)) != sizeof(i))
					_exit(1);
			}
			if (i > 5100)
				pause();
		}
	}
	close(pipefd[1]);
	assert_int_equal(read(pipefd[0], &flushed, sizeof(flushed)), sizeof(flushed));
	flushed++;
	usleep(20000);
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	close(pipefd[0]);

	assert_int_equal(trace_reader_open(path, &r), 0);
	while ((ret = trace_reader_next(r, &ev)) == 1)
		assert_int_equal(ev.seq, ++got);
	assert_int_equal(ret, -EIO);
	assert_true(got >= flushed);
	assert_non_null(strstr(trace_reader_error(r), "truncated after event"));
	trace_reader_close(r);
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/w.zst", dir);
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
		cmocka_unit_test(test_frame_ends_after_100ms_of_trace_time),
		cmocka_unit_test(test_frame_ends_at_frame_bytes),
		cmocka_unit_test(test_flush_writes_the_open_frame),
		cmocka_unit_test(test_footer_extra),
		cmocka_unit_test(test_sigkill_mid_run),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
