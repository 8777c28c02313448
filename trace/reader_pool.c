// SPDX-License-Identifier: GPL-2.0-only
/*
 * reader_pool: frames decompressed and decoded on worker threads, handed out
 * in file order (see reader_pool.h).
 *
 * Claiming a frame (finding where it ends) is done in order under the lock;
 * it reads only the compressed bytes. Decompressing and decoding, the
 * expensive part, run outside the lock, one frame per worker at a time.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#define ZSTD_STATIC_LINKING_ONLY	/* ZSTD_getFrameHeader */
#include <zstd.h>

#include "batch.h"
#include "io_delta.h"
#include "kref.h"
#include "reader_pool.h"
#include "trace_arena.h"
#include "trace_decode.h"
#include "trace_reader.h"
#include "trace_varint.h"

#define POOL_MAX_THREADS	8
/* Frames in flight: one per worker and two ready, bounding memory. */
#define POOL_SPARE_SLOTS	2
#define POOL_READ_FIRST		(64u * 1024)
#define POOL_WINDOW_LOG_MAX	24		/* as the reader: TRACE_READER_MAX_FRAME */
/* A frame's decoded records: a few times its raw bytes; the arena grows to fit. */
#define POOL_ARENA_START	(256u << 10)
#define POOL_ARENA_KEEP		(32u << 20)

enum slot_state { SLOT_FREE, SLOT_BUSY, SLOT_READY };

struct slot {
	enum slot_state state;
	struct pool_frame f;
	const uint8_t *src;		/* the compressed frame: in @mem or in @buf */
	size_t src_len;
	uint8_t *buf;			/* file input: the frame read in */
	size_t buf_cap;
	uint8_t *raw;
	size_t raw_cap;
	uint8_t *xraw;			/* raw with its batches expanded (batch.h) */
	size_t xraw_cap;
	size_t recs_cap;
	struct trace_arena arena;
	ZSTD_DCtx *dctx;
};

struct reader_pool {
	pthread_mutex_t lock;
	/* Two waits, so a frame made ready wakes the consumer and no worker, a slot freed no consumer. */
	pthread_cond_t ready;		/* the consumer: its frame, or the input's end */
	pthread_cond_t freed;		/* workers: a free slot, or the input's end */
	int fd;
	const uint8_t *mem;
	uint64_t len;			/* input size when the pool started */
	uint64_t next_off, next_index;	/* the next frame to claim */
	bool input_done;		/* nothing more to claim */
	uint64_t consume_index;		/* the frame the reader takes next */
	bool stop;
	unsigned int n_threads;
	pthread_t threads[POOL_MAX_THREADS];
	unsigned int n_slots;
	struct slot slots[POOL_MAX_THREADS + POOL_SPARE_SLOTS];
};

static int grow(uint8_t **p, size_t *cap, size_t want)
{
	if (want <= *cap)
		return 0;
	uint8_t *n = realloc(*p, want);
	if (!n)
		return -ENOMEM;
	*p = n;
	*cap = want;
	return 0;
}

/* pread() all of @len bytes unless the input ends first; returns the count or -errno. */
static ssize_t pread_full(int fd, uint8_t *buf, size_t len, uint64_t off)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = pread(fd, buf + got, len - got, (off_t)(off + got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/*
 * Points @s->src at the compressed frame starting at @off. Returns its size,
 * or 0 when it is not one whole zstd frame within the input as it was when
 * the pool started (the reader's own path says what is wrong with it).
 */
static size_t frame_claim(struct reader_pool *p, struct slot *s, uint64_t off)
{
	uint64_t avail = p->len - off;
	size_t want = POOL_READ_FIRST;

	if (p->fd < 0) {
		size_t n = ZSTD_findFrameCompressedSize(p->mem + off, avail);
		s->src = p->mem + off;
		return ZSTD_isError(n) ? 0 : n;
	}
	for (;;) {
		if (want > avail)
			want = avail;
		if (grow(&s->buf, &s->buf_cap, want))
			return 0;
		ssize_t got = pread_full(p->fd, s->buf, want, off);
		if (got <= 0)
			return 0;
		size_t n = ZSTD_findFrameCompressedSize(s->buf, (size_t)got);
		if (!ZSTD_isError(n)) {
			s->src = s->buf;
			return n;
		}
		/* Bigger than what was read, or damaged: read more while there is more. */
		if ((uint64_t)got >= avail || want >= ZSTD_compressBound(TRACE_READER_MAX_FRAME))
			return 0;
		want *= 4;
	}
}

/*
 * Kernel events stored as references (kref.h) are made whole from the exits
 * they point at, then IO data stored as differences (io_delta.h), each a
 * fixed number of records behind the decoding, while those records are still
 * in cache: a reference's exit is at most TRACE_KREF_WINDOW records away, so
 * it is decoded by then; an exit's data is made whole only once every
 * reference that may point at it is expanded, since they read it as stored,
 * as the reader's path does. False on any bad one (the reader's path says
 * what is wrong).
 */
#define KREF_LAG	TRACE_KREF_WINDOW
#define IO_LAG		(2 * TRACE_KREF_WINDOW)

/* Record @i, with @n records decoded: its reference expanded, if it is one. */
static inline bool settle_kref(struct slot *s, size_t i, size_t n)
{
	Kvmrec__Record *rec = s->f.recs[i];
	const Kvmrec__KernelRef *ref = rec->kref;

	if (rec->body_case != KVMREC__RECORD__BODY_KREF)
		return true;
	if (!ref || !kref_distance_ok(ref->exit) ||
	    (ref->exit < 0 && (size_t)-ref->exit > i) ||
	    (ref->exit > 0 && (size_t)ref->exit >= n - i))
		return false;
	Kvmrec__KernelEvent *k = trace_arena_alloc(&s->arena, sizeof(*k));
	int64_t *args = trace_arena_alloc(&s->arena, KREF_ARGS_MAX * sizeof(*args));
	if (!k || !args || kref_expand(ref, s->f.recs[i + (size_t)(int64_t)ref->exit], k, args))
		return false;
	rec->body_case = KVMREC__RECORD__BODY_KEVENT;
	rec->kevent = k;
	return true;
}

/* Record @i, the frame's exits before it noted in @io: its IO data made whole. */
static inline bool settle_io(struct slot *s, struct io_delta *io, size_t i)
{
	Kvmrec__Record *rec = s->f.recs[i];
	Kvmrec__ExitIo *x;

	if (rec->body_case != KVMREC__RECORD__BODY_EXIT || !rec->exit ||
	    rec->exit->payload_case != KVMREC__RUN_EXIT__PAYLOAD_IO || !(x = rec->exit->io))
		return true;
	if (x->has_data_add) {
		uint8_t *buf = trace_arena_alloc(&s->arena, IO_DELTA_MAX);
		if (!buf || io_delta_expand(io, x, buf))
			return false;
	}
	io_delta_note(io, x);
	return true;
}

/* The records decoding has not caught up with yet: all of them, at the frame's end. */
static bool settle_rest(struct slot *s, struct io_delta *io)
{
	size_t n = s->f.n;

	for (size_t i = n > KREF_LAG ? n - KREF_LAG : 0; i < n; i++)
		if (!settle_kref(s, i, n))
			return false;
	for (size_t i = n > IO_LAG ? n - IO_LAG : 0; i < n; i++)
		if (!settle_io(s, io, i))
			return false;
	return true;
}

/* Where a frame's records go as they are decoded: the slot, settled as they come. */
struct frame_sink {
	struct slot *s;
	struct io_delta io;
	size_t n;
};

static void sink_reset(struct frame_sink *k)
{
	trace_arena_reset(&k->s->arena);
	io_delta_reset(&k->io);
	k->n = 0;
}

/* One record more; nonzero if it cannot be kept or an earlier one does not settle. */
static int sink_add(void *ctx, Kvmrec__Record *rec)
{
	struct frame_sink *k = ctx;
	struct slot *s = k->s;

	if (k->n == s->recs_cap) {
		size_t cap = s->recs_cap ? s->recs_cap * 2 : 4096;
		Kvmrec__Record **r = realloc(s->f.recs, cap * sizeof(*r));
		if (!r)
			return -ENOMEM;
		s->f.recs = r;
		s->recs_cap = cap;
	}
	s->f.recs[k->n++] = rec;
	if (k->n > KREF_LAG && !settle_kref(s, k->n - 1 - KREF_LAG, k->n))
		return -EINVAL;
	if (k->n > IO_LAG && !settle_io(s, &k->io, k->n - 1 - IO_LAG))
		return -EINVAL;
	return 0;
}

/*
 * The records from @q to @end into @k. With @direct, a batch is decoded
 * straight into records (batch_decode()); without, a batch is damage (its
 * frame was expanded first). 1, 0 if the reader must read the frame itself,
 * -E2BIG if a batch needs the expanding path.
 */
static int frame_records(struct frame_sink *k, const uint8_t *q, const uint8_t *end, bool direct)
{
	size_t budget = TRACE_READER_MAX_FRAME - (size_t)(end - q);

	while (q < end) {
		uint64_t len;
		size_t h = trace_varint_get(q, end, &len), blen;
		const uint8_t *batch;

		if (!h || len > TRACE_RECORD_MAX || len > (uint64_t)(end - q) - h)
			return 0;
		batch = direct ? batch_body(q + h, (size_t)len, &blen) : NULL;
		if (batch) {
			long n = batch_decode(batch, blen, &k->s->arena.pb, &budget, sink_add, k);

			if (n == -E2BIG)
				return -E2BIG;
			if (n < 0)
				return 0;
			q += h + (size_t)len;
			continue;
		}
		Kvmrec__Record *rec = (Kvmrec__Record *)trace_decode_fast(
			&kvmrec__record__descriptor, &k->s->arena.pb, q + h, (size_t)len);
		if (!rec)
			rec = kvmrec__record__unpack(&k->s->arena.pb, (size_t)len, q + h);
		/* Header, footer and a batch that did not expand: the reader's path words them. */
		if (!rec || rec->body_case == KVMREC__RECORD__BODY_HEADER ||
		    rec->body_case == KVMREC__RECORD__BODY_FOOTER ||
		    rec->body_case == KVMREC__RECORD__BODY_BATCH || sink_add(k, rec))
			return 0;
		q += h + (size_t)len;
	}
	return 1;
}

/* Decompresses and decodes @s's frame; false if the reader must read it itself. */
static bool frame_decode(struct slot *s)
{
	struct frame_sink k = { .s = s };
	ZSTD_frameHeader fh;
	int ret;

	if (ZSTD_getFrameHeader(&fh, s->src, s->src_len) != 0 || fh.frameType != ZSTD_frame ||
	    !fh.checksumFlag || fh.frameContentSize == ZSTD_CONTENTSIZE_UNKNOWN ||
	    fh.frameContentSize > TRACE_READER_MAX_FRAME)
		return false;
	size_t raw_len = (size_t)fh.frameContentSize;
	if (grow(&s->raw, &s->raw_cap, raw_len ? raw_len : 1))
		return false;
	/* The content checksum is verified here: a frame that fails it is never decoded. */
	size_t n = ZSTD_decompressDCtx(s->dctx, s->raw, raw_len, s->src, s->src_len);
	if (ZSTD_isError(n) || n != raw_len)
		return false;

	/* Never the header's frame: records start at 0. */
	sink_reset(&k);
	ret = frame_records(&k, s->raw, s->raw + raw_len, true);
	if (ret == -E2BIG) {
		long x = batch_expand(s->raw, raw_len, 0, &s->xraw, &s->xraw_cap,
				      TRACE_READER_MAX_FRAME);
		if (x < 0)
			return false;
		sink_reset(&k);
		ret = x ? frame_records(&k, s->xraw, s->xraw + x, false) :
			  frame_records(&k, s->raw, s->raw + raw_len, false);
	}
	if (ret <= 0)
		return false;
	s->f.n = k.n;
	return k.n > 0 && settle_rest(s, &k.io);
}

/* No frame after those claimed: every waiter must look again. Called locked. */
static void input_end(struct reader_pool *p)
{
	p->input_done = true;
	pthread_cond_broadcast(&p->freed);
	pthread_cond_signal(&p->ready);
}

static void *pool_worker(void *arg)
{
	struct reader_pool *p = arg;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		struct slot *s = &p->slots[p->next_index % p->n_slots];
		if (p->stop || p->input_done)
			break;
		if (s->state != SLOT_FREE) {
			pthread_cond_wait(&p->freed, &p->lock);
			continue;
		}
		if (p->next_off >= p->len) {
			input_end(p);
			break;
		}
		s->state = SLOT_BUSY;
		s->f.index = p->next_index++;
		s->f.off = p->next_off;
		s->f.n = 0;
		s->f.sequential = false;
		s->src_len = frame_claim(p, s, p->next_off);
		s->f.end = s->f.off + s->src_len;
		p->next_off = s->f.end;
		if (!s->src_len)
			input_end(p);
		pthread_mutex_unlock(&p->lock);

		bool ok = s->src_len && frame_decode(s);

		pthread_mutex_lock(&p->lock);
		s->f.sequential = !ok;
		if (!ok)
			input_end(p);	/* later frames are never handed out */
		s->state = SLOT_READY;
		pthread_cond_signal(&p->ready);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

const struct pool_frame *reader_pool_next(struct reader_pool *p)
{
	const struct pool_frame *f = NULL;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		struct slot *s = &p->slots[p->consume_index % p->n_slots];
		if (s->state == SLOT_READY && s->f.index == p->consume_index) {
			f = &s->f;
			break;
		}
		if (p->input_done && p->next_index <= p->consume_index)
			break;
		pthread_cond_wait(&p->ready, &p->lock);
	}
	pthread_mutex_unlock(&p->lock);
	return f;
}

void reader_pool_release(struct reader_pool *p, const struct pool_frame *f)
{
	pthread_mutex_lock(&p->lock);
	struct slot *s = &p->slots[f->index % p->n_slots];
	s->state = SLOT_FREE;
	p->consume_index = f->index + 1;
	pthread_cond_broadcast(&p->freed);
	pthread_mutex_unlock(&p->lock);
}

void reader_pool_stop(struct reader_pool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_broadcast(&p->freed);
	pthread_cond_broadcast(&p->ready);
	pthread_mutex_unlock(&p->lock);
	for (unsigned int i = 0; i < p->n_threads; i++)
		pthread_join(p->threads[i], NULL);
	for (unsigned int i = 0; i < p->n_slots; i++) {
		struct slot *s = &p->slots[i];
		if (s->arena.base)
			trace_arena_fini(&s->arena);
		ZSTD_freeDCtx(s->dctx);
		free(s->buf);
		free(s->raw);
		free(s->xraw);
		free(s->f.recs);
	}
	pthread_cond_destroy(&p->ready);
	pthread_cond_destroy(&p->freed);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

int reader_pool_start(struct reader_pool **out, int fd, const uint8_t *mem, uint64_t len,
		      uint64_t off, uint64_t index, unsigned int threads)
{
	struct reader_pool *p = calloc(1, sizeof(*p));

	*out = NULL;
	if (!p)
		return -ENOMEM;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->ready, NULL);
	pthread_cond_init(&p->freed, NULL);
	p->fd = fd;
	p->mem = mem;
	p->len = len;
	p->next_off = off;
	p->next_index = p->consume_index = index;
	if (threads > POOL_MAX_THREADS)
		threads = POOL_MAX_THREADS;
	p->n_slots = threads + POOL_SPARE_SLOTS;
	for (unsigned int i = 0; i < p->n_slots; i++) {
		struct slot *s = &p->slots[i];
		s->dctx = ZSTD_createDCtx();
		if (!s->dctx || trace_arena_init(&s->arena, POOL_ARENA_START) ||
		    ZSTD_isError(ZSTD_DCtx_setParameter(s->dctx, ZSTD_d_windowLogMax,
							POOL_WINDOW_LOG_MAX))) {
			reader_pool_stop(p);
			return -ENOMEM;
		}
		s->arena.keep = POOL_ARENA_KEEP;
	}
	for (unsigned int i = 0; i < threads; i++) {
		if (pthread_create(&p->threads[i], NULL, pool_worker, p))
			break;
		p->n_threads++;
	}
	if (!p->n_threads) {
		reader_pool_stop(p);
		return -EAGAIN;
	}
	*out = p;
	return 0;
}
