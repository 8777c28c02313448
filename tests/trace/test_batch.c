// SPDX-License-Identifier: GPL-2.0-only
/*
 * Batches (format 1.3, docs/trace.md "Batches"): a pio-loop-like stream of
 * OUT exits with their kvm_pio and kvm_userspace_exit, IN exits, a second
 * vCPU, kvm_msr events with 64-bit and negative args, run_ns of 8 bytes now
 * and then, and now and then a record that is not hot, written by the writer.
 * Its frames hold batch records, and it reads back event for event on both
 * reader paths. A batch damaged inside a frame whose checksum is good (cut
 * at every length, single bytes flipped) gives every event before it and a
 * one-line error, or, where the flip made other valid values, as many
 * events as there were: never a crash, never more. The reader pool's way
 * through a batch (batch_decode(), straight into records) gives what decoding
 * the expanded bytes gives, on good and flipped batches alike.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>
#include <cmocka.h>

#include "batch.h"
#include "stream.h"
#include "trace_arena.h"
#include "trace_decode.h"
#include "trace_reader.h"
#include "trace_varint.h"
#include "trace_writer.h"

#define N_EXITS 1200
#define NAME "batch.zst"
#define TAG_BATCH (14u << 3 | 2)

struct want {
	uint64_t ts;
	int32_t vcpu;
	uint8_t body[128];
	size_t len;
};

static struct want *want;
static size_t n_want;
static uint8_t *trace;
static size_t trace_len;

/* The stream: per exit i, kvm_pio and kvm_userspace_exit before an OUT, kvm_pio after an IN. */
struct gen {
	Kvmrec__Record rec;
	Kvmrec__RunExit x;
	Kvmrec__ExitIo io;
	Kvmrec__KernelEvent k;
	Kvmrec__Annotation note;
	int64_t args[5];
	uint8_t data[4];
};

static size_t gen_events(struct gen *g, uint64_t i, struct trace_event *ev, unsigned int which)
{
	bool in = i % 50 == 49;
	uint32_t val = (uint32_t)i * 3 + 7;

	kvmrec__record__init(&g->rec);
	ev->rec = &g->rec;
	ev->vcpu = i % 97 < 3 ? 1 : 0;
	ev->tid = 100 + (uint32_t)ev->vcpu;
	/* Nanoseconds that jitter: what a real recording's timestamps do. */
	ev->ts_ns = 1000000 + i * 15000 + (i * 2654435761u % 977) + which * 300;
	memcpy(g->data, &val, 4);
	kvmrec__exit_io__init(&g->io);
	g->io.has_out = 1;
	g->io.out = !in;
	g->io.has_size = g->io.has_port = 1;
	g->io.size = 4;
	g->io.port = in ? 0x71 : 0xe8;
	g->io.has_data = 1;
	g->io.data.len = 4;
	g->io.data.data = g->data;
	kvmrec__kernel_event__init(&g->k);
	g->k.args = g->args;
	g->k.has_cpu = 1;
	g->k.cpu = (uint32_t)ev->vcpu;
	g->k.has_id = 1;
	if (which == 4) {	/* a kernel event that repeats no exit: signed, 64-bit args */
		g->k.id = KVMREC__KERNEL_EVENT_ID__KEV_MSR;
		g->k.n_args = 4;
		g->args[0] = 1;
		g->args[1] = 0x250;
		g->args[2] = i % 5 ? (int64_t)(i * 0x0606060606060606ull) : -(int64_t)i;
		g->args[3] = 0;
		g->rec.body_case = KVMREC__RECORD__BODY_KEVENT;
		g->rec.kevent = &g->k;
		return i % 4 == 0;
	}
	if (which == 3 && i % 200 == 199) {	/* not hot: ends a run */
		kvmrec__annotation__init(&g->note);
		g->note.key = "note";
		g->note.text = "between batches";
		g->rec.body_case = KVMREC__RECORD__BODY_NOTE;
		g->rec.note = &g->note;
		return 1;
	}
	if ((which == 0 && !in) || (which == 3 && in)) {
		g->k.id = KVMREC__KERNEL_EVENT_ID__KEV_PIO;
		g->k.n_args = 5;
		g->args[0] = !in;
		g->args[1] = g->io.port;
		g->args[2] = 4;
		g->args[3] = 1;
		g->args[4] = val;
	} else if (which == 1 && !in) {
		g->k.id = KVMREC__KERNEL_EVENT_ID__KEV_USERSPACE_EXIT;
		g->k.n_args = 2;
		g->args[0] = 2;
		g->args[1] = 0;
	} else if (which == 2) {
		kvmrec__run_exit__init(&g->x);
		g->x.has_reason = 1;
		g->x.reason = 2;
		g->x.has_apic_base = 1;
		g->x.apic_base = 0xfee00900;
		/* A column whose widest value takes all 8 bytes, the next ones fewer. */
		g->x.has_run_ns = 1;
		g->x.run_ns = i % 3 ? i * 1000 : 0x8000000000000000ull + i;
		g->x.payload_case = KVMREC__RUN_EXIT__PAYLOAD_IO;
		g->x.io = &g->io;
		g->rec.body_case = KVMREC__RECORD__BODY_EXIT;
		g->rec.exit = &g->x;
		return 1;
	} else {
		return 0;
	}
	g->rec.body_case = KVMREC__RECORD__BODY_KEVENT;
	g->rec.kevent = &g->k;
	return 1;
}

static int write_trace(const char *path)
{
	Kvmrec__Header hdr = KVMREC__HEADER__INIT;
	struct trace_writer_opts o = { .overwrite = true };
	struct trace_writer *w;
	struct gen g;

	synth_stream_header(&hdr);
	if (trace_writer_open(path, &hdr, &o, &w))
		return -1;
	want = calloc(5 * N_EXITS, sizeof(*want));
	for (uint64_t i = 0; want && i < N_EXITS; i++) {
		for (unsigned int which = 0; which < 5; which++) {
			struct trace_event ev;
			struct want *x = &want[n_want];

			if (!gen_events(&g, i, &ev, which))
				continue;
			x->ts = ev.ts_ns;
			x->vcpu = ev.vcpu;
			x->len = synth_stream_pack_body(ev.rec, x->body, sizeof(x->body));
			if (!x->len || trace_writer_append(w, &ev))
				return -1;
			n_want++;
		}
		/* A short first frame: its batch is the one cut at every length. */
		if ((i == 49 || i % 300 == 299) && trace_writer_flush(w))
			return -1;
	}
	return want ? trace_writer_close(w, NULL) : -1;
}

/*
 * Reads @buf with @threads reader threads; asserts that the first @exact
 * events it gives match the originals, and returns how many it gave. *@err:
 * the reader's error line, or "" if it read to the footer.
 */
static size_t read_all(const uint8_t *buf, size_t len, const char *threads, size_t exact,
		       char *err, size_t errlen)
{
	struct trace_reader *r;
	struct trace_event ev;
	uint8_t body[256];
	size_t n = 0;
	int ret;

	setenv("KVMREC_READER_THREADS", threads, 1);
	assert_int_equal(trace_reader_open_mem(buf, len, NAME, &r), 0);
	while ((ret = trace_reader_next(r, &ev)) == 1) {
		assert_true(n < n_want);
		if (n < exact) {
			size_t l = synth_stream_pack_body(ev.rec, body, sizeof(body));

			assert_int_equal(ev.seq, n + 1);
			assert_int_equal(ev.ts_ns, want[n].ts);
			assert_int_equal(ev.vcpu, want[n].vcpu);
			assert_int_equal(l, want[n].len);
			assert_memory_equal(body, want[n].body, l);
		}
		n++;
	}
	snprintf(err, errlen, "%s", ret < 0 ? trace_reader_error(r) : "");
	if (ret < 0) {	/* one line naming the input */
		assert_memory_equal(err, NAME ": ", strlen(NAME) + 2);
		assert_null(strchr(err, '\n'));
	}
	trace_reader_close(r);
	return n;
}

static void test_reads_back(void **state)
{
	char err[256];

	(void)state;
	assert_int_equal(read_all(trace, trace_len, "1", SIZE_MAX, err, sizeof(err)), n_want);
	assert_string_equal(err, "");
	assert_int_equal(read_all(trace, trace_len, "4", SIZE_MAX, err, sizeof(err)), n_want);
	assert_string_equal(err, "");
}

/* A frame of the trace, decompressed, with where it is in the file. */
struct frame {
	size_t off, csize;
	uint8_t *raw;
	size_t len;
	size_t batch, batch_len;   /* the first batch record (after its length), if any */
	size_t events_before;      /* events in the frames before this one */
};

/* The first frame after the header's that holds a batch record. */
static void find_batch(struct frame *f)
{
	size_t off = 0, events = 0;

	for (unsigned int index = 0; off < trace_len; index++) {
		size_t csz = ZSTD_findFrameCompressedSize(trace + off, trace_len - off);
		unsigned long long rsz = ZSTD_getFrameContentSize(trace + off, trace_len - off);
		size_t p = index ? 0 : TRACE_MAGIC_LEN, xcap = 0;
		uint8_t *x = NULL;
		long xl;

		assert_false(ZSTD_isError(csz));
		f->raw = malloc(rsz);
		assert_non_null(f->raw);
		assert_int_equal(ZSTD_decompress(f->raw, rsz, trace + off, csz), rsz);
		f->off = off;
		f->csize = csz;
		f->len = rsz;
		f->events_before = events;
		while (index && p < rsz) {
			uint64_t l = 0;
			size_t h = trace_varint_get(f->raw + p, f->raw + rsz, &l);

			assert_true(h);
			if (f->raw[p + h] == TAG_BATCH) {
				f->batch = p + h;
				f->batch_len = l;
				return;
			}
			p += h + l;
		}
		/* No batch here (the header's frame): its events as the reader counts them. */
		xl = batch_expand(f->raw, rsz, index ? 0 : TRACE_MAGIC_LEN, &x, &xcap, 1u << 24);
		assert_true(xl == 0);
		for (p = index ? 0 : TRACE_MAGIC_LEN; p < rsz; events++) {
			uint64_t l = 0;

			p += trace_varint_get(f->raw + p, f->raw + rsz, &l) + l;
		}
		if (!index)
			events--;	/* the header */
		free(f->raw);
		off += csz;
	}
	fail_msg("no frame holds a batch record");
}

/* The trace with its frame @f made of @raw (@len bytes), compressed with a good checksum. */
static uint8_t *with_frame(const struct frame *f, const uint8_t *raw, size_t len, size_t *out_len)
{
	size_t cap = trace_len + ZSTD_compressBound(len);
	uint8_t *t = malloc(cap);
	ZSTD_CCtx *c = ZSTD_createCCtx();
	size_t n;

	assert_non_null(t);
	assert_non_null(c);
	ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
	ZSTD_CCtx_setParameter(c, ZSTD_c_contentSizeFlag, 1);
	memcpy(t, trace, f->off);
	n = ZSTD_compress2(c, t + f->off, cap - f->off, raw, len);
	assert_false(ZSTD_isError(n));
	memcpy(t + f->off + n, trace + f->off + f->csize, trace_len - f->off - f->csize);
	*out_len = trace_len - f->csize + n;
	ZSTD_freeCCtx(c);
	return t;
}

/* Records before the batch in its frame: events the reader owes before it. */
static size_t events_before_batch(const struct frame *f)
{
	size_t p = 0, n = 0;

	while (p < f->batch - 1) {
		uint64_t l = 0;
		size_t h = trace_varint_get(f->raw + p, f->raw + f->len, &l);

		if (p + h == f->batch)
			break;
		p += h + l;
		n++;
	}
	return n;
}

static void test_batch_cut_at_every_length(void **state)
{
	struct frame f = { 0 };
	uint8_t *raw;
	char err[256];

	(void)state;
	find_batch(&f);
	size_t owed = f.events_before + events_before_batch(&f);
	raw = malloc(f.len + 16);
	assert_non_null(raw);
	/* The body cut at every length, the record's lengths made to fit: a bad batch each time. */
	for (size_t cut = 0; cut + 1 < f.batch_len; cut++) {
		uint64_t blen = 0;
		size_t h = trace_varint_get(f.raw + f.batch + 1, f.raw + f.len, &blen);
		const uint8_t *body = f.raw + f.batch + 1 + h;
		size_t start, n = 0, tl;
		uint8_t rec[16];
		size_t rl = 0;

		if (cut >= blen)
			break;
		/* Record: length, tag, body length, the first @cut bytes of the body. */
		rec[rl++] = TAG_BATCH;
		rl += trace_varint_put(rec + rl, cut);
		start = f.batch - trace_varint_len(f.batch_len);
		memcpy(raw, f.raw, start);
		n = start;
		n += trace_varint_put(raw + n, rl + cut);
		memcpy(raw + n, rec, rl);
		n += rl;
		memcpy(raw + n, body, cut);
		n += cut;
		memcpy(raw + n, f.raw + f.batch + f.batch_len, f.len - f.batch - f.batch_len);
		n += f.len - f.batch - f.batch_len;

		uint8_t *t = with_frame(&f, raw, n, &tl);
		for (int th = 0; th < 2; th++) {
			size_t got = read_all(t, tl, th ? "4" : "1", SIZE_MAX, err, sizeof(err));

			assert_int_equal(got, owed);
			/* Cut inside a field it is not even protobuf any more. */
			if (!strstr(err, "bad batch of records") && !strstr(err, "undecodable record"))
				fail_msg("cut at %zu: \"%s\"", cut, err);
		}
		free(t);
	}
	free(raw);
	free(f.raw);
}

static void test_batch_byte_flips(void **state)
{
	struct frame f = { 0 };
	uint64_t x = 0x9e3779b97f4a7c15ull;
	char err[256];

	(void)state;
	find_batch(&f);
	for (int i = 0; i < 300; i++) {
		size_t at, tl, got;
		uint8_t *t;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		at = f.batch + (size_t)(x % f.batch_len);
		f.raw[at] ^= (uint8_t)(x >> 32) ? (uint8_t)(x >> 32) : 1;
		t = with_frame(&f, f.raw, f.len, &tl);
		got = read_all(t, tl, i & 1 ? "4" : "1", false, err, sizeof(err));
		/* Everything before the damaged frame, then an error; or other values, no more events. */
		assert_true(err[0] ? got >= f.events_before && got < n_want : got == n_want);
		/* The events before the frame are the originals. */
		assert_true(read_all(trace, trace_len, "1", SIZE_MAX, err, sizeof(err)) == n_want);
		f.raw[at] ^= (uint8_t)(x >> 32) ? (uint8_t)(x >> 32) : 1;
		free(t);
	}
	free(f.raw);
}

/* What batch_decode() hands out: each record packed again, so two paths compare as bytes. */
struct packed {
	uint8_t *bytes;
	size_t len, n;
};

static void packed_add(struct packed *pk, const Kvmrec__Record *rec)
{
	size_t l = protobuf_c_message_get_packed_size(&rec->base);

	pk->bytes = realloc(pk->bytes, pk->len + l + TRACE_VARINT_MAX);
	assert_non_null(pk->bytes);
	pk->len += trace_varint_put(pk->bytes + pk->len, l);
	pk->len += protobuf_c_message_pack(&rec->base, pk->bytes + pk->len);
	pk->n++;
}

static int packed_emit(void *ctx, Kvmrec__Record *rec)
{
	packed_add(ctx, rec);
	return 0;
}

/*
 * The batch record at @body (@len bytes, after its length) both ways: decoded
 * straight (batch_decode()) and decoded from batch_expand()'s bytes. Either
 * both fail or both give the same records.
 */
static void decode_both_ways(const uint8_t *body, size_t len)
{
	struct packed direct = { 0 }, expanded = { 0 };
	struct trace_arena a;
	uint8_t *frame = malloc(len + TRACE_VARINT_MAX), *x = NULL;
	size_t fl, xcap = 0, blen, budget = 1u << 24;
	const uint8_t *b = batch_body(body, len, &blen);
	long nd, nx;

	assert_non_null(frame);
	assert_non_null(b);
	assert_int_equal(trace_arena_init(&a, 1u << 16), 0);
	fl = trace_varint_put(frame, len);
	memcpy(frame + fl, body, len);
	fl += len;
	nd = batch_decode(b, blen, &a.pb, &budget, packed_emit, &direct);
	nx = batch_expand(frame, fl, 0, &x, &xcap, 1u << 24);
	assert_true(nx >= 0);
	/* Expanded: records, or (a bad batch) the batch record left as it was. */
	for (size_t p = 0; nx > 0 && p < (size_t)nx;) {
		uint64_t l = 0;
		size_t h = trace_varint_get(x + p, x + nx, &l);
		Kvmrec__Record *rec;

		assert_true(h);
		rec = (Kvmrec__Record *)trace_decode_fast(&kvmrec__record__descriptor, &a.pb,
							  x + p + h, (size_t)l);
		if (!rec)
			rec = kvmrec__record__unpack(&a.pb, (size_t)l, x + p + h);
		if (!rec || rec->body_case == KVMREC__RECORD__BODY_BATCH) {
			expanded.n = 0;	/* the reader calls it damage: no records */
			break;
		}
		packed_add(&expanded, rec);
		p += h + l;
	}
	if (nd < 0) {
		assert_int_equal(nd, -EINVAL);
		assert_int_equal(expanded.n, 0);
	} else {
		assert_int_equal((size_t)nd, expanded.n);
		assert_int_equal(direct.len, expanded.len);
		assert_memory_equal(direct.bytes, expanded.bytes, direct.len);
		assert_true(budget < 1u << 24);
	}
	trace_arena_fini(&a);
	free(direct.bytes);
	free(expanded.bytes);
	free(frame);
	free(x);
}

/* The readers' two ways through a batch agree: on the writer's batch, and on flipped copies. */
static void test_batch_decode_as_expanded(void **state)
{
	struct frame f = { 0 };
	uint64_t x = 0x2545f4914f6cdd1dull;
	size_t budget = 16;
	long n;

	(void)state;
	find_batch(&f);
	decode_both_ways(f.raw + f.batch, f.batch_len);
	for (int i = 0; i < 2000; i++) {
		size_t at;
		uint8_t flip;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		at = f.batch + 1 + (size_t)(x % (f.batch_len - 1));	/* never the tag */
		flip = (uint8_t)(x >> 32) ? (uint8_t)(x >> 32) : 1;
		f.raw[at] ^= flip;
		decode_both_ways(f.raw + f.batch, f.batch_len);
		f.raw[at] ^= flip;
	}
	/* A batch that could outgrow what the frame may still expand to is left to batch_expand(). */
	{
		struct trace_arena a;
		struct packed none = { 0 };
		size_t blen;
		const uint8_t *b = batch_body(f.raw + f.batch, f.batch_len, &blen);

		assert_int_equal(trace_arena_init(&a, 1u << 16), 0);
		n = batch_decode(b, blen, &a.pb, &budget, packed_emit, &none);
		assert_int_equal(n, -E2BIG);
		assert_int_equal(none.n, 0);
		assert_int_equal(budget, 16);
		trace_arena_fini(&a);
	}
	free(f.raw);
}

static char dir[] = "/tmp/kvmrec-batch-XXXXXX";
static char path[64];

static int setup(void **state)
{
	FILE *f;
	long n;

	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/%s", dir, NAME);
	if (write_trace(path))
		return -1;
	f = fopen(path, "rb");
	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) <= 0)
		return -1;
	trace_len = (size_t)n;
	trace = malloc(trace_len);
	rewind(f);
	if (!trace || fread(trace, 1, trace_len, f) != trace_len)
		return -1;
	fclose(f);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(trace);
	free(want);
	unlink(path);
	return rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reads_back),
		cmocka_unit_test(test_batch_cut_at_every_length),
		cmocka_unit_test(test_batch_byte_flips),
		cmocka_unit_test(test_batch_decode_as_expanded),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
