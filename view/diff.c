// SPDX-License-Identifier: GPL-2.0-only
/* diff: first divergence per vCPU of two exit streams (see diff.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "describe.h"
#include "diff.h"
#include "trace_reader.h"

#define DIFF_MAX_STREAMS 512
#define DIFF_VM_STREAM   TRACE_VCPU_NONE

/* One trace, read as one vCPU's exit stream. */
struct diff_side {
	const char *path;
	struct trace_reader *r;
	int32_t vcpu;
	struct trace_event ev;
	struct exit_stream_key key;
	uint64_t n;            /* stream events returned so far */
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

struct ctx_line {
	uint64_t idx, seq_a, seq_b;
	bool soft;                     /* differ only in the irq-window request */
	char text[DESCRIBE_MAX];
	char text_b[DESCRIBE_MAX];     /* when soft */
};

/* The first difference that is only in the irq-window request bit. */
struct soft_diff {
	uint64_t idx;                  /* 0: none */
	uint64_t seq_a, seq_b;
	bool a_asked;
	char text_a[DESCRIBE_MAX], text_b[DESCRIBE_MAX];
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

/* Advances @s to its next stream event; 1, 0 at the end, or -errno. */
static int side_next(struct diff_side *s, const struct diff_opts *o)
{
	int ret;

	if (s->end)
		return 0;
	while ((ret = trace_reader_next(s->r, &s->ev)) > 0) {
		if (s->ev.vcpu != s->vcpu)
			continue;
		int in = exit_stream_key(s->ev.rec, &o->stream, &s->key);
		if (in < 0)
			return in;
		if (in) {
			s->n++;
			return 1;
		}
	}
	if (!ret)
		s->end = true;
	return ret;
}

static void stream_name(int32_t id, char *buf, size_t n)
{
	if (id == DIFF_VM_STREAM)
		snprintf(buf, n, "VM-wide");
	else
		snprintf(buf, n, "vCPU %d", id);
}

/*
 * Compares one stream. Returns DIFF_SAME or DIFF_DIFFER after printing it,
 * or -errno with @err set.
 */
/* Equal but for the request_interrupt_window entry bit? */
static int soft_equal(struct diff_side side[2], const struct diff_opts *o, bool *equal)
{
	struct exit_stream_opts so = o->stream;
	struct exit_stream_key k[2] = { { 0 }, { 0 } };
	int ret = 0;

	*equal = false;
	so.no_window_request = true;
	if (side[0].ev.rec->body_case != KVMREC__RECORD__BODY_EXIT ||
	    side[1].ev.rec->body_case != KVMREC__RECORD__BODY_EXIT)
		return 0;
	for (int i = 0; i < 2; i++)
		if ((ret = exit_stream_key(side[i].ev.rec, &so, &k[i])) < 0)
			goto out;
	*equal = exit_stream_key_equal(&k[0], &k[1]);
	ret = 0;
out:
	exit_stream_key_free(&k[0]);
	exit_stream_key_free(&k[1]);
	return ret;
}

static void print_ctx(FILE *out, const struct ctx_line *c)
{
	if (!c->soft) {
		fprintf(out, "    #%-6" PRIu64 " A seq %-8" PRIu64 " B seq %-8" PRIu64 " %s\n",
			c->idx, c->seq_a, c->seq_b, c->text);
		return;
	}
	fprintf(out, "  ~ #%-6" PRIu64 " A seq %-8" PRIu64 " %s\n", c->idx, c->seq_a, c->text);
	fprintf(out, "  ~ #%-6" PRIu64 " B seq %-8" PRIu64 " %s\n", c->idx, c->seq_b, c->text_b);
}

static void print_soft(FILE *out, const struct soft_diff *sd)
{
	fprintf(out, "  first difference at #%" PRIu64 ": %s asked for an interrupt window on "
		     "entry, %s did not (A seq %" PRIu64 ", B seq %" PRIu64 ")\n",
		sd->idx, sd->a_asked ? "A" : "B", sd->a_asked ? "B" : "A", sd->seq_a, sd->seq_b);
}

/*
 * Compares one stream. Returns DIFF_SAME or DIFF_DIFFER after printing it,
 * or -errno with @err set. The divergence reported is the first event where
 * the streams differ in more than the VMM's irq-window requests; where they
 * differ in those only, the first such request is reported.
 */
static int diff_stream(const char *pa, const char *pb, int32_t id, const struct diff_opts *o,
		       FILE *out, char *err, size_t errlen)
{
	struct diff_side side[2] = {
		{ .path = pa, .vcpu = id },
		{ .path = pb, .vcpu = id },
	};
	struct ctx_line *ring = calloc(o->context + 1, sizeof(*ring));
	struct soft_diff *sd = calloc(1, sizeof(*sd));
	unsigned int ring_n = 0, ring_head = 0;
	char name[32];
	int ret = DIFF_SAME;

	stream_name(id, name, sizeof(name));
	if (!ring || !sd) {
		set_err(err, errlen, "%s: out of memory", pa);
		ret = -ENOMEM;
		goto out;
	}
	for (int i = 0; i < 2; i++) {
		int r = trace_reader_open(side[i].path, &side[i].r);
		if (r < 0) {
			ret = reader_fail(side[i].r, side[i].path, r, err, errlen);
			goto out;
		}
	}

	for (;;) {
		int got[2];
		bool soft = false;
		for (int i = 0; i < 2; i++) {
			got[i] = side_next(&side[i], o);
			if (got[i] < 0) {
				ret = reader_fail(side[i].r, side[i].path, got[i], err, errlen);
				goto out;
			}
		}
		if (!got[0] && !got[1]) {
			if (!sd->idx) {
				fprintf(out, "%s: same (%" PRIu64 " events)\n", name, side[0].n);
				goto out;
			}
			fprintf(out, "%s: differ only in interrupt-window requests (%" PRIu64
				" events)\n", name, side[0].n);
			print_soft(out, sd);
			fprintf(out, "  - #%-6" PRIu64 " A seq %-8" PRIu64 " %s\n", sd->idx, sd->seq_a, sd->text_a);
			fprintf(out, "  + #%-6" PRIu64 " B seq %-8" PRIu64 " %s\n", sd->idx, sd->seq_b, sd->text_b);
			ret = DIFF_DIFFER;
			goto out;
		}
		if (got[0] && got[1] && !exit_stream_key_equal(&side[0].key, &side[1].key)) {
			int r = soft_equal(side, o, &soft);
			if (r < 0) {
				set_err(err, errlen, "%s: out of memory", pa);
				ret = r;
				goto out;
			}
			if (!soft)
				break;
			if (!sd->idx) {
				sd->idx = side[0].n;
				sd->seq_a = side[0].ev.seq;
				sd->seq_b = side[1].ev.seq;
				sd->a_asked = side[0].ev.rec->exit->flags &
					      KVMREC__RUN_FLAG__RUN_REQUEST_IRQ_WINDOW;
				describe_event(side[0].ev.rec, sd->text_a, sizeof(sd->text_a));
				describe_event(side[1].ev.rec, sd->text_b, sizeof(sd->text_b));
			}
		} else if (!got[0] || !got[1]) {
			break;
		}
		if (o->context) {
			struct ctx_line *c = &ring[ring_head];
			c->idx = side[0].n;
			c->seq_a = side[0].ev.seq;
			c->seq_b = side[1].ev.seq;
			c->soft = soft;
			describe_event(side[0].ev.rec, c->text, sizeof(c->text));
			if (soft)
				describe_event(side[1].ev.rec, c->text_b, sizeof(c->text_b));
			ring_head = (ring_head + 1) % o->context;
			if (ring_n < o->context)
				ring_n++;
		}
	}

	/* Divergence at stream event n (1-based) of both sides. */
	uint64_t at = side[0].n > side[1].n ? side[0].n : side[1].n;
	ret = DIFF_DIFFER;
	fprintf(out, "%s: differ at event #%" PRIu64 " of its stream", name, at);
	if (!side[0].end && !side[1].end)
		fprintf(out, " (A seq %" PRIu64 ", B seq %" PRIu64 ")\n", side[0].ev.seq, side[1].ev.seq);
	else if (side[0].end)
		fprintf(out, ": A ends after %" PRIu64 " events, B goes on (seq %" PRIu64 ")\n",
			side[0].n, side[1].ev.seq);
	else
		fprintf(out, ": B ends after %" PRIu64 " events, A goes on (seq %" PRIu64 ")\n",
			side[1].n, side[0].ev.seq);
	if (sd->idx)
		print_soft(out, sd);
	for (unsigned int k = 0; k < ring_n; k++)
		print_ctx(out, &ring[(ring_head + o->context - ring_n + k) % o->context]);
	/* The diverging event and what follows it, on each side. */
	for (int i = 0; i < 2; i++) {
		for (unsigned int k = 0; k <= o->context; k++) {
			char text[DESCRIBE_MAX];
			if (k) {
				int r = side_next(&side[i], o);
				if (r < 0) {
					ret = reader_fail(side[i].r, side[i].path, r, err, errlen);
					goto out;
				}
			}
			if (side[i].end) {
				fprintf(out, "  %c #%-6" PRIu64 " %c: (end of stream)\n", i ? '+' : '-',
					side[i].n + 1, i ? 'B' : 'A');
				break;
			}
			describe_event(side[i].ev.rec, text, sizeof(text));
			fprintf(out, "  %c #%-6" PRIu64 " %c seq %-8" PRIu64 " %s\n", i ? '+' : '-',
				side[i].n, i ? 'B' : 'A', side[i].ev.seq, text);
		}
	}
out:
	for (int i = 0; i < 2; i++) {
		exit_stream_key_free(&side[i].key);
		trace_reader_close(side[i].r);
	}
	free(ring);
	free(sd);
	return ret;
}

int diff_traces(const char *pa, const char *pb, const struct diff_opts *opts, FILE *out,
		char *err, size_t errlen)
{
	struct diff_opts o = *opts;
	struct diff_scan *scan = calloc(2, sizeof(*scan));
	int ret, differ = 0;

	if (!scan) {
		set_err(err, errlen, "%s: out of memory", pa);
		return -ENOMEM;
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
	for (size_t i = 0; i < scan[0].n_streams; i++) {
		ret = diff_stream(pa, pb, scan[0].streams[i], &o, out, err, errlen);
		if (ret < 0)
			goto out;
		differ += ret == DIFF_DIFFER;
	}
	if (scan[0].too_many)
		fprintf(out, "note: more than %d streams; the rest were not compared\n",
			DIFF_MAX_STREAMS);
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
	return ret;
}
