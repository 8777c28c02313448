// SPDX-License-Identifier: GPL-2.0-only
/*
 * batch: runs of hot records as columns (batch.h, docs/trace.md "Batches").
 *
 * Why columns: zstd sees each field's values side by side (ports, sizes,
 * flags that never change vanish; data that counts becomes one repeated
 * difference), and a timestamp column split into byte planes, each plane a
 * zstd block of its own when it is big, gets a Huffman table per plane: the
 * noisy low bytes apart from the nearly constant high ones. On a pio-loop
 * recording with kernel events that is 3.3 bytes of timestamps per exit
 * where one block of varints takes 4.0.
 */
#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zstd_errors.h>

#include "batch.h"
#include "trace_arena.h"
#include "pb_init.h"
#include "trace_varint.h"

/*
 * Slots: the batchable fields, in the order their bytes come in a record
 * (docs/trace.md lists them). Bit i of a shape is slot i.
 */
enum {
	S_TS, S_VCPU, S_TID,            /* Record 2, 3, 4 */
	S_EXIT,                         /* Record 5, RunExit */
	S_X1,                           /* RunExit 1..9: S_X1 .. S_X1 + 8 */
	S_IO = S_X1 + 9,                /* RunExit 10, ExitIo */
	S_IO1,                          /* ExitIo 1..4 */
	S_DATA1 = S_IO1 + 4,            /* ExitIo 5 of 1, 2, 4, 8 bytes */
	S_ADD = S_DATA1 + 4,            /* ExitIo 6 */
	S_KREF,                         /* Record 13, KernelRef */
	S_K1,                           /* KernelRef 1..4 */
	S_KEV = S_K1 + 4,               /* Record 8, KernelEvent */
	S_KID,                          /* KernelEvent 1 */
	S_KCPU,                         /* KernelEvent 3 */
	S_KA1,                          /* KernelEvent 2 (packed): args 1..7, as many as set */
	SLOTS = S_KA1 + 7
};

#define M(s) (1ull << (s))
#define DATA_MASK (0xfull << S_DATA1)
#define EXIT_FIELDS ((0x1ffull << S_X1) | M(S_IO))
#define IO_FIELDS ((0xfull << S_IO1) | DATA_MASK | M(S_ADD))
#define KREF_FIELDS (0xfull << S_K1)
#define KEV_FIELDS (M(S_KID) | M(S_KCPU) | 0x7full << S_KA1)
#define MESSAGES (M(S_EXIT) | M(S_IO) | M(S_KREF) | M(S_KEV))

#define TAG_BATCH (14u << 3 | 2)        /* Record.batch */
#define SHAPES_MAX 256                  /* a shape index is one byte */
#define REC_MAX 256                     /* a record of batchable fields is smaller */
#define BATCH_MIN 64                  /* shorter runs are not worth a batch */
/* Planes of at least this many bytes start zstd blocks (trace_batch_compress). */
#define BATCH_CUT_MIN 512
#define BATCH_CUTS_MAX 256

static const uint8_t data_len[4] = { 1, 2, 4, 8 };

static uint64_t zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static int64_t unzigzag(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

/* A shape a reader accepts: one body, no field without its message, one data, args from 1. */
static bool shape_ok(uint64_t m)
{
	uint64_t d = m & DATA_MASK, a = m >> S_KA1 & 0x7f;

	return m < M(SLOTS) &&
	       !!(m & M(S_EXIT)) + !!(m & M(S_KREF)) + !!(m & M(S_KEV)) == 1 &&
	       (!(m & EXIT_FIELDS) || (m & M(S_EXIT))) &&
	       (!(m & IO_FIELDS) || (m & M(S_IO))) &&
	       (!(m & KREF_FIELDS) || (m & M(S_KREF))) &&
	       (!(m & KEV_FIELDS) || (m & M(S_KEV))) && !(d & (d - 1)) && !(a & (a + 1));
}

static uint8_t *put_num(uint8_t *p, unsigned int field, uint64_t v)
{
	*p++ = (uint8_t)(field << 3);
	return p + trace_varint_put(p, v);
}

static uint8_t *put_msg(uint8_t *p, unsigned int field, const uint8_t *b, size_t n)
{
	*p++ = (uint8_t)(field << 3 | 2);
	p += trace_varint_put(p, n);
	memcpy(p, b, n);
	return p + n;
}

/* The record of shape @m with values @v, in protobuf's canonical bytes, into @out (REC_MAX). */
static size_t rec_encode(uint64_t m, const uint64_t *v, uint8_t *out)
{
	uint8_t io[96], x[192], k[128], *p = out, *q, *r;

	if (m & M(S_TS))
		p = put_num(p, 2, v[S_TS]);
	if (m & M(S_VCPU))
		p = put_num(p, 3, v[S_VCPU]);
	if (m & M(S_TID))
		p = put_num(p, 4, v[S_TID]);
	if (m & M(S_EXIT)) {
		q = x;
		for (unsigned int i = 0; i < 9; i++)
			if (m & M(S_X1 + i))
				q = put_num(q, i + 1, v[S_X1 + i]);
		if (m & M(S_IO)) {
			r = io;
			for (unsigned int i = 0; i < 4; i++)
				if (m & M(S_IO1 + i))
					r = put_num(r, i + 1, v[S_IO1 + i]);
			for (unsigned int i = 0; i < 4; i++) {
				if (!(m & M(S_DATA1 + i)))
					continue;
				*r++ = 5 << 3 | 2;
				*r++ = data_len[i];
				for (unsigned int j = 0; j < data_len[i]; j++)
					*r++ = (uint8_t)(v[S_DATA1 + i] >> (8 * j));
			}
			if (m & M(S_ADD))
				r = put_num(r, 6, v[S_ADD]);
			q = put_msg(q, 10, io, (size_t)(r - io));
		}
		p = put_msg(p, 5, x, (size_t)(q - x));
	}
	if (m & M(S_KEV)) {
		uint8_t args[80];

		q = k;
		r = args;
		if (m & M(S_KID))
			q = put_num(q, 1, v[S_KID]);
		for (unsigned int i = 0; i < 7 && (m & M(S_KA1 + i)); i++)
			r += trace_varint_put(r, v[S_KA1 + i]);
		if (r > args)
			q = put_msg(q, 2, args, (size_t)(r - args));
		if (m & M(S_KCPU))
			q = put_num(q, 3, v[S_KCPU]);
		p = put_msg(p, 8, k, (size_t)(q - k));
	}
	if (m & M(S_KREF)) {
		q = k;
		for (unsigned int i = 0; i < 4; i++)
			if (m & M(S_K1 + i))
				q = put_num(q, i + 1, v[S_K1 + i]);
		p = put_msg(p, 13, k, (size_t)(q - k));
	}
	return (size_t)(p - out);
}

static inline uint8_t *put_num_short(uint8_t *p, unsigned int field, uint64_t v)
{
	*p++ = (uint8_t)(field << 3);
	if (v < 0x80) {
		*p++ = (uint8_t)v;
		return p;
	}
	return p + trace_varint_put(p, v);
}

/*
 * rec_encode() for the readers, straight into @out (REC_MAX): a message's
 * length is written after its fields, in the byte kept for it. 0 when a
 * length does not fit that byte (then rec_encode()).
 */
static size_t rec_encode_short(uint64_t m, const uint64_t *v, uint8_t *out)
{
	uint8_t *p = out, *len, *len2;

	if (m & M(S_TS))
		p = put_num_short(p, 2, v[S_TS]);
	if (m & M(S_VCPU))
		p = put_num_short(p, 3, v[S_VCPU]);
	if (m & M(S_TID))
		p = put_num_short(p, 4, v[S_TID]);
	if (m & M(S_EXIT)) {
		*p++ = 5 << 3 | 2;
		len = p++;
		for (uint64_t bits = (m >> S_X1) & 0x1ff; bits; bits &= bits - 1) {
			unsigned int i = (unsigned int)__builtin_ctzll(bits);

			p = put_num_short(p, i + 1, v[S_X1 + i]);
		}
		if (m & M(S_IO)) {
			*p++ = 10 << 3 | 2;
			len2 = p++;
			for (uint64_t bits = (m >> S_IO1) & 0xf; bits; bits &= bits - 1) {
				unsigned int i = (unsigned int)__builtin_ctzll(bits);

				p = put_num_short(p, i + 1, v[S_IO1 + i]);
			}
			if (m & DATA_MASK) {
				unsigned int i = (unsigned int)__builtin_ctzll(m & DATA_MASK) - S_DATA1;
				uint64_t d = v[S_DATA1 + i];

				*p++ = 5 << 3 | 2;
				*p++ = data_len[i];
				for (unsigned int j = 0; j < data_len[i]; j++, d >>= 8)
					*p++ = (uint8_t)d;
			}
			if (m & M(S_ADD))
				p = put_num_short(p, 6, v[S_ADD]);
			if (p - len2 - 1 >= 0x80)
				return 0;
			*len2 = (uint8_t)(p - len2 - 1);
		}
		if (p - len - 1 >= 0x80)
			return 0;
		*len = (uint8_t)(p - len - 1);
	}
	if (m & M(S_KEV)) {
		*p++ = 8 << 3 | 2;
		len = p++;
		if (m & M(S_KID))
			p = put_num_short(p, 1, v[S_KID]);
		if (m & M(S_KA1)) {
			*p++ = 2 << 3 | 2;
			len2 = p++;
			for (unsigned int i = 0; i < 7 && (m & M(S_KA1 + i)); i++)
				p += trace_varint_put(p, v[S_KA1 + i]);
			*len2 = (uint8_t)(p - len2 - 1);	/* 7 varints: < 0x80 */
		}
		if (m & M(S_KCPU))
			p = put_num_short(p, 3, v[S_KCPU]);
		if (p - len - 1 >= 0x80)
			return 0;
		*len = (uint8_t)(p - len - 1);
	}
	if (m & M(S_KREF)) {
		*p++ = 13 << 3 | 2;
		len = p++;
		for (uint64_t bits = (m >> S_K1) & 0xf; bits; bits &= bits - 1) {
			unsigned int i = (unsigned int)__builtin_ctzll(bits);

			p = put_num_short(p, i + 1, v[S_K1 + i]);
		}
		*len = (uint8_t)(p - len - 1);	/* 4 varints: < 0x80 */
	}
	return (size_t)(p - out);
}

/* ---------------------------------------------------------------------------
 * Writer: which records are hot
 */

/* A varint of @n bytes at @p that no shorter one says: the encoder's own. */
static inline bool varint_minimal(const uint8_t *p, size_t n)
{
	return n == 1 || (p[n - 1] && (n < TRACE_VARINT_MAX || p[n - 1] == 1));
}

/*
 * One field at *@pp: number, a varint value or (@b set) bytes of length *@v.
 * Only as protobuf-c writes it: a one-byte tag, minimal varints.
 */
static bool field_next(const uint8_t **pp, const uint8_t *end, unsigned int *f, uint64_t *v,
		       const uint8_t **b)
{
	const uint8_t *p = *pp;
	uint8_t tag;
	size_t n;

	if (p == end || (*p & 0x80))
		return false;
	tag = *p++;
	*f = tag >> 3u;
	n = trace_varint_get(p, end, v);
	if (!n || !varint_minimal(p, n))
		return false;
	p += n;
	*b = NULL;
	if ((tag & 7) == 2) {
		if (*v > (uint64_t)(end - p))
			return false;
		*b = p;
		p += *v;
	} else if (tag & 7) {
		return false;
	}
	*pp = p;
	return true;
}

/* The fields of one message: numbers 1..@hi, all varints, into slots from @slot0. */
static bool parse_nums(const uint8_t *p, const uint8_t *end, unsigned int hi, unsigned int slot0,
		       uint64_t *m, uint64_t *v)
{
	unsigned int f, last = 0;
	const uint8_t *b;
	uint64_t x;

	while (p < end) {
		if (!field_next(&p, end, &f, &x, &b) || f <= last || f > hi || b)
			return false;
		last = f;
		*m |= M(slot0 + f - 1);
		v[slot0 + f - 1] = x;
	}
	return true;
}

static bool parse_io(const uint8_t *p, const uint8_t *end, uint64_t *m, uint64_t *v)
{
	unsigned int f, last = 0;
	const uint8_t *b;
	uint64_t x;

	while (p < end) {
		if (!field_next(&p, end, &f, &x, &b) || f <= last)
			return false;
		last = f;
		if (f <= 4 && !b) {
			*m |= M(S_IO1 + f - 1);
			v[S_IO1 + f - 1] = x;
		} else if (f == 5 && b) {
			unsigned int i = x == 1 ? 0 : x == 2 ? 1 : x == 4 ? 2 : x == 8 ? 3 : 4;
			uint64_t d = 0;

			if (i == 4)
				return false;
			for (unsigned int j = 0; j < x; j++)
				d |= (uint64_t)b[j] << (8 * j);
			*m |= M(S_DATA1 + i);
			v[S_DATA1 + i] = d;
		} else if (f == 6 && !b) {
			*m |= M(S_ADD);
			v[S_ADD] = x;
		} else {
			return false;
		}
	}
	return true;
}

static bool parse_exit(const uint8_t *p, const uint8_t *end, uint64_t *m, uint64_t *v)
{
	unsigned int f, last = 0;
	const uint8_t *b;
	uint64_t x;

	while (p < end) {
		if (!field_next(&p, end, &f, &x, &b) || f <= last)
			return false;
		last = f;
		if (f <= 9 && !b) {
			*m |= M(S_X1 + f - 1);
			v[S_X1 + f - 1] = x;
		} else if (f == 10 && b) {
			*m |= M(S_IO);
			if (!parse_io(b, b + x, m, v))
				return false;
		} else {
			return false;
		}
	}
	return true;
}

static bool parse_kevent(const uint8_t *p, const uint8_t *end, uint64_t *m, uint64_t *v)
{
	unsigned int f, last = 0;
	const uint8_t *b;
	uint64_t x;

	while (p < end) {
		if (!field_next(&p, end, &f, &x, &b) || f <= last)
			return false;
		last = f;
		if (f == 1 && !b) {
			*m |= M(S_KID);
			v[S_KID] = x;
		} else if (f == 3 && !b) {
			*m |= M(S_KCPU);
			v[S_KCPU] = x;
		} else if (f == 2 && b && x) {	/* packed args; protobuf-c writes none empty */
			const uint8_t *q = b, *qe = b + x;

			for (unsigned int i = 0; q < qe; i++) {
				size_t n;

				if (i == 7)
					return false;
				n = trace_varint_get(q, qe, &v[S_KA1 + i]);
				if (!n || !varint_minimal(q, n))
					return false;
				*m |= M(S_KA1 + i);
				q += n;
			}
		} else {
			return false;
		}
	}
	return true;
}

/* True if the record @p (@len bytes) is made of batchable fields only, in canonical bytes. */
static bool rec_hot(const uint8_t *p, size_t len, uint64_t *m, uint64_t *v)
{
	const uint8_t *q = p, *end = p + len, *b;
	unsigned int f, last = 0;
	uint8_t again[REC_MAX];
	uint64_t x;
	size_t n;

	*m = 0;
	if (len > REC_MAX)
		return false;
	while (q < end) {
		if (!field_next(&q, end, &f, &x, &b) || f <= last)
			return false;
		last = f;
		if (f >= 2 && f <= 4 && !b) {
			*m |= M(S_TS + f - 2);
			v[S_TS + f - 2] = x;
		} else if (f == 5 && b) {
			*m |= M(S_EXIT);
			if (!parse_exit(b, b + x, m, v))
				return false;
		} else if (f == 8 && b) {
			*m |= M(S_KEV);
			if (!parse_kevent(b, b + x, m, v))
				return false;
		} else if (f == 13 && b) {
			*m |= M(S_KREF);
			if (!parse_nums(b, b + x, 4, S_K1, m, v))
				return false;
		} else {
			return false;
		}
	}
	/*
	 * One-byte tags, minimal varints and fields in ascending order, each
	 * once, are what rec_encode() writes: it gives these bytes back. Debug
	 * builds (the sanitizer suite) check it on every record.
	 */
	if (!shape_ok(*m))
		return false;
#ifndef NDEBUG
	n = rec_encode(*m, v, again);
	assert(n == len && !memcmp(again, p, len));
#else
	(void)again;
	(void)n;
#endif
	return true;
}

/* ---------------------------------------------------------------------------
 * Writer: a run of hot records into a batch
 */

struct column {
	uint64_t *v;
	size_t n, cap;
};

/*
 * The last few record tails (what follows the position fields) the packer
 * parsed, with what they parsed to: an exit loop's records differ in their
 * timestamp and little else, and the same bytes parse the same, so a tail
 * seen before is a memcmp, not a parse.
 */
#define MEMO_N 8
#define MEMO_TAIL 48
#define POSITION (M(S_TS) | M(S_VCPU) | M(S_TID))

struct memo {
	uint8_t len;			/* 0: empty */
	uint8_t tail[MEMO_TAIL];
	uint64_t m;			/* without POSITION */
	uint64_t v[SLOTS];
};

struct batch_packer {
	struct memo memo[MEMO_N];
	unsigned int memo_next;
	uint64_t shapes[SHAPES_MAX];
	unsigned int n_shapes;
	uint8_t *shape;                 /* per record of the run */
	size_t n, shape_cap;
	struct column col[SLOTS];       /* S_TS: every ts, sorted by shape when written */
	struct column ts_sorted;
	uint8_t *ts_shape;              /* the shape of each ts value */
	size_t ts_shape_cap;
	size_t room;                    /* records the roomy columns have room for */
	uint64_t roomy;                 /* columns (bits by slot) grown to room */
	uint64_t prev_data;
	uint8_t *buf, *cbuf;            /* the batch record; one column */
	size_t buf_cap, cbuf_cap;
	size_t rcuts[BATCH_CUTS_MAX];   /* block starts in the run's batch body */
	unsigned int n_rcuts;
	size_t cuts[BATCH_CUTS_MAX];    /* block starts in the packed frame */
	const uint8_t *out;             /* the packed frame */
	unsigned int n_cuts;
};

static bool grow(void *pp, size_t *cap, size_t need, size_t elem)
{
	void **p = pp;
	size_t c = *cap ? *cap : 1024;
	void *q;

	if (need <= *cap)
		return true;
	while (c < need)
		c *= 2;
	q = realloc(*p, c * elem);
	if (!q)
		return false;
	*p = q;
	*cap = c;
	return true;
}

struct batch_packer *batch_packer_new(void)
{
	return calloc(1, sizeof(struct batch_packer));
}

void batch_packer_free(struct batch_packer *b)
{
	if (!b)
		return;
	for (unsigned int i = 0; i < SLOTS; i++)
		free(b->col[i].v);
	free(b->ts_sorted.v);
	free(b->ts_shape);
	free(b->shape);
	free(b->buf);
	free(b->cbuf);
	free(b);
}

/* rec_hot() of @p, from b->memo when its tail was parsed before. */
static bool rec_hot_memo(struct batch_packer *b, const uint8_t *p, size_t len, uint64_t *m,
			 uint64_t *v)
{
	const uint8_t *q = p, *end = p + len, *tail, *bytes;
	unsigned int f, last = 0;
	uint64_t x, pos = 0;
	struct memo *e;
	size_t tl;

	while (q < end && !(*q & 0x80) && (*q >> 3) >= 2 && (*q >> 3) <= 4) {
		if (!field_next(&q, end, &f, &x, &bytes) || f <= last || bytes)
			return rec_hot(p, len, m, v);
		last = f;
		pos |= M(S_TS + f - 2);
		v[S_TS + f - 2] = x;
	}
	tail = q;
	tl = (size_t)(end - q);
	if (tl && tl <= MEMO_TAIL) {
		for (e = b->memo; e < b->memo + MEMO_N; e++) {
			if (e->len != tl || memcmp(e->tail, tail, tl))
				continue;
			for (uint64_t bits = e->m; bits; bits &= bits - 1) {
				unsigned int i = (unsigned int)__builtin_ctzll(bits);

				v[i] = e->v[i];
			}
			*m = e->m | pos;
			return true;
		}
	}
	if (!rec_hot(p, len, m, v))
		return false;
	if (tl && tl <= MEMO_TAIL) {
		e = &b->memo[b->memo_next++ % MEMO_N];
		e->len = (uint8_t)tl;
		memcpy(e->tail, tail, tl);
		e->m = *m & ~POSITION;
		for (uint64_t bits = e->m; bits; bits &= bits - 1) {
			unsigned int i = (unsigned int)__builtin_ctzll(bits);

			e->v[i] = v[i];
		}
	}
	return true;
}


static void run_reset(struct batch_packer *b)
{
	b->n = 0;
	b->n_shapes = 0;
	b->prev_data = 0;
	for (unsigned int i = 0; i < SLOTS; i++)
		b->col[i].n = 0;
}

/*
 * Room for one more record in the run's per-record arrays and in every
 * column shape @m puts a value in: each takes at most one value a record, so
 * run_add() then stores without a check per value. Columns are grown for
 * b->room records once they are used (b->roomy), all of them again when the
 * run outgrows that.
 */
static bool run_room(struct batch_packer *b, uint64_t m)
{
	uint64_t cols = m & ~MESSAGES & ~DATA_MASK;

	if (m & DATA_MASK)
		cols |= M(S_DATA1);
	if (b->n + 1 > b->room) {
		b->room = b->room ? 2 * b->room : 1024;
		cols |= b->roomy;
		b->roomy = 0;
		if (!grow(&b->shape, &b->shape_cap, b->room, 1) ||
		    !grow(&b->ts_shape, &b->ts_shape_cap, b->room, 1))
			return false;
	}
	for (uint64_t bits = cols & ~b->roomy; bits; bits &= bits - 1) {
		struct column *c = &b->col[__builtin_ctzll(bits)];

		if (!grow(&c->v, &c->cap, b->room, sizeof(*c->v)))
			return false;
	}
	b->roomy |= cols;
	return true;
}

/* Adds a record to the run: 1, 0 if the run has all the shapes it may have, -ENOMEM. */
static int run_add(struct batch_packer *b, uint64_t m, const uint64_t *v)
{
	unsigned int s;

	for (s = 0; s < b->n_shapes && b->shapes[s] != m; s++)
		;
	if (s == b->n_shapes) {
		if (s == SHAPES_MAX)
			return 0;
		b->shapes[b->n_shapes++] = m;
	}
	if ((b->n + 1 > b->room || (m & ~MESSAGES & ~b->roomy & ~DATA_MASK) ||
	     ((m & DATA_MASK) && !(b->roomy & M(S_DATA1)))) && !run_room(b, m))
		return -ENOMEM;
	if (m & M(S_TS))
		b->ts_shape[b->col[S_TS].n] = (uint8_t)s;
	b->shape[b->n++] = (uint8_t)s;
	for (uint64_t bits = m & ~MESSAGES; bits; bits &= bits - 1) {
		unsigned int i = (unsigned int)__builtin_ctzll(bits);
		uint64_t x = v[i];
		struct column *c;

		if (M(i) & DATA_MASK) {	/* one column for every length, as differences */
			x = zigzag((int64_t)(v[i] - b->prev_data));
			b->prev_data = v[i];
			i = S_DATA1;
		}
		c = &b->col[i];
		c->v[c->n++] = x;
	}
	return 1;
}

/* Bytes @v needs little-endian, at least 1. */
static unsigned int byte_len(uint64_t v)
{
	unsigned int n = 1;

	while (n < 8 && v >> (8 * n))
		n++;
	return n;
}

/*
 * @v[0..@n) as byte planes into @out (room: 1 + 8 * @n): the width W (bytes
 * of the largest), then byte 0 of every value, byte 1 of every value, ...
 * Its length.
 */
static size_t planes_put(const uint64_t *v, size_t n, uint8_t *out)
{
	uint64_t all = 0;
	unsigned int w;
	uint8_t *p = out;

	/* The widest value's bytes: those of all values or'ed, whose top bit is the largest's. */
	for (size_t i = 0; i < n; i++)
		all |= v[i];
	w = byte_len(all);
	*p++ = (uint8_t)w;
	for (unsigned int k = 0; k < w; k++)
		for (size_t i = 0; i < n; i++)
			*p++ = (uint8_t)(v[i] >> (8 * k));
	return (size_t)(p - out);
}

/* A zstd block starts at @at (an offset in the run's batch body), if there is room. */
static void cut_add(struct batch_packer *b, size_t at)
{
	if (b->n_rcuts < BATCH_CUTS_MAX && (!b->n_rcuts || b->rcuts[b->n_rcuts - 1] < at))
		b->rcuts[b->n_rcuts++] = at;
}

/*
 * One column as a length-delimited field @field at @p, @body the start of
 * the batch body; NULL if out of memory. A big plane gets zstd blocks of
 * its own: one Huffman table for the noisy low bytes, one for the high.
 */
static uint8_t *put_column(struct batch_packer *b, uint8_t *p, const uint8_t *body,
			   unsigned int field, const uint64_t *v, size_t n)
{
	size_t len;
	uint8_t *blob;

	if (!n) {
		*p++ = (uint8_t)(field << 3 | 2);
		*p++ = 0;
		return p;
	}
	if (!grow(&b->cbuf, &b->cbuf_cap, 1 + 8 * n, 1))
		return NULL;
	len = planes_put(v, n, b->cbuf);
	p = put_msg(p, field, b->cbuf, len);
	blob = p - len;
	if (n >= BATCH_CUT_MIN) {
		for (unsigned int k = 0; k < b->cbuf[0]; k++)
			cut_add(b, (size_t)(blob + 1 + k * n - body));
		cut_add(b, (size_t)(p - body));
	}
	return p;
}

/* The run as one length-prefixed batch record in b->buf; its length, 0 if out of memory. */
static size_t run_encode(struct batch_packer *b)
{
	struct column *ts = &b->col[S_TS];
	size_t need = 64 + 6 * SHAPES_MAX + 2 * b->n + 12 * (SHAPES_MAX + SLOTS), off[SHAPES_MAX + 1];
	unsigned int last = 0;
	uint8_t *p, *body;

	for (unsigned int i = 0; i < SLOTS; i++)
		need += 8 * b->col[i].n + 12;
	if (!grow(&b->buf, &b->buf_cap, need, 1) ||
	    !grow(&b->ts_sorted.v, &b->ts_sorted.cap, ts->n + 1, sizeof(uint64_t)))
		return 0;
	/* Timestamps by shape: an exit's gap and its kernel events' do not mix. */
	memset(off, 0, (b->n_shapes + 1) * sizeof(off[0]));
	for (size_t i = 0; i < ts->n; i++)
		off[b->ts_shape[i] + 1]++;
	for (unsigned int s = 0; s < b->n_shapes; s++)
		off[s + 1] += off[s];
	for (size_t i = 0; i < ts->n; i++)
		b->ts_sorted.v[off[b->ts_shape[i]]++] = ts->v[i];

	/* The body after room for the record's length, tag and the body's length. */
	body = p = b->buf + 2 * TRACE_VARINT_MAX + 1;
	b->n_rcuts = 0;
	uint8_t packed[SHAPES_MAX * 5], *q = packed;
	for (unsigned int s = 0; s < b->n_shapes; s++)
		q += trace_varint_put(q, b->shapes[s]);
	p = put_msg(p, 1, packed, (size_t)(q - packed));
	p = put_msg(p, 2, b->shape, b->n);
	for (unsigned int s = 0, start = 0; s < b->n_shapes; s++) {
		/* off[s] is now the end of shape s's timestamps. */
		p = put_column(b, p, body, 3, b->ts_sorted.v + start, off[s] - start);
		if (!p)
			return 0;
		start = (unsigned int)off[s];
	}
	for (unsigned int i = 0; i < SLOTS; i++)
		if (i != S_TS && b->col[i].n)
			last = i + 1;
	for (unsigned int i = 0; i < last; i++) {
		p = put_column(b, p, body, 4, b->col[i].v, i == S_TS ? 0 : b->col[i].n);
		if (!p)
			return 0;
	}

	size_t blen = (size_t)(p - body);
	uint8_t head[2 * TRACE_VARINT_MAX + 1], *h = head + TRACE_VARINT_MAX;
	size_t hl = 0;
	h[hl++] = TAG_BATCH;
	hl += trace_varint_put(h + hl, blen);
	size_t pre = trace_varint_put(head, hl + blen);
	memmove(head + pre, h, hl);
	memcpy(body - pre - hl, head, pre + hl);
	memmove(b->buf, body - pre - hl, pre + hl + blen);
	for (unsigned int i = 0; i < b->n_rcuts; i++)
		b->rcuts[i] += pre + hl;	/* now from the record's start */
	return pre + hl + blen;
}

/* Ends the run [@start, @stop) of the input: a batch if that is smaller, else as it was. */
static bool run_flush(struct batch_packer *b, const uint8_t *start, const uint8_t *stop,
		      uint8_t **o)
{
	size_t raw = (size_t)(stop - start), n = 0;

	if (!b->n)
		return true;
	if (b->n >= BATCH_MIN) {
		n = run_encode(b);
		if (!n)
			return false;
	}
	if (n && n < raw) {
		for (unsigned int i = 0; i < b->n_rcuts && b->n_cuts < BATCH_CUTS_MAX; i++)
			b->cuts[b->n_cuts++] = (size_t)(*o - b->out) + b->rcuts[i];
		memcpy(*o, b->buf, n);
		*o += n;
	} else {
		memcpy(*o, start, raw);
		*o += raw;
	}
	run_reset(b);
	return true;
}

size_t batch_pack(struct batch_packer *b, const uint8_t *in, size_t len, size_t from,
		  uint8_t *out)
{
	const uint8_t *q = in + from, *end = in + len, *start = NULL;
	uint8_t *o = out + from;
	uint64_t v[SLOTS];
	uint64_t m;

	memcpy(out, in, from);
	run_reset(b);
	b->out = out;
	b->n_cuts = 0;
	while (q < end) {
		uint64_t rl;
		size_t h = trace_varint_get(q, end, &rl);
		int ret;

		if (!h || rl > (uint64_t)(end - q) - h)
			break;	/* not the writer's: left as it is */
		if (!rec_hot_memo(b, q + h, (size_t)rl, &m, v)) {
			if (!run_flush(b, start, q, &o))
				return 0;
			start = NULL;
			memcpy(o, q, h + (size_t)rl);
			o += h + (size_t)rl;
		} else {
			ret = run_add(b, m, v);
			if (ret == 0) {	/* a new run for a new shape */
				if (!run_flush(b, start, q, &o))
					return 0;
				ret = run_add(b, m, v);
				start = NULL;
			}
			if (ret < 0)
				return 0;
			if (!start)
				start = q;
		}
		q += h + (size_t)rl;
	}
	if (!run_flush(b, start, q, &o))
		return 0;
	memcpy(o, q, (size_t)(end - q));
	o += end - q;
	return (size_t)(o - out);
}

size_t batch_compress(ZSTD_CCtx *c, const struct batch_packer *b, void *dst, size_t cap,
		      const uint8_t *src, size_t len)
{
	ZSTD_outBuffer out = { dst, cap, 0 };
	ZSTD_inBuffer in = { src, 0, 0 };
	unsigned int n = b ? b->n_cuts : 0;
	size_t ret;

	if (!n)
		return ZSTD_compress2(c, dst, cap, src, len);
	ZSTD_CCtx_reset(c, ZSTD_reset_session_only);
	ret = ZSTD_CCtx_setPledgedSrcSize(c, len);
	if (ZSTD_isError(ret))
		return ret;
	for (unsigned int i = 0; i <= n; i++) {
		ZSTD_EndDirective end = i < n ? ZSTD_e_flush : ZSTD_e_end;

		in.size = i < n && b->cuts[i] < len ? b->cuts[i] : len;
		do {
			ret = ZSTD_compressStream2(c, &out, &in, end);
			if (ZSTD_isError(ret))
				return ret;
			if (ret && out.pos == out.size)
				return (size_t)-ZSTD_error_dstSize_tooSmall;
		} while (ret);
	}
	return out.pos;
}

/* ---------------------------------------------------------------------------
 * Readers
 */

struct planes {
	const uint8_t *p;       /* plane 0 */
	size_t n, i;            /* values, the next one */
	unsigned int w;         /* planes */
	const uint64_t *u;      /* the values put together (planes_unpack()), or NULL */
};

static bool planes_open(struct planes *pl, const uint8_t *p, size_t len)
{
	pl->n = pl->i = 0;
	pl->w = 0;
	pl->p = NULL;
	pl->u = NULL;
	if (!len)
		return true;
	if (p[0] < 1 || p[0] > 8 || len < 1u + p[0] || (len - 1) % p[0])
		return false;
	pl->w = p[0];
	pl->p = p + 1;
	pl->n = (len - 1) / p[0];
	return true;
}

static inline bool planes_get(struct planes *pl, uint64_t *v)
{
	const uint8_t *q;
	uint64_t r = 0;

	if (pl->i == pl->n)
		return false;
	if (pl->u) {
		*v = pl->u[pl->i++];
		return true;
	}
	q = pl->p + pl->i;
	for (unsigned int k = 0; k < pl->w; k++, q += pl->n)
		r |= (uint64_t)*q << (8 * k);
	pl->i++;
	*v = r;
	return true;
}

/*
 * Every value of @pl put together at once, plane after plane, into @out (@pl->n
 * values): one pass over each plane, where planes_get() reads a byte of
 * each of W planes a value.
 */
static void planes_unpack(struct planes *pl, uint64_t *out)
{
	for (size_t i = 0; i < pl->n; i++)
		out[i] = pl->p[i];
	for (unsigned int k = 1; k < pl->w; k++) {
		const uint8_t *q = pl->p + k * pl->n;

		for (size_t i = 0; i < pl->n; i++)
			out[i] |= (uint64_t)q[i] << (8 * k);
	}
	pl->u = out;
}

static bool planes_done(const struct planes *pl)
{
	return pl->i == pl->n;
}

/*
 * Per shape, where each of its values comes from, in slot order: worked out
 * once a batch (batch_parse()), not once a value.
 */
struct shape_plan {
	unsigned int n;
	uint8_t slot[SLOTS];
	struct planes *pl[SLOTS];
};

/* The Batch at @p (@len bytes) parsed: false if it is not one the writer could have made. */
struct batch_view {
	uint64_t shapes[SHAPES_MAX];
	unsigned int n_shapes, n_ts, n_cols;
	const uint8_t *shape;
	size_t n;
	struct planes ts[SHAPES_MAX], col[SLOTS];
	struct shape_plan plan[SHAPES_MAX];
};

static void plan_make(struct batch_view *bv, unsigned int s, struct shape_plan *sp)
{
	sp->n = 0;
	for (uint64_t bits = bv->shapes[s] & ~MESSAGES; bits; bits &= bits - 1) {
		unsigned int k = (unsigned int)__builtin_ctzll(bits);

		sp->slot[sp->n] = (uint8_t)k;
		sp->pl[sp->n++] = k == S_TS ? &bv->ts[s] :
				  M(k) & DATA_MASK ? &bv->col[S_DATA1] : &bv->col[k];
	}
}

static bool batch_parse(const uint8_t *p, size_t len, struct batch_view *bv)
{
	const uint8_t *end = p + len, *b;
	unsigned int f, last = 0;
	uint64_t x;

	bv->n_shapes = bv->n_ts = bv->n_cols = 0;
	bv->shape = NULL;
	bv->n = 0;
	while (p < end) {
		if (!field_next(&p, end, &f, &x, &b) || !b || f < last || (f == last && f < 3))
			return false;
		last = f;
		if (f == 1) {
			const uint8_t *s = b, *se = b + x;

			while (s < se) {
				uint64_t m;
				size_t h = trace_varint_get(s, se, &m);

				if (!h || bv->n_shapes == SHAPES_MAX || !shape_ok(m))
					return false;
				bv->shapes[bv->n_shapes++] = m;
				s += h;
			}
		} else if (f == 2) {
			bv->shape = b;
			bv->n = (size_t)x;
		} else if (f == 3) {
			if (bv->n_ts == SHAPES_MAX || !planes_open(&bv->ts[bv->n_ts++], b, (size_t)x))
				return false;
		} else if (f == 4) {
			if (bv->n_cols == SLOTS || !planes_open(&bv->col[bv->n_cols++], b, (size_t)x))
				return false;
		} else {
			return false;
		}
	}
	if (bv->n_ts > bv->n_shapes)
		return false;
	while (bv->n_ts < bv->n_shapes)
		planes_open(&bv->ts[bv->n_ts++], NULL, 0);
	while (bv->n_cols < SLOTS)
		planes_open(&bv->col[bv->n_cols++], NULL, 0);
	for (size_t i = 0; i < bv->n; i++)
		if (bv->shape[i] >= bv->n_shapes)
			return false;
	for (unsigned int k = 0; k < bv->n_shapes; k++)
		plan_make(bv, k, &bv->plan[k]);
	return true;
}

/*
 * The values of a record of plan @sp's shape into @v (*@prev: the last data
 * value, which data is a difference from). False if a column runs short or a
 * data value is wider than its field.
 */
static inline bool plan_record(const struct shape_plan *sp, uint64_t *prev, uint64_t *v)
{
	for (unsigned int j = 0; j < sp->n; j++) {
		unsigned int k = sp->slot[j];

		if (!planes_get(sp->pl[j], &v[k]))
			return false;
		if (M(k) & DATA_MASK) {
			unsigned int dl = data_len[k - S_DATA1];

			v[k] = *prev + (uint64_t)unzigzag(v[k]);
			if (dl < 8 && v[k] >> (8 * dl))
				return false;
			*prev = v[k];
		}
	}
	return true;
}

/* Every value of every column taken: a column with more is damage. */
static bool view_done(const struct batch_view *bv)
{
	for (unsigned int s = 0; s < bv->n_shapes; s++)
		if (!planes_done(&bv->ts[s]))
			return false;
	for (unsigned int k = 0; k < SLOTS; k++)
		if (!planes_done(&bv->col[k]))
			return false;
	return true;
}

/* The records of the batch at @p into @o (room: @room); their length, or -1 if it is bad. */
static long batch_write(const uint8_t *p, size_t len, struct batch_view *bv, uint8_t *o,
			size_t room)
{
	uint8_t *start = o;
	uint64_t prev = 0, v[SLOTS] = { 0 };

	if (!batch_parse(p, len, bv) || !bv->n)
		return -1;
	for (size_t i = 0; i < bv->n; i++) {
		uint64_t m = bv->shapes[bv->shape[i]];
		uint8_t rec[REC_MAX];
		size_t n;

		if (!plan_record(&bv->plan[bv->shape[i]], &prev, v))
			return -1;
		/* Most records are short: encoded in place after a one-byte length. */
		if (room >= REC_MAX + 1 && (n = rec_encode_short(m, v, o + 1)) && n < 0x80) {
			*o = (uint8_t)n;
			o += n + 1;
			room -= n + 1;
			continue;
		}
		n = rec_encode(m, v, rec);
		if (room < n + 2)
			return -1;
		room -= trace_varint_len(n);
		o += trace_varint_put(o, n);
		memcpy(o, rec, n);
		o += n;
		room -= n;
	}
	return view_done(bv) ? (long)(o - start) : -1;
}

/* The Batch inside the record @r (@rl bytes), or NULL if the record is not a batch. */
static const uint8_t *batch_of(const uint8_t *r, size_t rl, size_t *blen)
{
	uint64_t n;
	size_t h;

	if (!rl || r[0] != TAG_BATCH)
		return NULL;
	h = trace_varint_get(r + 1, r + rl, &n);
	if (!h || n != rl - 1 - h)
		return NULL;
	*blen = (size_t)n;
	return r + 1 + h;
}

long batch_expand(const uint8_t *in, size_t len, size_t from, uint8_t **out, size_t *cap,
		  size_t max)
{
	const uint8_t *q = in + from, *end = in + len, *first = NULL;
	struct batch_view *bv;
	size_t o;

	/* Most frames of most traces have none: find the first without copying. */
	while (q < end && !first) {
		uint64_t rl;
		size_t h = trace_varint_get(q, end, &rl), bl;

		if (!h || rl > (uint64_t)(end - q) - h)
			return 0;
		if (batch_of(q + h, (size_t)rl, &bl))
			first = q;
		q += h + (size_t)rl;
	}
	if (!first)
		return 0;
	if (!grow(out, cap, len * 4 < max ? len * 4 : len, 1))
		return -ENOMEM;
	bv = malloc(sizeof(*bv));
	if (!bv)
		return -ENOMEM;
	o = (size_t)(first - in);
	memcpy(*out, in, o);
	for (q = first; q < end;) {
		uint64_t rl;
		size_t h = trace_varint_get(q, end, &rl), bl, room;
		const uint8_t *batch;
		long n = -1;

		if (!h || rl > (uint64_t)(end - q) - h)
			break;
		batch = batch_of(q + h, (size_t)rl, &bl);
		if (batch) {
			/* A record of a batch is at most REC_MAX + 2 bytes, one per shape byte. */
			room = max > o ? max - o : 0;
			if (!grow(out, cap, o + (bl * (REC_MAX + 2) < room ? bl * (REC_MAX + 2) : room),
				  1)) {
				free(bv);
				return -ENOMEM;
			}
			room = *cap - o < room ? *cap - o : room;
			n = batch_write(batch, bl, bv, *out + o, room);
			if (n < 0)
				break;	/* left as it is, with the rest: the reader says where */
			o += (size_t)n;
		} else {
			if (!grow(out, cap, o + h + (size_t)rl, 1)) {
				free(bv);
				return -ENOMEM;
			}
			memcpy(*out + o, q, h + (size_t)rl);
			o += h + (size_t)rl;
		}
		q += h + (size_t)rl;
	}
	free(bv);
	if (!grow(out, cap, o + (size_t)(end - q), 1))
		return -ENOMEM;
	memcpy(*out + o, q, (size_t)(end - q));
	o += (size_t)(end - q);
	return (long)o;
}

/* ---------------------------------------------------------------------------
 * Readers: a batch straight into records
 */

/*
 * The most bytes the record of shape @m takes as batch_expand() writes it,
 * its length included: a tag and at most ten bytes a value (data: tag,
 * length, eight), a tag and a length a message, three for the length.
 */
static size_t rec_bound(uint64_t m)
{
	return 3 + 4 * (size_t)__builtin_popcountll(m & MESSAGES) +
	       11 * (size_t)__builtin_popcountll(m & ~MESSAGES);
}

static int32_t unzigzag32(uint64_t v)
{
	uint32_t u = (uint32_t)v;

	return (int32_t)((u >> 1) ^ -(u & 1));
}

/* Field @f of a message set from slot @slot when the shape has it, as decoding its bytes would. */
#define SET(msg, f, slot, conv)                         \
	do {                                            \
		if (m & M(slot)) {                      \
			(msg)->has_##f = 1;             \
			(msg)->f = conv(v[slot]);       \
		}                                       \
	} while (0)
#define U32(x) ((uint32_t)(x))
#define U64(x) (x)
#define ENUM(x) ((Kvmrec__KernelEventId)(int32_t)(uint32_t)(x))
#define BOOL(x) ((x) != 0)

/* ExitIo of the record of shape @m, values @v: as trace_decode makes it of rec_encode()'s bytes. */
static Kvmrec__ExitIo *io_build(uint64_t m, const uint64_t *v, ProtobufCAllocator *a)
{
	Kvmrec__ExitIo *io = trace_arena_pb_alloc(a, sizeof(*io));

	if (!io)
		return NULL;
	PB_INIT(io, Kvmrec__ExitIo, KVMREC__EXIT_IO__INIT);
	SET(io, out, S_IO1, BOOL);
	SET(io, size, S_IO1 + 1, U32);
	SET(io, port, S_IO1 + 2, U32);
	SET(io, count, S_IO1 + 3, U32);
	if (m & DATA_MASK) {
		unsigned int i = (unsigned int)__builtin_ctzll(m & DATA_MASK) - S_DATA1;
		uint64_t d = v[S_DATA1 + i];
		uint8_t *b = trace_arena_pb_alloc(a, data_len[i]);

		if (!b)
			return NULL;
		for (unsigned int j = 0; j < data_len[i]; j++, d >>= 8)
			b[j] = (uint8_t)d;
		io->has_data = 1;
		io->data.len = data_len[i];
		io->data.data = b;
	}
	SET(io, data_add, S_ADD, unzigzag);
	return io;
}

static Kvmrec__RunExit *exit_build(uint64_t m, const uint64_t *v, ProtobufCAllocator *a)
{
	Kvmrec__RunExit *x = trace_arena_pb_alloc(a, sizeof(*x));

	if (!x)
		return NULL;
	PB_INIT(x, Kvmrec__RunExit, KVMREC__RUN_EXIT__INIT);
	SET(x, reason, S_X1, U32);
	SET(x, ret, S_X1 + 1, unzigzag32);
	SET(x, err, S_X1 + 2, U32);
	SET(x, flags, S_X1 + 3, U32);
	SET(x, run_ns, S_X1 + 4, U64);
	SET(x, cr8, S_X1 + 5, U64);
	SET(x, apic_base, S_X1 + 6, U64);
	SET(x, run_flags, S_X1 + 7, U32);
	SET(x, cr8_in, S_X1 + 8, U64);
	if (m & M(S_IO)) {
		x->io = io_build(m, v, a);
		if (!x->io)
			return NULL;
		x->payload_case = KVMREC__RUN_EXIT__PAYLOAD_IO;
	}
	return x;
}

static Kvmrec__KernelEvent *kevent_build(uint64_t m, const uint64_t *v, ProtobufCAllocator *a)
{
	Kvmrec__KernelEvent *k = trace_arena_pb_alloc(a, sizeof(*k));
	/* Args fill slots from S_KA1 up without a gap (shape_ok()). */
	size_t n = (size_t)__builtin_ctzll(~(m >> S_KA1));

	if (!k)
		return NULL;
	PB_INIT(k, Kvmrec__KernelEvent, KVMREC__KERNEL_EVENT__INIT);
	SET(k, id, S_KID, ENUM);
	SET(k, cpu, S_KCPU, U32);
	if (n) {
		k->args = trace_arena_pb_alloc(a, n * sizeof(*k->args));
		if (!k->args)
			return NULL;
		for (size_t i = 0; i < n; i++)
			k->args[i] = unzigzag(v[S_KA1 + i]);
		k->n_args = n;
	}
	return k;
}

static Kvmrec__KernelRef *kref_build(uint64_t m, const uint64_t *v, ProtobufCAllocator *a)
{
	Kvmrec__KernelRef *k = trace_arena_pb_alloc(a, sizeof(*k));

	if (!k)
		return NULL;
	PB_INIT(k, Kvmrec__KernelRef, KVMREC__KERNEL_REF__INIT);
	SET(k, exit, S_K1, unzigzag32);
	SET(k, id, S_K1 + 1, ENUM);
	SET(k, cpu, S_K1 + 2, U32);
	SET(k, mmio_type, S_K1 + 3, U32);
	return k;
}

/* The record of shape @m with values @v: what decoding rec_encode()'s bytes gives, field for field. */
static Kvmrec__Record *rec_build(uint64_t m, const uint64_t *v, ProtobufCAllocator *a)
{
	Kvmrec__Record *r = trace_arena_pb_alloc(a, sizeof(*r));

	if (!r)
		return NULL;
	PB_INIT(r, Kvmrec__Record, KVMREC__RECORD__INIT);
	SET(r, ts_delta, S_TS, unzigzag);
	SET(r, vcpu, S_VCPU, unzigzag32);
	SET(r, tid, S_TID, U32);
	if (m & M(S_EXIT)) {
		r->exit = exit_build(m, v, a);
		r->body_case = KVMREC__RECORD__BODY_EXIT;
	} else if (m & M(S_KEV)) {
		r->kevent = kevent_build(m, v, a);
		r->body_case = KVMREC__RECORD__BODY_KEVENT;
	} else {
		r->kref = kref_build(m, v, a);
		r->body_case = KVMREC__RECORD__BODY_KREF;
	}
	return r->exit ? r : NULL;	/* the body's union: NULL if it could not be made */
}

#undef SET
#undef U32
#undef U64
#undef ENUM
#undef BOOL

const uint8_t *batch_body(const uint8_t *r, size_t rl, size_t *blen)
{
	return batch_of(r, rl, blen);
}

long batch_decode(const uint8_t *p, size_t len, ProtobufCAllocator *a, size_t *budget,
		  int (*emit)(void *ctx, Kvmrec__Record *rec), void *ctx)
{
	struct batch_view *bv = malloc(sizeof(*bv));
	uint64_t prev = 0, v[SLOTS] = { 0 };
	size_t bound = 0, shape_bound[SHAPES_MAX];
	long ret = -EINVAL;

	if (!bv)
		return -ENOMEM;
	if (!batch_parse(p, len, bv) || !bv->n)
		goto out;
	for (unsigned int k = 0; k < bv->n_shapes; k++)
		shape_bound[k] = rec_bound(bv->shapes[k]);
	for (size_t i = 0; i < bv->n; i++)
		bound += shape_bound[bv->shape[i]];
	if (bound > *budget) {
		ret = -E2BIG;
		goto out;
	}
	*budget -= bound;
	/* Columns unpacked whole first, into the arena: they live as long as the records. */
	for (unsigned int k = 0; k < bv->n_shapes + SLOTS; k++) {
		struct planes *pl = k < bv->n_shapes ? &bv->ts[k] : &bv->col[k - bv->n_shapes];
		uint64_t *u;

		if (!pl->n)
			continue;
		u = trace_arena_pb_alloc(a, pl->n * sizeof(*u));
		if (!u) {
			ret = -ENOMEM;
			goto out;
		}
		planes_unpack(pl, u);
	}
	for (size_t i = 0; i < bv->n; i++) {
		unsigned int s = bv->shape[i];
		Kvmrec__Record *rec;

		if (!plan_record(&bv->plan[s], &prev, v))
			goto out;
		rec = rec_build(bv->shapes[s], v, a);
		if (!rec) {
			ret = -ENOMEM;
			goto out;
		}
		if (emit(ctx, rec)) {
			ret = -ENOMEM;
			goto out;
		}
	}
	ret = view_done(bv) ? (long)bv->n : -EINVAL;
out:
	free(bv);
	return ret;
}
