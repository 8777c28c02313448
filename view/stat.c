// SPDX-License-Identifier: GPL-2.0-only
/* stat: per-vCPU exit, injection and sync statistics (see stat.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <linux/kvm.h>
#include "kevent_table.h"
#include "trace_format.h"
#include "hist.h"
#include "json_out.h"
#include "replay.h"
#include "stat.h"
#include "trace_names.h"

/*
 * Input decides how many vCPUs and exit reasons there are; past these caps a
 * corrupt or hostile trace is folded into one "other" slot instead of
 * growing memory without bound.
 */
#define STAT_MAX_VCPUS   512
#define STAT_MAX_REASONS 48
#define STAT_MAX_GSI     256
#define STAT_MAX_DROPS   8
#define STAT_MAX_ITEMS   8       /* violations and undecided items listed by name */
#define STAT_NKEV        (KVMREC__KERNEL_EVENT_ID__KEV_APIC_ACCEPT_IRQ_OLD + 1)
#define STAT_VCPU_OTHER  INT32_MIN
#define STAT_REASON_OTHER UINT32_MAX
/* KVM_RUN returned -EINTR: a signal kicked the thread out, no exit reason is valid. */
#define STAT_REASON_EINTR (UINT32_MAX - 1)

struct reason_stat {
	uint32_t reason;
	uint64_t count;
	uint64_t errors;          /* KVM_RUN returned < 0 */
	struct hist guest;        /* run_ns */
	struct hist user;         /* exit to next entry */
};

struct vec_stat {
	uint64_t kvm_interrupt;   /* userspace KVM_INTERRUPT */
	uint64_t inj_virq;        /* kernel kvm_inj_virq */
	uint64_t accepted;        /* kvm_apic_accept_irq, not coalesced */
	uint64_t coalesced;       /* kvm_apic_accept_irq, already pending */
	uint64_t eoi;             /* kvm_eoi of this vector */
	/* The replayer's decisions (replayer/judge.h), never the view's own. */
	uint64_t violations, undecided, pending;
	uint8_t violation;        /* enum check_once_kind of the first */
};

struct vcpu_stat {
	int32_t id;
	uint64_t exits;
	uint64_t timed;           /* exits with RunExit.run_ns (recorded with --run-times) */
	uint64_t guest_ns, user_ns;
	struct reason_stat *reasons;
	size_t n_reasons;
	struct vec_stat vec[256];
	uint64_t kvm_nmi, inj_nmi, eoi_none;
	uint64_t lapic_get, lapic_set, lapic_failed;
	uint64_t vcpu_events;
	/* Interrupt windows: entries that asked, exits where one was open. */
	uint64_t win_asked, win_exit, win_ready;
	/* The previous exit, waiting for the next entry to close its userspace time. */
	bool have_prev;
	uint64_t prev_ts;
	size_t prev_reason;
};

struct gsi_stat {
	uint64_t raise, lower;
};

struct stat_report {
	char *path;
	/* Header facts worth repeating. */
	char *vmm;
	char *recorder;
	char *kevents_note;
	bool kevents_on;          /* any kernel tracepoint enabled */
	bool inj_virq_seen;       /* kvm_inj_virq fired: kernel deliveries visible */

	uint64_t events, first_seq, last_seq, first_ts, last_ts;
	uint64_t by_kind[16];     /* exit, inject, lapic, kevent, vcpu_events, setup, note, drop, other */

	struct vcpu_stat **vcpus; /* sorted by id */
	size_t n_vcpus;

	struct gsi_stat gsi[STAT_MAX_GSI + 1];  /* last: other */
	uint64_t msi[256];
	uint64_t kev[STAT_NKEV];
	uint64_t kev_unknown;

	uint64_t drop_records, drop_count;
	char *drop_what[STAT_MAX_DROPS];
	size_t n_drop_what;

	/* The judge: a replay of the same events, and what it decided. */
	struct replay *replay;
	struct judge_observer observer;
	struct judge_item violations[STAT_MAX_ITEMS], undecided[STAT_MAX_ITEMS];
	struct check_once_violation violation_of[STAT_MAX_ITEMS];
	char undecided_why[STAT_MAX_ITEMS][200];
	size_t n_violations, n_undecided;
	uint64_t undecided_items;
	struct check_once_result verdict;
	bool judged, judge_oom;

	bool finished, have_footer;
	uint64_t f_dropped, f_kernel_lost, f_ring_stalls, f_events;
	char *end_reason;
	char *damage;
};

static char *xstrdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

static struct vcpu_stat *stat_vcpu(struct stat_report *s, int32_t id);

/* One decision of the replayer: counted on its vector, the first few kept by name. */
static void stat_judge(void *ctx, const struct judge_item *it)
{
	struct stat_report *s = ctx;
	struct vcpu_stat *c;

	/* What concerns the whole trace is in the verdict's own words already. */
	if (it->kind == JUDGE_REQUEST || it->kind == JUDGE_DELIVERY || it->vcpu < 0 ||
	    it->vector < 0)
		return;
	if (!(c = stat_vcpu(s, it->vcpu))) {
		s->judge_oom = true;
		return;
	}
	if (it->kind == JUDGE_PENDING) {
		c->vec[it->vector & 0xff].pending++;
		return;
	}
	if (it->kind == JUDGE_VIOLATION) {
		if (!c->vec[it->vector & 0xff].violations++)
			c->vec[it->vector & 0xff].violation = it->violation->kind;
		if (s->n_violations < STAT_MAX_ITEMS) {
			s->violation_of[s->n_violations] = *it->violation;
			s->violations[s->n_violations++] = *it;
		}
		return;
	}
	c->vec[it->vector & 0xff].undecided++;
	s->undecided_items++;
	if (s->n_undecided < STAT_MAX_ITEMS) {
		/* The item's strings live for the call only. */
		snprintf(s->undecided_why[s->n_undecided], sizeof(s->undecided_why[0]), "%s",
			 it->why ? it->why : "");
		s->undecided[s->n_undecided] = *it;
		s->undecided[s->n_undecided++].why = NULL;
	}
}

int stat_report_alloc(const char *path, const Kvmrec__Header *hdr, struct stat_report **out)
{
	struct stat_report *s = calloc(1, sizeof(*s));

	*out = NULL;
	if (!s)
		return -ENOMEM;
	s->path = xstrdup(path);
	if (hdr) {
		struct replay_opts o = { .observer = &s->observer };

		s->observer = (struct judge_observer){ stat_judge, s };
		if (!(s->replay = replay_alloc(&o))) {
			free(s->path);
			free(s);
			return -ENOMEM;
		}
		replay_begin(s->replay, hdr);
		size_t len = 0;
		for (size_t i = 0; i < hdr->n_vmm_argv; i++)
			len += strlen(hdr->vmm_argv[i]) + 1;
		s->vmm = calloc(1, len + 1);
		for (size_t i = 0; s->vmm && i < hdr->n_vmm_argv; i++) {
			if (i)
				strcat(s->vmm, " ");
			strcat(s->vmm, hdr->vmm_argv[i]);
		}
		s->recorder = xstrdup(hdr->recorder);
		s->kevents_note = xstrdup(hdr->kernel_events_note);
		s->kevents_on = hdr->n_kernel_events_enabled > 0;
	}
	*out = s;
	return 0;
}

static struct vcpu_stat *stat_vcpu(struct stat_report *s, int32_t id)
{
	size_t lo = 0, hi = s->n_vcpus;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (s->vcpus[mid]->id == id)
			return s->vcpus[mid];
		if (s->vcpus[mid]->id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (s->n_vcpus >= STAT_MAX_VCPUS && id != STAT_VCPU_OTHER)
		return stat_vcpu(s, STAT_VCPU_OTHER);
	struct vcpu_stat **v = realloc(s->vcpus, (s->n_vcpus + 1) * sizeof(*v));
	if (!v)
		return NULL;
	s->vcpus = v;
	struct vcpu_stat *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->id = id;
	memmove(&v[lo + 1], &v[lo], (s->n_vcpus - lo) * sizeof(*v));
	v[lo] = c;
	s->n_vcpus++;
	return c;
}

/* Index of @reason in @c->reasons, added if new; -1 on ENOMEM. */
static ssize_t stat_reason(struct vcpu_stat *c, uint32_t reason)
{
	for (size_t i = 0; i < c->n_reasons; i++)
		if (c->reasons[i].reason == reason)
			return (ssize_t)i;
	if (c->n_reasons >= STAT_MAX_REASONS && reason != STAT_REASON_OTHER &&
	    reason != STAT_REASON_EINTR)
		return stat_reason(c, STAT_REASON_OTHER);
	struct reason_stat *r = realloc(c->reasons, (c->n_reasons + 1) * sizeof(*r));
	if (!r)
		return -1;
	c->reasons = r;
	memset(&r[c->n_reasons], 0, sizeof(*r));
	r[c->n_reasons].reason = reason;
	hist_init(&r[c->n_reasons].guest);
	hist_init(&r[c->n_reasons].user);
	return (ssize_t)c->n_reasons++;
}

static int stat_exit(struct stat_report *s, const struct trace_event *ev)
{
	const Kvmrec__RunExit *x = ev->rec->exit;
	struct vcpu_stat *c = stat_vcpu(s, ev->vcpu);

	if (!c)
		return -ENOMEM;
	bool eintr = x->has_ret && x->ret < 0 && x->err == EINTR;
	/* kvm_run->exit_reason is stale after -EINTR: a row of its own, not the last reason's. */
	ssize_t ri = stat_reason(c, eintr ? STAT_REASON_EINTR : x->reason);
	if (ri < 0)
		return -ENOMEM;
	struct reason_stat *r = &c->reasons[ri];
	uint64_t run = x->has_run_ns ? x->run_ns : 0;
	uint64_t entry = ev->ts_ns >= run ? ev->ts_ns - run : 0;

	if (c->have_prev) {
		uint64_t user = entry > c->prev_ts ? entry - c->prev_ts : 0;
		hist_add(&c->reasons[c->prev_reason].user, user);
		c->user_ns += user;
	}
	c->exits++;
	r->count++;
	if (x->flags & KVMREC__RUN_FLAG__RUN_REQUEST_IRQ_WINDOW) {
		c->win_asked++;
		/* kvm-pvm opens the window at whatever exit comes next: count those too. */
		if (x->reason == KVM_EXIT_IRQ_WINDOW_OPEN)
			c->win_exit++;
		else if (x->flags & KVMREC__RUN_FLAG__RUN_READY_FOR_INJECTION)
			c->win_ready++;
	} else if (x->reason == KVM_EXIT_IRQ_WINDOW_OPEN) {
		c->win_exit++;
	}
	if (x->has_ret && x->ret < 0 && !eintr)
		r->errors++;
	/*
	 * Without run_ns the entry time is unknown: the "user" column then holds
	 * the whole exit-to-exit interval and nothing is claimed for the guest.
	 */
	if (x->has_run_ns) {
		c->timed++;
		hist_add(&r->guest, run);
		c->guest_ns += run;
	}
	c->have_prev = true;
	c->prev_ts = ev->ts_ns;
	c->prev_reason = (size_t)ri;
	return 0;
}

static int stat_inject(struct stat_report *s, const struct trace_event *ev)
{
	const Kvmrec__Injection *in = ev->rec->inject;
	struct vcpu_stat *c;

	switch (in->kind) {
	case KVMREC__INJECT_KIND__INJECT_INTERRUPT:
		if (!(c = stat_vcpu(s, ev->vcpu)))
			return -ENOMEM;
		c->vec[in->vector & 0xff].kvm_interrupt++;
		break;
	case KVMREC__INJECT_KIND__INJECT_NMI:
		if (!(c = stat_vcpu(s, ev->vcpu)))
			return -ENOMEM;
		c->kvm_nmi++;
		break;
	case KVMREC__INJECT_KIND__INJECT_IRQ_LINE:
	case KVMREC__INJECT_KIND__INJECT_IRQ_LINE_STATUS: {
		struct gsi_stat *g = &s->gsi[in->gsi < STAT_MAX_GSI ? in->gsi : STAT_MAX_GSI];
		if (in->level)
			g->raise++;
		else
			g->lower++;
		break;
	}
	case KVMREC__INJECT_KIND__INJECT_SIGNAL_MSI:
		s->msi[in->msi_data & 0xff]++;
		break;
	default:
		break;
	}
	return 0;
}

static int stat_kevent(struct stat_report *s, const struct trace_event *ev)
{
	const Kvmrec__KernelEvent *k = ev->rec->kevent;
	struct vcpu_stat *c;
	int64_t vec, apic;

	if (k->id > 0 && k->id < STAT_NKEV)
		s->kev[k->id]++;
	else
		s->kev_unknown++;
	switch (k->id) {
	case KVMREC__KERNEL_EVENT_ID__KEV_INJ_VIRQ:
		s->inj_virq_seen = true;
		vec = kevent_get(k, KEV_F_IRQ, -1);
		if (vec < 0 || vec > 255)
			break;
		if (!(c = stat_vcpu(s, ev->vcpu)))
			return -ENOMEM;
		c->vec[vec].inj_virq++;
		break;
	case KVMREC__KERNEL_EVENT_ID__KEV_INJ_NMI:
		if (!(c = stat_vcpu(s, ev->vcpu)))
			return -ENOMEM;
		c->inj_nmi++;
		break;
	case KVMREC__KERNEL_EVENT_ID__KEV_APIC_ACCEPT_IRQ:
		/* Counted on the destination: the sender may be another vCPU. */
		vec = kevent_get(k, KEV_F_VEC, -1);
		apic = kevent_get(k, KEV_F_APICID, ev->vcpu);
		if (vec < 0 || vec > 255)
			break;
		if (!(c = stat_vcpu(s, (int32_t)apic)))
			return -ENOMEM;
		if (kevent_get(k, KEV_F_COALESCED, 0))
			c->vec[vec].coalesced++;
		else
			c->vec[vec].accepted++;
		break;
	case KVMREC__KERNEL_EVENT_ID__KEV_EOI:
		vec = kevent_get(k, KEV_F_VECTOR, -1);
		apic = kevent_get(k, KEV_F_APICID, ev->vcpu);
		if (!(c = stat_vcpu(s, (int32_t)apic)))
			return -ENOMEM;
		if (vec < 0 || vec > 255)
			c->eoi_none++;
		else
			c->vec[vec].eoi++;
		break;
	default:
		break;
	}
	return 0;
}

static int stat_lapic(struct stat_report *s, const struct trace_event *ev)
{
	const Kvmrec__LapicSync *l = ev->rec->lapic;
	struct vcpu_stat *c = stat_vcpu(s, ev->vcpu);

	if (!c)
		return -ENOMEM;
	if (l->has_ret && l->ret < 0)
		c->lapic_failed++;
	else if (l->set)
		c->lapic_set++;
	else
		c->lapic_get++;
	return 0;
}

static void stat_drop(struct stat_report *s, const Kvmrec__Drop *d)
{
	const char *what = d->what ? d->what : "";

	s->drop_records++;
	s->drop_count += d->count;
	for (size_t i = 0; i < s->n_drop_what; i++)
		if (!strcmp(s->drop_what[i], what))
			return;
	if (s->n_drop_what < STAT_MAX_DROPS && (s->drop_what[s->n_drop_what] = strdup(what)))
		s->n_drop_what++;
}

int stat_report_add(struct stat_report *s, const struct trace_event *ev)
{
	if (!s->events || ev->ts_ns < s->first_ts)
		s->first_ts = ev->ts_ns;
	if (ev->ts_ns > s->last_ts)
		s->last_ts = ev->ts_ns;
	if (!s->events)
		s->first_seq = ev->seq;
	s->last_seq = ev->seq;
	s->events++;
	if (s->replay)
		replay_feed(s->replay, ev);
	if (s->judge_oom)
		return -ENOMEM;

	switch (ev->rec->body_case) {
	case KVMREC__RECORD__BODY_EXIT:
		s->by_kind[0]++;
		return stat_exit(s, ev);
	case KVMREC__RECORD__BODY_INJECT:
		s->by_kind[1]++;
		return stat_inject(s, ev);
	case KVMREC__RECORD__BODY_LAPIC:
		s->by_kind[2]++;
		return stat_lapic(s, ev);
	case KVMREC__RECORD__BODY_KEVENT:
		s->by_kind[3]++;
		return stat_kevent(s, ev);
	case KVMREC__RECORD__BODY_VCPU_EVENTS: {
		struct vcpu_stat *c = stat_vcpu(s, ev->vcpu);
		s->by_kind[4]++;
		if (!c)
			return -ENOMEM;
		c->vcpu_events++;
		return 0;
	}
	case KVMREC__RECORD__BODY_SETUP:
		s->by_kind[5]++;
		return 0;
	case KVMREC__RECORD__BODY_NOTE:
		s->by_kind[6]++;
		return 0;
	case KVMREC__RECORD__BODY_DROP:
		s->by_kind[7]++;
		stat_drop(s, ev->rec->drop);
		return 0;
	default:
		s->by_kind[8]++;
		return 0;
	}
}

void stat_report_finish(struct stat_report *s, const Kvmrec__Footer *f, const char *damage)
{
	s->finished = true;
	if (s->replay) {
		/* Without the footer the end is unknown: no end-of-trace verdicts. */
		replay_end(s->replay, f && !(damage && *damage));
		s->verdict = *replay_result(s->replay);
		s->judged = true;
		replay_free(s->replay);
		s->replay = NULL;
	}
	if (f) {
		s->have_footer = true;
		s->f_dropped = f->dropped;
		s->f_kernel_lost = f->kernel_lost;
		s->f_ring_stalls = f->ring_stalls;
		s->f_events = f->events;
		s->end_reason = xstrdup(f->end_reason);
	}
	if (damage && *damage)
		s->damage = strdup(damage);
}

void stat_report_free(struct stat_report *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_vcpus; i++) {
		free(s->vcpus[i]->reasons);
		free(s->vcpus[i]);
	}
	for (size_t i = 0; i < s->n_drop_what; i++)
		free(s->drop_what[i]);
	free(s->vcpus);
	free(s->path);
	free(s->vmm);
	free(s->recorder);
	free(s->kevents_note);
	free(s->end_reason);
	free(s->damage);
	replay_free(s->replay);
	free(s);
}

/* ------------------------------------------------------------------------ */
/* Reporting */

/*
 * Deliveries of a vector the trace shows: userspace KVM_INTERRUPT plus the
 * kernel's own, seen as kvm_inj_virq when that tracepoint was on and
 * otherwise as the guest's EOIs of the vector (it was in service).
 */
static uint64_t vec_deliveries(const struct stat_report *s, const struct vec_stat *v)
{
	return v->kvm_interrupt + (s->inj_virq_seen ? v->inj_virq : v->eoi);
}

static bool vec_used(const struct vec_stat *v)
{
	return v->kvm_interrupt || v->inj_virq || v->accepted || v->coalesced || v->eoi;
}

/* The overall row: all vCPUs merged. Returns NULL on ENOMEM. */
static struct vcpu_stat *stat_total(const struct stat_report *s)
{
	struct vcpu_stat *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->id = -1;
	for (size_t i = 0; i < s->n_vcpus; i++) {
		const struct vcpu_stat *c = s->vcpus[i];
		t->exits += c->exits;
		t->timed += c->timed;
		t->guest_ns += c->guest_ns;
		t->user_ns += c->user_ns;
		t->kvm_nmi += c->kvm_nmi;
		t->inj_nmi += c->inj_nmi;
		t->eoi_none += c->eoi_none;
		t->lapic_get += c->lapic_get;
		t->lapic_set += c->lapic_set;
		t->lapic_failed += c->lapic_failed;
		t->vcpu_events += c->vcpu_events;
		t->win_asked += c->win_asked;
		t->win_exit += c->win_exit;
		t->win_ready += c->win_ready;
		for (int v = 0; v < 256; v++) {
			t->vec[v].kvm_interrupt += c->vec[v].kvm_interrupt;
			t->vec[v].inj_virq += c->vec[v].inj_virq;
			t->vec[v].accepted += c->vec[v].accepted;
			t->vec[v].coalesced += c->vec[v].coalesced;
			t->vec[v].eoi += c->vec[v].eoi;
			if (!t->vec[v].violations)
				t->vec[v].violation = c->vec[v].violation;
			t->vec[v].violations += c->vec[v].violations;
			t->vec[v].undecided += c->vec[v].undecided;
			t->vec[v].pending += c->vec[v].pending;
		}
		for (size_t r = 0; r < c->n_reasons; r++) {
			ssize_t ti = stat_reason(t, c->reasons[r].reason);
			if (ti < 0) {
				free(t->reasons);
				free(t);
				return NULL;
			}
			t->reasons[ti].count += c->reasons[r].count;
			t->reasons[ti].errors += c->reasons[r].errors;
			hist_merge(&t->reasons[ti].guest, &c->reasons[r].guest);
			hist_merge(&t->reasons[ti].user, &c->reasons[r].user);
		}
	}
	return t;
}

static void stat_total_free(struct vcpu_stat *t)
{
	if (t) {
		free(t->reasons);
		free(t);
	}
}

/* Reasons by count, most frequent first; ties by code, so order is stable. */
static int reason_cmp(const void *a, const void *b)
{
	const struct reason_stat *x = *(const struct reason_stat *const *)a;
	const struct reason_stat *y = *(const struct reason_stat *const *)b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return x->reason < y->reason ? -1 : x->reason > y->reason;
}

static const struct reason_stat **sorted_reasons(const struct vcpu_stat *c)
{
	const struct reason_stat **o = calloc(c->n_reasons + 1, sizeof(*o));

	if (!o)
		return NULL;
	for (size_t i = 0; i < c->n_reasons; i++)
		o[i] = &c->reasons[i];
	qsort(o, c->n_reasons, sizeof(*o), reason_cmp);
	return o;
}

static const char *reason_name(uint32_t r)
{
	if (r == STAT_REASON_EINTR)
		return "KVM_RUN -EINTR";
	return r == STAT_REASON_OTHER ? "(other)" : trace_exit_reason_name(r);
}

/*
 * What the backend is known to add to a trace, said once under the tables.
 * The recorder names the backend in the kernel-events note (docs/recorder.md).
 */
static void print_backend_notes(const struct stat_report *s, FILE *f)
{
	uint64_t eoi_none = 0;

	if (!s->kevents_note || !strstr(s->kevents_note, "kvm-pvm"))
		return;
	for (size_t i = 0; i < s->n_vcpus; i++)
		eoi_none += s->vcpus[i]->eoi_none;
	fprintf(f, "\nBackend artefacts (kvm-pvm, per the trace header):\n");
	if (eoi_none)
		fprintf(f, "  %" PRIu64 " EOIs with nothing in service: expected, this backend traces "
			   "each EOI write twice and the second finds nothing in service\n", eoi_none);
	fprintf(f, "  no kvm_entry, kvm_exit or kvm_inj_virq: they never fire on it; kernel "
		   "deliveries are counted by their EOIs\n");
}

static void print_us(FILE *f, uint64_t ns)
{
	fprintf(f, " %9" PRIu64 ".%01" PRIu64, ns / 1000, (ns % 1000) / 100);
}

static void print_ms(FILE *f, uint64_t ns)
{
	fprintf(f, "%" PRIu64 ".%03" PRIu64 " ms", ns / 1000000, (ns / 1000) % 1000);
}

/* p50, p90, p99 and max of one histogram in us, or dashes when it is empty. */
static void print_hist_us(FILE *f, const struct hist *h)
{
	if (!h->count) {
		fprintf(f, "%11s%11s%11s%11s", "-", "-", "-", "-");
		return;
	}
	print_us(f, hist_quantile(h, 0.50));
	print_us(f, hist_quantile(h, 0.90));
	print_us(f, hist_quantile(h, 0.99));
	print_us(f, h->max);
}

static void print_vcpu_head(const struct vcpu_stat *c, FILE *f)
{
	if (c->id == -1)
		fprintf(f, "\nAll vCPUs: ");
	else if (c->id == STAT_VCPU_OTHER)
		fprintf(f, "\nOther vCPUs (more than %d): ", STAT_MAX_VCPUS);
	else
		fprintf(f, "\nvCPU %d: ", c->id);
	fprintf(f, "%" PRIu64 " exits, ", c->exits);
	if (c->timed) {
		print_ms(f, c->guest_ns);
		fprintf(f, " in the guest, ");
		print_ms(f, c->user_ns);
		fprintf(f, " in userspace\n");
	} else {
		print_ms(f, c->user_ns);
		fprintf(f, " from exit to exit (no KVM_RUN entry times: recorded without --run-times)\n");
	}
}

/* Exit reasons, most frequent first, with their share and time percentiles. */
static void print_reason_table(const struct vcpu_stat *c, FILE *f)
{
	const struct reason_stat **o = sorted_reasons(c);

	fprintf(f, "  %-22s %9s %8s |%11s%11s%11s%11s |%11s%11s%11s%11s\n",
		"exit reason", "count", "share", "guest p50", "p90", "p99", "max",
		c->timed ? "user p50" : "next p50", "p90", "p99", "max");
	for (size_t i = 0; o && i < c->n_reasons; i++) {
		const struct reason_stat *r = o[i];
		uint64_t share = (r->count * 10000 + c->exits / 2) / c->exits;
		fprintf(f, "  %-22s %9" PRIu64 " %4" PRIu64 ".%02" PRIu64 "%% |",
			reason_name(r->reason), r->count, share / 100, share % 100);
		print_hist_us(f, &r->guest);
		fprintf(f, " |");
		print_hist_us(f, &r->user);
		if (r->errors)
			fprintf(f, "  (%" PRIu64 " KVM_RUN errors)", r->errors);
		fprintf(f, "\n");
	}
	if (c->timed)
		fprintf(f, "  (times in us; user = from the exit to the next KVM_RUN entry)\n");
	else
		fprintf(f, "  (times in us; next = from the exit to the next exit, guest and userspace together)\n");
	free(o);
}

/* Every vector with an injection or a kernel interrupt event, with the judge's findings. */
static void print_vector_table(const struct vcpu_stat *c, FILE *f)
{
	bool any = false;

	for (int v = 0; v < 256; v++) {
		if (!vec_used(&c->vec[v]))
			continue;
		if (!any)
			fprintf(f, "  %-8s %13s %12s %9s %9s %6s\n", "vector", "KVM_INTERRUPT",
				"kvm_inj_virq", "accepted", "coalesced", "EOI");
		any = true;
		const struct vec_stat *x = &c->vec[v];
		fprintf(f, "  %-8d %13" PRIu64 " %12" PRIu64 " %9" PRIu64 " %9" PRIu64 " %6" PRIu64,
			v, x->kvm_interrupt, x->inj_virq, x->accepted, x->coalesced, x->eoi);
		if (x->violations)
			fprintf(f, "  VIOLATION: %" PRIu64 " (%s%s)", x->violations,
				judge_violation_name(x->violation), x->violations > 1 ? ", ..." : "");
		if (x->undecided)
			fprintf(f, "  undecided: %" PRIu64, x->undecided);
		if (x->pending)
			fprintf(f, "  pending at the end: %" PRIu64, x->pending);
		fprintf(f, "\n");
	}
	if (!any)
		fprintf(f, "  no interrupt injections or kernel interrupt events\n");
}

static void print_vcpu_text(const struct vcpu_stat *c, FILE *f)
{
	print_vcpu_head(c, f);
	if (c->exits)
		print_reason_table(c, f);
	if (c->win_asked || c->win_exit)
		fprintf(f, "  interrupt windows: asked on %" PRIu64 " KVM_RUN entries; open at %" PRIu64
			" exits (%" PRIu64 " IRQ_WINDOW_OPEN, %" PRIu64
			" other exits ready for injection)\n", c->win_asked, c->win_exit + c->win_ready,
			c->win_exit, c->win_ready);
	print_vector_table(c, f);
	if (c->kvm_nmi || c->inj_nmi)
		fprintf(f, "  NMI: %" PRIu64 " KVM_NMI, %" PRIu64 " kvm_inj_nmi\n", c->kvm_nmi, c->inj_nmi);
	if (c->eoi_none)
		fprintf(f, "  EOIs with nothing in service: %" PRIu64 "\n", c->eoi_none);
	fprintf(f, "  LAPIC syncs: %" PRIu64 " KVM_GET_LAPIC, %" PRIu64 " KVM_SET_LAPIC",
		c->lapic_get, c->lapic_set);
	if (c->lapic_failed)
		fprintf(f, ", %" PRIu64 " failed", c->lapic_failed);
	if (c->vcpu_events)
		fprintf(f, "; %" PRIu64 " vCPU event get/set", c->vcpu_events);
	fprintf(f, "\n");
}

uint64_t stat_report_violations(const struct stat_report *s)
{
	return s->judged ? s->verdict.violations : 0;
}

static const char *verdict_word(int v)
{
	switch (v) {
	case 0:   return "PASS";
	case 1:   return "FAIL";
	case 125: return "UNDECIDED";
	default:  return "BAD INPUT";
	}
}

static const char *delivered_by(enum check_once_path p, enum check_once_evidence e)
{
	if (p == CHECK_PATH_BEFORE)
		return "in service before the trace";
	if (e == CHECK_EV_EOI)
		return "by the kernel, seen at its EOI";
	if (p == CHECK_PATH_KERNEL)
		return "by the kernel";
	return e == CHECK_EV_INJ_VIRQ ? "by userspace, seen at kvm_inj_virq" : "by KVM_INTERRUPT";
}

/* The replayer's verdict and the items it could not match, as `replay --check-once` says them. */
static void print_judge_text(const struct stat_report *s, FILE *f)
{
	const struct check_once_result *v = &s->verdict;

	if (!s->judged)
		return;
	fprintf(f, "\nCheck-once (the replayer's verdict, kvmrec replay --check-once): %s; %" PRIu64
		" requests, %" PRIu64 " deliveries, %" PRIu64 " violations\n",
		verdict_word(v->verdict), v->requests, v->deliveries, v->violations);
	for (size_t i = 0; i < s->n_violations; i++) {
		const struct judge_item *it = &s->violations[i];
		const struct check_once_violation *x = &s->violation_of[i];

		fprintf(f, "  vCPU %d vector %d: %s: ", it->vcpu, it->vector,
			judge_violation_name(x->kind));
		if (x->kind == CHECK_ONCE_LOST) {
			fprintf(f, "requested at seq %" PRIu64 ", never delivered", x->delivery.seq);
			if (x->wiped_by.seq)
				fprintf(f, ": erased by the KVM_SET_LAPIC at seq %" PRIu64
					" (a page read at seq %" PRIu64 ")", x->wiped_by.seq,
					x->stale_sync.seq);
			fprintf(f, "\n");
			continue;
		}
		if (x->kind == CHECK_ONCE_DOUBLE)
			fprintf(f, "the extra delivery %s at seq %" PRIu64 "; the other %s at seq %"
				PRIu64 "; one request, seq %" PRIu64,
				delivered_by(x->path, x->evidence), x->delivery.seq,
				delivered_by(x->first_path, x->first_evidence), x->first.seq,
				x->request.seq);
		else
			fprintf(f, "delivered %s at seq %" PRIu64 " with no request",
				delivered_by(x->path, x->evidence), x->delivery.seq);
		fprintf(f, "\n");
	}
	if (v->violations > s->n_violations)
		fprintf(f, "  ... and %" PRIu64 " more\n", v->violations - s->n_violations);
	if (v->undecided[0])
		fprintf(f, "  undecided: %s\n", v->undecided);
	for (size_t i = 0; i < s->n_undecided; i++)
		fprintf(f, "  undecided: vCPU %d vector %d at seq %" PRIu64 ": %s\n",
			s->undecided[i].vcpu, s->undecided[i].vector, s->undecided[i].at.seq,
			s->undecided_why[i]);
	if (s->undecided_items > s->n_undecided)
		fprintf(f, "  ... and %" PRIu64 " more undecided\n", s->undecided_items - s->n_undecided);
}

void stat_report_print_text(const struct stat_report *s, FILE *f)
{
	fprintf(f, "kvmrec stat: %s\n", s->path ? s->path : "-");
	if (s->vmm && *s->vmm)
		fprintf(f, "VMM: %s\n", s->vmm);
	fprintf(f, "recorder: %s; kernel events: %s%s%s\n", s->recorder ? s->recorder : "?",
		s->kevents_on ? "on" : "off", s->kevents_note && *s->kevents_note ? " - " : "",
		s->kevents_note ? s->kevents_note : "");
	if (s->kevents_on && !s->inj_virq_seen)
		fprintf(f, "(no kvm_inj_virq in the trace: kernel deliveries are counted by their EOIs)\n");
	fprintf(f, "%" PRIu64 " events (seq %" PRIu64 "..%" PRIu64 "), ", s->events,
		s->first_seq, s->last_seq);
	print_ms(f, s->last_ts - s->first_ts);
	fprintf(f, "\n  %" PRIu64 " exits, %" PRIu64 " injections, %" PRIu64 " LAPIC syncs, %" PRIu64
		" kernel events, %" PRIu64 " vCPU events, %" PRIu64 " set-up, %" PRIu64
		" notes, %" PRIu64 " drop records\n",
		s->by_kind[0], s->by_kind[1], s->by_kind[2], s->by_kind[3], s->by_kind[4],
		s->by_kind[5], s->by_kind[6], s->by_kind[7]);

	for (size_t i = 0; i < s->n_vcpus; i++)
		print_vcpu_text(s->vcpus[i], f);
	if (s->n_vcpus > 1) {
		struct vcpu_stat *t = stat_total(s);
		if (t)
			print_vcpu_text(t, f);
		stat_total_free(t);
	}
	print_backend_notes(s, f);

	bool any = false;
	for (int g = 0; g <= STAT_MAX_GSI; g++) {
		if (!s->gsi[g].raise && !s->gsi[g].lower)
			continue;
		if (!any)
			fprintf(f, "\nIRQ lines (KVM_IRQ_LINE):\n");
		any = true;
		if (g == STAT_MAX_GSI)
			fprintf(f, "  gsi >=%d", STAT_MAX_GSI);
		else
			fprintf(f, "  gsi %-4d", g);
		fprintf(f, " raised %" PRIu64 ", lowered %" PRIu64 "\n", s->gsi[g].raise, s->gsi[g].lower);
	}
	any = false;
	for (int v = 0; v < 256; v++) {
		if (!s->msi[v])
			continue;
		if (!any)
			fprintf(f, "\nMSIs (KVM_SIGNAL_MSI):\n");
		any = true;
		fprintf(f, "  vector %-4d %" PRIu64 "\n", v, s->msi[v]);
	}
	any = false;
	for (int k = 1; k < STAT_NKEV; k++) {
		if (!s->kev[k])
			continue;
		if (!any)
			fprintf(f, "\nKernel events:\n");
		any = true;
		fprintf(f, "  %-24s %" PRIu64 "\n", trace_kevent_name(k), s->kev[k]);
	}
	if (s->kev_unknown)
		fprintf(f, "  %-24s %" PRIu64 "\n", "(other)", s->kev_unknown);

	print_judge_text(s, f);

	fprintf(f, "\nLost: ");
	if (s->have_footer)
		fprintf(f, "%" PRIu64 " dropped (--lossy), %" PRIu64 " kernel ring overruns, %" PRIu64
			" ring stalls", s->f_dropped, s->f_kernel_lost, s->f_ring_stalls);
	else
		fprintf(f, "no footer: the recording did not end cleanly");
	fprintf(f, "; %" PRIu64 " Drop records (%" PRIu64 " records)\n", s->drop_records, s->drop_count);
	for (size_t i = 0; i < s->n_drop_what; i++)
		fprintf(f, "  dropped: %s\n", s->drop_what[i]);
	if (s->damage)
		fprintf(f, "Damaged: %s\n", s->damage);
	if (s->end_reason && *s->end_reason)
		fprintf(f, "End: %s\n", s->end_reason);
}

/* ------------------------------------------------------------------------ */
/* JSON: keys always in the same order, integers only (shares in 1/10000). */

static void json_hist(FILE *f, const struct hist *h)
{
	fprintf(f, "{\"count\":%" PRIu64 ",\"min\":%" PRIu64 ",\"mean\":%" PRIu64
		",\"p50\":%" PRIu64 ",\"p90\":%" PRIu64 ",\"p99\":%" PRIu64 ",\"max\":%" PRIu64 "}",
		h->count, h->count ? h->min : 0, hist_mean(h), hist_quantile(h, 0.5),
		hist_quantile(h, 0.9), hist_quantile(h, 0.99), h->max);
}

static void json_vcpu(const struct stat_report *s, const struct vcpu_stat *c, FILE *f)
{
	fprintf(f, "{");
	if (c->id != -1) {
		if (c->id == STAT_VCPU_OTHER)
			fprintf(f, "\"vcpu\":\"other\",");
		else
			fprintf(f, "\"vcpu\":%d,", c->id);
	}
	fprintf(f, "\"exits\":%" PRIu64 ",\"timed_exits\":%" PRIu64 ",\"guest_ns\":%" PRIu64
		",\"userspace_ns\":%" PRIu64 ",\"exit_reasons\":[", c->exits, c->timed, c->guest_ns,
		c->user_ns);
	const struct reason_stat **o = sorted_reasons(c);
	for (size_t i = 0; o && i < c->n_reasons; i++) {
		const struct reason_stat *r = o[i];
		fprintf(f, "%s{\"reason\":", i ? "," : "");
		json_out_str(f, reason_name(r->reason));
		fprintf(f, ",\"code\":%" PRId64 ",\"count\":%" PRIu64 ",\"share_bp\":%" PRIu64
			",\"errors\":%" PRIu64 ",\"guest_ns\":",
			r->reason >= STAT_REASON_EINTR ? (int64_t)-1 : (int64_t)r->reason, r->count,
			c->exits ? r->count * 10000 / c->exits : 0, r->errors);
		json_hist(f, &r->guest);
		fprintf(f, ",\"userspace_ns\":");
		json_hist(f, &r->user);
		fprintf(f, "}");
	}
	free(o);
	fprintf(f, "],\"injections\":[");
	bool first = true;
	for (int v = 0; v < 256; v++) {
		const struct vec_stat *x = &c->vec[v];
		if (!vec_used(x))
			continue;
		fprintf(f, "%s{\"vector\":%d,\"kvm_interrupt\":%" PRIu64 ",\"kvm_inj_virq\":%" PRIu64
			",\"accepted\":%" PRIu64 ",\"coalesced\":%" PRIu64 ",\"eoi\":%" PRIu64
			",\"deliveries\":%" PRIu64 ",\"violations\":%" PRIu64 ",\"undecided\":%" PRIu64
			",\"pending_at_end\":%" PRIu64 "}",
			first ? "" : ",", v, x->kvm_interrupt, x->inj_virq, x->accepted, x->coalesced,
			x->eoi, vec_deliveries(s, x), x->violations, x->undecided, x->pending);
		first = false;
	}
	fprintf(f, "],\"nmi\":{\"kvm_nmi\":%" PRIu64 ",\"kvm_inj_nmi\":%" PRIu64 "}"
		",\"eoi_none\":%" PRIu64 ",\"lapic_syncs\":{\"get\":%" PRIu64 ",\"set\":%" PRIu64
		",\"failed\":%" PRIu64 "},\"vcpu_events\":%" PRIu64 ",\"irq_window\":{\"asked\":%" PRIu64
		",\"irq_window_open_exits\":%" PRIu64 ",\"ready_exits\":%" PRIu64 "}}",
		c->kvm_nmi, c->inj_nmi, c->eoi_none, c->lapic_get, c->lapic_set, c->lapic_failed,
		c->vcpu_events, c->win_asked, c->win_exit, c->win_ready);
}

/* The verdict and the first violations and undecided items; null when not judged. */
static void print_judge_json(const struct stat_report *s, FILE *f)
{
	const struct check_once_result *v = &s->verdict;

	if (!s->judged) {
		fprintf(f, "null");
		return;
	}
	fprintf(f, "{\"verdict\":%d,\"requests\":%" PRIu64 ",\"deliveries\":%" PRIu64
		",\"violations\":%" PRIu64 ",\"undecided\":", v->verdict, v->requests,
		v->deliveries, v->violations);
	json_out_str(f, v->undecided);
	fprintf(f, ",\"first_violations\":[");
	for (size_t i = 0; i < s->n_violations; i++) {
		const struct check_once_violation *x = &s->violation_of[i];

		fprintf(f, "%s{\"vcpu\":%d,\"vector\":%u,\"kind\":", i ? "," : "", x->vcpu,
			x->vector);
		json_out_str(f, judge_violation_name(x->kind));
		fprintf(f, ",\"seq\":%" PRIu64 ",\"other_seq\":%" PRIu64 ",\"request_seq\":%" PRIu64
			"}", x->delivery.seq, x->first.seq, x->request.seq);
	}
	fprintf(f, "],\"undecided_items\":%" PRIu64 ",\"first_undecided\":[", s->undecided_items);
	for (size_t i = 0; i < s->n_undecided; i++) {
		fprintf(f, "%s{\"vcpu\":%d,\"vector\":%d,\"seq\":%" PRIu64 ",\"why\":",
			i ? "," : "", s->undecided[i].vcpu, s->undecided[i].vector,
			s->undecided[i].at.seq);
		json_out_str(f, s->undecided_why[i]);
		fprintf(f, "}");
	}
	fprintf(f, "]}");
}

/* "vcpus": each vCPU, then "all": their total (null when it cannot be built). */
static void json_vcpus(const struct stat_report *s, FILE *f)
{
	fprintf(f, ",\"vcpus\":[");
	for (size_t i = 0; i < s->n_vcpus; i++) {
		if (i)
			fprintf(f, ",");
		json_vcpu(s, s->vcpus[i], f);
	}
	fprintf(f, "],\"all\":");
	struct vcpu_stat *t = stat_total(s);
	if (t)
		json_vcpu(s, t, f);
	else
		fprintf(f, "null");
	stat_total_free(t);
}

/* What the VMM raised (irq lines, MSIs) and what the kernel reported (event counts). */
static void json_interrupt_sources(const struct stat_report *s, FILE *f)
{
	fprintf(f, ",\"irq_lines\":[");
	bool first = true;
	for (int g = 0; g <= STAT_MAX_GSI; g++) {
		if (!s->gsi[g].raise && !s->gsi[g].lower)
			continue;
		fprintf(f, "%s{\"gsi\":%d,\"raised\":%" PRIu64 ",\"lowered\":%" PRIu64 "}",
			first ? "" : ",", g == STAT_MAX_GSI ? -1 : g, s->gsi[g].raise, s->gsi[g].lower);
		first = false;
	}
	fprintf(f, "],\"msi\":[");
	first = true;
	for (int v = 0; v < 256; v++) {
		if (!s->msi[v])
			continue;
		fprintf(f, "%s{\"vector\":%d,\"count\":%" PRIu64 "}", first ? "" : ",", v, s->msi[v]);
		first = false;
	}
	fprintf(f, "],\"kernel_event_counts\":{");
	first = true;
	for (int k = 1; k < STAT_NKEV; k++) {
		if (!s->kev[k])
			continue;
		fprintf(f, "%s", first ? "" : ",");
		json_out_str(f, trace_kevent_name(k));
		fprintf(f, ":%" PRIu64, s->kev[k]);
		first = false;
	}
	if (s->kev_unknown)
		fprintf(f, "%s\"other\":%" PRIu64, first ? "" : ",", s->kev_unknown);
	fprintf(f, "}");
}

/* "lost": what the footer and the Drop records say was not recorded, and the damage. */
static void json_lost(const struct stat_report *s, FILE *f)
{
	fprintf(f, ",\"lost\":{\"footer\":%s,\"dropped\":%" PRIu64 ",\"kernel_lost\":%" PRIu64
		",\"ring_stalls\":%" PRIu64 ",\"drop_records\":%" PRIu64 ",\"drop_count\":%" PRIu64
		",\"drop_what\":[", s->have_footer ? "true" : "false", s->f_dropped,
		s->f_kernel_lost, s->f_ring_stalls, s->drop_records, s->drop_count);
	for (size_t i = 0; i < s->n_drop_what; i++) {
		if (i)
			fprintf(f, ",");
		json_out_str(f, s->drop_what[i]);
	}
	fprintf(f, "],\"damage\":");
	if (s->damage)
		json_out_str(f, s->damage);
	else
		fprintf(f, "null");
	fprintf(f, ",\"end_reason\":");
	if (s->end_reason)
		json_out_str(f, s->end_reason);
	else
		fprintf(f, "null");
	fprintf(f, "}");
}

void stat_report_print_json(const struct stat_report *s, FILE *f)
{
	fprintf(f, "{\"trace\":");
	json_out_str(f, s->path);
	fprintf(f, ",\"vmm\":");
	json_out_str(f, s->vmm);
	fprintf(f, ",\"recorder\":");
	json_out_str(f, s->recorder);
	fprintf(f, ",\"kernel_events\":%s,\"kvm_inj_virq\":%s,\"events\":%" PRIu64
		",\"first_seq\":%" PRIu64 ",\"last_seq\":%" PRIu64 ",\"span_ns\":%" PRIu64,
		s->kevents_on ? "true" : "false", s->inj_virq_seen ? "true" : "false", s->events,
		s->first_seq, s->last_seq, s->last_ts - s->first_ts);
	fprintf(f, ",\"records\":{\"exit\":%" PRIu64 ",\"inject\":%" PRIu64 ",\"lapic\":%" PRIu64
		",\"kevent\":%" PRIu64 ",\"vcpu_events\":%" PRIu64 ",\"setup\":%" PRIu64
		",\"note\":%" PRIu64 ",\"drop\":%" PRIu64 "}",
		s->by_kind[0], s->by_kind[1], s->by_kind[2], s->by_kind[3], s->by_kind[4],
		s->by_kind[5], s->by_kind[6], s->by_kind[7]);
	json_vcpus(s, f);
	json_interrupt_sources(s, f);
	fprintf(f, ",\"check_once\":");
	print_judge_json(s, f);
	json_lost(s, f);
	fprintf(f, "}\n");
}
