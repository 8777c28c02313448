// SPDX-License-Identifier: GPL-2.0-only
/*
 * Format 1.2 stores a kernel event that repeats its exit as a reference to it,
 * and IO data as a difference from the port's last value (docs/trace.md,
 * "References"). Each scenario writes the events a recording would, checks
 * how many became references, and reads them back exactly as appended (the
 * same text, timestamps, vCPUs) on the single-threaded path and on the
 * reader's worker threads.
 *
 * The writer holds a kernel event that comes before its exit back until the
 * exit comes, then writes it as the reference it becomes, instead of writing
 * it whole and rewriting it (trace_writer.c: kref_defer). That must change no
 * byte: the second half writes long random streams both ways
 * (KVMREC_WRITER_DEFER=0 writes such events whole first) and compares the
 * files. The streams have what interrupts a held event: other vCPUs'
 * records, exits that say something else or nothing of it, events with no
 * exit (more than the writer holds), records too big for the encoder's hot
 * path, frames ending on bytes, on trace time and on flush, with events held.
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
	/*
	 * A random stream (no text kept). Dense: events 1-3 us apart, so frames
	 * end on bytes among small records; else 10-30 us.
	 */
	bool stream, dense;
	uint64_t rng;
	uint8_t page[1024];     /* what lapic_sync() reads */
	char *text[MAX_EVENTS];
	uint64_t ts_ns[MAX_EVENTS];
} t;

static uint64_t rnd(void)
{
	t.rng ^= t.rng << 13;
	t.rng ^= t.rng >> 7;
	t.rng ^= t.rng << 17;
	return t.rng;
}

/* A trace at @file; @trace_id 0: random. */
static void start_at(const char *file, uint64_t trace_id)
{
	struct trace_writer_opts opts = { .overwrite = true, .trace_id = trace_id };
	Kvmrec__Header hdr;

	synth_stream_header(&hdr);
	for (size_t i = 0; i < t.n; i++)
		free(t.text[i]);
	memset(&t, 0, sizeof(t));
	t.ts = 1000000000;
	assert_int_equal(trace_writer_open(file, &hdr, &opts, &t.w), 0);
}

static void start(void)
{
	start_at(path, 0);
}

static void append(int32_t vcpu, Kvmrec__Record *rec)
{
	uint64_t gap = !t.stream ? 377 + 13 * t.n : t.dense ? 1000 + rnd() % 2000 :
		       10000 + rnd() % 20000;
	struct trace_event ev = { .ts_ns = t.ts += gap, .vcpu = vcpu, .tid = 100 + vcpu,
				  .rec = rec };
	size_t len;
	FILE *f;

	assert_int_equal(trace_writer_append(t.w, &ev), 0);
	if (t.stream)
		return;
	assert_true(t.n < MAX_EVENTS);
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

/*
 * A 4-byte port access of @val. FAT: 64 bytes of data and the widest
 * varints, as big as an exit the encoder writes by hand gets; BIG: 300-600
 * bytes of data, too big for that.
 */
enum io_size { SMALL, FAT, BIG };

static void io_exit_of(int32_t vcpu, bool out, uint32_t port, uint32_t val, enum io_size size)
{
	Kvmrec__Record rec = KVMREC__RECORD__INIT;
	Kvmrec__RunExit x = KVMREC__RUN_EXIT__INIT;
	Kvmrec__ExitIo io = KVMREC__EXIT_IO__INIT;
	uint8_t data[600] = { val, val >> 8, val >> 16, val >> 24 };

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
	io.data.len = size == BIG ? 300 + rnd() % 300 : size == FAT ? 64 : 4;
	io.data.data = data;
	if (size == FAT) {
		x.has_run_ns = x.has_cr8 = x.has_apic_base = x.has_cr8_in = 1;
		x.run_ns = x.cr8 = x.apic_base = x.cr8_in = ~0ull - rnd() % 1000;
	}
	rec.body_case = KVMREC__RECORD__BODY_EXIT;
	rec.exit = &x;
	append(vcpu, &rec);
	/* The caller's record is left as it was given (the data is not turned into a difference). */
	assert_true(io.has_data && !io.has_data_add && io.data.data == data);
}

static void io_exit(int32_t vcpu, bool out, uint32_t port, uint32_t val)
{
	io_exit_of(vcpu, out, port, val, SMALL);
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

/* A KVM_GET_LAPIC of @len bytes (1 KiB is real), so frames also end on bytes. */
static void lapic_sync(int32_t vcpu, size_t len)
{
	Kvmrec__Record rec = KVMREC__RECORD__INIT;
	Kvmrec__LapicSync l = KVMREC__LAPIC_SYNC__INIT;

	l.has_regs = 1;
	l.regs.len = len;
	l.regs.data = t.page;
	t.page[rnd() % sizeof(t.page)]++;
	rec.body_case = KVMREC__RECORD__BODY_LAPIC;
	rec.lapic = &l;
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

/* One step of a random stream on vCPU @v: a port write with its kernel events, or something else. */
static void step(int32_t v, unsigned int nvcpus)
{
	uint64_t r = rnd();
	uint32_t val = (uint32_t)(r >> 8) & 0xff;
	uint32_t said = r >> 16 & 15 ? val : val + 1;	/* now and then not what the exit says */
	int64_t reason = r >> 20 & 15 ? 2 : 3;
	int32_t other = (int32_t)((uint32_t)(v + 1) % nvcpus);
	enum io_size size = (r >> 24) % 8 ? SMALL : t.dense ? FAT : BIG;

	switch (r % (t.dense ? 14 : 16)) {
	default:	/* the common case, sometimes without kvm_userspace_exit */
		kvm_pio(v, true, 0xe9, said);
		if ((r >> 28) % 4)
			kvm_userspace_exit(v, reason);
		io_exit_of(v, true, 0xe9, val, size);
		break;
	case 8:		/* another vCPU's records in between */
		kvm_pio(v, true, 0xe9, said);
		kvm_pio(other, true, 0xe8, val);
		kvm_userspace_exit(other, 2);
		kvm_userspace_exit(v, reason);
		io_exit(other, true, 0xe8, val);
		io_exit(v, true, 0xe9, val);
		break;
	case 9:		/* an IN, completed after its exit */
		kvm_userspace_exit(v, reason);
		io_exit(v, false, 0x60, val);
		kvm_pio(v, false, 0x60, said);
		break;
	case 10:	/* MMIO: a write, then a read completed after its exit */
		kvm_mmio(v, 2, 0xfed00000, said);
		kvm_userspace_exit(v, 6);
		mmio_exit(v, true, 0xfed00000, val);
		kvm_mmio(v, 0, 0xfed00010, 0);
		kvm_userspace_exit(v, 6);
		mmio_exit(v, false, 0xfed00010, val);
		kvm_mmio(v, 1, 0xfed00010, val);
		break;
	case 11:	/* the in-kernel PIC: events with no exit, more than the writer holds */
		for (uint32_t i = r >> 32 & 15; i-- > 0;)
			kvm_pio(v, true, 0x20 + (i & 1), i);
		break;
	case 12:	/* a record of another kind, another vCPU's exit */
		kvm_pio(v, true, 0xe9, said);
		if (r >> 32 & 1 && !t.dense)
			lapic_sync(v, 1024);
		else
			io_exit(other, true, 0xe8, val);
		kvm_userspace_exit(v, reason);
		io_exit(v, true, 0xe9, val);
		break;
	case 13:	/* now and then the frame ends with events held: trace time, flush */
		kvm_pio(v, true, 0xe9, said);
		if ((r >> 32) % 64 == 0)
			t.ts += 100 * 1000 * 1000;
		else if ((r >> 32) % 64 == 1)
			assert_int_equal(trace_writer_flush(t.w), 0);
		kvm_userspace_exit(v, reason);
		io_exit(v, true, 0xe9, val);
		break;
	case 14:
	case 15:
		lapic_sync(v, 1024);
		break;
	}
}

/* What one trace is made of, the same both ways. */
struct script {
	void (*play)(const struct script *s);
	uint64_t seed;
	unsigned int nvcpus;
	bool dense;
	int n;                  /* steps; for play_frame_end, the filler's bytes */
};

static void play_steps(const struct script *s)
{
	for (int i = 0; i < s->n; i++)
		step((int32_t)(rnd() % s->nvcpus), s->nvcpus);
}

/*
 * A frame filled with LAPIC syncs to 37-1060 bytes short of its end, then
 * port writes with one or both kernel events and the biggest exit the
 * encoder writes by hand, across the frame's end.
 */
static void play_frame_end(const struct script *s)
{
	for (int i = 0; i < 252; i++)
		lapic_sync(0, 1024);
	lapic_sync(0, (size_t)s->n);
	for (uint32_t i = 0; i < 20; i++) {
		kvm_pio(0, true, 0xe9, i);
		if (i & 1)
			kvm_userspace_exit(0, 2);
		io_exit_of(0, true, 0xe9, i, FAT);
	}
}

/* Writes @s to @file; returns its references. */
static uint64_t write_script(const char *file, const struct script *s)
{
	uint64_t krefs;

	start_at(file, 0x5eed0000 + s->seed);
	t.stream = true;
	t.dense = s->dense;
	t.rng = s->seed * 0x9e3779b97f4a7c15ull | 1;
	s->play(s);
	krefs = trace_writer_krefs(t.w);
	assert_int_equal(trace_writer_close(t.w, NULL), 0);
	return krefs;
}

static bool same_file(const char *a, const char *b)
{
	FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
	char ba[4096], bb[4096];
	bool same = fa && fb;
	size_t na = 0, nb;

	do {
		if (!same)
			break;
		na = fread(ba, 1, sizeof(ba), fa);
		nb = fread(bb, 1, sizeof(bb), fb);
		same = na == nb && !memcmp(ba, bb, na);
	} while (na);
	if (fa)
		fclose(fa);
	if (fb)
		fclose(fb);
	return same;
}

/* @s written with events held back and written whole first: the same file; its references. */
static uint64_t same_both_ways(const struct script *s)
{
	char held[80], whole[80];
	uint64_t k_held = 0, k_whole = 0;
	bool same = false;

	snprintf(held, sizeof(held), "%s/held.zst", dir);
	snprintf(whole, sizeof(whole), "%s/whole.zst", dir);
	/*
	 * A frame also ends when 100 ms of wall time pass while it fills (a
	 * stalled host): then the two differ where the stall was. Three tries.
	 */
	for (int attempt = 0; attempt < 3 && !same; attempt++) {
		unsetenv("KVMREC_WRITER_DEFER");
		k_held = write_script(held, s);
		setenv("KVMREC_WRITER_DEFER", "0", 1);
		k_whole = write_script(whole, s);
		unsetenv("KVMREC_WRITER_DEFER");
		same = same_file(held, whole);
	}
	if (!same)
		fail_msg("seed %llu, %u vCPUs, n %d: the traces differ", (unsigned long long)s->seed,
			 s->nvcpus, s->n);
	assert_int_equal(k_held, k_whole);
	unlink(held);
	unlink(whole);
	return k_held;
}

static void random_stream(uint64_t seed, unsigned int nvcpus, bool dense, int steps)
{
	struct script s = { play_steps, seed, nvcpus, dense, steps };

	assert_true(same_both_ways(&s) > (uint64_t)steps / 2);
}

static void test_held_events_one_vcpu(void **state)
{
	(void)state;
	random_stream(1, 1, false, 60000);
	random_stream(2, 1, true, 60000);
}

static void test_held_events_three_vcpus(void **state)
{
	(void)state;
	random_stream(3, 3, false, 60000);
	random_stream(4, 3, true, 60000);
}

static void test_held_events_more_seeds(void **state)
{
	(void)state;
	for (uint64_t seed = 5; seed < 11; seed++)
		random_stream(seed, 1 + (unsigned int)seed % 4, seed & 1, 15000);
}

static void test_held_events_at_every_place_near_a_frame_end(void **state)
{
	(void)state;
	for (int n = 0; n < 1024; n++) {
		struct script s = { play_frame_end, 1, 1, false, n };

		same_both_ways(&s);
	}
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
		cmocka_unit_test(test_held_events_one_vcpu),
		cmocka_unit_test(test_held_events_three_vcpus),
		cmocka_unit_test(test_held_events_more_seeds),
		cmocka_unit_test(test_held_events_at_every_place_near_a_frame_end),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
