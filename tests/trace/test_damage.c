// SPDX-License-Identifier: GPL-2.0-only
/*
 * Damage: a small trace of a dozen frames, cut at every byte offset and hit
 * by 10,000 single-byte flips. Whatever the damage, the reader returns a
 * prefix of the original events (never a wrong one), at least every event of
 * every frame wholly before the damage, and then a one-line error naming the
 * file (or, if a flip changed nothing it could see, the whole trace intact).
 */
#include <fcntl.h>
#include <setjmp.h>
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
#include "trace_reader.h"
#include "trace_varint.h"

#define N_EVENTS 240
#define FLUSH_EVERY 20
#define N_FLIPS 10000
#define SEED 77
#define NAME "damaged.zst"

struct expect {
	struct trace_event ev;
	uint8_t body[2048];
	size_t len;
};

static struct expect want[N_EVENTS];
static uint8_t *trace;
static size_t trace_len;
/* Frame k spans [frame_end[k-1], frame_end[k]); events_before[k]: events in frames 0..k-1. */
static size_t n_frames, frame_end[64];
static uint64_t events_upto[64];
static char dir[] = "/tmp/kvmrec-dmg-XXXXXX";
static char path[64];

/* Events of every frame that ends at or before @off: the reader owes us these. */
static uint64_t owed(size_t off)
{
	uint64_t n = 0;

	for (size_t k = 0; k < n_frames && frame_end[k] <= off; k++)
		n = events_upto[k];
	return n;
}

/* Reads whatever @r gives and checks it against the originals; returns the count. */
static uint64_t read_prefix(struct trace_reader *r, int *last)
{
	static uint8_t buf[2048];
	struct trace_event ev;
	uint64_t i = 0;
	int ret;

	while ((ret = trace_reader_next(r, &ev)) == 1) {
		size_t len;

		assert_true(i < N_EVENTS);
		assert_int_equal(ev.seq, want[i].ev.seq);
		assert_int_equal(ev.ts_ns, want[i].ev.ts_ns);
		assert_int_equal(ev.vcpu, want[i].ev.vcpu);
		assert_int_equal(ev.tid, want[i].ev.tid);
		len = synth_stream_pack_body(ev.rec, buf, sizeof(buf));
		assert_int_equal(len, want[i].len);
		assert_memory_equal(buf, want[i].body, len);
		i++;
	}
	*last = ret;
	return i;
}

static void assert_one_line_error(struct trace_reader *r, const char *name)
{
	const char *e = trace_reader_error(r);

	assert_true(strlen(e) > strlen(name) + 2);
	assert_memory_equal(e, name, strlen(name));
	assert_memory_equal(e + strlen(name), ": ", 2);
	assert_null(strchr(e, '\n'));
}

/* Opens and reads @len bytes of @buf; checks the invariants against damage at @off. */
static void check_damaged(const uint8_t *buf, size_t len, size_t off, bool truncation)
{
	struct trace_reader *r;
	uint64_t got = 0;
	int ret, last = 0;
	char want_byte[64];

	ret = trace_reader_open_mem(buf, len, NAME, &r);
	assert_non_null(r);
	if (ret == 0) {
		got = read_prefix(r, &last);
		if (last == 0) {
			/* Nothing to see: then it must all be there. */
			assert_false(truncation);
			assert_int_equal(got, N_EVENTS);
			assert_string_equal(trace_reader_error(r), "");
			trace_reader_close(r);
			return;
		}
		ret = last;
	}
	assert_true(ret < 0);
	assert_true(got >= owed(off));
	assert_one_line_error(r, NAME);
	if (truncation && len >= 4) {
		snprintf(want_byte, sizeof(want_byte), "(byte %zu)", len);
		assert_non_null(strstr(trace_reader_error(r), "truncated after event"));
		assert_non_null(strstr(trace_reader_error(r), want_byte));
	}
	trace_reader_close(r);
}

static void test_truncated_at_every_byte(void **state)
{
	(void)state;
	for (size_t len = 0; len < trace_len; len++)
		check_damaged(trace, len, len, true);
}

/* The file path reads in chunks and slides its buffer: cut the file too. */
static void test_truncated_file(void **state)
{
	struct trace_reader *r;
	int fd, last;
	uint64_t got;

	(void)state;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, trace, trace_len), (ssize_t)trace_len);
	/* Every third length: the memory test above already takes every one. */
	for (size_t len = trace_len; len > 4 + 3;) {
		len -= 3;
		assert_int_equal(ftruncate(fd, (off_t)len), 0);
		if (trace_reader_open(path, &r) == 0) {
			got = read_prefix(r, &last);
			assert_true(last < 0);
			assert_true(got >= owed(len));
		}
		assert_one_line_error(r, path);
		assert_non_null(strstr(trace_reader_error(r), "truncated after event"));
		trace_reader_close(r);
	}
	close(fd);
}

static void test_random_byte_flips(void **state)
{
	uint8_t *copy = malloc(trace_len);
	uint64_t x = 0x9e3779b97f4a7c15ull;

	(void)state;
	assert_non_null(copy);
	for (int i = 0; i < N_FLIPS; i++) {
		size_t off;
		uint8_t mask;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		off = (size_t)(x % trace_len);
		mask = (uint8_t)(x >> 32) ? (uint8_t)(x >> 32) : 1;
		memcpy(copy, trace, trace_len);
		copy[off] ^= mask;
		check_damaged(copy, trace_len, off, false);
	}
	free(copy);
}

/* The intact trace reads whole: the baseline the damage is measured against. */
static void test_intact(void **state)
{
	(void)state;
	check_damaged(trace, trace_len, trace_len, false);
}

static int setup(void **state)
{
	struct synth_stream s = { .seed = SEED };
	size_t off = 0;
	uint64_t events = 0;
	FILE *f;
	long n;

	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/%s", dir, NAME);
	if (synth_stream_write(path, SEED, N_EVENTS, FLUSH_EVERY))
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

	for (uint64_t i = 0; i < N_EVENTS; i++) {
		synth_stream_event(&s, i, &want[i].ev);
		want[i].ev.seq = i + 1;
		want[i].len = synth_stream_pack_body(want[i].ev.rec, want[i].body, sizeof(want[i].body));
		if (!want[i].len)
			return -1;
	}

	/* Where the frames end, and how many events each holds (the header and footer are not events). */
	while (off < trace_len && n_frames < 64) {
		size_t csz = ZSTD_findFrameCompressedSize(trace + off, trace_len - off);
		unsigned long long rsz = ZSTD_getFrameContentSize(trace + off, trace_len - off);
		uint8_t *raw, *x = NULL;
		size_t p = 0, records = 0, xcap = 0;
		long xl;

		if (ZSTD_isError(csz) || rsz > (1u << 24))
			return -1;
		raw = malloc(rsz + 1);
		if (!raw || ZSTD_decompress(raw, rsz + 1, trace + off, csz) != rsz)
			return -1;
		if (n_frames == 0)
			p = TRACE_MAGIC_LEN;
		/* Records as the reader sees them: batches (format 1.3) expanded. */
		xl = batch_expand(raw, rsz, p, &x, &xcap, 1u << 24);
		if (xl < 0)
			return -1;
		if (xl > 0) {
			free(raw);
			raw = x;
			rsz = (unsigned long long)xl;
		}
		while (p < rsz) {
			uint64_t l;
			size_t v = trace_varint_get(raw + p, raw + rsz, &l);

			if (!v)
				return -1;
			p += v + l;
			records++;
		}
		free(raw);
		if (n_frames == 0)
			records--;          /* the header */
		off += csz;
		if (off == trace_len)
			records--;          /* the footer */
		events += records;
		frame_end[n_frames] = off;
		events_upto[n_frames++] = events;
	}
	if (events != N_EVENTS || n_frames < 10)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(trace);
	unlink(path);
	return rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_intact),
		cmocka_unit_test(test_truncated_at_every_byte),
		cmocka_unit_test(test_truncated_file),
		cmocka_unit_test(test_random_byte_flips),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
