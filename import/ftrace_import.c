// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ftrace_import.h"
#include "ftrace_parse.h"
#include "tracecmd_source.h"
#include "trace_writer.h"

#define MAX_THREADS	256
#define MAX_EVENT_NAMES	64
#define MAX_JOINED	8192

struct thread_map {
	int pid[MAX_THREADS];
	int vcpu[MAX_THREADS];
	int n;
};

struct importer {
	const char *in;
	FILE *f;
	struct tracecmd_source *dat;	/* set when the input is a trace-cmd .dat file */
	int pass;
	struct thread_map threads;
	char *names[MAX_EVENT_NAMES];
	int nnames;
	struct ftrace_import_stats st;
	uint64_t first_ts, last_ts;
	bool have_ts;
	/* The event being assembled from a line and its wrapped continuations. */
	char joined[MAX_JOINED];
	bool pending;
	/* Pass 2 */
	struct trace_writer *w;
	int werr;
};

static int thread_slot(struct thread_map *m, int pid)
{
	for (int i = 0; i < m->n; i++)
		if (m->pid[i] == pid)
			return i;
	if (m->n == MAX_THREADS)
		return -1;
	m->pid[m->n] = pid;
	m->vcpu[m->n] = -1;
	return m->n++;
}

static void note_name(struct importer *im, const char *name)
{
	for (int i = 0; i < im->nnames; i++)
		if (!strcmp(im->names[i], name))
			return;
	if (im->nnames < MAX_EVENT_NAMES && (im->names[im->nnames] = strdup(name)))
		im->nnames++;
}

static bool is_kvm(const char *event)
{
	return !strncmp(event, "kvm_", 4);
}

/* Pass 1: which thread runs which vCPU, which events there are. */
static void learn(struct importer *im, const struct ftrace_line *l)
{
	struct ftrace_kev k;
	int slot = thread_slot(&im->threads, l->pid);

	if (!im->have_ts) {
		im->first_ts = l->ts_ns;
		im->have_ts = true;
	}
	if (is_kvm(l->event))
		note_name(im, l->event);
	if (slot < 0 || im->threads.vcpu[slot] >= 0)
		return;
	ftrace_kevent_parse(l->event, l->fields, &k);
	if (k.vcpu >= 0)
		im->threads.vcpu[slot] = k.vcpu;
	else if (k.id == KVMREC__KERNEL_EVENT_ID__KEV_EOI)
		/* EOIs come from the vCPU itself */
		im->threads.vcpu[slot] = (int)kevent_args_get(k.id, k.args, k.nargs, KEV_F_APICID, 0);
}

/* Threads the text never names get the lowest free vCPU numbers, in order. */
static void guess_vcpus(struct importer *im)
{
	for (int i = 0; i < im->threads.n; i++) {
		int v = 0;
		bool used;

		if (im->threads.vcpu[i] >= 0)
			continue;
		do {
			used = false;
			for (int j = 0; j < im->threads.n; j++)
				if (im->threads.vcpu[j] == v)
					used = true;
		} while (used && ++v);
		im->threads.vcpu[i] = v;
		im->st.guessed_vcpus++;
	}
}

static int write_event(struct importer *im, const struct ftrace_line *l)
{
	Kvmrec__Record rec = KVMREC__RECORD__INIT;
	Kvmrec__KernelEvent kev = KVMREC__KERNEL_EVENT__INIT;
	Kvmrec__KernelField field = KVMREC__KERNEL_FIELD__INIT;
	Kvmrec__KernelField *fields[1] = { &field };
	struct trace_event ev = { 0 };
	struct ftrace_kev k;
	int ret, slot = thread_slot(&im->threads, l->pid);

	ret = ftrace_kevent_parse(l->event, l->fields, &k);
	if (!is_kvm(l->event))
		im->st.other_events++;
	else if (ret == 0)
		im->st.kvm_known++;
	else if (ret > 0)
		im->st.kvm_unknown++;
	else
		im->st.malformed++;
	kev.has_id = 1;
	kev.id = k.id;
	kev.n_args = k.nargs;
	kev.args = k.args;
	kev.has_cpu = 1;
	kev.cpu = l->cpu;
	if (k.exit_name[0])
		kev.exit_name = k.exit_name;
	if (k.id == KVMREC__KERNEL_EVENT_ID__KEV_UNKNOWN) {
		kev.name = (char *)l->event;
		field.name = "text";
		field.text = (char *)l->fields;
		kev.n_fields = 1;
		kev.fields = fields;
	}
	rec.body_case = KVMREC__RECORD__BODY_KEVENT;
	rec.kevent = &kev;
	ev.ts_ns = l->ts_ns;
	ev.vcpu = slot >= 0 ? im->threads.vcpu[slot] : -1;
	ev.tid = (uint32_t)l->pid;
	ev.rec = &rec;
	ret = trace_writer_append(im->w, &ev);
	if (!ret)
		im->st.events++;
	im->last_ts = l->ts_ns;
	return ret;
}

static int flush_pending(struct importer *im, int pass)
{
	struct ftrace_line l;

	if (!im->pending)
		return 0;
	im->pending = false;
	if (!ftrace_line_parse(im->joined, &l))
		return 0;	/* cannot happen: it parsed when it was started */
	if (pass == 1) {
		learn(im, &l);
		return 0;
	}
	return write_event(im, &l);
}

static int dat_event(void *arg, const struct ftrace_line *l)
{
	struct importer *im = arg;

	if (im->pass == 1) {
		learn(im, l);
		return 0;
	}
	return write_event(im, l);
}

/* One pass over a .dat file's events: no lines, so no line counts. */
static int pass_over_dat(struct importer *im, int pass)
{
	int ret;

	im->pass = pass;
	ret = tracecmd_source_each(im->dat, dat_event, im);
	if (pass == 2) {
		im->st.lines = 0;
		im->st.dropped = tracecmd_source_dropped(im->dat);
		im->st.instances = tracecmd_source_instances(im->dat);
	}
	return ret;
}

/*
 * One pass over the text. A line that is not an event and directly follows
 * an event (no blank line between) is that event wrapped by a mailer.
 */
static int pass_over(struct importer *im, int pass)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	uint64_t lineno = 0;
	struct ftrace_line l;
	int ret = 0;

	if (im->dat)
		return pass_over_dat(im, pass);
	rewind(im->f);
	im->pending = false;
	while (!ret && (n = getline(&line, &cap, im->f)) >= 0) {
		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = 0;
		if (ftrace_line_parse(line, &l)) {
			ret = flush_pending(im, pass);
			snprintf(im->joined, sizeof(im->joined), "%s", line);
			im->pending = true;
			continue;
		}
		if (n == 0 || strspn(line, " \t") == (size_t)n) {
			ret = flush_pending(im, pass);
			if (pass == 2)
				im->st.blank++;
			continue;
		}
		if (im->pending && line[0] != '#') {
			size_t len = strlen(im->joined);

			snprintf(im->joined + len, sizeof(im->joined) - len, " %s", line);
			if (pass == 2)
				im->st.joined++;
			continue;
		}
		ret = flush_pending(im, pass);
		if (pass == 2) {
			im->st.not_events++;
			if (!im->st.first_not_event_line)
				im->st.first_not_event_line = lineno;
		}
	}
	if (!ret)
		ret = flush_pending(im, pass);
	if (pass == 2)
		im->st.lines = lineno;
	free(line);
	if (!ret && ferror(im->f))
		ret = -EIO;
	return ret;
}

static int write_note(struct importer *im)
{
	Kvmrec__Record rec = KVMREC__RECORD__INIT;
	Kvmrec__Annotation note = KVMREC__ANNOTATION__INIT;
	struct trace_event ev = { 0 };
	char text[512];
	int ret;

	/* The counts are known only after pass 2; pass 1's guesses are known now. */
	snprintf(text, sizeof(text),
		 "imported from %s %s; %llu threads, %llu with a guessed vCPU; "
		 "counts follow in the closing note", im->dat ? "trace-cmd .dat" : "ftrace text", im->in,
		 (unsigned long long)im->threads.n, (unsigned long long)im->st.guessed_vcpus);
	note.key = "import";
	note.text = text;
	rec.body_case = KVMREC__RECORD__BODY_NOTE;
	rec.note = &note;
	ev.ts_ns = im->first_ts;
	ev.vcpu = -1;
	ev.rec = &rec;
	ret = trace_writer_append(im->w, &ev);
	return ret;
}

static int write_counts(struct importer *im, uint64_t ts)
{
	Kvmrec__Record rec = KVMREC__RECORD__INIT;
	Kvmrec__Annotation note = KVMREC__ANNOTATION__INIT;
	struct trace_event ev = { 0 };
	const struct ftrace_import_stats *s = &im->st;
	char text[512];

	if (im->dat) {
		snprintf(text, sizeof(text),
			 "%llu events from %llu buffer instances (%llu kvm decoded, %llu kvm undecoded, "
			 "%llu malformed, %llu other), %llu events the kernel dropped",
			 (unsigned long long)s->events, (unsigned long long)s->instances,
			 (unsigned long long)s->kvm_known, (unsigned long long)s->kvm_unknown,
			 (unsigned long long)s->malformed, (unsigned long long)s->other_events,
			 (unsigned long long)s->dropped);
		goto write;
	}
	snprintf(text, sizeof(text),
		 "%llu lines: %llu events (%llu kvm decoded, %llu kvm undecoded, %llu malformed, "
		 "%llu other), %llu wrapped lines joined, %llu lines not events (first: line %llu), "
		 "%llu blank",
		 (unsigned long long)s->lines, (unsigned long long)s->events,
		 (unsigned long long)s->kvm_known, (unsigned long long)s->kvm_unknown,
		 (unsigned long long)s->malformed, (unsigned long long)s->other_events,
		 (unsigned long long)s->joined, (unsigned long long)s->not_events,
		 (unsigned long long)s->first_not_event_line, (unsigned long long)s->blank);
write:
	note.key = "import";
	note.text = text;
	rec.body_case = KVMREC__RECORD__BODY_NOTE;
	rec.note = &note;
	ev.ts_ns = ts;
	ev.vcpu = -1;
	ev.rec = &rec;
	return trace_writer_append(im->w, &ev);
}

/* Two passes need a seekable file: stdin is copied to an unnamed one first. */
static FILE *spool_stdin(void)
{
	FILE *t = tmpfile();
	char buf[65536];
	size_t n;

	if (!t)
		return NULL;
	while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0) {
		if (fwrite(buf, 1, n, t) != n) {
			fclose(t);
			return NULL;
		}
	}
	if (ferror(stdin)) {
		fclose(t);
		errno = EIO;
		return NULL;
	}
	return t;
}

int ftrace_import(const char *in, const char *out, bool force, struct ftrace_import_stats *st,
		  char *err, size_t errlen)
{
	Kvmrec__Header hdr = KVMREC__HEADER__INIT;
	struct trace_writer_opts wo = { .overwrite = force, .input = in };
	struct importer *im;
	int ret;

	im = calloc(1, sizeof(*im));
	if (!im) {
		snprintf(err, errlen, "%s: out of memory", in);
		return -ENOMEM;
	}
	im->in = in;
	im->f = strcmp(in, "-") ? fopen(in, "r") : spool_stdin();
	if (!im->f) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", in, strerror(errno));
		goto out;
	}
	if (tracecmd_source_is_dat(im->f)) {
		ret = tracecmd_source_open(im->f, in, &im->dat, err, errlen);
		if (ret < 0)
			goto out;
	}
	ret = pass_over(im, 1);
	if (ret < 0) {
		snprintf(err, errlen, "%s: read error: %s", in, strerror(-ret));
		goto out;
	}
	if (!im->have_ts) {
		ret = -EINVAL;
		snprintf(err, errlen, im->dat ? "%s: no events in the .dat file" :
			 "%s: no ftrace event lines in the file", in);
		goto out;
	}
	guess_vcpus(im);

	hdr.recorder = im->dat ? "import:trace-cmd" : "import:ftrace";
	hdr.source = (char *)in;
	hdr.clock = "ftrace";	/* whatever trace_clock the events were taken with */
	hdr.has_start_ns = 1;
	hdr.start_ns = im->first_ts;
	hdr.n_kernel_events_enabled = im->nnames;
	hdr.kernel_events_enabled = im->names;
	hdr.kernel_events_note = im->dat ? "the events present in the imported .dat file" :
					   "the events present in the imported text";
	ret = trace_writer_open(out, &hdr, &wo, &im->w);
	if (ret < 0) {
		snprintf(err, errlen, "%s", trace_writer_error(im->w));
		im->w = NULL;
		goto out;
	}
	ret = write_note(im);
	if (!ret)
		ret = pass_over(im, 2);
	if (!ret)
		ret = write_counts(im, im->last_ts);
	if (ret < 0) {
		snprintf(err, errlen, "%s", trace_writer_error(im->w));
		trace_writer_abort(im->w);
		im->w = NULL;
		goto out;
	}
	ret = trace_writer_close(im->w, NULL);
	im->w = NULL;
	if (ret < 0)
		snprintf(err, errlen, "%s: cannot finish the trace: %s", out, strerror(-ret));
out:
	if (st)
		*st = im->st;
	tracecmd_source_close(im->dat);
	if (im->f)
		fclose(im->f);
	for (int i = 0; i < im->nnames; i++)
		free(im->names[i]);
	free(im);
	return ret;
}
