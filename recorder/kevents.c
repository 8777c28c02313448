// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per-CPU raw buffers are read non-blocking with tracefs_cpu_read() and
 * walked with kbuffer; each sample's fields are read by offset from formats
 * parsed once, so a sample costs a few loads, not a format lookup.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kevent_table.h"
#include "kevents.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KEVENTS_ASAN 1
#endif
#elif defined(__SANITIZE_ADDRESS__)
#define KEVENTS_ASAN 1
#endif
#ifdef KEVENTS_ASAN
/*
 * libtraceevent keeps a few bytes from parsing event formats past tep_free();
 * not ours to fix, and LeakSanitizer would turn every recording into exit 1.
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libtraceevent.so\nleak:libtracefs.so\n";
}

const char *__lsan_default_options(void);
const char *__lsan_default_options(void)
{
	return "print_suppressions=0";
}
#endif

#ifdef KVMREC_HAVE_TRACEFS
#include <tracefs.h>
#include <event-parse.h>
#include <kbuffer.h>

/* One wanted tracepoint (a row of trace/kevent_table.h) as this kernel has it. */
struct kev_fmt {
	const struct kevent_desc *desc;
	int type;                       /* tep event id */
	/* By position in desc->fields; NULL: the field is absent here, stored as 0. */
	struct tep_format_field *f[KEVENT_MAX_FIELDS];
	bool available, enabled;
	uint64_t seen;
};

struct kevents {
	struct tracefs_instance *inst;
	struct tep_handle *tep;
	struct kbuffer *kbuf;
	int ncpus;
	struct tracefs_cpu **cpu;
	void *page;
	int page_size;
	struct kev_fmt fmt[KEVENT_ID_MAX];
	size_t nfmt;
	uint64_t missed;
};

/* The field by the table's name, else by the other name some kernels give it. */
static struct tep_format_field *find_field(struct tep_event *ev, enum kev_field field)
{
	struct tep_format_field *f = tep_find_field(ev, kevent_field_name(field));

	if (!f && *kevent_field_alt(field))
		f = tep_find_field(ev, kevent_field_alt(field));
	return f;
}

/*
 * Only the formats we take, parsed by hand: tracefs_local_events() would parse
 * every kvm event and load kallsyms, seconds and megabytes we do not need.
 */
static struct tep_handle *kev_formats(const struct kevents *k)
{
	struct tep_handle *tep = tep_alloc();
	enum tep_endian end = tep_is_bigendian() ? TEP_BIG_ENDIAN : TEP_LITTLE_ENDIAN;
	int size, parsed = 0;
	char *buf;

	if (!tep)
		return NULL;
	tep_set_file_bigendian(tep, end);
	tep_set_local_bigendian(tep, end);
	tep_set_long_size(tep, (int)sizeof(long));
	tep_set_page_size(tep, (int)sysconf(_SC_PAGESIZE));
	buf = tracefs_instance_file_read(NULL, "events/header_page", &size);
	if (!buf || tep_parse_header_page(tep, buf, (unsigned long)size, (int)sizeof(long))) {
		free(buf);
		tep_free(tep);
		return NULL;
	}
	free(buf);
	for (size_t i = 0; i < k->nfmt; i++) {
		char file[128];

		snprintf(file, sizeof(file), "events/kvm/%s/format", k->fmt[i].desc->name);
		buf = tracefs_instance_file_read(NULL, file, &size);
		if (!buf)
			continue;  /* not on this kernel */
		if (tep_parse_event(tep, buf, (unsigned long)size, "kvm") == 0)
			parsed++;
		free(buf);
	}
	if (!parsed) {
		tep_free(tep);
		return NULL;
	}
	return tep;
}

/*
 * A recorder that was killed (or aborted) leaves its instance, with its
 * buffers, behind: remove those whose recorder is gone.
 */
static void kev_remove_stale(const char *inst_dir)
{
	DIR *d = opendir(inst_dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		char *end;
		long owner;

		if (strncmp(de->d_name, "kvmrec-", 7))
			continue;
		owner = strtol(de->d_name + 7, &end, 10);
		if (*end || owner <= 0 || !(kill((pid_t)owner, 0) < 0 && errno == ESRCH))
			continue;
		struct tracefs_instance *old = tracefs_instance_alloc(NULL, de->d_name);

		if (old) {
			tracefs_instance_destroy(old);
			tracefs_instance_free(old);
		}
	}
	closedir(d);
}

/*
 * @pid and every thread it already has (an attached VMM's vCPU threads exist
 * before we do): event-fork only follows tasks created after the filter.
 */
static void kev_task_list(pid_t pid, char *buf, size_t len)
{
	char dir[64];
	struct dirent *de;
	size_t n;
	DIR *d;

	n = (size_t)snprintf(buf, len, "%d", (int)pid);
	snprintf(dir, sizeof(dir), "/proc/%d/task", (int)pid);
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d)) && n + 16 < len) {
		if (de->d_name[0] == '.' || atoi(de->d_name) == (int)pid)
			continue;
		n += (size_t)snprintf(buf + n, len - n, " %s", de->d_name);
	}
	closedir(d);
}

/* A private instance, so that the VMM's events reach no one else's buffers. */
static int kev_instance(struct kevents *k, char *why, size_t whylen)
{
	char name[64], inst_dir[4200];

	if (!tracefs_tracing_dir()) {
		snprintf(why, whylen, "tracefs is not mounted");
		return -ENOENT;
	}
	/* Ask first: a failed tracefs_instance_create() leaks inside libtracefs. */
	snprintf(inst_dir, sizeof(inst_dir), "%s/instances", tracefs_tracing_dir());
	if (access(inst_dir, W_OK)) {
		snprintf(why, whylen, "cannot create a tracefs instance (%s)", strerror(errno));
		return -EACCES;
	}
	kev_remove_stale(inst_dir);
	snprintf(name, sizeof(name), "kvmrec-%d", (int)getpid());
	k->inst = tracefs_instance_create(name);
	if (!k->inst) {
		snprintf(why, whylen, "cannot create a tracefs instance (%s)", strerror(errno));
		return -EACCES;
	}
	return 0;
}

/* The mono clock (the interposer's), and only @pid's tasks. */
static int kev_configure(struct kevents *k, pid_t pid, char *why, size_t whylen)
{
	char pids[8192];

	if (tracefs_instance_file_write(k->inst, "trace_clock", "mono") < 0) {
		snprintf(why, whylen, "tracefs has no mono clock");
		return -EINVAL;
	}
	tracefs_instance_file_write(k->inst, "buffer_size_kb", "4096");
	kev_task_list(pid, pids, sizeof(pids));
	if (tracefs_instance_file_write(k->inst, "set_event_pid", pids) < 0 ||
	    tracefs_option_enable(k->inst, TRACEFS_OPTION_EVENT_FORK) < 0) {
		snprintf(why, whylen, "cannot filter tracefs events by pid");
		return -EACCES;
	}
	return 0;
}

/* Enables each wanted tracepoint this kernel has; the number enabled. */
static int kev_enable(struct kevents *k)
{
	int n_enabled = 0;

	for (size_t i = 0; i < k->nfmt; i++) {
		struct kev_fmt *f = &k->fmt[i];
		struct tep_event *ev;

		f->type = -1;
		ev = tep_find_event_by_name(k->tep, "kvm", f->desc->name);
		if (!ev)
			continue;
		f->available = true;
		f->type = ev->id;
		for (unsigned int a = 0; a < f->desc->nfields; a++)
			f->f[a] = find_field(ev, f->desc->fields[a]);
		if (tracefs_event_enable(k->inst, "kvm", f->desc->name) == 0) {
			f->enabled = true;
			n_enabled++;
		}
	}
	return n_enabled;
}

static int kev_open_cpus(struct kevents *k, char *why, size_t whylen)
{
	k->kbuf = tep_kbuffer(k->tep);
	k->ncpus = (int)sysconf(_SC_NPROCESSORS_CONF);
	k->cpu = calloc((size_t)k->ncpus, sizeof(*k->cpu));
	if (!k->kbuf || !k->cpu)
		return -ENOMEM;
	for (int c = 0; c < k->ncpus; c++) {
		k->cpu[c] = tracefs_cpu_open(k->inst, c, true);
		if (k->cpu[c] && tracefs_cpu_read_size(k->cpu[c]) > k->page_size)
			k->page_size = tracefs_cpu_read_size(k->cpu[c]);
	}
	k->page = malloc(k->page_size > 0 ? (size_t)k->page_size : 4096);
	if (!k->page || k->page_size <= 0) {
		snprintf(why, whylen, "cannot open the tracefs per-CPU buffers");
		return -EACCES;
	}
	return 0;
}

int kevents_open(pid_t pid, struct kevents **out, char *why, size_t whylen)
{
	struct kevents *k;
	int ret;

	*out = NULL;
	k = calloc(1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	for (const struct kevent_desc *d = kevent_desc_next(NULL); d; d = kevent_desc_next(d))
		if (d->traced)
			k->fmt[k->nfmt++].desc = d;
	ret = kev_instance(k, why, whylen);
	if (ret < 0) {
		free(k);
		return ret;
	}
	k->tep = kev_formats(k);
	if (!k->tep) {
		snprintf(why, whylen, "cannot read the kvm tracepoint formats");
		ret = -EACCES;
	} else {
		ret = kev_configure(k, pid, why, whylen);
	}
	if (!ret && !kev_enable(k)) {
		snprintf(why, whylen, "no kvm tracepoint could be enabled");
		ret = -ENOENT;
	}
	if (!ret)
		ret = kev_open_cpus(k, why, whylen);
	if (ret < 0) {
		kevents_close(k);
		return ret;
	}
	tracefs_instance_file_write(k->inst, "tracing_on", "1");
	*out = k;
	return 0;
}

size_t kevents_available(const struct kevents *k, const char **names, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < k->nfmt && n < max; i++)
		if (k->fmt[i].available)
			names[n++] = k->fmt[i].desc->name;
	return n;
}

size_t kevents_enabled(const struct kevents *k, const char **names, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < k->nfmt && n < max; i++)
		if (k->fmt[i].enabled)
			names[n++] = k->fmt[i].desc->name;
	return n;
}

static int64_t field_value(struct tep_format_field *f, void *data, int size)
{
	unsigned long long v = 0;

	if (!f || f->offset < 0 || f->size < 0 || (unsigned int)(f->offset + f->size) > (unsigned int)size)
		return 0;
	if (tep_read_number_field(f, data, &v) < 0)
		return 0;
	if ((f->flags & TEP_FIELD_IS_SIGNED) && f->size > 0 && f->size < 8) {
		unsigned int bits = (unsigned int)f->size * 8;

		if (v & (1ull << (bits - 1)))
			v |= ~0ull << bits;
	}
	return (int64_t)v;
}

/* One sample of CPU @c: hands it to @cb if it is one of ours. */
static void kev_sample(struct kevents *k, int c, void *data, unsigned long long ts,
		       void (*cb)(void *ctx, struct kev *ev), void *ctx)
{
	struct tep_record rec = {
		.ts = ts, .cpu = c, .data = data, .size = kbuffer_event_size(k->kbuf),
	};
	int type = tep_data_type(k->tep, &rec);
	struct kev ev;

	for (size_t i = 0; i < k->nfmt; i++) {
		struct kev_fmt *f = &k->fmt[i];
		const struct kevent_desc *d = f->desc;

		if (f->type != type || !f->enabled)
			continue;
		memset(&ev, 0, sizeof(ev));
		ev.ts = ts;
		ev.cpu = (uint32_t)c;
		ev.pid = (uint32_t)tep_data_pid(k->tep, &rec);
		ev.vcpu = -1;
		ev.id = d->id;
		ev.nargs = d->nfields;
		for (unsigned int a = 0; a < d->nfields; a++)
			kevent_args_set(d->id, ev.args, d->fields[a], field_value(f->f[a], data, rec.size));
		f->seen++;
		cb(ctx, &ev);
		return;
	}
}

int kevents_read(struct kevents *k, void (*cb)(void *ctx, struct kev *ev), void *ctx)
{
	for (int c = 0; c < k->ncpus; c++) {
		if (!k->cpu[c])
			continue;
		while (tracefs_cpu_read(k->cpu[c], k->page, true) > 0 &&
		       kbuffer_load_subbuffer(k->kbuf, k->page) >= 0) {
			unsigned long long ts;
			void *data;

			if (kbuffer_missed_events(k->kbuf) > 0)
				k->missed += (uint64_t)kbuffer_missed_events(k->kbuf);
			for (data = kbuffer_read_event(k->kbuf, &ts); data;
			     data = kbuffer_next_event(k->kbuf, &ts))
				kev_sample(k, c, data, ts, cb, ctx);
		}
	}
	return 0;
}

uint64_t kevents_lost(struct kevents *k)
{
	uint64_t lost = k->missed;

	for (int c = 0; c < k->ncpus; c++) {
		char file[64];
		char *s, *p;

		snprintf(file, sizeof(file), "per_cpu/cpu%d/stats", c);
		s = tracefs_instance_file_read(k->inst, file, NULL);
		if (!s)
			continue;
		p = strstr(s, "overrun:");
		if (p)
			lost += strtoull(p + 8, NULL, 10);
		free(s);
	}
	return lost;
}

void kevents_silent(const struct kevents *k, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < k->nfmt; i++) {
		const struct kev_fmt *f = &k->fmt[i];

		if (f->enabled && !f->seen && off < len)
			off += (size_t)snprintf(buf + off, len - off, "%s%s", off ? " " : "",
						f->desc->name);
	}
}

void kevents_close(struct kevents *k)
{
	if (!k)
		return;
	if (k->cpu)
		for (int c = 0; c < k->ncpus; c++)
			if (k->cpu[c])
				tracefs_cpu_close(k->cpu[c]);
	free(k->cpu);
	free(k->page);
	if (k->inst) {
		tracefs_instance_destroy(k->inst);
		tracefs_instance_free(k->inst);
	}
	if (k->tep)
		tep_free(k->tep);
	free(k);
}

#else /* !KVMREC_HAVE_TRACEFS */

struct kevents {
	int unused;
};

int kevents_open(pid_t pid, struct kevents **out, char *why, size_t whylen)
{
	(void)pid;
	*out = NULL;
	snprintf(why, whylen, "kvmrec was built without libtracefs");
	return -ENOSYS;
}

size_t kevents_available(const struct kevents *k, const char **n, size_t m)
{
	(void)k; (void)n; (void)m;
	return 0;
}

size_t kevents_enabled(const struct kevents *k, const char **n, size_t m)
{
	(void)k; (void)n; (void)m;
	return 0;
}

int kevents_read(struct kevents *k, void (*cb)(void *, struct kev *), void *ctx)
{
	(void)k; (void)cb; (void)ctx;
	return 0;
}

uint64_t kevents_lost(struct kevents *k)
{
	(void)k;
	return 0;
}

void kevents_silent(const struct kevents *k, char *buf, size_t len)
{
	(void)k;
	if (len)
		buf[0] = '\0';
}

void kevents_close(struct kevents *k)
{
	(void)k;
}
#endif
