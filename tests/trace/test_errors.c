// SPDX-License-Identifier: GPL-2.0-only
/*
 * Bad input and refusals: files that are not kvmrec traces, an empty file, a
 * newer major version, a missing file, data after the footer; a writer that
 * must not overwrite, and records too big to write. Each gives its errno and
 * a one-line message naming the file.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>
#include <cmocka.h>

#include "stream.h"
#include "trace_reader.h"
#include "trace_varint.h"
#include "trace_writer.h"
#include "out_file.h"

static char dir[] = "/tmp/kvmrec-err-XXXXXX";

static const char *tmp(const char *name)
{
	static char p[128];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return p;
}

static void put_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

/* Opens @path and expects @err from the open (or from reading on), with @text in the message. */
static void expect_open_error(const char *path, int err, const char *text)
{
	struct trace_reader *r;
	struct trace_event ev;
	int ret = trace_reader_open(path, &r);
	const char *e;

	assert_non_null(r);
	while (ret == 0) {
		int n = trace_reader_next(r, &ev);

		if (n != 1) {
			ret = n;
			break;
		}
	}
	assert_int_equal(ret, err);
	e = trace_reader_error(r);
	if (!err) {
		assert_string_equal(e, "");
		trace_reader_close(r);
		return;
	}
	assert_memory_equal(e, path, strlen(path));
	assert_non_null(strstr(e, text));
	assert_null(strchr(e, '\n'));
	trace_reader_close(r);
}

/* A zstd frame (with checksum) holding @raw. */
static void put_zstd(const char *path, const void *raw, size_t len)
{
	ZSTD_CCtx *c = ZSTD_createCCtx();
	size_t cap = ZSTD_compressBound(len), n;
	void *out = malloc(cap);

	ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
	n = ZSTD_compress2(c, out, cap, raw, len);
	assert_false(ZSTD_isError(n));
	put_file(path, out, n);
	free(out);
	ZSTD_freeCCtx(c);
}

static void test_not_a_trace(void **state)
{
	static const char text[] = "seq ts vcpu\n1 2 3\n";

	(void)state;
	put_file(tmp("text"), text, sizeof(text) - 1);
	expect_open_error(tmp("text"), -EINVAL, "not a kvmrec trace (not zstd-compressed)");
	put_file(tmp("tiny"), "KV", 2);
	expect_open_error(tmp("tiny"), -EINVAL, "not a kvmrec trace");
	put_zstd(tmp("other.zst"), "hello, world, not a trace", 25);
	expect_open_error(tmp("other.zst"), -EINVAL, "not a kvmrec trace (bad magic)");
}

static void test_empty_file(void **state)
{
	(void)state;
	put_file(tmp("empty"), "", 0);
	expect_open_error(tmp("empty"), -EINVAL, "empty file");
}

static void test_missing_file(void **state)
{
	(void)state;
	expect_open_error(tmp("no-such-trace.zst"), -ENOENT, "cannot open");
}

/* The magic's last byte is the major version; a newer one is refused, not guessed at. */
static void test_newer_major_version(void **state)
{
	uint8_t raw[64] = "KVMREC";
	Kvmrec__Record rec = KVMREC__RECORD__INIT;
	Kvmrec__Header hdr = KVMREC__HEADER__INIT;
	size_t n = TRACE_MAGIC_LEN, len;

	(void)state;
	raw[7] = TRACE_FORMAT_MAJOR + 1;
	hdr.has_format_major = 1;
	hdr.format_major = TRACE_FORMAT_MAJOR + 1;
	rec.body_case = KVMREC__RECORD__BODY_HEADER;
	rec.header = &hdr;
	len = protobuf_c_message_get_packed_size(&rec.base);
	n += trace_varint_put(raw + n, len);
	n += protobuf_c_message_pack(&rec.base, raw + n);
	put_zstd(tmp("v2.zst"), raw, n);
	expect_open_error(tmp("v2.zst"), -EPROTONOSUPPORT, "trace format version 2 is newer");

	/* Same magic as now, but the header says newer. */
	raw[7] = TRACE_FORMAT_MAJOR;
	put_zstd(tmp("v2h.zst"), raw, n);
	expect_open_error(tmp("v2h.zst"), -EPROTONOSUPPORT, "trace format version 2 is newer");

	/* An event where the header should be. */
	rec.body_case = KVMREC__RECORD__BODY_NOTE;
	{
		Kvmrec__Annotation note = KVMREC__ANNOTATION__INIT;

		rec.note = &note;
		n = TRACE_MAGIC_LEN;
		len = protobuf_c_message_get_packed_size(&rec.base);
		n += trace_varint_put(raw + n, len);
		n += protobuf_c_message_pack(&rec.base, raw + n);
		put_zstd(tmp("nohdr.zst"), raw, n);
	}
	expect_open_error(tmp("nohdr.zst"), -EINVAL, "first record is not a header");
}

/* Two traces glued together: the footer of the first is not the end of the file. */
static void test_data_after_footer(void **state)
{
	FILE *a, *b;
	uint8_t buf[65536];
	size_t na, nb;

	(void)state;
	assert_int_equal(synth_stream_write(tmp("a.zst"), 1, 50, 0), 0);
	a = fopen(tmp("a.zst"), "rb");
	na = fread(buf, 1, sizeof(buf) / 2, a);
	fclose(a);
	b = fopen(tmp("a.zst"), "rb");
	nb = fread(buf + na, 1, sizeof(buf) / 2, b);
	fclose(b);
	put_file(tmp("ab.zst"), buf, na + nb);
	expect_open_error(tmp("ab.zst"), -EIO, "data after the footer");
}

static void test_writer_refuses_to_overwrite(void **state)
{
	struct trace_writer_opts opts = { 0 };
	Kvmrec__Header hdr;
	struct trace_writer *w = (void *)1;
	struct stat st;
	char back[16];
	FILE *f;

	(void)state;
	synth_stream_header(&hdr);
	put_file(tmp("precious"), "precious data", 13);
	assert_int_equal(trace_writer_open(tmp("precious"), &hdr, &opts, &w), -EEXIST);
	assert_null(w);
	assert_non_null(strstr(trace_writer_error(NULL), tmp("precious")));
	assert_non_null(strstr(trace_writer_error(NULL), OUT_FILE_EXISTS));
	f = fopen(tmp("precious"), "r");
	assert_int_equal(fread(back, 1, sizeof(back), f), 13);
	fclose(f);
	assert_memory_equal(back, "precious data", 13);

	/* Asked to, it does; a new file is private to its owner. */
	opts.overwrite = true;
	assert_int_equal(trace_writer_open(tmp("precious"), &hdr, &opts, &w), 0);
	assert_int_equal(trace_writer_close(w, NULL), 0);
	expect_open_error(tmp("precious"), 0, "");
	opts.overwrite = false;
	assert_int_equal(trace_writer_open(tmp("fresh.zst"), &hdr, &opts, &w), 0);
	assert_int_equal(trace_writer_close(w, NULL), 0);
	assert_int_equal(stat(tmp("fresh.zst"), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	assert_int_equal(trace_writer_open(tmp("no/such/dir.zst"), &hdr, &opts, &w), -ENOENT);
	assert_non_null(strstr(trace_writer_error(NULL), "no/such/dir.zst: cannot create"));
}

/* A full disk: the header cannot be written, and the device is left alone. */
static void test_writer_disk_full(void **state)
{
	struct trace_writer_opts opts = { .overwrite = true };
	struct trace_writer *w;
	Kvmrec__Header hdr;

	(void)state;
	if (access("/dev/full", W_OK))
		skip();
	synth_stream_header(&hdr);
	assert_int_equal(trace_writer_open("/dev/full", &hdr, &opts, &w), -ENOSPC);
	assert_null(w);
	assert_string_equal(trace_writer_error(NULL), "/dev/full: write failed: No space left on device");
	assert_int_equal(access("/dev/full", W_OK), 0);
}

static void test_writer_refuses_huge_record(void **state)
{
	struct trace_writer_opts opts = { .overwrite = true };
	Kvmrec__Record rec = KVMREC__RECORD__INIT;
	Kvmrec__Annotation note = KVMREC__ANNOTATION__INIT;
	struct trace_event ev = { .ts_ns = 5, .rec = &rec };
	struct trace_writer *w;
	Kvmrec__Header hdr;
	char *big = malloc(TRACE_RECORD_MAX + 1);

	(void)state;
	assert_non_null(big);
	memset(big, 'x', TRACE_RECORD_MAX);
	big[TRACE_RECORD_MAX] = 0;
	synth_stream_header(&hdr);
	assert_int_equal(trace_writer_open(tmp("big.zst"), &hdr, &opts, &w), 0);
	rec.body_case = KVMREC__RECORD__BODY_NOTE;
	rec.note = &note;
	note.text = big;
	assert_int_equal(trace_writer_append(w, &ev), -EMSGSIZE);
	assert_non_null(strstr(trace_writer_error(w), "exceeds"));
	trace_writer_abort(w);
	free(big);
	/* Aborted without a footer: reads as truncated after the header. */
	expect_open_error(tmp("big.zst"), -EIO, "truncated after event 0");
}

/* A name longer than the error line is cut, not written past the line's end. */
static void test_long_names(void **state)
{
	static const char junk[64] = "this is not a kvmrec trace at all";
	char name[1200], path[400];
	struct trace_writer *w = (void *)1;
	struct trace_reader *r;
	Kvmrec__Header hdr;

	(void)state;
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	assert_int_equal(trace_reader_open_mem(junk, sizeof(junk), name, &r), -EINVAL);
	assert_non_null(r);
	assert_true(strlen(trace_reader_error(r)) > 100);
	assert_memory_equal(trace_reader_error(r), name, 100);
	trace_reader_close(r);

	/* Two components of under 255 bytes in a directory that does not exist. */
	snprintf(path, sizeof(path), "%s/no-such-dir-%0200d/%0150d.zst", dir, 0, 0);
	synth_stream_header(&hdr);
	assert_int_equal(trace_writer_open(path, &hdr, NULL, &w), -ENOENT);
	assert_null(w);
	assert_true(strlen(trace_writer_error(NULL)) > 100);
	assert_memory_equal(trace_writer_error(NULL), path, 100);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_not_a_trace),
		cmocka_unit_test(test_empty_file),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_newer_major_version),
		cmocka_unit_test(test_data_after_footer),
		cmocka_unit_test(test_writer_refuses_to_overwrite),
		cmocka_unit_test(test_writer_refuses_huge_record),
		cmocka_unit_test(test_writer_disk_full),
		cmocka_unit_test(test_long_names),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
