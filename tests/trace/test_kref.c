// SPDX-License-Identifier: GPL-2.0-only
/*
 * Format 1.2 stores a kernel event that repeats its exit as a reference to it,
 * and IO data as a difference from the port's last value (docs/trace.md,
 * "References"). Each scenario writes the events a recording would, checks
 * how many became references, and reads them back exactly as appended (the
 * same text, timestamps, vCPUs) on the single-threaded path and on the
 * reader's worker threads.
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
#include "trace_format.h"
#include "trace_reader.h"
#include "trace_writer.h"

#define MAX_EVENTS 10000

static char dir[] = "/tmp/kvmrec-kref-XXXXXX";
static char path[64];

/* What was appended, as text and position, to compare with what reads back. */
static struct {
	struct trace_writer *w;
	uint64_t ts;
	size_t n;
	char *text[MAX_EVENTS];
	uint64_t ts_ns[MAX_EVENTS];
} t;

static void start(void)
{
	struct trace_writer_opts opts = { .overwrite = true };
	Kvmrec__Header hdr;

	synth_stream_header(&hdr);
	for (size_t i = 0; i < t.n; i++)
		free(t.text[i]);
	memset(&t, 0, sizeof(t));
	t.ts = 1000000000;
	assert_int_equal(trace_writer_open(path, &hdr, &opts, &t.w), 0);
}

static void append(int32_t vcpu, Kvmrec__Record *rec)
{
	struct trace_event ev = { .ts_ns = t.ts += 377 + 13 * t.n, .vcpu = vcpu, .tid = 100 + vcpu,
				  .rec = rec };
	size_t len;
	FILE *f;

	assert_true(t.n < MAX_EVENTS);
	assert_int_equal(trace_writer_append(t.w, &ev), 0);
	f = open_memstream(&t.text[t.n], &len);
	trace_format_event(f, &ev);
	fclose(f);
	t.ts_ns[t.n++] = ev.ts_ns;
}

/* Verbs: the events of one exit, as the recorder writes them. */
static void kev(int32_t vcpu, Kvmrec__KernelEventId id, size_t n, const int64_t *args)
{
	Kvmrec__Record rec = KVMREC__RECORD__INIT;
	Kvmrec__KernelEvent k = KVMREC__KERNEL_EVENT__INIT;

	k.has_id = 1;
	k.id = id;
	k.n_args = n;
	k.args = (int64_t *)args;
	k.has_cpu = 1;
	k.cpu = 3;
	rec.body_case = KVMREC__RECORD__BODY_KEVENT;
	rec.kevent = &k;
	append(vcpu, &rec);
}

static void kvm_userspace_exit(int32_t vcpu, int64_t reason)
{
	int64_t a[] = { reason, 0 };
	kev(vcpu, KVMREC__KERNEL_EVENT_ID__KEV_USERSPACE_EXIT, 2, a);
}

static void kvm_pio(int32_t vcpu, bool out, uint32_t port, uint32_t val)
{
	int64_t a[] = { out, port, 4, 1, val };
	kev(vcpu, KVMREC__KERNEL_EVENT_ID__KEV_PIO, 5, a);
}

static void kvm_mmio(int32_t vcpu, int64_t type, uint64_t gpa, uint32_t val)
{
	int64_t a[] = { type, 4, (int64_t)gpa, val };
	kev(vcpu, KVMREC__KERNEL_EVENT_ID__KEV_MMIO, 4, a);
}

static void io_exit(int32_t vcpu, bool out, uint32_t port, uint32_t val)
{
	Kvmrec__Record rec = KVMREC__RECORD__INIT;
	Kvmrec__RunExit x = KVMREC__RUN_EXIT__INIT;
	Kvmrec__ExitIo io = KVMREC__EXIT_IO__INIT;
	uint8_t data[4] = { val, val >> 8, val >> 16, val >> 24 };

	x.has_reason = 1;
	x.reason = 2;	/* KVM_EXIT_IO */
	x.payload_case = KVMREC__RUN_EXIT__PAYLOAD_IO;
	x.io = &io;
	io.has_out = 1;
	io.out = out;
	io.has_size = 1;
	io.size = 4;
	io.has_port = 1;
	io.port = port;
	io.has_data = 1;
	io.data.len = 4;
	io.data.data = data;
	rec.body_case = KVMREC__RECORD__BODY_EXIT;
	rec.exit = &x;
	append(vcpu, &rec);
	/* The caller's record is left as it was given (the data is not turned into a difference). */
	assert_true(io.has_data && !io.has_data_add && io.data.data == data);
}

static void mmio_exit(int32_t vcpu, bool write, uint64_t gpa, uint32_t val)
{
	Kvmrec__Record rec = KVMREC__RECORD__INIT;
	Kvmrec__RunExit x = KVMREC__RUN_EXIT__INIT;
	Kvmrec__ExitMmio m = KVMREC__EXIT_MMIO__INIT;
	uint8_t data[4] = { val, val >> 8, val >> 16, val >> 24 };

	x.has_reason = 1;
	x.reason = 6;	/* KVM_EXIT_MMIO */
	x.payload_case = KVMREC__RUN_EXIT__PAYLOAD_MMIO;
	x.mmio = &m;
	m.has_addr = 1;
	m.addr = gpa;
	m.has_len = 1;
	m.len = 4;
	m.has_write = 1;
	m.write = write;
	m.has_data = 1;
	m.data.len = 4;
	m.data.data = data;
	rec.body_case = KVMREC__RECORD__BODY_EXIT;
	rec.exit = &x;
	append(vcpu, &rec);
}

/* Closes the trace; it reads back as appended, with either reader path. */
static void finish_and_check(uint64_t want_krefs)
{
	static const char *const threads[] = { "1", "4" };

	assert_int_equal(trace_writer_krefs(t.w), want_krefs);
	assert_int_equal(trace_writer_close(t.w, NULL), 0);
	for (size_t th = 0; th < 2; th++) {
		struct trace_reader *r;
		struct trace_event ev;
		size_t i = 0, len;
		char *text;
		FILE *f;
		int ret;

		setenv("KVMREC_READER_THREADS", threads[th], 1);
		assert_int_equal(trace_reader_open(path, &r), 0);
		while ((ret = trace_reader_next(r, &ev)) == 1) {
			assert_true(i < t.n);
			f = open_memstream(&text, &len);
			trace_format_event(f, &ev);
			fclose(f);
			assert_string_equal(text, t.text[i]);
			assert_int_equal(ev.ts_ns, t.ts_ns[i]);
			free(text);
			i++;
		}
		assert_int_equal(ret, 0);
		assert_int_equal(i, t.n);
		trace_reader_close(r);
	}
	unsetenv("KVMREC_READER_THREADS");
}

static void test_out_events_before_their_exit_become_references(void **state)
{
	(void)state;
	start();
	for (uint32_t i = 0; i < 50; i++) {
		kvm_pio(0, true, 0xe8, i);
		kvm_userspace_exit(0, 2);
		io_exit(0, true, 0xe8, i);
	}
	/* The first kvm_pio is its frame's first record: never a reference. */
	finish_and_check(99);
}

static void test_in_completion_after_its_exit_becomes_a_reference(void **state)
{
	(void)state;
	start();
	io_exit(0, true, 0xcf8, 0x80000830);	/* a first record to refer past */
	for (uint32_t i = 0; i < 20; i++) {
		kvm_userspace_exit(0, 2);
		io_exit(0, false, 0xcfc, 0x1234 + i);
		kvm_pio(0, false, 0xcfc, 0x1234 + i);
	}
	finish_and_check(40);
}

static void test_an_event_that_says_something_else_is_kept_whole(void **state)
{
	(void)state;
	start();
	io_exit(0, true, 0x80, 1);
	kvm_pio(0, true, 0xe8, 7);		/* the exit says 8 */
	kvm_userspace_exit(0, 3);		/* the exit says 2 */
	io_exit(0, true, 0xe8, 8);
	kvm_pio(0, true, 0xe9, 9);
	io_exit(0, true, 0xe8, 9);		/* another port */
	kvm_pio(0, false, 0xe8, 5);		/* an IN after an OUT */
	kvm_userspace_exit(0, 2);
	kvm_userspace_exit(1, 2);		/* another vCPU's */
	io_exit(0, true, 0xe8, 10);
	finish_and_check(1);
}

static void test_in_kernel_port_events_stay_whole_among_held_ones(void **state)
{
	(void)state;
	start();
	io_exit(0, true, 0x80, 1);
	/* The in-kernel PIC's ports: kvm_pio with no exit, more than the writer holds. */
	for (uint32_t i = 0; i < 8; i++)
		kvm_pio(0, true, 0x21, i);
	kvm_pio(0, true, 0xe8, 5);
	kvm_userspace_exit(0, 2);
	io_exit(0, true, 0xe8, 5);
	finish_and_check(2);
}

static void test_vcpus_interleaved_refer_to_their_own_exits(void **state)
{
	(void)state;
	start();
	io_exit(0, true, 0x80, 1);
	for (uint32_t i = 0; i < 10; i++) {
		kvm_pio(0, true, 0xe8, i);
		kvm_pio(1, true, 0xe8, 100 + i);
		kvm_userspace_exit(1, 2);
		kvm_userspace_exit(0, 2);
		io_exit(1, true, 0xe8, 100 + i);
		io_exit(0, true, 0xe8, i);
	}
	finish_and_check(40);
}

static void test_references_never_cross_a_frame(void **state)
{
	(void)state;
	start();
	io_exit(0, true, 0x80, 1);
	kvm_pio(0, true, 0xe8, 1);
	kvm_userspace_exit(0, 2);
	assert_int_equal(trace_writer_flush(t.w), 0);
	io_exit(0, true, 0xe8, 1);		/* its events are in the frame before */
	kvm_pio(0, false, 0xe8, 2);
	io_exit(0, false, 0xe8, 2);
	assert_int_equal(trace_writer_flush(t.w), 0);
	kvm_pio(0, false, 0xe8, 2);		/* its exit is in the frame before */
	finish_and_check(0);
}

static void test_mmio_events_become_references(void **state)
{
	(void)state;
	start();
	io_exit(0, true, 0x80, 1);
	for (uint32_t i = 0; i < 10; i++) {
		kvm_mmio(0, 2, 0xfed00000, i);		/* write: before */
		kvm_userspace_exit(0, 6);
		mmio_exit(0, true, 0xfed00000, i);
		kvm_mmio(0, 0, 0xfed00010, 0);		/* read, unsatisfied: before */
		kvm_userspace_exit(0, 6);
		mmio_exit(0, false, 0xfed00010, 40 + i);
		kvm_mmio(0, 1, 0xfed00010, 40 + i);	/* read, completed: after */
	}
	finish_and_check(50);
}

static void test_io_data_differences_read_back_across_frames(void **state)
{
	(void)state;
	start();
	for (uint32_t i = 0; i < 3000; i++) {
		/* Counters up and down, a wrap, and two ports sharing a table slot. */
		io_exit(i % 2, true, 0xe8, 0xfffffff0u + i);
		io_exit(0, true, 0xf8, 1000 - 3 * i);
		io_exit(1, false, 0x10e8, i * 7919);
		if (i % 700 == 699)
			assert_int_equal(trace_writer_flush(t.w), 0);
	}
	finish_and_check(0);
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
	for (size_t i = 0; i < t.n; i++)
		free(t.text[i]);
	unlink(path);
	rmdir(dir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_out_events_before_their_exit_become_references),
		cmocka_unit_test(test_in_completion_after_its_exit_becomes_a_reference),
		cmocka_unit_test(test_an_event_that_says_something_else_is_kept_whole),
		cmocka_unit_test(test_in_kernel_port_events_stay_whole_among_held_ones),
		cmocka_unit_test(test_vcpus_interleaved_refer_to_their_own_exits),
		cmocka_unit_test(test_references_never_cross_a_frame),
		cmocka_unit_test(test_mmio_events_become_references),
		cmocka_unit_test(test_io_data_differences_read_back_across_frames),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
