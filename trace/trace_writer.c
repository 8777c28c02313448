// SPDX-License-Identifier: GPL-2.0-only
/*
 * trace_writer: records -> varint-delimited protobuf -> zstd frames -> file.
 * See trace_writer.h for the contract.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

#include "batch.h"
#include "io_delta.h"
#include "kref.h"
#include "trace_encode.h"
#include "trace_writer.h"
#include "out_file.h"
#include "trace_varint.h"
#include "writer_pool.h"

/* Record.body field numbers run to 101; counts are kept per field number. */
#define KIND_SLOTS 128

/* Wall clock is read every this many appends: cheap, and 64 exits at ~10 us is < 1 ms. */
#define CLOCK_CHECK_MASK 63

/* A record's position fields as written (deltas), for a reference in its place. */
struct rec_pos {
	protobuf_c_boolean has_ts_delta, has_vcpu, has_tid;
	int64_t ts_delta;
	int32_t vcpu;             /* the record's vCPU, has_vcpu or not */
	uint32_t tid;
};

/*
 * A kernel event in the open frame that may still become a reference to an
 * exit of its vCPU that has not come yet (kref.h): where its bytes are, and
 * what is needed to write it again as a reference.
 */
struct kref_pending {
	uint64_t index;           /* its record number in the open frame */
	size_t off, len;          /* its bytes in raw, length prefix included */
	bool deferred;            /* not in raw yet (no off, len): see kref_defer() */
	struct rec_pos pos;
	struct kref_event k;
};

/* The last exit of a vCPU in the open frame, for kernel events after it. */
struct kref_last {
	uint64_t frame;           /* frames + 1 when it was written; 0: none */
	uint64_t index;
	int32_t vcpu;
	struct kref_exit x;
};

#define KREF_PENDING 8		/* at most TRACE_KREF_WINDOW: see kref_put_deferred() */
#define KREF_EXITS 8             /* by vCPU id modulo this */
#define KREF_DATA_MAX 16

struct trace_writer {
	int fd;
	bool own_fd;
	bool created;          /* made by open (O_EXCL), so ours to remove if the header fails */
	char *path;
	ZSTD_CCtx *cctx;
	struct writer_pool *pool;  /* compression threads; NULL: compress here */

	uint8_t *raw;          /* the open frame, uncompressed */
	size_t raw_len, raw_cap;
	uint8_t *out;          /* one compressed frame */
	size_t out_cap;
	uint8_t *packed;       /* raw with batches (batch.h), raw_cap bytes; no pool only */
	struct batch_packer *packer;

	uint64_t frame_records;   /* records in the open frame */
	uint64_t frames;          /* frames ended: the open frame's index */
	Kvmrec__FrameMark mark;   /* the open frame's first record carries it */
	uint64_t frame_wall_ns;   /* wall clock when the open frame got its first record */
	uint64_t frame_ts_ns;     /* trace clock of the open frame's first record */

	uint64_t seq;          /* last assigned */
	uint64_t ts;           /* previous record's timestamp */
	int32_t vcpu;
	uint32_t tid;
	uint64_t appends;

	struct kref_pending pend[KREF_PENDING];  /* oldest first */
	unsigned int n_pend;
	bool defer;            /* kref_defer() on (KVMREC_WRITER_DEFER=0: off) */
	unsigned int n_def;    /* the last n_def of pend are deferred */
	size_t def_max;        /* the most their records take written whole */
	struct kref_last exits[KREF_EXITS];
	uint64_t krefs;        /* kernel events written as references */
	struct io_delta io;    /* IO data differences: the open frame's ports */

	uint64_t bytes;        /* compressed bytes written */
	uint64_t counts[KIND_SLOTS];
	int err;               /* sticky: once failed, every call fails */
	char errbuf[256];
};

/* Why the last trace_writer_open() or _close() failed, for trace_writer_error(NULL). */
static __thread char open_error[256];

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static int fail(struct trace_writer *w, int err, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (w->err)
		return w->err;
	n = snprintf(w->errbuf, sizeof(w->errbuf), "%s: ", w->path);
	if (n < 0 || (size_t)n >= sizeof(w->errbuf))
		n = (int)sizeof(w->errbuf) - 1;  /* a path longer than the line: cut there */
	va_start(ap, fmt);
	vsnprintf(w->errbuf + n, sizeof(w->errbuf) - n, fmt, ap);
	va_end(ap);
	w->err = err;
	return err;
}

static int write_all(struct trace_writer *w, const uint8_t *p, size_t len)
{
	while (len) {
		ssize_t n = write(w->fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return fail(w, -errno, "write failed: %s", strerror(errno));
		}
		p += n;
		len -= (size_t)n;
		w->bytes += (uint64_t)n;
	}
	return 0;
}

/*
 * Compressor threads: one per online CPU (at most 4), so the appending
 * thread only encodes; KVMREC_WRITER_THREADS=N sets it, 1 compresses on the
 * appending thread. The bytes written are the same either way.
 */
static unsigned int writer_threads(void)
{
	const char *env = getenv("KVMREC_WRITER_THREADS");
	long n = env && *env ? strtol(env, NULL, 10) : sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 4 ? 4 : (unsigned int)n;
}

static int kref_materialize(struct trace_writer *w);

static int frame_end(struct trace_writer *w)
{
	/* The first frame begins with the magic: records come after it. */
	size_t n, from = w->frames ? 0 : TRACE_MAGIC_LEN;
	const uint8_t *src = w->raw;

	if (kref_materialize(w))
		return w->err;
	if (!w->raw_len)
		return 0;
	w->frames++;
	w->n_pend = 0;  /* references and differences never cross a frame */
	io_delta_reset(&w->io);
	if (w->pool) {
		int ret = writer_pool_submit(w->pool, w->raw, w->raw_len, from);

		w->raw_len = 0;
		w->frame_records = 0;
		return ret ? fail(w, ret, "%s", writer_pool_error(w->pool)) : 0;
	}
	/* Hot records into batches (docs/trace.md, "Batches"); 0: out of memory, as it is. */
	n = batch_pack(w->packer, w->raw, w->raw_len, from, w->packed);
	if (n)
		src = w->packed;
	n = batch_compress(w->cctx, n ? w->packer : NULL, w->out, w->out_cap, src,
			   n ? n : w->raw_len);
	if (ZSTD_isError(n))
		return fail(w, -EIO, "zstd compression failed: %s", ZSTD_getErrorName(n));
	w->raw_len = 0;
	w->frame_records = 0;
	return write_all(w, w->out, n);
}

static int raw_reserve(struct trace_writer *w, size_t need)
{
	size_t cap;
	uint8_t *p;

	if (w->raw_len + need <= w->raw_cap)
		return 0;
	/* Only a record bigger than a whole frame gets here with an empty frame. */
	cap = w->raw_len + need;
	p = realloc(w->raw, cap);
	if (!p)
		return fail(w, -ENOMEM, "out of memory");
	w->raw = p;
	w->raw_cap = cap;
	free(w->packed);
	w->packed = malloc(cap);
	if (!w->packed)
		return fail(w, -ENOMEM, "out of memory");
	free(w->out);
	w->out_cap = ZSTD_compressBound(cap) + BATCH_COMPRESS_SLACK;
	w->out = malloc(w->out_cap);
	if (!w->out)
		return fail(w, -ENOMEM, "out of memory");
	return 0;
}

/*
 * The hot path: @rec encoded in one pass straight into the open frame, after
 * a one-byte length that grows in place if the record is longer; the bytes
 * written. 0 when it does not fit in what is left of the frame (or is
 * outside the encoder's subset): put_record() then decides with protobuf-c's
 * exact size. It always fits when trace_encode_hot_max(@rec) + 2 bytes are
 * left.
 */
static size_t put_encoded(struct trace_writer *w, const Kvmrec__Record *rec)
{
	if (w->raw_len + 2 > TRACE_FRAME_BYTES || w->raw_len + 2 > w->raw_cap)
		return 0;
	size_t room = TRACE_FRAME_BYTES - w->raw_len;
	uint8_t *at = w->raw + w->raw_len;
	size_t len = trace_encode(&rec->base, at + 1, room - 1);
	unsigned int n = trace_varint_len(len);

	if (!len || len > TRACE_RECORD_MAX || len + n > room)
		return 0;
	if (n > 1)
		memmove(at + n, at + 1, len);
	trace_varint_put(at, len);
	w->raw_len += n + len;
	return n + len;
}

static bool put_fast(struct trace_writer *w, const Kvmrec__Record *rec)
{
	if (!put_encoded(w, rec))
		return false;
	w->frame_records++;
	return true;
}

/* The first record of a frame carries the frame's mark (its trace and place, docs/trace.md). */
static void frame_mark_set(struct trace_writer *w, Kvmrec__Record *rec)
{
	rec->frame = NULL;
	if (w->frame_records)
		return;
	w->mark.index = w->frames;
	w->mark.first_seq = w->seq + 1;
	rec->frame = &w->mark;
}

/*
 * Appends one varint-delimited record to the open frame, ending it first if
 * full. @rec->frame is the writer's: set for the frame's first record,
 * cleared on return.
 */
static int put_record(struct trace_writer *w, Kvmrec__Record *rec)
{
	size_t len, need;

	if (kref_materialize(w))	/* what was held back goes before it */
		return w->err;
	frame_mark_set(w, rec);
	if (put_fast(w, rec)) {
		rec->frame = NULL;
		return 0;
	}
	rec->frame = NULL;
	len = protobuf_c_message_get_packed_size(&rec->base);
	need = len + TRACE_VARINT_MAX;
	if (len > TRACE_RECORD_MAX)
		return fail(w, -EMSGSIZE, "record of %zu bytes exceeds the %u byte limit",
			    len, TRACE_RECORD_MAX);
	if (w->raw_len && w->raw_len + need > TRACE_FRAME_BYTES) {
		int ret = frame_end(w);

		if (ret)
			return ret;
	}
	frame_mark_set(w, rec);
	if (rec->frame) {
		len = protobuf_c_message_get_packed_size(&rec->base);
		need = len + TRACE_VARINT_MAX;
	}
	if (raw_reserve(w, need)) {
		rec->frame = NULL;
		return w->err;
	}
	w->raw_len += trace_varint_put(w->raw + w->raw_len, len);
	w->raw_len += protobuf_c_message_pack(&rec->base, w->raw + w->raw_len);
	w->frame_records++;
	rec->frame = NULL;
	return 0;
}

/*
 * References (kref.h, docs/trace.md "References"): a kernel event that an
 * exit of its vCPU in the same frame repeats is written as a KernelRef. One
 * after its exit becomes one at once; one before it is kept in w->pend, and
 * either written whole and rewritten in place, shorter, when the exit comes,
 * or, in the common case, held back until then (kref_defer()).
 */

/* Room a reference record needs in the open frame: it must not start a new one. */
#define KREF_RECORD_MAX 64

static inline uint8_t *put_field(uint8_t *p, uint32_t id, uint64_t v)
{
	p += trace_varint_put(p, (uint64_t)id << 3);
	return p + trace_varint_put(p, v);
}

static inline uint64_t zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static void rec_pos_of(const Kvmrec__Record *rec, struct rec_pos *pos)
{
	pos->has_ts_delta = rec->has_ts_delta;
	pos->ts_delta = rec->ts_delta;
	pos->has_vcpu = rec->has_vcpu;
	pos->vcpu = rec->vcpu;
	pos->has_tid = rec->has_tid;
	pos->tid = rec->tid;
}

/*
 * @pos and @ref as one length-prefixed record in @out (KREF_RECORD_MAX
 * bytes); its length. By hand, in the bytes protobuf-c would write: this
 * runs twice per exit with kernel events.
 */
static size_t kref_record(const struct rec_pos *pos, const Kvmrec__KernelRef *ref, uint8_t *out)
{
	uint8_t *p = out + 1, *body;

	if (pos->has_ts_delta)
		p = put_field(p, 2, zigzag(pos->ts_delta));
	if (pos->has_vcpu)
		p = put_field(p, 3, zigzag(pos->vcpu));
	if (pos->has_tid)
		p = put_field(p, 4, pos->tid);
	*p++ = KVMREC__RECORD__BODY_KREF << 3 | 2;
	body = ++p;	/* its length, one byte: the fields below take at most 29 */
	if (ref->has_exit)
		p = put_field(p, 1, zigzag(ref->exit));
	if (ref->has_id)
		p = put_field(p, 2, (uint64_t)(int64_t)ref->id);
	if (ref->has_cpu)
		p = put_field(p, 3, ref->cpu);
	if (ref->has_mmio_type)
		p = put_field(p, 4, ref->mmio_type);
	body[-1] = (uint8_t)(p - body);
	out[0] = (uint8_t)(p - out - 1);
	return (size_t)(p - out);
}

/* The last exit of @vcpu in the open frame, or NULL. */
static const struct kref_last *kref_last_of(const struct trace_writer *w, int32_t vcpu)
{
	const struct kref_last *e = &w->exits[(uint32_t)vcpu % KREF_EXITS];

	return e->frame == w->frames + 1 && e->vcpu == vcpu ? e : NULL;
}

/* A kernel event after its exit: written as a reference right away, if it can be. */
static bool kref_put_after(struct trace_writer *w, const Kvmrec__Record *rec,
			   const struct kref_event *k)
{
	const struct kref_last *e = kref_last_of(w, rec->vcpu);
	Kvmrec__KernelRef ref;
	struct rec_pos pos;

	if (kref_materialize(w))
		return false;	/* put_record() returns the error */
	if (!e || w->frame_records - e->index > TRACE_KREF_WINDOW ||
	    w->raw_len + KREF_RECORD_MAX > TRACE_FRAME_BYTES || !kref_match(k, &e->x, &ref))
		return false;
	ref.has_exit = 1;
	ref.exit = -(int32_t)(w->frame_records - e->index);
	rec_pos_of(rec, &pos);
	w->raw_len += kref_record(&pos, &ref, w->raw + w->raw_len);
	w->frame_records++;
	w->krefs++;
	return true;
}

/*
 * @rec, the record numbered @index in the open frame, held as one that may
 * become a reference; the oldest held one goes when there are too many or it
 * is out of the window.
 */
static struct kref_pending *kref_push(struct trace_writer *w, const Kvmrec__Record *rec,
				      const struct kref_event *k, uint64_t index)
{
	struct kref_pending *p;

	while (w->n_pend && (w->n_pend == KREF_PENDING ||
			     index - w->pend[0].index >= TRACE_KREF_WINDOW)) {
		if (w->pend[0].deferred)	/* written whole, as it stays */
			kref_materialize(w);
		memmove(&w->pend[0], &w->pend[1], (w->n_pend - 1) * sizeof(w->pend[0]));
		w->n_pend--;
	}
	p = &w->pend[w->n_pend++];
	p->index = index;
	p->deferred = false;
	rec_pos_of(rec, &p->pos);
	p->k = *k;
	return p;
}

/* The kernel event @k just written (@off, @len in raw) may become a reference later. */
static void kref_hold(struct trace_writer *w, const Kvmrec__Record *rec,
		      const struct kref_event *k, size_t off, size_t len)
{
	uint64_t index = w->frame_records - 1;
	struct kref_pending *p;

	/* Never a frame's first record: format 1.1 gives that one a FrameMark. */
	if (!index)
		return;
	p = kref_push(w, rec, k, index);
	p->off = off;
	p->len = len;
}

/* The record of held event @p, whole, at the end of the open frame: its length. */
static size_t kref_put_whole(struct trace_writer *w, const struct kref_pending *p)
{
	Kvmrec__Record rec = KVMREC__RECORD__INIT;
	Kvmrec__KernelEvent k = KVMREC__KERNEL_EVENT__INIT;

	rec.has_ts_delta = p->pos.has_ts_delta;
	rec.ts_delta = p->pos.ts_delta;
	rec.has_vcpu = p->pos.has_vcpu;
	rec.vcpu = p->pos.vcpu;
	rec.has_tid = p->pos.has_tid;
	rec.tid = p->pos.tid;
	rec.body_case = KVMREC__RECORD__BODY_KEVENT;
	rec.kevent = &k;
	k.has_id = 1;		/* a plain event has its id, cpu and args, nothing else */
	k.id = p->k.id;
	k.has_cpu = p->k.has_cpu;
	k.cpu = p->k.cpu;
	k.n_args = p->k.n_args;
	k.args = (int64_t *)p->k.args;
	return put_encoded(w, &rec);
}

/*
 * A kernel event before its exit is held back instead of written whole
 * (deferred) when it is plain (kref.h), comes after only held-back events of
 * its vCPU, and the frame has room for all of them whole. If its exit comes
 * next, it goes into the frame as the reference it becomes (kref_put_deferred());
 * anything else first writes the held-back events whole where they would
 * have been (kref_materialize()). Either way the bytes are those of writing
 * it whole and rewriting it when the exit comes: this only saves the work.
 */
static bool kref_defer(struct trace_writer *w, Kvmrec__Record *rec, const struct kref_event *k)
{
	size_t max;

	rec->frame = NULL;	/* not a frame's first record: checked below */
	max = trace_encode_hot_max(rec) + 2;
	if (!w->defer || !k->plain || !w->frame_records || rec->vcpu == TRACE_VCPU_NONE ||
	    max == 2 || (w->n_def && w->pend[w->n_pend - 1].pos.vcpu != rec->vcpu) ||
	    w->raw_len + w->def_max + max > TRACE_FRAME_BYTES)
		return false;
	kref_push(w, rec, k, w->frame_records++)->deferred = true;
	w->n_def++;
	w->def_max += max;
	return true;
}

/*
 * The held-back events written whole at the end of the open frame, where
 * they would have been, and kept as held events written whole. 0 or the
 * writer's sticky error.
 */
static int kref_materialize(struct trace_writer *w)
{
	for (unsigned int i = w->n_pend - w->n_def; i < w->n_pend; i++) {
		struct kref_pending *p = &w->pend[i];

		p->off = w->raw_len;
		p->len = kref_put_whole(w, p);
		p->deferred = false;
		/* kref_defer() saw to the room: not writing it would lose a record. */
		if (!p->len)
			fail(w, -EIO, "internal error: a held kernel event did not fit its frame");
	}
	w->n_def = 0;
	w->def_max = 0;
	return w->err;
}

/*
 * The exit @rec (@x: what kernel events read of it) comes after the events
 * held back: each goes into the frame as a reference to it, or whole if it
 * says something else, and the exit is sure to fit after them. False, with
 * nothing done, when the exit is not theirs or might not fit: it would not
 * have gone into this frame after them all whole.
 */
static bool kref_put_deferred(struct trace_writer *w, const Kvmrec__Record *rec,
			      const struct kref_exit *x)
{
	uint64_t index = w->frame_records;	/* the exit's, once written */
	size_t max = trace_encode_hot_max(rec) + 2;

	_Static_assert(KREF_PENDING <= TRACE_KREF_WINDOW, "held-back events out of the window");
	if (rec->vcpu != w->pend[w->n_pend - 1].pos.vcpu || max == 2 ||
	    w->raw_len + w->def_max + max > TRACE_FRAME_BYTES)
		return false;
	/*
	 * They are the records just before the exit (anything between would
	 * have written them), so within the window. Its events written whole
	 * before them become references in kref_resolve(), after the exit, as
	 * they would have.
	 */
	for (unsigned int i = w->n_pend - w->n_def; i < w->n_pend; i++) {
		struct kref_pending *p = &w->pend[i];
		Kvmrec__KernelRef ref;

		/*
		 * A reference is always shorter than the event whole (its args
		 * take more than the distance and mmio_type it has instead), so
		 * it is what rewriting would have made of it.
		 */
		if (kref_match(&p->k, x, &ref)) {
			ref.has_exit = index - p->index != 1;
			ref.exit = (int32_t)(index - p->index);
			w->raw_len += kref_record(&p->pos, &ref, w->raw + w->raw_len);
			w->krefs++;
		} else if (!kref_put_whole(w, p)) {
			fail(w, -EIO, "internal error: a held kernel event did not fit its frame");
		}
	}
	w->n_pend -= w->n_def;
	w->n_def = 0;
	w->def_max = 0;
	return true;
}

/*
 * The exit just written (@x: what kernel events read of it): what of w->pend
 * it repeats becomes references to it, shorter, in place. The bytes between
 * and after them move down once, in one pass.
 */
static void kref_resolve(struct trace_writer *w, const Kvmrec__Record *rec,
			 const struct kref_exit *x)
{
	uint64_t index = w->frame_records - 1;
	unsigned int kept = 0;
	size_t from = 0, cut = 0;	/* bytes from @from on are to move down by @cut */

	for (unsigned int i = 0; i < w->n_pend; i++) {
		struct kref_pending *p = &w->pend[i];
		Kvmrec__KernelRef ref;
		uint8_t buf[KREF_RECORD_MAX];
		size_t n;

		if (p->pos.vcpu != rec->vcpu) {
			p->off -= cut;
			w->pend[kept++] = *p;
			continue;
		}
		/* Matched or not, this exit is the one it could have repeated. */
		if (index - p->index > TRACE_KREF_WINDOW || !kref_match(&p->k, x, &ref))
			continue;
		ref.has_exit = index - p->index != 1;
		ref.exit = (int32_t)(index - p->index);
		n = kref_record(&p->pos, &ref, buf);
		if (n >= p->len)
			continue;
		if (cut)
			memmove(w->raw + from - cut, w->raw + from, p->off - from);
		memcpy(w->raw + p->off - cut, buf, n);
		cut += p->len - n;
		from = p->off + p->len;
		w->krefs++;
	}
	if (cut) {
		memmove(w->raw + from - cut, w->raw + from, w->raw_len - from);
		w->raw_len -= cut;
	}
	w->n_pend = kept;
}

/* Keeps what kernel events after it read of the exit just written (@x). */
static void kref_note_exit(struct trace_writer *w, const Kvmrec__Record *rec,
			   const struct kref_exit *x, bool io_delta)
{
	struct kref_last *e = &w->exits[(uint32_t)rec->vcpu % KREF_EXITS];
	const Kvmrec__RunExit *re = rec->exit;
	size_t len = x->payload == KVMREC__RUN_EXIT__PAYLOAD_IO ? re->io->data.len :
		     x->payload == KVMREC__RUN_EXIT__PAYLOAD_MMIO ? re->mmio->data.len : 0;

	e->frame = w->frames + 1;
	e->index = w->frame_records - 1;
	e->vcpu = rec->vcpu;
	e->x = *x;
	/*
	 * Its data written as a difference is not there for kvm_pio: a reader
	 * expands references from the records as stored. Nor is data longer
	 * than KREF_DATA_MAX, which the writer once kept a copy of: what is
	 * written depends on it.
	 */
	if (len > KREF_DATA_MAX || io_delta)
		e->x.payload = KVMREC__RUN_EXIT__PAYLOAD__NOT_SET;
}

/*
 * An exit: its IO data as a difference from the port's last value when that
 * is possible (io_delta.h), then references to it from kernel events
 * before it, and it kept for those after it.
 */
static int put_exit(struct trace_writer *w, Kvmrec__Record *rec)
{
	Kvmrec__ExitIo *io = rec->exit->payload_case == KVMREC__RUN_EXIT__PAYLOAD_IO ?
			     rec->exit->io : NULL;
	struct kref_exit x;
	bool delta = false;
	int64_t add;
	int ret;

	kref_exit_of(rec->exit, &x);
	/*
	 * Not while kernel events wait for this exit: kvm_pio refers to the data
	 * as stored. Not near the frame's end: the difference must land in the
	 * frame the table is of (an IO exit record of known fields is far
	 * smaller than this; one carrying unknown fields is not bounded).
	 */
	if (io && !w->n_pend && w->raw_len + 256 <= TRACE_FRAME_BYTES &&
	    !rec->base.n_unknown_fields && !rec->exit->base.n_unknown_fields &&
	    !io->base.n_unknown_fields && io_delta_make(&w->io, io, &add)) {
		delta = true;
		io->has_data = 0;
		io->has_data_add = 1;
		io->data_add = add;
	}
	if (w->n_def)
		kref_put_deferred(w, rec, &x);
	ret = put_record(w, rec);
	if (delta) {	/* the caller's record as it was */
		io->has_data = 1;
		io->has_data_add = 0;
		io->data_add = 0;
	}
	if (ret)
		return ret;
	if (io)
		io_delta_note(&w->io, io);
	if (rec->vcpu != TRACE_VCPU_NONE) {
		if (w->n_pend)
			kref_resolve(w, rec, &x);
		kref_note_exit(w, rec, &x, delta);
	}
	return 0;
}

/* Random and never 0: 0 is "no id" (a trace from before format 1.1). */
static uint64_t trace_id_new(void)
{
	uint64_t id = 0;

	if (getrandom(&id, sizeof(id), GRND_NONBLOCK) != sizeof(id))
		id = now_ns() * 0x9e3779b97f4a7c15ull ^ (uint64_t)getpid() << 32;
	return id ? id : 1;
}

static int writer_start(struct trace_writer *w, const char *path, Kvmrec__Header *hdr,
			const struct trace_writer_opts *opts)
{
	Kvmrec__Record rec = KVMREC__RECORD__INIT;
	struct out_file_opts oo = { opts->overwrite, opts->input, opts->mode };
	char why[200];
	int level, ret;

	/* Level 1 beats 3 on exit streams in both size and speed (trace_bench). */
	level = opts->zstd_level ? opts->zstd_level : 1;
	if (ZSTD_isError(ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_compressionLevel, level)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_checksumFlag, 1)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_contentSizeFlag, 1)))
		return fail(w, -EINVAL, "bad zstd level %d", level);

	if (!strcmp(path, "-")) {
		w->fd = STDOUT_FILENO;
	} else {
		w->fd = out_file_open(path, &oo, why, sizeof(why));
		if (w->fd < 0)
			return fail(w, w->fd, "%s", why);
		w->own_fd = true;
		w->created = !opts->overwrite;
	}

	w->mark.has_trace_id = w->mark.has_index = w->mark.has_first_seq = 1;
	w->mark.trace_id = opts->trace_id ? opts->trace_id : trace_id_new();
	hdr->has_trace_id = 1;
	hdr->trace_id = w->mark.trace_id;
	hdr->has_format_major = 1;
	hdr->format_major = TRACE_FORMAT_MAJOR;
	hdr->has_format_minor = 1;
	hdr->format_minor = TRACE_FORMAT_MINOR;
	if (!hdr->has_start_ns) {
		hdr->has_start_ns = 1;
		hdr->start_ns = 0;
	}
	w->ts = hdr->start_ns;

	/* Off only to show that it changes nothing written (tests/trace/test_kref.c). */
	const char *defer = getenv("KVMREC_WRITER_DEFER");
	w->defer = !defer || strcmp(defer, "0");

	unsigned int threads = writer_threads();
	if (threads > 1 && writer_pool_start(&w->pool, w->fd, level, threads))
		w->pool = NULL;	/* no threads to be had: compress here */

	memcpy(w->raw, "KVMREC\0", 7);
	w->raw[7] = TRACE_FORMAT_MAJOR;
	w->raw_len = TRACE_MAGIC_LEN;
	rec.body_case = KVMREC__RECORD__BODY_HEADER;
	rec.header = hdr;
	ret = put_record(w, &rec);
	if (ret)
		return ret;
	/* The header goes out at once: a trace that dies early still says what it was. */
	return trace_writer_flush(w);
}

int trace_writer_open(const char *path, Kvmrec__Header *hdr,
		      const struct trace_writer_opts *opts,
		      struct trace_writer **out)
{
	static const struct trace_writer_opts defaults;
	struct trace_writer *w;
	int ret;

	*out = NULL;
	snprintf(open_error, sizeof(open_error), "%s: out of memory", path);
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->fd = -1;
	w->vcpu = TRACE_VCPU_NONE;
	kvmrec__frame_mark__init(&w->mark);
	w->path = strdup(path);
	w->raw_cap = TRACE_FRAME_BYTES + TRACE_FRAME_MARK_MAX + TRACE_VARINT_MAX;
	w->raw = malloc(w->raw_cap);
	w->out_cap = ZSTD_compressBound(w->raw_cap) + BATCH_COMPRESS_SLACK;
	w->out = malloc(w->out_cap);
	w->cctx = ZSTD_createCCtx();
	w->packed = malloc(w->raw_cap);
	w->packer = batch_packer_new();
	if (!w->path || !w->raw || !w->out || !w->cctx || !w->packed || !w->packer) {
		trace_writer_abort(w);
		return -ENOMEM;
	}
	ret = writer_start(w, path, hdr, opts ? opts : &defaults);
	if (ret) {
		/* Nothing half-made is handed out; the reason stays for trace_writer_error(NULL). */
		memcpy(open_error, w->errbuf, sizeof(open_error));
		/* Remove only what this call created: never a file it was allowed to overwrite. */
		if (w->created)
			unlink(path);
		trace_writer_abort(w);
		return ret;
	}
	open_error[0] = 0;
	*out = w;
	return 0;
}

int trace_writer_append(struct trace_writer *w, struct trace_event *ev)
{
	Kvmrec__Record *rec = ev->rec;
	uint32_t kind = rec->body_case;
	struct kref_event k;
	int ret;

	if (w->err)
		return w->err;
	/* The writer's own forms (docs/trace.md, "References") are never taken from callers. */
	if (kind == KVMREC__RECORD__BODY_HEADER || kind == KVMREC__RECORD__BODY_FOOTER ||
	    kind == KVMREC__RECORD__BODY_KREF ||
	    (kind == KVMREC__RECORD__BODY_EXIT && rec->exit &&
	     rec->exit->payload_case == KVMREC__RUN_EXIT__PAYLOAD_IO && rec->exit->io &&
	     rec->exit->io->has_data_add))
		return -EINVAL;

	rec->has_seq_delta = 0;
	rec->seq_delta = 1;
	rec->has_ts_delta = ev->ts_ns != w->ts;
	rec->ts_delta = (int64_t)(ev->ts_ns - w->ts);
	rec->has_vcpu = ev->vcpu != w->vcpu;
	rec->vcpu = ev->vcpu;
	rec->has_tid = ev->tid != w->tid;
	rec->tid = ev->tid;

	if (kind == KVMREC__RECORD__BODY_KEVENT && kref_event_of(rec->kevent, &k)) {
		if (k.after) {
			rec->frame = NULL;	/* the writer's; a reference never carries one */
			if (!kref_put_after(w, rec, &k)) {
				ret = put_record(w, rec);
				if (ret)
					return ret;
			}
		} else if (!kref_defer(w, rec, &k)) {
			uint64_t frames = w->frames;
			size_t off;

			ret = kref_materialize(w);	/* before it: it starts where they end */
			if (ret)
				return ret;
			off = w->raw_len;
			ret = put_record(w, rec);
			if (ret)
				return ret;
			/* If a new frame began with it, it is that frame's first record: not held. */
			if (frames == w->frames)
				kref_hold(w, rec, &k, off, w->raw_len - off);
		}
	} else if (kind == KVMREC__RECORD__BODY_EXIT && rec->exit) {
		ret = put_exit(w, rec);
		if (ret)
			return ret;
	} else {
		ret = put_record(w, rec);
		if (ret)
			return ret;
	}
	if (w->frame_records == 1) {
		w->frame_ts_ns = ev->ts_ns;
		w->frame_wall_ns = now_ns();
	}

	w->ts = ev->ts_ns;
	w->vcpu = ev->vcpu;
	w->tid = ev->tid;
	ev->seq = ++w->seq;
	w->counts[kind < KIND_SLOTS ? kind : 0]++;

	/* Merged kernel events may step back a little: signed, or a step back ends the frame. */
	if ((int64_t)(ev->ts_ns - w->frame_ts_ns) >= (int64_t)TRACE_FRAME_NS ||
	    (!(++w->appends & CLOCK_CHECK_MASK) && now_ns() - w->frame_wall_ns >= TRACE_FRAME_NS))
		return frame_end(w);
	return 0;
}

int trace_writer_flush(struct trace_writer *w)
{
	int ret = frame_end(w);

	if (!ret && w->pool && (ret = writer_pool_drain(w->pool)))
		ret = fail(w, ret, "%s", writer_pool_error(w->pool));
	return ret;
}

int trace_writer_close(struct trace_writer *w, const Kvmrec__Footer *extra)
{
	Kvmrec__Record rec = KVMREC__RECORD__INIT;
	Kvmrec__Footer f = KVMREC__FOOTER__INIT;
	Kvmrec__KindCount kc[KIND_SLOTS], *kcp[KIND_SLOTS];
	size_t n = 0;
	int ret;

	if (extra) {
		f.has_dropped = extra->has_dropped;
		f.dropped = extra->dropped;
		f.has_kernel_lost = extra->has_kernel_lost;
		f.kernel_lost = extra->kernel_lost;
		f.has_ring_stalls = extra->has_ring_stalls;
		f.ring_stalls = extra->ring_stalls;
		f.end_reason = extra->end_reason;
		f.has_vmm_status = extra->has_vmm_status;
		f.vmm_status = extra->vmm_status;
	}
	for (uint32_t k = 0; k < KIND_SLOTS; k++) {
		if (!w->counts[k])
			continue;
		kvmrec__kind_count__init(&kc[n]);
		kc[n].has_kind = 1;
		kc[n].kind = k;
		kc[n].has_count = 1;
		kc[n].count = w->counts[k];
		kcp[n] = &kc[n];
		n++;
	}
	f.n_counts = n;
	f.counts = kcp;
	f.has_events = 1;
	f.events = w->seq;
	if (w->seq) {
		f.has_first_seq = f.has_last_seq = 1;
		f.first_seq = 1;
		f.last_seq = w->seq;
	}
	rec.body_case = KVMREC__RECORD__BODY_FOOTER;
	rec.footer = &f;

	ret = w->err;
	if (!ret)
		ret = put_record(w, &rec);
	if (!ret)
		ret = trace_writer_flush(w);
	if (!ret && w->own_fd) {
		int fd = w->fd;

		w->fd = -1;
		if (close(fd) < 0)
			ret = fail(w, -errno, "close failed: %s", strerror(errno));
	}
	/* @w is gone: the reason stays for trace_writer_error(NULL). */
	if (ret)
		memcpy(open_error, w->errbuf, sizeof(open_error));
	trace_writer_abort(w);
	return ret;
}

void trace_writer_abort(struct trace_writer *w)
{
	if (!w)
		return;
	/* What was submitted still goes out: a trace without a footer reads as cut. */
	writer_pool_stop(w->pool);
	if (w->own_fd && w->fd >= 0)
		close(w->fd);
	ZSTD_freeCCtx(w->cctx);
	free(w->raw);
	free(w->out);
	free(w->packed);
	batch_packer_free(w->packer);
	free(w->path);
	free(w);
}

const char *trace_writer_error(const struct trace_writer *w)
{
	return w ? w->errbuf : open_error;
}

uint64_t trace_writer_bytes(const struct trace_writer *w)
{
	return w->pool ? writer_pool_bytes(w->pool) : w->bytes;
}

uint64_t trace_writer_frames(const struct trace_writer *w)
{
	return w->frames;
}

uint64_t trace_writer_events(const struct trace_writer *w)
{
	return w->seq;
}

uint64_t trace_writer_krefs(const struct trace_writer *w)
{
	return w->krefs;
}
