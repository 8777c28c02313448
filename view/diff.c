// SPDX-License-Identifier: GPL-2.0-only
/* diff: every divergent region per vCPU of two exit streams (see diff.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "trace_format.h"
#include "diff.h"
#include "trace_reader.h"

#define DIFF_MAX_STREAMS 512
#define DIFF_VM_STREAM   TRACE_VCPU_NONE

/*
 * Resynchronisation: after a divergence, the nearest pair of positions
 * (fewest events skipped on both sides together) where DIFF_SYNC_RUN events
 * in a row match again, or where both streams end, closes the region. The
 * search looks DIFF_LOOKAHEAD events ahead on each side; memory stays
 * bounded by that, not by the trace.
 */
#define DIFF_LOOKAHEAD   4096
#define DIFF_SYNC_RUN    4
#define DIFF_QCAP        (DIFF_LOOKAHEAD + DIFF_SYNC_RUN + 1)
#define DIFF_SHOWN       12     /* events of a region shown per side */
#define DIFF_INPUTS_SHOWN 64    /* input differences listed per stream */

/* How a pair of stream events, one per trace, compare. */
enum pair_class {
	PAIR_SAME,
	PAIR_SOFT,     /* differ only in the irq-window request on entry */
	PAIR_INPUT,    /* the same exit, a different input (IN, MMIO read, RDMSR data) */
	PAIR_DIFF,
};

struct diff_ent {
	uint64_t n, seq;
	struct exit_stream_key key;     /* everything compared */
	struct exit_stream_key soft;    /* without the irq-window request */
	struct exit_stream_key loose;   /* without it and without inputs */
	bool window_req;
	char text[TRACE_FORMAT_SHORT_MAX];
};

/* One trace, read as one vCPU's exit stream through a lookahead queue. */
struct diff_side {
	const char *path;
	struct trace_reader *r;
	int32_t vcpu;
	struct diff_ent *q;            /* DIFF_QCAP slots */
	unsigned int head, len;
	uint64_t n;                    /* stream events read so far */
	bool end;
};

/* What one pass over one trace learnt about it. */
struct diff_scan {
	int32_t streams[DIFF_MAX_STREAMS];
	size_t n_streams;
	bool too_many;
	uint64_t lost;         /* Drop records' counts + Footer dropped + kernel_lost */
	bool footer;
};

/* What one stream's comparison found, for its summary and the total. */
struct diff_tally {
	unsigned int regions;
	uint64_t inputs;
	uint64_t soft_n, soft_seq_a, soft_seq_b;   /* first soft difference, 0: none */
	bool soft_a_asked;
	char soft_a[TRACE_FORMAT_SHORT_MAX], soft_b[TRACE_FORMAT_SHORT_MAX];
	uint64_t first_n, first_seq_a, first_seq_b; /* first region, 0: none */
	bool unsynced;                 /* gave up: no resync within the lookahead */
};

static void set_err(char *err, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, n, fmt, ap);
	va_end(ap);
}

static int reader_fail(struct trace_reader *r, const char *path, int ret, char *err, size_t n)
{
	trace_reader_explain(r, path, ret, err, n);
	return ret;
}

static void scan_add_stream(struct diff_scan *s, int32_t id)
{
	size_t i = 0;

	while (i < s->n_streams && s->streams[i] < id)
		i++;
	if (i < s->n_streams && s->streams[i] == id)
		return;
	if (s->n_streams >= DIFF_MAX_STREAMS) {
		s->too_many = true;
		return;
	}
	memmove(&s->streams[i + 1], &s->streams[i], (s->n_streams - i) * sizeof(s->streams[0]));
	s->streams[i] = id;
	s->n_streams++;
}

/* Which streams the trace has, and whether it lost anything. */
static int diff_scan(const char *path, const struct diff_opts *o, struct diff_scan *s,
		     char *err, size_t errlen)
{
	struct trace_reader *r = NULL;
	struct exit_stream_key key = { 0 };
	struct trace_event ev;
	int ret = trace_reader_open(path, &r);

	if (ret < 0)
		goto fail;
	while ((ret = trace_reader_next(r, &ev)) > 0) {
		if (ev.rec->body_case == KVMREC__RECORD__BODY_DROP)
			s->lost += ev.rec->drop->count ? ev.rec->drop->count : 1;
		int in = exit_stream_key(ev.rec, &o->stream, &key);
		if (in < 0) {
			ret = in;
			goto fail;
		}
		if (in)
			scan_add_stream(s, ev.vcpu);
	}
	if (ret < 0)
		goto fail;
	const Kvmrec__Footer *f = trace_reader_footer(r);
	s->footer = f != NULL;
	if (f)
		s->lost += f->dropped + f->kernel_lost;
	exit_stream_key_free(&key);
	trace_reader_close(r);
	return 0;
fail:
	reader_fail(r, path, ret, err, errlen);
	exit_stream_key_free(&key);
	trace_reader_close(r);
	return ret;
}

static struct diff_ent *ent(struct diff_side *s, unsigned int i)
{
	return &s->q[(s->head + i) % DIFF_QCAP];
}

static void side_pop(struct diff_side *s, unsigned int k)
{
	s->head = (s->head + k) % DIFF_QCAP;
	s->len -= k;
}

/* Reads stream events until @want are queued or the stream ends; 0 or -errno. */
static int side_fill(struct diff_side *s, const struct diff_opts *o, unsigned int want)
{
	struct exit_stream_opts soft = o->stream, loose = o->stream;
	struct trace_event ev;
	int ret = 0;

	soft.no_window_request = true;
	loose.no_window_request = true;
	loose.no_inputs = true;
	while (s->len < want && !s->end) {
		struct diff_ent *e = ent(s, s->len);
		int in;

		ret = trace_reader_next(s->r, &ev);
		if (ret <= 0) {
			s->end = !ret;
			break;
		}
		if (ev.vcpu != s->vcpu)
			continue;
		in = exit_stream_key(ev.rec, &o->stream, &e->key);
		if (in <= 0) {
			if (in < 0)
				return in;
			continue;
		}
		if (exit_stream_key(ev.rec, &soft, &e->soft) < 0 ||
		    exit_stream_key(ev.rec, &loose, &e->loose) < 0)
			return -ENOMEM;
		e->n = ++s->n;
		e->seq = ev.seq;
		e->window_req = ev.rec->body_case == KVMREC__RECORD__BODY_EXIT &&
				(ev.rec->exit->flags & KVMREC__RUN_FLAG__RUN_REQUEST_IRQ_WINDOW);
		trace_format_short(ev.rec, e->text, sizeof(e->text));
		s->len++;
	}
	return ret < 0 ? ret : 0;
}

static enum pair_class pair_class(const struct diff_ent *a, const struct diff_ent *b)
{
	if (exit_stream_key_equal(&a->key, &b->key))
		return PAIR_SAME;
	if (exit_stream_key_equal(&a->soft, &b->soft))
		return PAIR_SOFT;
	if (exit_stream_key_equal(&a->loose, &b->loose))
		return PAIR_INPUT;
	return PAIR_DIFF;
}

/* Do the streams run together again from A's queue slot @i and B's @j? */
static bool synced_at(struct diff_side side[2], unsigned int i, unsigned int j)
{
	for (unsigned int k = 0; k < DIFF_SYNC_RUN; k++) {
		bool ea = i + k >= side[0].len, eb = j + k >= side[1].len;

		if (ea && eb)
			return side[0].end && side[1].end;	/* both end here */
		if (ea || eb)
			return false;
		if (pair_class(ent(&side[0], i + k), ent(&side[1], j + k)) == PAIR_DIFF)
			return false;
	}
	return true;
}

/* The nearest resync point, fewest events skipped first; false if none in the lookahead. */
static bool find_sync(struct diff_side side[2], unsigned int *pi, unsigned int *pj)
{
	unsigned int la = side[0].len, lb = side[1].len;

	for (unsigned int d = 1; d <= la + lb; d++) {
		/* Balanced skips first: a changed event is likelier than an extra one. */
		for (unsigned int off = 0; off <= d / 2 + 1; off++) {
			for (int sign = 0; sign < 2; sign++) {
				long i = (long)(d / 2) + (sign ? -(long)off : (long)off);
				long j = (long)d - i;

				if ((sign && !off) || i < 0 || j < 0 || i > (long)la || j > (long)lb ||
				    i > DIFF_LOOKAHEAD || j > DIFF_LOOKAHEAD)
					continue;
				if (synced_at(side, (unsigned int)i, (unsigned int)j)) {
					*pi = (unsigned int)i;
					*pj = (unsigned int)j;
					return true;
				}
			}
		}
	}
	return false;
}

static void stream_name(int32_t id, char *buf, size_t n)
{
	if (id == DIFF_VM_STREAM)
		snprintf(buf, n, "VM-wide");
	else
		snprintf(buf, n, "vCPU %d", id);
}

/* A matched pair: ' ' same, '~' irq-window request only, '!' input. */
static void print_pair(FILE *out, const struct diff_ent *a, const struct diff_ent *b,
		       enum pair_class c)
{
	if (c == PAIR_SAME) {
		fprintf(out, "    #%-6" PRIu64 " A seq %-8" PRIu64 " B seq %-8" PRIu64 " %s\n",
			a->n, a->seq, b->seq, a->text);
		return;
	}
	char m = c == PAIR_SOFT ? '~' : '!';
	fprintf(out, "  %c #%-6" PRIu64 " A seq %-8" PRIu64 " %s\n", m, a->n, a->seq, a->text);
	fprintf(out, "  %c #%-6" PRIu64 " B seq %-8" PRIu64 " %s\n", m, b->n, b->seq, b->text);
}

static void print_soft(FILE *out, const struct diff_tally *t)
{
	fprintf(out, "  first difference at #%" PRIu64 ": %s asked for an interrupt window on "
		     "entry, %s did not (A seq %" PRIu64 ", B seq %" PRIu64 ")\n",
		t->soft_n, t->soft_a_asked ? "A" : "B", t->soft_a_asked ? "B" : "A",
		t->soft_seq_a, t->soft_seq_b);
}

/* One side of a region: its first DIFF_SHOWN events, then how many more. */
static void print_region_side(FILE *out, struct diff_side *s, unsigned int k, int which)
{
	char m = which ? '+' : '-', name = which ? 'B' : 'A';

	for (unsigned int x = 0; x < k && x < DIFF_SHOWN; x++) {
		const struct diff_ent *e = ent(s, x);
		fprintf(out, "  %c #%-6" PRIu64 " %c seq %-8" PRIu64 " %s\n", m, e->n, name,
			e->seq, e->text);
	}
	if (k > DIFF_SHOWN)
		fprintf(out, "  %c ... %u more %c events\n", m, k - DIFF_SHOWN, name);
	if (k < DIFF_SHOWN && s->end && k == s->len)
		fprintf(out, "  %c #%-6" PRIu64 " %c: (end of stream)\n", m, s->n + 1, name);
}

/* The region header; the first region keeps the one-divergence wording. */
static void print_region_head(FILE *out, const char *name, struct diff_side side[2],
			      const struct diff_tally *t)
{
	const struct diff_ent *a = side[0].len ? ent(&side[0], 0) : NULL;
	const struct diff_ent *b = side[1].len ? ent(&side[1], 0) : NULL;
	uint64_t na = a ? a->n : side[0].n + 1, nb = b ? b->n : side[1].n + 1;

	if (t->regions == 1)
		fprintf(out, "%s: differ at event #%" PRIu64 " of its stream", name,
			na > nb ? na : nb);
	else if (na == nb)
		fprintf(out, "  region %u at event #%" PRIu64, t->regions, na);
	else
		fprintf(out, "  region %u at A event #%" PRIu64 ", B event #%" PRIu64, t->regions,
			na, nb);
	if (a && b)
		fprintf(out, " (A seq %" PRIu64 ", B seq %" PRIu64 ")\n", a->seq, b->seq);
	else if (!a)
		fprintf(out, ": A ends after %" PRIu64 " events, B goes on (seq %" PRIu64 ")\n",
			side[0].n, b->seq);
	else
		fprintf(out, ": B ends after %" PRIu64 " events, A goes on (seq %" PRIu64 ")\n",
			side[1].n, a->seq);
}

/* One stream's comparison in progress: both sides and what is queued, shown, owed. */
struct diff_cmp {
	struct diff_side side[2];
	const struct diff_opts *o;
	FILE *out;
	struct diff_tally *t;
	char name[32];
	bool list_inputs;
	/*
	 * Matched events stay queued (up to the context) until a region needs
	 * them printed before it: queue slots 0..ring_n-1 on both sides are
	 * already-matched pairs, the comparison goes on from slot ring_n.
	 */
	unsigned int ring_n;
	unsigned int after;            /* matched pairs still to print after a region */
};

static int diff_cmp_open(struct diff_cmp *d, char *err, size_t errlen)
{
	for (int i = 0; i < 2; i++) {
		d->side[i].q = calloc(DIFF_QCAP, sizeof(struct diff_ent));
		if (!d->side[i].q) {
			set_err(err, errlen, "%s: out of memory", d->side[0].path);
			return -ENOMEM;
		}
		int r = trace_reader_open(d->side[i].path, &d->side[i].r);
		if (r < 0)
			return reader_fail(d->side[i].r, d->side[i].path, r, err, errlen);
	}
	return 0;
}

static void diff_cmp_close(struct diff_cmp *d)
{
	for (int i = 0; i < 2; i++) {
		struct diff_side *s = &d->side[i];

		if (s->q)
			for (unsigned int k = 0; k < DIFF_QCAP; k++) {
				exit_stream_key_free(&s->q[k].key);
				exit_stream_key_free(&s->q[k].soft);
				exit_stream_key_free(&s->q[k].loose);
			}
		free(s->q);
		trace_reader_close(s->r);
	}
}

/* Both queues filled to @want events (or their stream's end); 0 or -errno with @err set. */
static int diff_fill(struct diff_cmp *d, unsigned int want, char *err, size_t errlen)
{
	for (int i = 0; i < 2; i++) {
		struct diff_side *s = &d->side[i];
		int r = side_fill(s, d->o, want);

		if (r == -ENOMEM) {
			set_err(err, errlen, "%s: out of memory", d->side[0].path);
			return r;
		}
		if (r < 0)
			return reader_fail(s->r, s->path, r, err, errlen);
	}
	return 0;
}

/* A pair at slot ring_n that matches (same, soft or input): tally it, print it or keep it. */
static void diff_matched(struct diff_cmp *d, enum pair_class c)
{
	struct diff_side *side = d->side;
	struct diff_ent *a = ent(&side[0], d->ring_n), *b = ent(&side[1], d->ring_n);
	struct diff_tally *t = d->t;
	bool shown = false;

	if (c == PAIR_SOFT && !t->soft_n) {
		t->soft_n = a->n;
		t->soft_seq_a = a->seq;
		t->soft_seq_b = b->seq;
		t->soft_a_asked = a->window_req;
		snprintf(t->soft_a, sizeof(t->soft_a), "%s", a->text);
		snprintf(t->soft_b, sizeof(t->soft_b), "%s", b->text);
	}
	if (c == PAIR_INPUT) {
		t->inputs++;
		if (d->list_inputs && t->inputs <= DIFF_INPUTS_SHOWN) {
			if (t->inputs == 1 && !t->regions)
				fprintf(d->out, "%s: input differences:\n", d->name);
			print_pair(d->out, a, b, c);
			shown = true;
		}
	}
	if (d->after && !shown) {
		print_pair(d->out, a, b, c);
		d->after--;
		shown = true;
	}
	if (shown) {
		/* Printed: drop it and everything before it from the context. */
		side_pop(&side[0], d->ring_n + 1);
		side_pop(&side[1], d->ring_n + 1);
		d->ring_n = 0;
	} else if (d->ring_n < d->o->context) {
		d->ring_n++;
	} else {
		side_pop(&side[0], 1);
		side_pop(&side[1], 1);
	}
}

/*
 * A region starting at slot ring_n, the lookahead filled: print it with its
 * context and resume after it. False when it never resynchronises: the rest
 * of the stream is not compared.
 */
static bool diff_region(struct diff_cmp *d)
{
	struct diff_side *side = d->side;
	struct diff_tally *t = d->t;
	/* The queues from the region on; slots before it are the context. */
	struct diff_side view[2] = { side[0], side[1] };
	unsigned int si, sj;

	t->regions++;
	for (int i = 0; i < 2; i++) {
		view[i].head = (view[i].head + d->ring_n) % DIFF_QCAP;
		view[i].len -= d->ring_n;
	}
	if (t->regions == 1) {
		const struct diff_ent *a = view[0].len ? ent(&view[0], 0) : NULL;
		const struct diff_ent *b = view[1].len ? ent(&view[1], 0) : NULL;
		t->first_n = a ? a->n : b->n;
		if (b && b->n > t->first_n)
			t->first_n = b->n;
		t->first_seq_a = a ? a->seq : 0;
		t->first_seq_b = b ? b->seq : 0;
	}
	print_region_head(d->out, d->name, view, t);
	if (t->regions == 1 && t->soft_n)
		print_soft(d->out, t);
	for (unsigned int k = 0; k < d->ring_n; k++) {
		struct diff_ent *a = ent(&side[0], k), *b = ent(&side[1], k);
		print_pair(d->out, a, b, pair_class(a, b));
	}
	bool found = find_sync(view, &si, &sj);
	if (!found) {
		si = view[0].len < DIFF_SHOWN ? view[0].len : DIFF_SHOWN;
		sj = view[1].len < DIFF_SHOWN ? view[1].len : DIFF_SHOWN;
	}
	print_region_side(d->out, &view[0], si, 0);
	print_region_side(d->out, &view[1], sj, 1);
	if (!found) {
		fprintf(d->out, "  no resynchronisation within %d events of either side; "
				"the rest of %s is not compared\n", DIFF_LOOKAHEAD, d->name);
		t->unsynced = true;
		return false;
	}
	side_pop(&side[0], d->ring_n + si);
	side_pop(&side[1], d->ring_n + sj);
	d->ring_n = 0;
	d->after = d->o->context;
	return true;
}

/* The stream's verdict line(s), after its regions and input differences. */
static void diff_summary(const struct diff_cmp *d)
{
	const struct diff_tally *t = d->t;
	const char *name = d->name;
	FILE *out = d->out;
	uint64_t na = d->side[0].n, nb = d->side[1].n;

	if (!t->regions && !t->soft_n && !t->inputs) {
		fprintf(out, "%s: same (%" PRIu64 " events)\n", name, na);
	} else if (!t->regions && !t->soft_n) {
		fprintf(out, "%s: same but for %" PRIu64 " input difference%s (%" PRIu64 " events)\n",
			name, t->inputs, t->inputs == 1 ? "" : "s", na);
	} else if (!t->regions) {
		fprintf(out, "%s: differ only in interrupt-window requests (%" PRIu64 " events)\n",
			name, na);
		print_soft(out, t);
		fprintf(out, "  - #%-6" PRIu64 " A seq %-8" PRIu64 " %s\n", t->soft_n, t->soft_seq_a,
			t->soft_a);
		fprintf(out, "  + #%-6" PRIu64 " B seq %-8" PRIu64 " %s\n", t->soft_n, t->soft_seq_b,
			t->soft_b);
	}
	if (t->regions ||
	    (t->inputs && (t->soft_n || t->inputs > DIFF_INPUTS_SHOWN || !d->list_inputs)))
		fprintf(out, "%s: %u divergent region%s, %" PRIu64 " input difference%s; "
			     "A %" PRIu64 " events, B %" PRIu64 "%s\n", name, t->regions,
			t->regions == 1 ? "" : "s", t->inputs, t->inputs == 1 ? "" : "s",
			na, nb, t->unsynced ? " (compared up to the region)" : "");
}

/*
 * Compares one stream, printing every divergent region with context and
 * every input difference, then the stream's summary. Returns 0 with @t
 * filled, or -errno with @err set.
 */
static int diff_stream(const char *pa, const char *pb, int32_t id, const struct diff_opts *o,
		       FILE *out, struct diff_tally *t, char *err, size_t errlen)
{
	struct diff_cmp d = {
		.side = { { .path = pa, .vcpu = id }, { .path = pb, .vcpu = id } },
		.o = o, .out = out, .t = t,
		.list_inputs = o->inputs != DIFF_INPUTS_IGNORE,
	};
	int ret;

	memset(t, 0, sizeof(*t));
	stream_name(id, d.name, sizeof(d.name));
	ret = diff_cmp_open(&d, err, errlen);
	while (!ret) {
		enum pair_class c = PAIR_DIFF;

		ret = diff_fill(&d, d.ring_n + 1, err, errlen);
		if (ret < 0)
			break;
		bool ha = d.side[0].len > d.ring_n, hb = d.side[1].len > d.ring_n;
		if (!ha && !hb)
			break;
		if (ha && hb)
			c = pair_class(ent(&d.side[0], d.ring_n), ent(&d.side[1], d.ring_n));
		if (c != PAIR_DIFF) {
			diff_matched(&d, c);
			continue;
		}
		/* A region starts at slot ring_n: look ahead for where it ends. */
		ret = diff_fill(&d, DIFF_QCAP, err, errlen);
		if (ret < 0 || !diff_region(&d))
			break;
	}
	if (!ret)
		diff_summary(&d);
	diff_cmp_close(&d);
	return ret;
}

int diff_traces(const char *pa, const char *pb, const struct diff_opts *opts, FILE *out,
		char *err, size_t errlen)
{
	struct diff_opts o = *opts;
	struct diff_scan *scan = calloc(2, sizeof(*scan));
	struct diff_tally *t = calloc(1, sizeof(*t)), first = { 0 };
	int32_t first_id = 0;
	unsigned int regions = 0;
	uint64_t inputs = 0;
	int ret, differ = 0;

	if (!scan || !t) {
		set_err(err, errlen, "%s: out of memory", pa);
		ret = -ENOMEM;
		goto out;
	}
	if (o.context > DIFF_MAX_CONTEXT)
		o.context = DIFF_MAX_CONTEXT;
	if ((ret = diff_scan(pa, &o, &scan[0], err, errlen)) < 0 ||
	    (ret = diff_scan(pb, &o, &scan[1], err, errlen)) < 0)
		goto out;

	/* Every stream either trace has, in order: VM-wide first, then vCPUs. */
	for (size_t i = 0; i < scan[1].n_streams; i++)
		scan_add_stream(&scan[0], scan[1].streams[i]);
	fprintf(out, "A: %s\nB: %s\n", pa, pb);
	fprintf(out, "compared: exits (reason, payload, flags, cr8), injections, LAPIC syncs, "
		     "vCPU events, set-up%s; not times, seq, tids, signal-cut KVM_RUNs%s\n",
		o.stream.kernel ? ", kernel events" : "",
		o.stream.kernel ? "" : ", kernel events");
	fprintf(out, "legend: - only in A, + only in B, ! same exit with another input "
		     "(IN, MMIO read, RDMSR data), ~ only the irq-window request differs\n");
	for (size_t i = 0; i < scan[0].n_streams; i++) {
		ret = diff_stream(pa, pb, scan[0].streams[i], &o, out, t, err, errlen);
		if (ret < 0)
			goto out;
		regions += t->regions;
		inputs += t->inputs;
		if (t->regions && !first.regions) {
			first = *t;
			first_id = scan[0].streams[i];
		}
		differ += t->regions || t->soft_n || (t->inputs && o.inputs == DIFF_INPUTS_FAIL);
	}
	if (scan[0].too_many)
		fprintf(out, "note: more than %d streams; the rest were not compared\n",
			DIFF_MAX_STREAMS);
	fprintf(out, "summary: %u divergent region%s, %" PRIu64 " input difference%s (%s)",
		regions, regions == 1 ? "" : "s", inputs, inputs == 1 ? "" : "s",
		o.inputs == DIFF_INPUTS_FAIL ? "--inputs fail: they count" :
		o.inputs == DIFF_INPUTS_REPORT ? "--inputs report: listed, do not count" :
		"--inputs ignore: not listed, do not count");
	if (first.regions) {
		char name[32];
		stream_name(first_id, name, sizeof(name));
		fprintf(out, "; first divergence: %s event #%" PRIu64 " (A seq %" PRIu64
			", B seq %" PRIu64 ")\n", name, first.first_n, first.first_seq_a,
			first.first_seq_b);
	} else {
		fprintf(out, "; no divergence\n");
	}
	if (differ) {
		fprintf(out, "result: differ (%d of %zu streams)\n", differ, scan[0].n_streams);
		ret = DIFF_DIFFER;
	} else if (scan[0].lost || scan[1].lost || scan[0].too_many) {
		fprintf(out, "result: same as far as recorded, but A lost %" PRIu64
			" and B lost %" PRIu64 " records: cannot tell\n", scan[0].lost, scan[1].lost);
		ret = DIFF_UNDECIDED;
	} else {
		fprintf(out, "result: same (%zu streams)\n", scan[0].n_streams);
		ret = DIFF_SAME;
	}
out:
	free(scan);
	free(t);
	return ret;
}
