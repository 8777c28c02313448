// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tracecmd_source.h"

#ifdef KVMREC_HAVE_TRACECMD
#include <trace-cmd.h>

#define MAX_INSTANCES 64

struct tracecmd_source {
	FILE *f;
	const char *name;
	bool walked;
	struct tracecmd_input *top;
	struct tracecmd_input *h[MAX_INSTANCES];
	int nh;
	uint64_t dropped;
	/* Per walk */
	int (*fn)(void *arg, const struct ftrace_line *l);
	void *arg;
	int ret;
	struct trace_seq seq;
};
#endif

/* The magic every trace-cmd file version starts with; see trace-cmd.dat(5). */
static const char dat_magic[] = { 0x17, 0x08, 0x44, 't', 'r', 'a', 'c', 'i', 'n', 'g' };

bool tracecmd_source_is_dat(FILE *f)
{
	char buf[sizeof(dat_magic)];
	size_t n = fread(buf, 1, sizeof(buf), f);

	rewind(f);
	return n == sizeof(buf) && !memcmp(buf, dat_magic, sizeof(buf));
}

#ifdef KVMREC_HAVE_TRACECMD

/*
 * The kernel prints kvm_userspace_exit of an interrupted KVM_RUN as
 * "reason restart (4)" (errno -EINTR) or "reason error (N)"; libtraceevent
 * compares the signed errno field as unsigned and prints "reason
 * KVM_EXIT_UNKNOWN (0)" instead, hiding the interruption. Say what the kernel
 * says, from the field itself.
 */
static void fix_userspace_exit(struct tracecmd_source *s, struct tep_event *event,
			       struct tep_record *record)
{
	unsigned long long v;
	int err;

	if (strcmp(event->name, "kvm_userspace_exit") ||
	    tep_get_field_val(NULL, event, "errno", record, &v, 0) < 0)
		return;
	err = (int)(int32_t)v;
	if (err >= 0)
		return;
	trace_seq_reset(&s->seq);
	trace_seq_printf(&s->seq, "reason %s (%d)", err == -EINTR ? "restart" : "error", -err);
	trace_seq_terminate(&s->seq);
}

static int on_record(struct tracecmd_input *handle, struct tep_record *record, int cpu,
		     void *data)
{
	struct tracecmd_source *s = data;
	struct tep_handle *tep = tracecmd_get_tep(handle);
	struct tep_event *event = tep_find_event_by_record(tep, record);
	struct ftrace_line l = { 0 };

	(void)cpu;
	if (record->missed_events)
		s->dropped += record->missed_events > 0 ? (uint64_t)record->missed_events : 1;
	if (!event)
		return 0;	/* no format for this id: trace-cmd report prints no event either */
	trace_seq_reset(&s->seq);
	tep_print_event(tep, &s->seq, record, "%s", TEP_PRINT_INFO);
	trace_seq_terminate(&s->seq);
	fix_userspace_exit(s, event, record);
	l.pid = tep_data_pid(tep, record);
	l.cpu = record->cpu;	/* @cpu counts across all handles in a multi walk */
	l.ts_ns = record->ts;
	snprintf(l.event, sizeof(l.event), "%s", event->name);
	l.fields = s->seq.buffer;
	s->ret = s->fn(s->arg, &l);
	return s->ret;
}

static void close_handles(struct tracecmd_source *s)
{
	/* Instance handles first: they borrow the top handle's file. */
	for (int i = s->nh - 1; i >= 0; i--)
		tracecmd_close(s->h[i]);
	s->nh = 0;
	s->top = NULL;
}

/*
 * libtracecmd has no public call that rewinds every CPU of every instance,
 * so each walk opens the file afresh (it owns and closes the descriptor).
 */
static int open_handles(struct tracecmd_source *s, char *err, size_t errlen)
{
	int fd = dup(fileno(s->f)), n;

	if (fd < 0 || lseek(fd, 0, SEEK_SET) < 0) {
		snprintf(err, errlen, "%s: %s", s->name, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -EIO;
	}
	/*
	 * No libtraceevent plugins: each event prints by the recording kernel's
	 * own print fmt, as tracefs text does. The kvm plugin also assumes the
	 * current kvm_entry (with rip) and garbles a 2016 kernel's.
	 */
	s->top = tracecmd_open_fd(fd, TRACECMD_FL_LOAD_NO_PLUGINS);
	if (!s->top) {
		snprintf(err, errlen, "%s: not a trace-cmd .dat file libtracecmd can read "
			 "(damaged or truncated?)", s->name);
		close(fd);
		return -EINVAL;
	}
	s->h[s->nh++] = s->top;
	n = tracecmd_buffer_instances(s->top);
	for (int i = 0; i < n; i++) {
		struct tracecmd_input *h = tracecmd_buffer_instance_handle(s->top, i);

		if (!h)
			continue;
		if (s->nh == MAX_INSTANCES) {
			tracecmd_close(h);
			snprintf(err, errlen, "%s: more than %d buffer instances", s->name,
				 MAX_INSTANCES);
			close_handles(s);
			return -E2BIG;
		}
		s->h[s->nh++] = h;
	}
	return 0;
}

int tracecmd_source_open(FILE *f, const char *name, struct tracecmd_source **out,
			 char *err, size_t errlen)
{
	struct tracecmd_source *s;
	int ret;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "%s: out of memory", name);
		return -ENOMEM;
	}
	s->f = f;
	s->name = name;
	tracecmd_set_loglevel(TEP_LOG_NONE);
	ret = open_handles(s, err, errlen);
	if (ret < 0) {
		free(s);
		return ret;
	}
	trace_seq_init(&s->seq);
	*out = s;
	return 0;
}

int tracecmd_source_each(struct tracecmd_source *s,
			 int (*fn)(void *arg, const struct ftrace_line *l), void *arg)
{
	char err[256];
	int ret;

	if (s->walked) {
		close_handles(s);
		ret = open_handles(s, err, sizeof(err));
		if (ret < 0)
			return ret;
	}
	s->walked = true;
	s->fn = fn;
	s->arg = arg;
	s->ret = 0;
	s->dropped = 0;
	tracecmd_iterate_events_multi(s->h, s->nh, on_record, s);
	return s->ret;
}

unsigned int tracecmd_source_instances(const struct tracecmd_source *s)
{
	return (unsigned int)s->nh;
}

uint64_t tracecmd_source_dropped(const struct tracecmd_source *s)
{
	return s->dropped;
}

void tracecmd_source_close(struct tracecmd_source *s)
{
	if (!s)
		return;
	if (s->seq.buffer)
		trace_seq_destroy(&s->seq);
	close_handles(s);
	free(s);
}

#else /* !KVMREC_HAVE_TRACECMD */

struct tracecmd_source {
	int unused;
};

int tracecmd_source_open(FILE *f, const char *name, struct tracecmd_source **out,
			 char *err, size_t errlen)
{
	(void)f;
	*out = NULL;
	snprintf(err, errlen, "%s: a trace-cmd .dat file, and this kvmrec was built without "
		 "libtracecmd (import `trace-cmd report -t` text instead)", name);
	return -ENOTSUP;
}

int tracecmd_source_each(struct tracecmd_source *s,
			 int (*fn)(void *arg, const struct ftrace_line *l), void *arg)
{
	(void)s, (void)fn, (void)arg;
	return -ENOTSUP;
}

unsigned int tracecmd_source_instances(const struct tracecmd_source *s)
{
	(void)s;
	return 0;
}

uint64_t tracecmd_source_dropped(const struct tracecmd_source *s)
{
	(void)s;
	return 0;
}

void tracecmd_source_close(struct tracecmd_source *s)
{
	(void)s;
}

#endif
