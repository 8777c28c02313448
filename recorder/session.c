// SPDX-License-Identifier: GPL-2.0-only
/*
 * The parent's loop: every couple of milliseconds read the kernel's samples,
 * then emit, from the rings and the kernel queue, everything older than a
 * watermark a little behind now, smallest timestamp first. The watermark
 * leaves room for a sample stamped but not yet published (a vCPU thread
 * preempted between its clock read and its publish, a kernel event still
 * being committed). After the VMM is gone the watermark is lifted and all
 * that is left is emitted.
 */
#include <cpuid.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "attach.h"
#ifdef KVMREC_HAVE_BPF
#include "bpf_backend.h"
#endif
#include "decode.h"
#include "kevents.h"
#include "launch.h"
#include "merge.h"
#include "out_file.h"
#include "raw.h"
#include "ring.h"
#include "session.h"
#include "trace_writer.h"

#define WATERMARK_NS (10ull * 1000 * 1000)
#define POLL_NS (2ull * 1000 * 1000)
#define FLUSH_NS TRACE_FRAME_NS
/*
 * How long an IN or MMIO-read exit may wait for the vCPU to re-enter and show
 * what the guest got before it is written without that data (the VMM is
 * slow to answer, or ran the vCPU's next KVM_RUN from another thread).
 */
#define ENTRY_WAIT_NS (200ull * 1000 * 1000)
#define STUCK_BUSY_NS (1000ull * 1000 * 1000)

/*
 * Each ring is emptied into its lane, a private buffer, at every pass: the
 * ring only has to absorb the time between two passes, the lane holds what
 * waits for the watermark. Records in a lane are contiguous.
 */
struct lane {
	uint8_t *buf;
	size_t cap, rd, wr;
	uint64_t busy_since, busy_head;  /* when and at which head the ring was first seen busy */
};

struct session {
	struct ring_ctl *ctl;
	struct trace_writer *w;
	struct kevents *kev;
	struct lane *lanes;          /* one per ring slot */
	uint32_t *live;              /* drain(): the rings looked at in this pass */
	struct kevq *kq;             /* one per host CPU: each arrives in order */
	uint32_t nkq;
	struct decode_buf buf;
	struct recorder_result *res;
	uint64_t last_ts;            /* of the last event written */
	uint64_t seen_dropped, seen_noslot, seen_reentrant, seen_nomap, seen_orphan;
	uint64_t done_stalls;
	int write_err;
	char *err_file;
	struct bpf_backend *bpf;     /* the kernel-side backend, or NULL (preload) */
	uint64_t kev_until;          /* detached: kernel samples after this are not ours */
	uint64_t seen_bpf[3];
};

#ifndef KVMREC_HAVE_BPF
/* Built without libbpf: the backend is never there, and says why. */
struct bpf_backend;
static int bpf_unavailable(char *why, size_t whylen)
{
	snprintf(why, whylen, "BPF backend: kvmrec was built without libbpf "
		 "(install libbpf-dev, bpftool and clang, then rebuild)");
	return -ENOSYS;
}
#define bpf_backend_probe(why, len) bpf_unavailable(why, len)
#define bpf_backend_open(pid, sz, rt, ff, out, why, len) bpf_unavailable(why, len)
#define bpf_backend_pump(b, ctl) ((void)(b), (void)(ctl), 0L)
#define bpf_backend_held(b) ((void)(b), false)
#define bpf_backend_detach(b) ((void)(b))
#define bpf_backend_close(b) ((void)(b))
#endif

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void session_free(struct session *s)
{
	if (s->kq)
		for (uint32_t c = 0; c < s->nkq; c++)
			kevq_free(&s->kq[c]);
	free(s->kq);
	s->kq = NULL;
	if (s->lanes)
		for (uint32_t i = 0; i < ring_used(s->ctl); i++)
			free(s->lanes[i].buf);
	free(s->lanes);
	s->lanes = NULL;
	free(s->live);
	s->live = NULL;
	kevents_close(s->kev);
	s->kev = NULL;
	bpf_backend_close(s->bpf);
	s->bpf = NULL;
	if (s->ctl)
		munmap(s->ctl, ring_region_size(s->ctl->nslots, s->ctl->ring_size));
	s->ctl = NULL;
}

/* ------------------------------------------------------------------------- */
/* The header. */

static void cpu_vendor(char out[13])
{
	unsigned int a, b, c, d;

	memset(out, 0, 13);
	if (!__get_cpuid(0, &a, &b, &c, &d))
		return;
	memcpy(out, &b, 4);
	memcpy(out + 4, &d, 4);
	memcpy(out + 8, &c, 4);
}

static int kvm_api_version(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	int v;

	if (fd < 0)
		return -1;
	v = ioctl(fd, KVM_GET_API_VERSION, 0);
	close(fd);
	return v;
}

/* ------------------------------------------------------------------------- */
/* Emitting. */

static void emit(struct session *s, uint64_t ts, int32_t vcpu, uint32_t tid, Kvmrec__Record *rec)
{
	struct trace_event ev = { .ts_ns = ts, .vcpu = vcpu, .tid = tid, .rec = rec };
	int ret;

	if (s->write_err)
		return;
	ret = trace_writer_append(s->w, &ev);
	if (ret < 0) {
		s->write_err = ret;
		snprintf(s->res->error, sizeof(s->res->error), "%s", trace_writer_error(s->w));
		return;
	}
	s->last_ts = ts;
	s->res->events++;
}

static void emit_note(struct session *s, const char *key, const char *text)
{
	Kvmrec__Record rec;
	Kvmrec__Annotation a;

	kvmrec__record__init(&rec);
	kvmrec__annotation__init(&a);
	a.key = (char *)key;
	a.text = (char *)text;
	rec.body_case = KVMREC__RECORD__BODY_NOTE;
	rec.note = &a;
	emit(s, s->last_ts, TRACE_VCPU_NONE, 0, &rec);
}

static void emit_drop(struct session *s, uint64_t count, const char *what)
{
	Kvmrec__Record rec;
	Kvmrec__Drop d;

	kvmrec__record__init(&rec);
	kvmrec__drop__init(&d);
	d.has_count = 1;
	d.count = count;
	d.what = (char *)what;
	rec.body_case = KVMREC__RECORD__BODY_DROP;
	rec.drop = &d;
	emit(s, s->last_ts, TRACE_VCPU_NONE, 0, &rec);
	s->res->dropped += count;
}

/* Drops are counted where they happen; here they become Drop records. */
static void emit_drops(struct session *s)
{
	uint64_t dropped = 0, v;

	for (uint32_t i = 0; i < ring_used(s->ctl); i++)
		dropped += __atomic_load_n(&ring_slot(s->ctl, i)->dropped, __ATOMIC_RELAXED);
	if (dropped > s->seen_dropped) {
		emit_drop(s, dropped - s->seen_dropped, "userspace ring full (--lossy)");
		s->seen_dropped = dropped;
	}
	v = __atomic_load_n(&s->ctl->no_slot, __ATOMIC_RELAXED);
	if (v > s->seen_noslot) {
		char what[80];

		snprintf(what, sizeof(what), "more VMM threads at once than rings (%u)",
			 s->ctl->nslots);
		emit_drop(s, v - s->seen_noslot, what);
		s->seen_noslot = v;
	}
	v = __atomic_load_n(&s->ctl->no_run_map, __ATOMIC_RELAXED);
	if (v > s->seen_nomap) {
		emit_drop(s, v - s->seen_nomap, "KVM_RUN on a vCPU whose kvm_run could not be mapped");
		s->seen_nomap = v;
	}
	v = __atomic_load_n(&s->ctl->orphan_dropped, __ATOMIC_RELAXED);
	if (v > s->seen_orphan) {
		emit_drop(s, v - s->seen_orphan, "recorder stopped for a second and its pid not found");
		s->seen_orphan = v;
	}
	v = __atomic_load_n(&s->ctl->reentrant, __ATOMIC_RELAXED);
	if (v > s->seen_reentrant) {
		emit_drop(s, v - s->seen_reentrant, "KVM ioctl from a signal handler inside a record");
		s->seen_reentrant = v;
	}
#ifdef KVMREC_HAVE_BPF
	if (s->bpf) {
		uint64_t d[BPF_BACKEND_NDROPS];

		bpf_backend_drops(s->bpf, d);
		for (int k = 0; k < BPF_BACKEND_NDROPS; k++) {
			if (d[k] > s->seen_bpf[k]) {
				emit_drop(s, d[k] - s->seen_bpf[k], bpf_backend_drop_what(k));
				s->seen_bpf[k] = d[k];
			}
		}
	}
#endif
}

/* ------------------------------------------------------------------------- */
/* Reading the rings. */


static int lane_reserve(struct lane *l, size_t n)
{
	if (l->rd && l->rd >= l->cap / 2) {
		memmove(l->buf, l->buf + l->rd, l->wr - l->rd);
		l->wr -= l->rd;
		l->rd = 0;
	}
	if (l->wr + n > l->cap) {
		size_t cap = l->cap ? l->cap : 64 * 1024;
		uint8_t *b;

		while (cap < l->wr + n)
			cap *= 2;
		b = realloc(l->buf, cap);
		if (!b)
			return -ENOMEM;
		l->buf = b;
		l->cap = cap;
	}
	return 0;
}

/* Moves everything published in @r into @l; the producer may go on. */
static void lane_pull(struct session *s, struct ring *r, struct lane *l)
{
	uint64_t avail = ring_avail(r);

	if (!avail || lane_reserve(l, avail) < 0)
		return;  /* on ENOMEM the data stays in the ring, the producer waits */
	while (avail) {
		uint64_t contig;
		const uint8_t *p = ring_peek(s->ctl, r, 0, &contig);
		uint64_t n = avail < contig ? avail : contig;

		memcpy(l->buf + l->wr, p, n);
		l->wr += n;
		ring_consume(r, n);
		avail -= n;
	}
}

static void lane_consume(struct lane *l, size_t n)
{
	l->rd += n;
	if (l->rd >= l->wr)
		l->rd = l->wr = 0;
}

/* The record at the lane's front, skipping padding; NULL if none. */
static const struct raw_hdr *lane_head(struct session *s, struct lane *l, uint32_t *len)
{
	for (;;) {
		size_t avail = l->wr - l->rd;
		const struct raw_hdr *h;

		if (avail < sizeof(uint64_t))
			return NULL;
		h = (const struct raw_hdr *)(l->buf + l->rd);
		if (h->len < 8 || (h->len & 7) || h->len > avail ||
		    (h->type != RAW_PAD && h->len < sizeof(*h))) {
			/* Not something the interposer wrote: say so, keep the rest going. */
			lane_consume(l, avail);
			emit_drop(s, 1, "damaged ring data");
			continue;
		}
		if (h->type == RAW_PAD || h->type == RAW_RUN_ENTRY) {
			lane_consume(l, h->len);
			continue;
		}
		*len = h->len;
		return h;
	}
}

/*
 * An IN or MMIO-read exit is complete once the vCPU re-entered and the
 * interposer logged what the guest got. Returns 1 with *entry set (NULL if
 * the VMM never re-entered and @final), 0 if still waiting.
 */
static int lane_find_entry(struct lane *l, const struct raw_hdr *h, bool final,
			   struct raw_hdr **entry)
{
	size_t avail = l->wr - l->rd, off = h->len;

	*entry = NULL;
	while (off + sizeof(struct raw_hdr) <= avail) {
		struct raw_hdr *e = (struct raw_hdr *)(l->buf + l->rd + off);

		if (e->len < 8 || (e->len & 7) || off + e->len > avail)
			return 1;
		if (e->type == RAW_RUN_ENTRY && e->vcpu == h->vcpu && e->len >= sizeof(*e) &&
		    e->arglen <= e->len - sizeof(*e)) {
			*entry = e;
			return 1;
		}
		if (e->type == RAW_RUN && e->vcpu == h->vcpu)
			return 1;
		off += e->len;
	}
	return final;
}

static void emit_lane_record(struct session *s, struct ring *r, struct lane *l,
			     const struct raw_hdr *h, uint32_t len, struct raw_hdr *entry)
{
	const uint8_t *edata = entry ? (const uint8_t *)(entry + 1) : NULL;
	uint32_t elen = entry ? entry->arglen : 0;

	if (decode_raw(&s->buf, h, len, edata, elen) == 0) {
		emit(s, h->ts, h->vcpu, r->tid, &s->buf.rec);
		if (h->type == RAW_RUN)
			s->res->runs++;
	} else {
		emit_drop(s, 1, "undecodable interposer record");
	}
	if (entry)
		entry->type = RAW_PAD;  /* consumed with its exit */
	lane_consume(l, len);
}

/* ------------------------------------------------------------------------- */
/* Kernel samples. */

static void on_kev(void *ctx, struct kev *ev)
{
	struct session *s = ctx;

	if (s->kev_until && ev->ts > s->kev_until)
		return;
	if (ev->cpu >= s->nkq || kevq_push(&s->kq[ev->cpu], ev) < 0)
		emit_drop(s, 1, "kernel event (out of memory)");
	s->res->kernel_events++;
}

/* The oldest queued kernel sample over all CPUs, or NULL. */
static struct kevq *kev_oldest(struct session *s)
{
	struct kevq *best = NULL;

	for (uint32_t c = 0; c < s->nkq; c++) {
		struct kev *k = kevq_front(&s->kq[c]);

		if (k && (!best || k->ts < kevq_front(best)->ts))
			best = &s->kq[c];
	}
	return best;
}

static void emit_kev(struct session *s, struct kevq *q)
{
	struct kev *k = kevq_front(q);

	/*
	 * Map the thread to the vCPU it runs, as its records said. Done here,
	 * behind the watermark, not when the sample is read: the kernel stamps
	 * a thread's first exit before its first record reaches a ring.
	 */
	for (uint32_t i = 0; i < ring_used(s->ctl); i++) {
		struct ring *r = ring_slot(s->ctl, i);

		if (r->state != RING_FREE && r->tid == k->pid) {
			k->vcpu = __atomic_load_n(&r->vcpu, __ATOMIC_RELAXED);
			break;
		}
	}
	decode_kevent(&s->buf, k);
	emit(s, k->ts, k->vcpu, k->pid, &s->buf.rec);
	kevq_pop(q);
}

/* ------------------------------------------------------------------------- */

/* Emits, in timestamp order, everything stamped before @watermark. */
static void drain(struct session *s, uint64_t watermark, bool final)
{
	uint32_t *live = s->live, nlive = 0, used = ring_used(s->ctl);

	for (uint32_t i = 0; i < used; i++) {
		struct ring *r = ring_slot(s->ctl, i);

		if (__atomic_load_n(&r->state, __ATOMIC_ACQUIRE) != RING_FREE ||
		    s->lanes[i].wr != s->lanes[i].rd) {
			lane_pull(s, r, &s->lanes[i]);
			live[nlive++] = i;
		}
	}
	for (;;) {
		uint32_t best = UINT32_MAX;
		const struct raw_hdr *bh = NULL;
		uint32_t blen = 0;
		uint64_t bts = UINT64_MAX;
		struct kevq *kq = kev_oldest(s);
		struct kev *k = kq ? kevq_front(kq) : NULL;

		for (uint32_t i = 0; i < nlive; i++) {
			uint32_t len;
			const struct raw_hdr *h = lane_head(s, &s->lanes[live[i]], &len);

			if (h && h->ts < bts) {
				best = live[i];
				bh = h;
				blen = len;
				bts = h->ts;
			}
		}
		/* The kernel stamps its samples before the ioctl returns: ties go to it. */
		if (k && k->ts <= bts && k->ts < watermark) {
			emit_kev(s, kq);
			continue;
		}
		if (best == UINT32_MAX || bts >= watermark)
			break;
		struct raw_hdr *entry = NULL;
		struct lane *l = &s->lanes[best];
		struct ring *br = ring_slot(s->ctl, best);
		/* A thread that ended has published all it will: its lane holds the entry or nothing. */
		bool gone = __atomic_load_n(&br->state, __ATOMIC_ACQUIRE) == RING_DONE &&
			    !ring_avail(br);

		if (decode_run_wants_entry(bh, blen) &&
		    !lane_find_entry(l, bh, final || gone || bh->ts + ENTRY_WAIT_NS < watermark,
				     &entry))
			break;  /* the exit waits for its data; so does everything after it */
		emit_lane_record(s, br, l, bh, blen, entry);
	}
	emit_drops(s);
	/* A thread that ended and was drained gives its slot back. */
	for (uint32_t i = 0; i < nlive; i++) {
		struct ring *r = ring_slot(s->ctl, live[i]);
		struct lane *l = &s->lanes[live[i]];

		if (__atomic_load_n(&r->state, __ATOMIC_ACQUIRE) == RING_DONE && !ring_avail(r) &&
		    l->wr == l->rd) {
			s->done_stalls += r->stalls;
			s->seen_dropped -= r->dropped;
			r->stalls = 0;
			r->dropped = 0;
			ring_recycle(r);
		}
	}
}

/* True if a VMM thread is between stamping a record and publishing it. */
static bool rings_busy(struct session *s, uint64_t now)
{
	bool any = false;

	for (uint32_t i = 0; i < ring_used(s->ctl); i++) {
		struct ring *r = ring_slot(s->ctl, i);
		struct lane *l = &s->lanes[i];
		uint64_t head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);

		if (!ring_busy(r)) {
			l->busy_since = 0;
			continue;
		}
		if (!l->busy_since || l->busy_head != head) {
			l->busy_since = now;
			l->busy_head = head;
		}
		/*
		 * A thread busy for a second without publishing was taken out of
		 * its record (a signal handler that never returned): stop waiting.
		 */
		if (now - l->busy_since < STUCK_BUSY_NS)
			any = true;
	}
	return any;
}

static uint64_t total_stalls(struct session *s)
{
	uint64_t n = s->done_stalls;

	for (uint32_t i = 0; i < ring_used(s->ctl); i++)
		n += ring_slot(s->ctl, i)->stalls;
	return n;
}

/* ------------------------------------------------------------------------- */

/* Closes those of @n fds that are open (>= 0). */
static void close_fds(const int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* What the header says about this recording, besides what every trace says. */
struct header_ctx {
	char **argv;
	pid_t pid;
	const char *backend;
	bool mid_run;
	struct kevents *kev;
	const char *note;
	struct utsname uts;
	char vendor[13];
	const char *avail[KEVENTS_MAX], *enabled[KEVENTS_MAX];
};

static void fill_header(Kvmrec__Header *h, struct header_ctx *c)
{
	struct timespec wall;

	kvmrec__header__init(h);
	h->kvmrec_version = (char *)KVMREC_VERSION;
	if (!uname(&c->uts))
		h->host_kernel = c->uts.release;
	cpu_vendor(c->vendor);
	h->cpu_vendor = c->vendor;
	h->has_kvm_api_version = 1;
	h->kvm_api_version = kvm_api_version();
	for (h->n_vmm_argv = 0; c->argv[h->n_vmm_argv]; h->n_vmm_argv++)
		;
	h->vmm_argv = c->argv;
	h->clock = (char *)"mono";
	h->has_start_ns = 1;
	h->start_ns = mono_ns();
	clock_gettime(CLOCK_REALTIME, &wall);
	h->has_wall_start_unix_ns = 1;
	h->wall_start_unix_ns = (uint64_t)wall.tv_sec * 1000000000ull + (uint64_t)wall.tv_nsec;
	h->recorder = (char *)c->backend;
	h->has_vmm_pid = 1;
	h->vmm_pid = (uint32_t)c->pid;
	if (c->mid_run) {
		h->has_mid_run = 1;
		h->mid_run = 1;
	}
	if (c->kev) {
		h->n_kernel_events_available = kevents_available(c->kev, c->avail, KEVENTS_MAX);
		h->kernel_events_available = (char **)c->avail;
		h->n_kernel_events_enabled = kevents_enabled(c->kev, c->enabled, KEVENTS_MAX);
		h->kernel_events_enabled = (char **)c->enabled;
	}
	h->kernel_events_note = (char *)c->note;
}

/* Takes the kvm:* tracepoints for @pid's threads when it can; @note says what happened. */
static void session_open_kevents(struct session *s, const struct recorder_opts *o, pid_t pid,
				 char *note, size_t len)
{
	note[0] = '\0';
	if (!o->kernel_events) {
		snprintf(note, len, "--no-kernel-events");
	} else if (kevents_open(pid, &s->kev, note, len) == 0) {
		s->nkq = (uint32_t)sysconf(_SC_NPROCESSORS_CONF);
		s->kq = calloc(s->nkq, sizeof(*s->kq));
		if (!s->kq)
			s->nkq = 0;
		snprintf(note, len, "tracefs instance on the mono clock, pid %d and its tasks",
			 (int)pid);
		if (!access("/sys/module/kvm_pvm", F_OK))
			snprintf(note + strlen(note), len - strlen(note),
				 "; kvm-pvm backend: kvm_entry, kvm_exit and kvm_inj_virq do not fire on it");
	} else {
		snprintf(s->res->kernel_note, sizeof(s->res->kernel_note), "%s", note);
	}
}

/*
 * Rings for the session: the interposer's to share, or the bpf backend's to
 * fill. With bpf, --ring-size sizes the BPF ring buffer (what can overflow);
 * the rings behind it are emptied every pass and keep the default size.
 */
static int session_rings(struct session *s, const struct recorder_opts *o, bool bpf,
			 bool lossy, int *ringfd)
{
	int ret = ring_region_create(RING_MAX_SLOTS,
				     o->ring_size && !bpf ? o->ring_size : RING_DEFAULT_SIZE,
				     lossy, ringfd, &s->ctl);

	if (ret < 0) {
		snprintf(s->res->error, sizeof(s->res->error),
			 "cannot create the recording rings: %s", strerror(-ret));
		return ret;
	}
	ring_region_set_run_times(s->ctl, o->run_times);
	s->lanes = calloc(s->ctl->nslots, sizeof(*s->lanes));
	s->live = calloc(s->ctl->nslots, sizeof(*s->live));
	if (!s->lanes || !s->live) {
		snprintf(s->res->error, sizeof(s->res->error), "out of memory");
		return -ENOMEM;
	}
	return 0;
}

/* How the loop learns that the recording is over. */
struct watch {
	pid_t pid;
	bool child;          /* ours: waitpid() gives its status */
	int pidfd;           /* attached: readable once the VMM has exited */
	uint64_t deadline;   /* attached with --duration, else 0 */
	int status;
	bool exited;
};

static volatile sig_atomic_t g_stop_sig;

static void on_stop_signal(int sig)
{
	g_stop_sig = sig;
}

static void watch_signals(bool on)
{
	struct sigaction sa = { .sa_handler = on ? on_stop_signal : SIG_DFL };

	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

static bool watch_done(struct watch *w, uint64_t now)
{
	if (w->child) {
		if (waitpid(w->pid, &w->status, WNOHANG) == w->pid)
			w->exited = true;
		return w->exited;
	}
	if (w->pidfd >= 0) {
		struct pollfd pfd = { .fd = w->pidfd, .events = POLLIN };

		if (poll(&pfd, 1, 0) > 0)
			w->exited = true;
	} else if (kill(w->pid, 0) < 0 && errno == ESRCH) {
		w->exited = true;
	}
	return w->exited || g_stop_sig || (w->deadline && now >= w->deadline);
}

/* A failed flush is kept: the loop goes on draining the rings, the finish reports it. */
static void session_flush(struct session *s)
{
	int ret;

	if (!s->write_err && (ret = trace_writer_flush(s->w)) < 0) {
		s->write_err = ret;
		snprintf(s->res->error, sizeof(s->res->error), "%s", trace_writer_error(s->w));
	}
}

/*
 * The parent's loop, in the shape of kvmtool's kvm_cpu__start: read the
 * clock, gather the kernel's and the backend's samples, drain up to the
 * watermark, flush now and then, sleep; until the watch says done.
 */
static void session_loop(struct session *s, struct watch *w)
{
	uint64_t last_flush = mono_ns();

	for (;;) {
		uint64_t now;

		/*
		 * Read the clock first: a kernel sample stamped before it is in
		 * the buffers we read next, and a ring that is not mid-record
		 * after it can only publish records stamped later. The BPF
		 * program stamps and publishes without being preempted.
		 */
		now = mono_ns();
		ring_region_heartbeat(s->ctl, now);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		bool done = watch_done(w, now);
		bool busy = rings_busy(s, now);

		if (s->kev)
			kevents_read(s->kev, on_kev, s);
		if (s->bpf)
			bpf_backend_pump(s->bpf, s->ctl);
		if (done)
			break;
		drain(s, busy || now < WATERMARK_NS ? 0 : now - WATERMARK_NS, false);
		if (now - last_flush >= FLUSH_NS) {
			session_flush(s);
			last_flush = now;
		}
		struct timespec ts = { 0, (long)POLL_NS };

		nanosleep(&ts, NULL);
	}
}

/* The watch said done: stop recording and take everything still in flight. */
static void session_stop(struct session *s, struct watch *w)
{
	if (w->child)
		launch_forward_signals(0);
	s->res->wait_status = w->status;
	s->res->vmm_ran = w->child;
	if (s->bpf) {
		/*
		 * Detach, then take what the program wrote before it stopped and
		 * the kernel samples up to that moment: the window ends there.
		 */
		bpf_backend_detach(s->bpf);
		s->kev_until = mono_ns();
		if (s->kev)
			kevents_read(s->kev, on_kev, s);
		while (bpf_backend_pump(s->bpf, s->ctl) > 0 || bpf_backend_held(s->bpf))
			drain(s, UINT64_MAX, false);
	}
	/* The VMM is gone or no longer recorded; what it published is all in the rings. */
	drain(s, UINT64_MAX, true);
}

/* Why the recording ended, as the footer's end_reason (@text) and vmm_status say it. */
static void session_end_reason(struct session *s, const struct recorder_opts *o,
			       const struct watch *w, Kvmrec__Footer *f, char *text, size_t len)
{
	if (!w->child) {
		if (w->exited)
			snprintf(text, len, "vmm exited");
		else if (g_stop_sig)
			snprintf(text, len, "stopped by signal %d; detached, the VMM runs on",
				 (int)g_stop_sig);
		else
			snprintf(text, len, "--duration %g s elapsed; detached, the VMM runs on",
				 o->duration);
		emit_note(s, "recorder", text);
	} else if (WIFSIGNALED(w->status)) {
		snprintf(text, len, "vmm killed by signal %d", WTERMSIG(w->status));
		emit_note(s, "signal", text);
		f->has_vmm_status = 1;
		f->vmm_status = -WTERMSIG(w->status);
	} else {
		snprintf(text, len, "vmm exited with status %d", WEXITSTATUS(w->status));
		f->has_vmm_status = 1;
		f->vmm_status = WEXITSTATUS(w->status);
	}
	snprintf(s->res->end_reason, sizeof(s->res->end_reason), "%s", text);
}

/* The notes and counts a reader needs to trust the trace: what never ran, what was lost. */
static void session_account(struct session *s, Kvmrec__Footer *f)
{
	struct recorder_result *res = s->res;

	if (!s->bpf && !__atomic_load_n(&s->ctl->attached_pid, __ATOMIC_ACQUIRE)) {
		emit_note(s, "recorder", "the interposer never started in the VMM");
		res->not_attached = true;
	}
	if (s->kev) {
		char silent[256];

		kevents_silent(s->kev, silent, sizeof(silent));
		if (silent[0]) {
			char msg[320];

			snprintf(msg, sizeof(msg), "enabled but never fired: %s", silent);
			emit_note(s, "kernel_events", msg);
		}
		res->kernel_lost = kevents_lost(s->kev);
		if (res->kernel_lost)
			emit_drop(s, res->kernel_lost, "kernel ring overrun");
		res->dropped -= res->kernel_lost;  /* counted apart, in kernel_lost */
	}
	res->stalls = total_stalls(s);
	for (uint32_t c = 0; c < s->nkq; c++)
		res->kevq_peak += s->kq[c].peak;
	f->has_dropped = 1;
	f->dropped = res->dropped;
	f->has_kernel_lost = 1;
	f->kernel_lost = res->kernel_lost;
	f->has_ring_stalls = 1;
	f->ring_stalls = res->stalls;
}

/* The footer, the trace closed (or abandoned after a write error), the session freed. */
static int session_finish(struct session *s, const struct recorder_opts *o,
			  const struct watch *w)
{
	struct recorder_result *res = s->res;
	char text[256];
	Kvmrec__Footer f;
	struct stat st;
	struct rusage ru;
	int ret;

	kvmrec__footer__init(&f);
	session_end_reason(s, o, w, &f, text, sizeof(text));
	session_account(s, &f);
	f.end_reason = text;
	if (s->write_err) {
		trace_writer_abort(s->w);
		ret = s->write_err;
	} else {
		ret = trace_writer_close(s->w, &f);
		if (ret < 0)
			snprintf(res->error, sizeof(res->error), "%s: cannot finish the trace: %s",
				 o->out, strerror(-ret));
		else
			ret = 0;
	}
	if (!stat(o->out, &st))
		res->bytes = (uint64_t)st.st_size;
	if (!getrusage(RUSAGE_SELF, &ru))
		res->peak_rss_kb = (uint64_t)ru.ru_maxrss;
	session_free(s);
	return ret;
}

/*
 * The parent's loop and the footer: drain until the watch says done, then
 * stop the backend, drain everything, close the trace.
 */
static int session_record(struct session *s, const struct recorder_opts *o, struct watch *w)
{
	session_loop(s, w);
	session_stop(s, w);
	return session_finish(s, o, w);
}

int recorder_bpf_usable(char *why, size_t whylen)
{
	return bpf_backend_probe(why, whylen);
}

/* `record --pid`: the bpf backend on a VMM that is already running. */
static int recorder_attach(const struct recorder_opts *o, struct recorder_result *res)
{
	struct session s = { .res = res };
	struct trace_writer_opts wo = { .overwrite = false, .mode = 0600 };
	struct header_ctx hc = { .backend = "bpf", .mid_run = true };
	struct watch w = { .pid = o->attach_pid, .pidfd = -1 };
	static struct attach_argv av;
	char note[512];
	int ringfd = -1, lockfd, ret;
	Kvmrec__Header hdr;

	res->backend = "bpf";
	ret = attach_check(o->attach_pid, &av, res->error, sizeof(res->error));
	if (ret < 0)
		return ret;
	ret = out_file_check(o->out, &(struct out_file_opts){ 0 }, note, sizeof(note));
	if (ret < 0) {
		snprintf(res->error, sizeof(res->error), "%.300s: %.200s", o->out, note);
		return ret;
	}
	lockfd = attach_lock(o->attach_pid, res->error, sizeof(res->error));
	if (lockfd < 0)
		return lockfd;
	ret = session_rings(&s, o, true, false, &ringfd);
	if (ret < 0)
		goto fail;
	close(ringfd);
	ringfd = -1;
	w.pidfd = (int)syscall(SYS_pidfd_open, o->attach_pid, 0);
	/* Stop signals end the recording, not the VMM: it is not ours. */
	g_stop_sig = 0;
	watch_signals(true);
	/* Kernel side first: every KVM_RUN the program sees then has its kernel events. */
	session_open_kevents(&s, o, o->attach_pid, note, sizeof(note));
	ret = bpf_backend_open(o->attach_pid, o->ring_size, o->run_times, 0, &s.bpf, res->error,
			       sizeof(res->error));
	if (ret < 0)
		goto fail;
	hc.argv = av.argv[0] ? av.argv : (char *[]){ (char *)"?", NULL };
	hc.pid = o->attach_pid;
	hc.kev = s.kev;
	hc.note = note;
	fill_header(&hdr, &hc);
	ret = trace_writer_open(o->out, &hdr, &wo, &s.w);
	if (ret < 0) {
		snprintf(res->error, sizeof(res->error), "%s", trace_writer_error(NULL));
		goto fail;
	}
	if (o->duration > 0)
		w.deadline = mono_ns() + (uint64_t)(o->duration * 1e9);
	ret = session_record(&s, o, &w);
	watch_signals(false);
	if (w.pidfd >= 0)
		close(w.pidfd);
	attach_unlock(o->attach_pid, lockfd);
	return ret;
fail:
	watch_signals(false);
	if (w.pidfd >= 0)
		close(w.pidfd);
	session_free(&s);
	attach_unlock(o->attach_pid, lockfd);
	return ret;
}

/* Which backend records @vmm: the one asked for, or preload unless the VMM is static. */
static int choose_backend(const struct recorder_opts *o, const char *vmm,
			  struct recorder_result *res)
{
	char why[256];
	int stat_ret = launch_check_dynamic(vmm);

	if (o->backend == RECORDER_BPF) {
		if (bpf_backend_probe(why, sizeof(why)) < 0) {
			snprintf(res->error, sizeof(res->error), "%s", why);
			return -ENOTSUP;
		}
		return RECORDER_BPF;
	}
	if (stat_ret != -ENOEXEC)
		return RECORDER_PRELOAD;
	if (o->backend == RECORDER_PRELOAD) {
		snprintf(res->error, sizeof(res->error),
			 "%.400s: statically linked VMM; the interposer (LD_PRELOAD) cannot enter it",
			 vmm);
		return -ENOEXEC;
	}
	if (bpf_backend_probe(why, sizeof(why)) < 0) {
		snprintf(res->error, sizeof(res->error),
			 "%.200s: statically linked VMM; the interposer (LD_PRELOAD) cannot enter it, "
			 "and %.200s", vmm, why);
		return -ENOEXEC;
	}
	snprintf(res->backend_note, sizeof(res->backend_note),
		 "%.180s is statically linked: recording it with the bpf backend", vmm);
	return RECORDER_BPF;
}

/* What recorder_run needs from starting the VMM to handing it the go. */
struct launch {
	char vmm[PATH_MAX];
	char preload[PATH_MAX];
	int backend;
	int ringfd;
	int gopipe[2];
	int errpipe[2];
	pid_t pid;
	struct header_ctx hc;
	Kvmrec__Header hdr;
	char note[512];
};

/* The VMM to run, the backend that records it, the file it is recorded to. */
static int launch_prepare(const struct recorder_opts *o, struct recorder_result *res,
			  struct launch *l)
{
	char why[200];
	int ret = launch_find_vmm(o->argv[0], l->vmm, sizeof(l->vmm));

	if (ret < 0) {
		snprintf(res->error, sizeof(res->error), "%s: %s", o->argv[0],
			 ret == -EACCES ? "VMM is not executable" : "VMM not found");
		return ret;
	}
	l->backend = choose_backend(o, l->vmm, res);
	if (l->backend < 0)
		return l->backend;
	res->backend = l->hc.backend = l->backend == RECORDER_BPF ? "bpf" : "preload";
	if (l->backend == RECORDER_PRELOAD &&
	    launch_find_preload(o->preload, l->preload, sizeof(l->preload)) < 0) {
		snprintf(res->error, sizeof(res->error),
			 "libkvmrec-preload.so: not found next to kvmrec or in %s",
#ifdef KVMREC_LIBDIR
			 KVMREC_LIBDIR
#else
			 "the libdir"
#endif
			 );
		return -ENOENT;
	}
	ret = out_file_check(o->out, &(struct out_file_opts){ 0 }, why, sizeof(why));
	if (ret < 0) {
		snprintf(res->error, sizeof(res->error), "%.300s: %s", o->out, why);
		return ret;
	}
	return 0;
}

/* Rings, then the VMM forked; it waits on the go pipe until the trace is open. */
static int launch_fork(struct session *s, const struct recorder_opts *o, struct launch *l)
{
	struct recorder_result *res = s->res;
	/* The bpf backend fills the rings from this process: it never waits, so never lossy. */
	int ret = session_rings(s, o, l->backend == RECORDER_BPF,
				l->backend == RECORDER_PRELOAD && o->lossy, &l->ringfd);

	if (ret < 0)
		return ret;
	if (pipe2(l->gopipe, O_CLOEXEC) || pipe2(l->errpipe, O_CLOEXEC)) {
		ret = -errno;
		snprintf(res->error, sizeof(res->error), "pipe: %s", strerror(-ret));
		return ret;
	}
	fflush(NULL);
	l->pid = fork();
	if (l->pid < 0) {
		ret = -errno;
		snprintf(res->error, sizeof(res->error), "fork: %s", strerror(-ret));
		return ret;
	}
	if (l->pid == 0) {
		close(l->gopipe[1]);
		close(l->errpipe[0]);
		launch_child_exec(o->argv, l->backend == RECORDER_PRELOAD ? l->preload : NULL,
				  l->ringfd, l->gopipe[0], l->errpipe[1]);
	}
	close(l->gopipe[0]);
	close(l->errpipe[1]);
	close(l->ringfd);
	l->ringfd = -1;
	launch_forward_signals(l->pid);
	return 0;
}

/* The backend and the kernel's events on the forked VMM, then the trace with its header. */
static int launch_trace_open(struct session *s, const struct recorder_opts *o,
			     struct launch *l)
{
	struct recorder_result *res = s->res;
	struct trace_writer_opts wo = { .overwrite = false, .mode = 0600 };
	int ret;

	if (l->backend == RECORDER_BPF) {
		/* A wrapper (timeout, a shell) may fork the VMM rather than exec it: follow forks. */
		ret = bpf_backend_open(l->pid, o->ring_size, o->run_times, 1, &s->bpf, res->error,
				       sizeof(res->error));
		if (ret < 0)
			return ret;
	}
	session_open_kevents(s, o, l->pid, l->note, sizeof(l->note));
	l->hc.argv = o->argv;
	l->hc.pid = l->pid;
	l->hc.kev = s->kev;
	l->hc.note = l->note;
	fill_header(&l->hdr, &l->hc);
	ret = trace_writer_open(o->out, &l->hdr, &wo, &s->w);
	if (ret < 0) {
		/* Nothing was handed out; the writer's reason names the file. */
		snprintf(res->error, sizeof(res->error), "%s", trace_writer_error(NULL));
		return ret;
	}
	return 0;
}

/*
 * Go. If the VMM was killed while it waited, the write fails; the wait in
 * the loop then reports how it died (SIGPIPE is ignored here only, after the
 * fork, so the VMM keeps its own disposition). Returns -errno of a failed
 * exec, having cleaned up: nothing was recorded, no file is left behind.
 */
static int launch_go(struct session *s, const struct recorder_opts *o, struct launch *l)
{
	struct sigaction pipe_ign = { .sa_handler = SIG_IGN }, pipe_old;
	int e;

	sigaction(SIGPIPE, &pipe_ign, &pipe_old);
	if (write(l->gopipe[1], "g", 1) != 1)
		emit_note(s, "recorder", "the VMM was gone before it could start");
	sigaction(SIGPIPE, &pipe_old, NULL);
	close(l->gopipe[1]);
	if (read(l->errpipe[0], &e, sizeof(e)) == (ssize_t)sizeof(e)) {
		snprintf(s->res->error, sizeof(s->res->error), "%.400s: cannot execute: %s",
			 l->vmm, strerror(e));
		close(l->errpipe[0]);
		waitpid(l->pid, NULL, 0);
		trace_writer_abort(s->w);
		unlink(o->out);
		launch_forward_signals(0);
		session_free(s);
		return -e;
	}
	close(l->errpipe[0]);
	return 0;
}

/* Start (prepare, fork, open the trace, go), the loop and the finish: session_record. */
int recorder_run(const struct recorder_opts *o, struct recorder_result *res)
{
	struct session s = { .res = res };
	struct launch l = { .ringfd = -1, .gopipe = { -1, -1 }, .errpipe = { -1, -1 } };
	struct watch w = { .child = true, .pidfd = -1 };
	char lockwhy[160];
	int ret, lockfd;

	memset(res, 0, sizeof(*res));
	if (o->attach_pid > 0)
		return recorder_attach(o, res);
	ret = launch_prepare(o, res, &l);
	if (ret < 0)
		return ret;
	ret = launch_fork(&s, o, &l);
	if (ret < 0)
		goto fail_start;
	w.pid = l.pid;
	ret = launch_trace_open(&s, o, &l);
	if (ret < 0)
		goto fail_child;
	ret = launch_go(&s, o, &l);
	if (ret < 0)
		return ret;
	/* Taken for `record --pid` to see; a VMM we start is ours alone anyway. */
	lockfd = attach_lock(l.pid, lockwhy, sizeof(lockwhy));
	ret = session_record(&s, o, &w);
	attach_unlock(l.pid, lockfd);
	return ret;

fail_child:	/* the VMM was forked and waits for the go */
	close(l.gopipe[1]);
	close(l.errpipe[0]);
	kill(l.pid, SIGKILL);
	waitpid(l.pid, NULL, 0);
	launch_forward_signals(0);
	session_free(&s);
	return ret;

fail_start:	/* before the VMM was started */
	close_fds(l.gopipe, 2);
	close_fds(l.errpipe, 2);
	if (l.ringfd >= 0)
		close(l.ringfd);
	session_free(&s);
	return ret;
}
