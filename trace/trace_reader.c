// SPDX-License-Identifier: GPL-2.0-only
/*
 * trace_reader: zstd frames -> varint-delimited records -> events with
 * absolute positions. See trace_reader.h for the contract.
 *
 * A frame is decompressed whole into r->frame before any of its records is
 * parsed, so nothing from a frame whose checksum fails is ever handed out.
 * The one exception is the last frame when the input ends inside it: its
 * complete blocks are all a crashed recorder left, and they are returned.
 *
 * From the second frame on, a seekable input is read by a reader_pool: whole
 * frames decompressed and decoded on every core, handed out here in order.
 * The pool declines anything unusual (damage, a cut, the footer's frame), and
 * from there this file's single-threaded path reads on, so every message and
 * every record handed out is the same whichever path read it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
/* ZSTD_getFrameHeader: the frame header checks below need it (exported by libzstd.so). */
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>

#include "batch.h"
#include "io_delta.h"
#include "kref.h"
#include "reader_pool.h"
#include "trace_reader.h"
#include "trace_writer.h"
#include "trace_arena.h"
#include "trace_decode.h"
#include "trace_varint.h"

#define IN_CHUNK (128u * 1024)
/* Enough of a frame to read its header (ZSTD_FRAMEHEADERSIZE_MAX). */
#define FRAME_HEADER_MAX 18
#define WINDOW_LOG_MAX 24      /* 16 MiB = TRACE_READER_MAX_FRAME */

enum frame_state {
	FRAME_NONE,      /* nothing loaded; the next load starts at a frame boundary */
	FRAME_WHOLE,     /* decompressed and checksum verified */
	FRAME_CUT,       /* the input ended inside it: complete blocks only */
};

struct trace_reader {
	char *name;
	int fd;                 /* -1 for memory input */
	bool own_fd;
	ZSTD_DCtx *dctx;

	uint8_t *in;            /* read buffer (file input) */
	ZSTD_inBuffer zin;
	uint64_t in_base;       /* file offset of zin.src[0] */
	bool in_eof;

	uint8_t *frame;
	size_t frame_len, frame_cap, frame_pos;
	uint8_t *xframe;        /* the other frame buffer: batches expanded (batch.h) */
	size_t xframe_cap;
	enum frame_state fstate;
	uint64_t frame_off;     /* file offset where the loaded frame starts */
	uint64_t frame_index;   /* of the loaded frame, counted from 0 */
	uint64_t frame_rec;     /* records parsed from it */
	size_t rec_off[TRACE_KREF_WINDOW + 1];  /* where the last few of them start */
	struct io_delta io;     /* its ports' last IO data */
	bool frame_fresh;       /* its first record is still to come */
	uint64_t trace_id;      /* Header.trace_id; 0: unbound frames (format 1.0) */

	unsigned int threads;   /* pool workers; <= 1: no pool */
	uint64_t pool_min_bytes; /* smaller inputs are read without the pool */
	uint64_t input_len;     /* seekable input's size at open; 0: not seekable */
	struct reader_pool *pool;
	const struct pool_frame *pf;  /* the pooled frame records come from */
	size_t pf_pos;
	uint64_t pool_off, pool_index;  /* where the frame after the last pooled one starts */
	bool pool_done;         /* the pool stopped: read on here */

	bool progress;          /* this reader shows trace_reader_progress() */
	int progress_pct;

	struct trace_arena arena;
	Kvmrec__Record *hdr_rec;    /* malloc'ed, lives until close */
	Kvmrec__Record *foot_rec;
	Kvmrec__Record *cur;
	const uint8_t *rec_data;    /* the last record's bytes, in frame */
	size_t rec_len;

	uint64_t seq, ts;
	int32_t vcpu;
	uint32_t tid;
	uint64_t events;        /* events handed out */

	int err;
	bool done;
	char errbuf[512];
};

/* Set by the program; shown by one reader at a time (trace_reader_progress()). */
static const char *progress_what;
static struct trace_reader *progress_owner;
#define PROGRESS_EVERY 65536	/* events between looks at the offset */

void trace_reader_progress(const char *what)
{
	progress_what = what;
}

static void progress_start(struct trace_reader *r)
{
	if (!progress_what || progress_owner || r->input_len < TRACE_PROGRESS_MIN_BYTES ||
	    r->fd < 0 || !isatty(STDERR_FILENO))
		return;
	r->progress = true;
	r->progress_pct = -1;
	progress_owner = r;
}

static void progress_show(struct trace_reader *r)
{
	int pct = (int)(trace_reader_offset(r) * 100 / r->input_len);

	if (pct == r->progress_pct)
		return;
	r->progress_pct = pct;
	fprintf(stderr, "\r%s: %3d%% of %s", progress_what, pct > 100 ? 100 : pct, r->name);
}

static void progress_stop(struct trace_reader *r)
{
	if (!r->progress)
		return;
	if (r->progress_pct >= 0)
		fprintf(stderr, "\r\033[K");
	r->progress = false;
	progress_owner = NULL;
}

static int reader_fail(struct trace_reader *r, int err, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (r->err)
		return r->err;
	n = snprintf(r->errbuf, sizeof(r->errbuf), "%s: ", r->name);
	if (n < 0 || (size_t)n >= sizeof(r->errbuf))
		n = (int)sizeof(r->errbuf) - 1;  /* a name longer than the line: cut there */
	va_start(ap, fmt);
	vsnprintf(r->errbuf + n, sizeof(r->errbuf) - n, fmt, ap);
	va_end(ap);
	r->err = err;
	return err;
}

static uint64_t in_offset(const struct trace_reader *r)
{
	return r->in_base + r->zin.pos;
}

static int truncated(struct trace_reader *r)
{
	return reader_fail(r, -EIO, "truncated after event %llu (byte %llu)",
			   (unsigned long long)r->seq, (unsigned long long)in_offset(r));
}

static int corrupt(struct trace_reader *r, const char *why)
{
	return reader_fail(r, -EIO, "corrupt frame at byte %llu after event %llu (%s)",
			   (unsigned long long)r->frame_off, (unsigned long long)r->seq, why);
}

/*
 * Makes at least @want unread bytes available in zin if the input has them.
 * Returns the number available, or a negative errno on a read error.
 */
static ssize_t in_fill(struct trace_reader *r, size_t want)
{
	size_t avail = r->zin.size - r->zin.pos;

	if (r->fd < 0 || avail >= want || r->in_eof)
		return (ssize_t)avail;
	/* Slide the unread tail to the front so a frame header is contiguous. */
	memmove(r->in, (const uint8_t *)r->zin.src + r->zin.pos, avail);
	r->in_base += r->zin.pos;
	r->zin.src = r->in;
	r->zin.pos = 0;
	r->zin.size = avail;
	while (r->zin.size < want) {
		ssize_t n = read(r->fd, r->in + r->zin.size, IN_CHUNK - r->zin.size);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return reader_fail(r, -errno, "read failed at byte %llu: %s",
					   (unsigned long long)in_offset(r), strerror(errno));
		}
		if (n == 0) {
			r->in_eof = true;
			break;
		}
		r->zin.size += (size_t)n;
	}
	return (ssize_t)(r->zin.size - r->zin.pos);
}

static int frame_grow(struct trace_reader *r, size_t cap)
{
	uint8_t *p;

	if (cap > TRACE_READER_MAX_FRAME)
		cap = TRACE_READER_MAX_FRAME;
	if (cap <= r->frame_cap)
		return 0;
	p = realloc(r->frame, cap);
	if (!p)
		return reader_fail(r, -ENOMEM, "out of memory for a %zu byte frame", cap);
	r->frame = p;
	r->frame_cap = cap;
	return 0;
}

/*
 * The loaded frame as the records its batches stand for (batch.h), so that
 * everything after reads a 1.2 frame. A batch that does not expand stays,
 * and trace_reader_next() calls it corrupt where it comes.
 */
static int frame_unbatch(struct trace_reader *r)
{
	size_t from = r->frame_index ? 0 : TRACE_MAGIC_LEN, cap;
	uint8_t *p;
	long n;

	if (from > r->frame_len)
		return 1;
	n = batch_expand(r->frame, r->frame_len, from, &r->xframe, &r->xframe_cap,
			 TRACE_READER_MAX_FRAME);
	if (n < 0)
		return reader_fail(r, -ENOMEM, "out of memory for a frame");
	if (n > 0) {
		p = r->frame;
		cap = r->frame_cap;
		r->frame = r->xframe;
		r->frame_cap = r->xframe_cap;
		r->frame_len = (size_t)n;
		r->xframe = p;
		r->xframe_cap = cap;
	}
	return 1;
}

/*
 * Loads the next frame. Returns 1 with a frame (r->fstate says whole or cut),
 * 0 at a clean end of input, or a negative errno (error set).
 */
static int frame_load(struct trace_reader *r)
{
	ZSTD_frameHeader fh;
	ssize_t avail;
	size_t ret;
	char why[160];

	if (r->fstate != FRAME_NONE)
		r->frame_index++;
	r->frame_len = r->frame_pos = 0;
	r->frame_rec = 0;
	io_delta_reset(&r->io);
	r->fstate = FRAME_NONE;
	r->frame_fresh = true;
	avail = in_fill(r, FRAME_HEADER_MAX);
	if (avail < 0)
		return (int)avail;
	r->frame_off = in_offset(r);
	if (avail == 0)
		return 0;

	ret = ZSTD_getFrameHeader(&fh, (const uint8_t *)r->zin.src + r->zin.pos, (size_t)avail);
	if (ZSTD_isError(ret))
		return corrupt(r, ZSTD_getErrorName(ret));
	if (ret > 0) {
		/* Not even a whole frame header before the end of input. */
		r->zin.pos = r->zin.size;
		return truncated(r);
	}
	if (fh.frameType != ZSTD_frame)
		return corrupt(r, "unexpected skippable frame");
	if (!fh.checksumFlag)
		return corrupt(r, "frame has no content checksum");
	if (fh.frameContentSize != ZSTD_CONTENTSIZE_UNKNOWN &&
	    fh.frameContentSize > TRACE_READER_MAX_FRAME) {
		snprintf(why, sizeof(why), "frame of %llu bytes exceeds the %u byte limit",
			 (unsigned long long)fh.frameContentSize, TRACE_READER_MAX_FRAME);
		return corrupt(r, why);
	}
	if (fh.frameContentSize != ZSTD_CONTENTSIZE_UNKNOWN && frame_grow(r, fh.frameContentSize))
		return r->err;

	ZSTD_DCtx_reset(r->dctx, ZSTD_reset_session_only);
	for (;;) {
		ZSTD_outBuffer zout = { r->frame, r->frame_cap, r->frame_len };
		size_t in_before = r->zin.pos;

		if (r->zin.pos == r->zin.size) {
			avail = in_fill(r, 1);
			if (avail < 0)
				return (int)avail;
			if (avail == 0) {
				r->fstate = FRAME_CUT;
				return frame_unbatch(r);
			}
			continue;
		}
		ret = ZSTD_decompressStream(r->dctx, &zout, &r->zin);
		r->frame_len = zout.pos;
		if (ZSTD_isError(ret))
			return corrupt(r, ZSTD_getErrorName(ret));
		if (ret == 0) {
			r->fstate = FRAME_WHOLE;
			return frame_unbatch(r);
		}
		if (zout.pos == zout.size && r->zin.pos == in_before) {
			/* Stalled on a full output buffer. */
			if (r->frame_cap >= TRACE_READER_MAX_FRAME) {
				snprintf(why, sizeof(why), "frame exceeds the %u byte limit",
					 TRACE_READER_MAX_FRAME);
				return corrupt(r, why);
			}
			if (frame_grow(r, r->frame_cap ? r->frame_cap * 2 : TRACE_FRAME_BYTES))
				return r->err;
		}
	}
}

/*
 * Parses the next record of the loaded frame into r->cur (arena memory).
 * Returns 1 with a record, 0 if the frame is used up, or a negative errno.
 */
static int record_next(struct trace_reader *r, ProtobufCAllocator *alloc, Kvmrec__Record **out)
{
	const uint8_t *p = r->frame + r->frame_pos, *end = r->frame + r->frame_len;
	uint64_t len;
	size_t n;
	char why[160];

	if (p == end)
		return 0;
	n = trace_varint_get(p, end, &len);
	if (!n) {
		if (r->fstate == FRAME_CUT && end - p < TRACE_VARINT_MAX)
			return truncated(r);
		return corrupt(r, "bad record length");
	}
	if (len > TRACE_RECORD_MAX + TRACE_FRAME_MARK_MAX) {
		snprintf(why, sizeof(why), "record of %llu bytes exceeds the %u byte limit",
			 (unsigned long long)len, TRACE_RECORD_MAX + TRACE_FRAME_MARK_MAX);
		return corrupt(r, why);
	}
	if (len > (uint64_t)(end - p) - n) {
		if (r->fstate == FRAME_CUT)
			return truncated(r);
		return corrupt(r, "record runs past the end of its frame");
	}
	*out = NULL;
	if (alloc)
		*out = (Kvmrec__Record *)trace_decode_fast(&kvmrec__record__descriptor, alloc,
							   p + n, (size_t)len);
	if (!*out)
		*out = kvmrec__record__unpack(alloc, (size_t)len, p + n);
	if (!*out) {
		snprintf(why, sizeof(why), "undecodable record %llu bytes into the frame",
			 (unsigned long long)(p - r->frame));
		return corrupt(r, why);
	}
	r->rec_data = p + n;
	r->rec_len = (size_t)len;
	r->rec_off[r->frame_rec++ % (TRACE_KREF_WINDOW + 1)] = r->frame_pos;
	r->frame_pos += n + (size_t)len;
	return 1;
}

/*
 * Decodes the record at @off of the loaded frame into @out, without moving
 * on. Returns 1, 0 if the frame ends before a whole record, or -EIO.
 */
static int record_at(struct trace_reader *r, size_t off, size_t *next, Kvmrec__Record **out)
{
	const uint8_t *p = r->frame + off, *end = r->frame + r->frame_len;
	uint64_t len;
	size_t n;

	if (p == end)
		return 0;
	n = trace_varint_get(p, end, &len);
	if (!n || len > TRACE_RECORD_MAX || len > (uint64_t)(end - p) - n)
		return r->fstate == FRAME_CUT ? 0 : -EIO;
	*next = off + n + (size_t)len;
	if (!out)
		return 1;
	*out = (Kvmrec__Record *)trace_decode_fast(&kvmrec__record__descriptor, &r->arena.pb,
						   p + n, (size_t)len);
	if (!*out)
		*out = kvmrec__record__unpack(&r->arena.pb, (size_t)len, p + n);
	return *out ? 1 : -EIO;
}

/*
 * @rec, the record just parsed, is a KernelRef: made the KernelEvent it
 * stands for, from the exit it points at in the same frame (kref.h).
 */
static int kref_expand_here(struct trace_reader *r, Kvmrec__Record *rec)
{
	const Kvmrec__KernelRef *ref = rec->kref;
	uint64_t here = r->frame_rec - 1;
	Kvmrec__Record *exit = NULL;
	Kvmrec__KernelEvent *k;
	int64_t *args;
	size_t off, next;
	int ret = -EIO;

	if (!ref || !kref_distance_ok(ref->exit) || (ref->exit < 0 && (uint64_t)-ref->exit > here))
		return corrupt(r, "bad kernel event reference");
	if (ref->exit < 0) {
		off = r->rec_off[(here + (uint64_t)ref->exit) % (TRACE_KREF_WINDOW + 1)];
		ret = record_at(r, off, &next, &exit);
	} else {
		off = r->frame_pos;
		for (int32_t i = 1; i <= ref->exit; i++) {
			ret = record_at(r, off, &off, i == ref->exit ? &exit : NULL);
			if (ret <= 0)
				break;
		}
		if (ret == 0 && r->fstate == FRAME_CUT)
			return truncated(r);
	}
	if (ret <= 0)
		return corrupt(r, "kernel event reference past its frame");
	k = r->arena.pb.alloc(r->arena.pb.allocator_data, sizeof(*k));
	args = r->arena.pb.alloc(r->arena.pb.allocator_data, KREF_ARGS_MAX * sizeof(*args));
	if (!k || !args)
		return reader_fail(r, -ENOMEM, "out of memory");
	if (kref_expand(ref, exit, k, args))
		return corrupt(r, "kernel event reference to a record that is not an exit");
	rec->body_case = KVMREC__RECORD__BODY_KEVENT;
	rec->kevent = k;
	return 1;
}

/* @rec, an exit just parsed: its IO data made whole if stored as a difference. */
static int io_expand_here(struct trace_reader *r, Kvmrec__Record *rec)
{
	Kvmrec__ExitIo *io = rec->exit && rec->exit->payload_case == KVMREC__RUN_EXIT__PAYLOAD_IO ?
			     rec->exit->io : NULL;
	uint8_t *buf;

	if (!io)
		return 1;
	if (io->has_data_add) {
		buf = r->arena.pb.alloc(r->arena.pb.allocator_data, IO_DELTA_MAX);
		if (!buf)
			return reader_fail(r, -ENOMEM, "out of memory");
		if (io_delta_expand(&r->io, io, buf))
			return corrupt(r, "IO data difference with no earlier exit on its port");
	}
	io_delta_note(&r->io, io);
	return 1;
}

/*
 * A frame's first record says which trace and which place the frame belongs
 * to (format 1.1 on): a frame that is swapped, dropped, repeated or taken
 * from another trace is damage here, before any of its records is handed out.
 */
static int frame_mark_check(struct trace_reader *r, const Kvmrec__Record *rec)
{
	const Kvmrec__FrameMark *m = rec->frame;
	char why[160];

	if (!r->frame_fresh)
		return 0;
	r->frame_fresh = false;
	if (!r->trace_id) {
		if (m)
			return corrupt(r, "a frame mark in a trace without a trace id");
		return 0;
	}
	if (!m)
		return corrupt(r, "no frame mark: not written as part of this trace");
	if (m->trace_id != r->trace_id) {
		snprintf(why, sizeof(why), "trace id %016llx, this trace is %016llx",
			 (unsigned long long)m->trace_id, (unsigned long long)r->trace_id);
		return reader_fail(r, -EIO, "frame from another trace at byte %llu after event %llu (%s)",
				   (unsigned long long)r->frame_off, (unsigned long long)r->seq, why);
	}
	if (m->index != r->frame_index || m->first_seq != r->seq + 1)
		return reader_fail(r, -EIO, "frame out of place at byte %llu after event %llu "
				   "(frame %llu starting at event %llu where frame %llu belongs: "
				   "frames swapped, dropped or repeated)",
				   (unsigned long long)r->frame_off, (unsigned long long)r->seq,
				   (unsigned long long)m->index, (unsigned long long)m->first_seq,
				   (unsigned long long)r->frame_index);
	return 0;
}

/* Next record from the stream, loading frames as needed. 1, or -errno; never 0. */
static int stream_next(struct trace_reader *r, ProtobufCAllocator *alloc, Kvmrec__Record **out)
{
	int ret;

	for (;;) {
		if (r->fstate != FRAME_NONE) {
			ret = record_next(r, alloc, out);
			if (ret)
				return ret;
			if (r->fstate == FRAME_CUT)
				return truncated(r);
		}
		ret = frame_load(r);
		if (ret < 0)
			return ret;
		if (ret == 0)
			return truncated(r);
	}
}

static int reader_start(struct trace_reader *r)
{
	const uint8_t *m;
	ssize_t avail;
	int ret;

	avail = in_fill(r, 4);
	if (avail < 0)
		return (int)avail;
	if (avail == 0)
		return reader_fail(r, -EINVAL, "empty file (not a kvmrec trace)");
	if (avail < 4 || ZSTD_isFrame((const uint8_t *)r->zin.src + r->zin.pos, (size_t)avail) == 0)
		return reader_fail(r, -EINVAL, "not a kvmrec trace (not zstd-compressed)");

	ret = frame_load(r);
	if (ret < 0)
		return ret;
	if (r->frame_len < TRACE_MAGIC_LEN) {
		if (r->fstate == FRAME_CUT)
			return truncated(r);
		return reader_fail(r, -EINVAL, "not a kvmrec trace (no magic)");
	}
	m = r->frame;
	if (memcmp(m, "KVMREC\0", 7))
		return reader_fail(r, -EINVAL, "not a kvmrec trace (bad magic)");
	if (m[7] > TRACE_FORMAT_MAJOR)
		return reader_fail(r, -EPROTONOSUPPORT,
				   "trace format version %u is newer than this kvmrec reads (%u)",
				   m[7], TRACE_FORMAT_MAJOR);
	if (m[7] == 0)
		return reader_fail(r, -EINVAL, "not a kvmrec trace (format version 0)");
	r->frame_pos = TRACE_MAGIC_LEN;

	/* The header outlives the arena: unpack it with malloc. */
	ret = stream_next(r, NULL, &r->hdr_rec);
	if (ret < 0)
		return ret;
	if (r->hdr_rec->body_case != KVMREC__RECORD__BODY_HEADER)
		return reader_fail(r, -EINVAL, "not a kvmrec trace (first record is not a header)");
	if (r->hdr_rec->header->has_format_major &&
	    r->hdr_rec->header->format_major > TRACE_FORMAT_MAJOR)
		return reader_fail(r, -EPROTONOSUPPORT,
				   "trace format version %u is newer than this kvmrec reads (%u)",
				   r->hdr_rec->header->format_major, TRACE_FORMAT_MAJOR);
	r->trace_id = r->hdr_rec->header->trace_id;
	ret = frame_mark_check(r, r->hdr_rec);
	if (ret)
		return ret;
	r->ts = r->hdr_rec->header->start_ns;
	return 0;
}

/*
 * Pool workers: one per online CPU (at most 8), for inputs of at least
 * POOL_MIN_BYTES: below that, starting threads costs more than it saves (and
 * damage tests open thousands of small traces). KVMREC_READER_THREADS=N sets
 * the count for any input size, 1 for the single-threaded path (tests
 * compare the two).
 */
#define POOL_MIN_BYTES (1u << 20)

static unsigned int reader_threads(uint64_t *min_bytes)
{
	const char *env = getenv("KVMREC_READER_THREADS");
	long n = env && *env ? strtol(env, NULL, 10) : sysconf(_SC_NPROCESSORS_ONLN);

	*min_bytes = env && *env ? 0 : POOL_MIN_BYTES;
	return n < 1 ? 1 : n > 8 ? 8 : (unsigned int)n;
}

static int reader_new(const char *name, struct trace_reader **out)
{
	struct trace_reader *r = calloc(1, sizeof(*r));

	*out = r;
	if (!r)
		return -ENOMEM;
	r->fd = -1;
	r->vcpu = TRACE_VCPU_NONE;
	r->threads = reader_threads(&r->pool_min_bytes);
	r->name = strdup(name);
	r->dctx = ZSTD_createDCtx();
	if (!r->name || !r->dctx || trace_arena_init(&r->arena, 64 * 1024) ||
	    frame_grow(r, TRACE_FRAME_BYTES + 1024)) {
		if (!r->name)
			r->name = strdup("?");
		return reader_fail(r, -ENOMEM, "out of memory");
	}
	if (ZSTD_isError(ZSTD_DCtx_setParameter(r->dctx, ZSTD_d_windowLogMax, WINDOW_LOG_MAX)))
		return reader_fail(r, -EINVAL, "zstd: cannot limit the window size");
	return 0;
}

int trace_reader_open(const char *path, struct trace_reader **out)
{
	struct trace_reader *r;
	int ret = reader_new(path, out);

	if (ret)
		return ret;
	r = *out;
	r->in = malloc(IN_CHUNK);
	if (!r->in)
		return reader_fail(r, -ENOMEM, "out of memory");
	r->zin.src = r->in;
	if (!strcmp(path, "-")) {
		r->fd = STDIN_FILENO;
	} else {
		r->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (r->fd < 0)
			return reader_fail(r, -errno, "cannot open: %s", strerror(errno));
		r->own_fd = true;
	}
	/*
	 * A regular file read from its start can be read by the pool (pread,
	 * offsets from 0); stdin handed over part-way through is read in order.
	 */
	struct stat st;
	if (!fstat(r->fd, &st) && S_ISREG(st.st_mode) && lseek(r->fd, 0, SEEK_CUR) == 0)
		r->input_len = (uint64_t)st.st_size;
	progress_start(r);
	return reader_start(r);
}

int trace_reader_open_mem(const void *buf, size_t len, const char *name,
			  struct trace_reader **out)
{
	struct trace_reader *r;
	int ret = reader_new(name, out);

	if (ret)
		return ret;
	r = *out;
	r->zin.src = buf;
	r->zin.size = len;
	r->in_eof = true;
	r->input_len = len;
	return reader_start(r);
}

const Kvmrec__Header *trace_reader_header(const struct trace_reader *r)
{
	return r->hdr_rec ? r->hdr_rec->header : NULL;
}

/* The footer ends the trace: check it against what was read and that nothing follows. */
static int footer_check(struct trace_reader *r)
{
	const Kvmrec__Footer *f = r->foot_rec->footer;
	char why[160];
	ssize_t avail;

	if (r->frame_pos != r->frame_len)
		return corrupt(r, "data after the footer");
	if (r->fstate != FRAME_WHOLE)
		return truncated(r);
	avail = in_fill(r, 1);
	if (avail < 0)
		return (int)avail;
	if (avail > 0)
		return reader_fail(r, -EIO, "data after the footer at byte %llu",
				   (unsigned long long)in_offset(r));
	if ((f->has_events && f->events != r->events) ||
	    (f->has_last_seq && f->last_seq != r->seq)) {
		snprintf(why, sizeof(why), "footer says %llu events ending at %llu, read %llu ending at %llu",
			 (unsigned long long)f->events, (unsigned long long)f->last_seq,
			 (unsigned long long)r->events, (unsigned long long)r->seq);
		return corrupt(r, why);
	}
	return 0;
}

/* The pool stops; this file's path reads on from @off, frame @index. */
static void pool_finish(struct trace_reader *r, uint64_t off, uint64_t index)
{
	reader_pool_stop(r->pool);
	r->pool = NULL;
	r->pf = NULL;
	r->pool_done = true;
	if (r->fd >= 0) {
		if (lseek(r->fd, (off_t)off, SEEK_SET) < 0) {
			reader_fail(r, -errno, "seek to byte %llu failed: %s",
				    (unsigned long long)off, strerror(errno));
			return;
		}
		r->in_base = off;
		r->zin.src = r->in;
		r->zin.pos = r->zin.size = 0;
		r->in_eof = false;
	} else {
		r->zin.pos = (size_t)off;
	}
	r->fstate = FRAME_NONE;
	r->frame_len = r->frame_pos = r->frame_rec = 0;
	io_delta_reset(&r->io);
	r->frame_index = index;
}

/*
 * The next record from the pool: 1 with it in *out, 0 when this file's path
 * must read on (the pool is not used for this input, or has stopped), or a
 * negative errno.
 */
static int pool_next(struct trace_reader *r, Kvmrec__Record **out)
{
	if (r->pool_done || r->threads <= 1 || !r->input_len || r->input_len < r->pool_min_bytes)
		return 0;
	if (!r->pool) {
		/* Only at a frame boundary, once the header's frame is read. */
		if (r->fstate != FRAME_WHOLE || r->frame_pos != r->frame_len)
			return 0;
		r->pool_off = in_offset(r);
		r->pool_index = r->frame_index + 1;
		if (reader_pool_start(&r->pool, r->fd, r->fd < 0 ? r->zin.src : NULL,
				      r->input_len, r->pool_off, r->pool_index, r->threads)) {
			r->pool_done = true;
			return 0;
		}
	}
	for (;;) {
		if (!r->pf) {
			r->pf = reader_pool_next(r->pool);
			if (!r->pf || r->pf->sequential) {
				uint64_t off = r->pf ? r->pf->off : r->pool_off;
				uint64_t index = r->pf ? r->pf->index : r->pool_index;
				pool_finish(r, off, index);
				return r->err ? r->err : 0;
			}
			r->pf_pos = 0;
			r->frame_off = r->pf->off;
			r->frame_index = r->pf->index;
			r->frame_fresh = true;
		}
		if (r->pf_pos < r->pf->n) {
			*out = r->pf->recs[r->pf_pos++];
			return 1;
		}
		r->pool_off = r->pf->end;
		r->pool_index = r->pf->index + 1;
		reader_pool_release(r->pool, r->pf);
		r->pf = NULL;
	}
}

int trace_reader_next(struct trace_reader *r, struct trace_event *ev)
{
	Kvmrec__Record *rec;
	int ret;

	if (r->err)
		return r->err;
	if (r->done)
		return 0;
	trace_arena_reset(&r->arena);
	r->cur = NULL;
	ret = pool_next(r, &rec);
	if (ret == 0) {
		ret = stream_next(r, &r->arena.pb, &rec);
		/* Only one that did not expand is still a batch (frame_unbatch). */
		if (ret > 0 && rec->body_case == KVMREC__RECORD__BODY_BATCH)
			ret = corrupt(r, "bad batch of records");
		if (ret > 0 && rec->body_case == KVMREC__RECORD__BODY_KREF)
			ret = kref_expand_here(r, rec);
		if (ret > 0 && rec->body_case == KVMREC__RECORD__BODY_EXIT)
			ret = io_expand_here(r, rec);
	}
	if (ret < 0) {
		progress_stop(r);
		return ret;
	}
	if (r->progress && !(r->events % PROGRESS_EVERY))
		progress_show(r);
	ret = frame_mark_check(r, rec);
	if (ret) {
		progress_stop(r);
		return ret;
	}

	switch (rec->body_case) {
	case KVMREC__RECORD__BODY_HEADER:
		return corrupt(r, "a second header");
	case KVMREC__RECORD__BODY_FOOTER:
		/* Unpacked again outside the arena, so it outlives the next reset. */
		r->foot_rec = kvmrec__record__unpack(NULL, r->rec_len, r->rec_data);
		if (!r->foot_rec)
			return reader_fail(r, -ENOMEM, "out of memory");
		ret = footer_check(r);
		progress_stop(r);
		if (ret)
			return ret;
		r->done = true;
		break;
	default:
		r->seq += rec->has_seq_delta ? rec->seq_delta : 1;
		if (rec->has_ts_delta)
			r->ts += (uint64_t)rec->ts_delta;
		if (rec->has_vcpu)
			r->vcpu = rec->vcpu;
		if (rec->has_tid)
			r->tid = rec->tid;
		r->events++;
		r->cur = rec;
		ev->seq = r->seq;
		ev->ts_ns = r->ts;
		ev->vcpu = r->vcpu;
		ev->tid = r->tid;
		ev->rec = rec;
		return 1;
	}
	return 0;
}

const Kvmrec__Footer *trace_reader_footer(const struct trace_reader *r)
{
	return r->done && r->foot_rec ? r->foot_rec->footer : NULL;
}

const char *trace_reader_error(const struct trace_reader *r)
{
	return r->errbuf;
}

void trace_reader_explain(const struct trace_reader *r, const char *path, int ret,
			  char *buf, size_t len)
{
	if (r && *r->errbuf)
		snprintf(buf, len, "%s", r->errbuf);
	else
		snprintf(buf, len, "%s: %s", path, strerror(-ret));
}

uint64_t trace_reader_offset(const struct trace_reader *r)
{
	return r->pf ? r->pf->end : in_offset(r);
}

void trace_reader_close(struct trace_reader *r)
{
	if (!r)
		return;
	progress_stop(r);
	reader_pool_stop(r->pool);
	if (r->own_fd)
		close(r->fd);
	if (r->hdr_rec)
		kvmrec__record__free_unpacked(r->hdr_rec, NULL);
	if (r->foot_rec)
		kvmrec__record__free_unpacked(r->foot_rec, NULL);
	trace_arena_fini(&r->arena);
	ZSTD_freeDCtx(r->dctx);
	free(r->frame);
	free(r->xframe);
	free(r->in);
	free(r->name);
	free(r);
}
