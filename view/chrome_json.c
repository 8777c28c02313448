// SPDX-License-Identifier: GPL-2.0-only
/* chrome_json: Chrome trace-event export (see chrome_json.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "kevent_table.h"
#include "chrome_json.h"
#include "trace_format.h"
#include "json_out.h"
#include "lapic_page.h"
#include "replay.h"
#include "trace_names.h"

#define CJ_MAX_VCPUS   512
#define CJ_VM_TID      0       /* vCPU n is tid n + 1 */

struct cj_vcpu {
	int32_t id;
	bool have_prev;
	uint64_t prev_exit_ts;
	uint32_t prev_reason;
	uint64_t prev_seq;
	int tpr, irr_max, isr_max;   /* last counter values; -2: never */
	/* The track of each vector's latest request: an accept is traced on the sender's. */
	int req_tid[256];
	/* When the VMM's copy last showed the vector in IRR (KVM_GET_LAPIC); 0: not now. */
	uint64_t copy_irr_ts[256];
};

struct cj {
	FILE *out;
	uint32_t pid;
	bool first;                  /* no event written yet: no comma */
	bool inj_virq_on;            /* a kvm_inj_virq was seen: deliveries are visible */
	uint64_t next_flow;
	struct cj_vcpu *vcpus[CJ_MAX_VCPUS];
	size_t n_vcpus;
	bool vm_named;
	/* The judge: a replay of the same events; its decisions become arrows and marks. */
	struct replay *replay;
	struct judge_observer observer;
	int cur_tid;                 /* the track of the event being judged */
};

static int cj_tid(int32_t vcpu)
{
	return vcpu < 0 ? CJ_VM_TID : vcpu + 1;
}

/* Opens one event object with the fields every event has. */
static void cj_begin(struct cj *c, const char *ph, const char *name, const char *cat,
		     uint64_t ts_ns, int tid)
{
	fprintf(c->out, "%s\n{\"ph\":\"%s\",\"name\":", c->first ? "" : ",", ph);
	c->first = false;
	json_out_str(c->out, name);
	if (cat) {
		fprintf(c->out, ",\"cat\":");
		json_out_str(c->out, cat);
	}
	fprintf(c->out, ",\"pid\":%" PRIu32 ",\"tid\":%d,\"ts\":", c->pid, tid);
	json_out_us(c->out, (long long)ts_ns);
}

static void cj_thread_name(struct cj *c, int tid, const char *name, int sort)
{
	fprintf(c->out, "%s\n{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":%" PRIu32
		",\"tid\":%d,\"args\":{\"name\":", c->first ? "" : ",", c->pid, tid);
	c->first = false;
	json_out_str(c->out, name);
	fprintf(c->out, "}},\n{\"ph\":\"M\",\"name\":\"thread_sort_index\",\"pid\":%" PRIu32
		",\"tid\":%d,\"args\":{\"sort_index\":%d}}", c->pid, tid, sort);
}

static struct cj_vcpu *cj_vcpu(struct cj *c, int32_t id)
{
	for (size_t i = 0; i < c->n_vcpus; i++)
		if (c->vcpus[i]->id == id)
			return c->vcpus[i];
	if (c->n_vcpus >= CJ_MAX_VCPUS || id < 0)
		return NULL;
	struct cj_vcpu *v = calloc(1, sizeof(*v));
	if (!v)
		return NULL;
	v->id = id;
	v->tpr = v->irr_max = v->isr_max = -2;
	c->vcpus[c->n_vcpus++] = v;

	char name[32];
	snprintf(name, sizeof(name), "vCPU %d", id);
	cj_thread_name(c, cj_tid(id), name, id + 1);
	return v;
}

static void cj_args_event(struct cj *c, const struct trace_event *ev)
{
	char d[TRACE_FORMAT_SHORT_MAX];

	trace_format_short(ev->rec, d, sizeof(d));
	fprintf(c->out, ",\"args\":{\"seq\":%" PRIu64 ",\"event\":", ev->seq);
	json_out_str(c->out, d);
	fprintf(c->out, "}}");
}

static void cj_instant(struct cj *c, const struct trace_event *ev, int32_t vcpu,
		       const char *name, const char *cat, const char *cname)
{
	cj_begin(c, "i", name, cat, ev->ts_ns, cj_tid(vcpu));
	fprintf(c->out, ",\"s\":\"t\"");
	if (cname)
		fprintf(c->out, ",\"cname\":\"%s\"", cname);
	cj_args_event(c, ev);
}

static void cj_counter(struct cj *c, struct cj_vcpu *v, int *last, const char *what,
		       const char *key, int value, uint64_t ts)
{
	char name[48];

	if (*last == value)
		return;
	*last = value;
	snprintf(name, sizeof(name), "vCPU %d %s", v->id, what);
	cj_begin(c, "C", name, "lapic", ts, cj_tid(v->id));
	fprintf(c->out, ",\"args\":{\"%s\":%d}}", key, value);
}

/* An arrow; it never points back in time (clocks of two vCPUs may step). */
static void cj_flow(struct cj *c, const char *name, uint64_t from_ts, int from_tid,
		    uint64_t to_ts, int to_tid)
{
	uint64_t id = ++c->next_flow;

	cj_begin(c, "s", name, "irq", from_ts < to_ts ? from_ts : to_ts, from_tid);
	fprintf(c->out, ",\"id\":%" PRIu64 "}", id);
	cj_begin(c, "f", name, "irq", to_ts, to_tid);
	fprintf(c->out, ",\"bp\":\"e\",\"id\":%" PRIu64 "}", id);
}

/* A mark of the judge's on @vcpu's track at @at: red for violations. */
static void cj_mark(struct cj *c, int32_t vcpu, const char *name, const char *cname,
		    struct check_once_ref at)
{
	cj_begin(c, "i", name, "check-once", at.ts_ns, cj_tid(vcpu));
	fprintf(c->out, ",\"s\":\"t\",\"cname\":\"%s\",\"args\":{\"seq\":%" PRIu64, cname,
		at.seq);
}

/*
 * One decision of the replayer: a delivery matched to its request is an
 * arrow from the request to it; a violation, an undecided or a pending item
 * is a mark. Requests only note where their arrow will start.
 */
static void cj_judge(void *ctx, const struct judge_item *it)
{
	struct cj *c = ctx;
	struct cj_vcpu *v = it->vector >= 0 ? cj_vcpu(c, it->vcpu) : NULL;
	const struct check_once_violation *x = it->violation;
	char name[64];
	int req_tid;

	/* What concerns the whole trace is in otherData.check_once.undecided. */
	if (!v || !it->at.seq)
		return;
	req_tid = v->req_tid[it->vector & 0xff] ? v->req_tid[it->vector & 0xff] : cj_tid(v->id);
	switch (it->kind) {
	case JUDGE_REQUEST:
		v->req_tid[it->vector & 0xff] = c->cur_tid;
		return;
	case JUDGE_DELIVERY:
		if (!it->request.seq)
			return;
		snprintf(name, sizeof(name), "irq %d", it->vector);
		cj_flow(c, name, it->request.ts_ns, req_tid, it->at.ts_ns, cj_tid(v->id));
		return;
	case JUDGE_VIOLATION:
		/*
		 * The request's arrow went to the earlier delivery when it was
		 * matched; a second one to the later shows it delivered twice.
		 */
		if (x->kind == CHECK_ONCE_DOUBLE && x->request.seq) {
			struct check_once_ref later = x->delivery.seq > x->first.seq ? x->delivery
										 : x->first;

			snprintf(name, sizeof(name), "irq %d (again)", it->vector);
			cj_flow(c, name, x->request.ts_ns, req_tid, later.ts_ns, cj_tid(v->id));
		}
		snprintf(name, sizeof(name), "%s %d", judge_violation_name(x->kind), it->vector);
		cj_mark(c, it->vcpu, name, "terrible", x->delivery);
		fprintf(c->out, ",\"other delivery seq\":%" PRIu64 ",\"request seq\":%" PRIu64
			",\"erased by KVM_SET_LAPIC seq\":%" PRIu64 ",\"request\":\"%s\"}}",
			x->first.seq, x->request.seq, x->wiped_by.seq,
			x->kind == CHECK_ONCE_LOST ? "never delivered" : "none outstanding");
		return;
	case JUDGE_UNDECIDED:
	case JUDGE_PENDING:
		snprintf(name, sizeof(name), "%s %d", judge_kind_name(it->kind), it->vector);
		cj_mark(c, it->vcpu, name, "yellow", it->at);
		fprintf(c->out, ",\"why\":");
		json_out_str(c->out, it->why ? it->why : "");
		fprintf(c->out, "}}");
		return;
	}
}

static void cj_exit(struct cj *c, const struct trace_event *ev)
{
	const Kvmrec__RunExit *x = ev->rec->exit;
	struct cj_vcpu *v = cj_vcpu(c, ev->vcpu);
	uint64_t run = x->has_run_ns ? x->run_ns : 0;
	uint64_t entry = ev->ts_ns >= run ? ev->ts_ns - run : 0;
	char d[TRACE_FORMAT_SHORT_MAX];

	if (!v) {
		cj_instant(c, ev, ev->vcpu, "exit", "exit", NULL);
		return;
	}
	/* Clock steps must not make slices on one track overlap. */
	if (v->have_prev && entry < v->prev_exit_ts)
		entry = v->prev_exit_ts;
	/*
	 * Without run_ns (recorded without --run-times) the entry time is
	 * unknown: one "run" slice covers exit to exit rather than pretending
	 * the guest ran for no time at all.
	 */
	if (!x->has_run_ns && v->have_prev)
		entry = v->prev_exit_ts;
	else if (v->have_prev) {
		cj_begin(c, "X", trace_exit_reason_name(v->prev_reason), "userspace",
			 v->prev_exit_ts, cj_tid(v->id));
		fprintf(c->out, ",\"dur\":");
		json_out_us(c->out, (long long)(entry - v->prev_exit_ts));
		fprintf(c->out, ",\"args\":{\"after exit seq\":%" PRIu64 "}}", v->prev_seq);
	}
	trace_format_short(ev->rec, d, sizeof(d));
	if (x->has_run_ns)
		cj_begin(c, "X", "guest", "guest", entry, cj_tid(v->id));
	else
		cj_begin(c, "X", "run", "guest+userspace", entry, cj_tid(v->id));
	fprintf(c->out, ",\"dur\":");
	json_out_us(c->out, (long long)(ev->ts_ns - entry));
	fprintf(c->out, ",\"args\":{\"seq\":%" PRIu64 ",\"exit\":", ev->seq);
	json_out_str(c->out, trace_exit_reason_name(x->reason));
	fprintf(c->out, ",\"event\":");
	json_out_str(c->out, d);
	fprintf(c->out, "}}");
	v->have_prev = true;
	v->prev_exit_ts = ev->ts_ns;
	v->prev_reason = x->reason;
	v->prev_seq = ev->seq;
	if (x->has_cr8)
		cj_counter(c, v, &v->tpr, "TPR", "TPR", (int)((x->cr8 & 0xf) << 4), ev->ts_ns);
}

static void cj_inject(struct cj *c, const struct trace_event *ev)
{
	const Kvmrec__Injection *in = ev->rec->inject;
	struct cj_vcpu *v = cj_vcpu(c, ev->vcpu);
	char name[48];

	if (in->kind == KVMREC__INJECT_KIND__INJECT_INTERRUPT && v) {
		unsigned int vec = in->vector & 0xff;
		snprintf(name, sizeof(name), "KVM_INTERRUPT %u", vec);
		/*
		 * What the VMM injected came from its own view: draw the arrow from
		 * the sync that last showed the vector pending in its LAPIC copy.
		 */
		if (v->copy_irr_ts[vec]) {
			snprintf(name, sizeof(name), "irq %u (VMM's LAPIC copy)", vec);
			cj_flow(c, name, v->copy_irr_ts[vec], cj_tid(v->id), ev->ts_ns, cj_tid(v->id));
			snprintf(name, sizeof(name), "KVM_INTERRUPT %u", vec);
		}
		cj_instant(c, ev, ev->vcpu, name, "inject", NULL);
		return;
	}
	char d[TRACE_FORMAT_SHORT_MAX];
	trace_format_label(ev->rec, d, sizeof(d));
	cj_instant(c, ev, v ? ev->vcpu : TRACE_VCPU_NONE, d, "inject", NULL);
}

static void cj_lapic(struct cj *c, const struct trace_event *ev)
{
	const Kvmrec__LapicSync *l = ev->rec->lapic;
	struct cj_vcpu *v = cj_vcpu(c, ev->vcpu);

	cj_instant(c, ev, ev->vcpu, l->set ? "KVM_SET_LAPIC" : "KVM_GET_LAPIC", "lapic", NULL);
	if (!v || (l->has_ret && l->ret < 0))
		return;
	if (!l->set)
		for (unsigned int vec = 0; vec < 256; vec++)
			v->copy_irr_ts[vec] = vec / 32 < l->n_irr &&
					      lapic_vec256_test(l->irr, vec) ? ev->ts_ns : 0;
	if (l->has_tpr)
		cj_counter(c, v, &v->tpr, "TPR", "TPR", (int)(l->tpr & 0xff), ev->ts_ns);
	if (l->n_irr)
		cj_counter(c, v, &v->irr_max, "IRR max", "vector",
			   lapic_vec256_highest(l->irr, l->n_irr < 8 ? (unsigned int)l->n_irr : 8),
			   ev->ts_ns);
	if (l->n_isr)
		cj_counter(c, v, &v->isr_max, "ISR max", "vector",
			   lapic_vec256_highest(l->isr, l->n_isr < 8 ? (unsigned int)l->n_isr : 8),
			   ev->ts_ns);
}

static void cj_kevent(struct cj *c, const struct trace_event *ev)
{
	const Kvmrec__KernelEvent *k = ev->rec->kevent;
	const char *name = k->id ? trace_kevent_name(k->id) : (k->name ? k->name : "kernel event");
	int64_t vec, apic;
	struct cj_vcpu *v;
	char buf[48];

	switch (k->id) {
	case KVMREC__KERNEL_EVENT_ID__KEV_APIC_ACCEPT_IRQ:
		vec = kevent_get(k, KEV_F_VEC, -1);
		apic = kevent_get(k, KEV_F_APICID, ev->vcpu);
		v = cj_vcpu(c, (int32_t)apic);
		if (v && vec >= 0 && vec < 256) {
			snprintf(buf, sizeof(buf), "accept %" PRId64, vec);
			cj_instant(c, ev, v->id, buf, "irq", NULL);
			return;
		}
		break;
	case KVMREC__KERNEL_EVENT_ID__KEV_INJ_VIRQ:
		vec = kevent_get(k, KEV_F_IRQ, -1);
		v = cj_vcpu(c, ev->vcpu);
		c->inj_virq_on = true;
		if (v && vec >= 0 && vec < 256) {
			snprintf(buf, sizeof(buf), "inj_virq %" PRId64, vec);
			cj_instant(c, ev, v->id, buf, "irq", NULL);
			return;
		}
		break;
	case KVMREC__KERNEL_EVENT_ID__KEV_EOI:
		vec = kevent_get(k, KEV_F_VECTOR, -1);
		apic = kevent_get(k, KEV_F_APICID, ev->vcpu);
		v = cj_vcpu(c, (int32_t)apic);
		if (v && vec >= 0 && vec < 256) {
			snprintf(buf, sizeof(buf), "EOI %" PRId64, vec);
			cj_instant(c, ev, v->id, buf, "eoi", NULL);
			return;
		}
		if (v) {
			cj_instant(c, ev, v->id, "EOI (none in service)", "eoi", NULL);
			return;
		}
		break;
	case KVMREC__KERNEL_EVENT_ID__KEV_APIC:
		v = cj_vcpu(c, ev->vcpu);
		if (v && kevent_get(k, KEV_F_RW, 0) == 1 &&
		    kevent_get(k, KEV_F_REG, -1) == LAPIC_REG_TPR)
			cj_counter(c, v, &v->tpr, "TPR", "TPR",
				   (int)(kevent_get(k, KEV_F_VAL, 0) & 0xff), ev->ts_ns);
		break;
	default:
		break;
	}
	cj_vcpu(c, ev->vcpu);
	cj_instant(c, ev, ev->vcpu, name, "kernel", NULL);
}

static void cj_event(struct cj *c, const struct trace_event *ev)
{
	char d[TRACE_FORMAT_SHORT_MAX];

	switch (ev->rec->body_case) {
	case KVMREC__RECORD__BODY_EXIT:
		cj_exit(c, ev);
		return;
	case KVMREC__RECORD__BODY_INJECT:
		cj_inject(c, ev);
		return;
	case KVMREC__RECORD__BODY_LAPIC:
		cj_lapic(c, ev);
		return;
	case KVMREC__RECORD__BODY_KEVENT:
		cj_kevent(c, ev);
		return;
	case KVMREC__RECORD__BODY_DROP:
		/* Lost records concern the whole trace: a global instant. */
		cj_begin(c, "i", "DROPPED", "drop", ev->ts_ns, cj_tid(TRACE_VCPU_NONE));
		fprintf(c->out, ",\"s\":\"g\",\"cname\":\"terrible\"");
		cj_args_event(c, ev);
		return;
	default:
		trace_format_label(ev->rec, d, sizeof(d));
		if (ev->vcpu >= 0)
			cj_vcpu(c, ev->vcpu);
		cj_instant(c, ev, ev->vcpu >= 0 && c->n_vcpus ? ev->vcpu : TRACE_VCPU_NONE, d,
			   trace_format_kind(ev->rec), NULL);
		return;
	}
}

/* The exporter's state and the file's opening: the process and VM track names. */
static struct cj *cj_open(const Kvmrec__Header *h, const char *path, FILE *out,
			  char *err, size_t errlen)
{
	struct cj *c = calloc(1, sizeof(*c));

	if (!c) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	c->out = out;
	c->first = true;
	c->pid = h && h->has_vmm_pid && h->vmm_pid ? h->vmm_pid : 1;

	fprintf(out, "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[");
	fprintf(out, "\n{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":%" PRIu32
		",\"tid\":0,\"args\":{\"name\":", c->pid);
	c->first = false;
	{
		char name[256];
		snprintf(name, sizeof(name), "VMM %s (kvmrec)",
			 h && h->n_vmm_argv ? h->vmm_argv[0] : "?");
		json_out_str(out, name);
	}
	fprintf(out, "}}");
	cj_thread_name(c, CJ_VM_TID, "VM", 0);
	if (h) {
		struct replay_opts o = { .observer = &c->observer };

		c->observer = (struct judge_observer){ cj_judge, c };
		if (!(c->replay = replay_alloc(&o))) {
			free(c);
			snprintf(err, errlen, "%s: out of memory", path);
			return NULL;
		}
		replay_begin(c->replay, h);
	}
	return c;
}

/* The closing otherData: where the trace came from and the judge's verdict. */
static void cj_other_data(struct cj *c, const Kvmrec__Header *h, const char *path)
{
	FILE *out = c->out;

	fprintf(out, "\n],\"otherData\":{\"kvmrec_version\":");
	json_out_str(out, KVMREC_VERSION);
	fprintf(out, ",\"trace\":");
	json_out_str(out, path);
	if (h) {
		fprintf(out, ",\"vmm\":");
		char vmm[512] = "";
		for (size_t i = 0; i < h->n_vmm_argv; i++) {
			size_t n = strlen(vmm);
			snprintf(vmm + n, sizeof(vmm) - n, "%s%s", i ? " " : "", h->vmm_argv[i]);
		}
		json_out_str(out, vmm);
		fprintf(out, ",\"clock\":");
		json_out_str(out, h->clock ? h->clock : "mono");
	}
	fprintf(out, ",\"kernel_deliveries_seen_as\":\"%s\"",
		c->inj_virq_on ? "kvm_inj_virq" : "kvm_eoi");
	if (c->replay) {
		const struct check_once_result *v = replay_result(c->replay);

		fprintf(out, ",\"check_once\":{\"verdict\":%d,\"requests\":%" PRIu64
			",\"deliveries\":%" PRIu64 ",\"violations\":%" PRIu64 ",\"undecided\":",
			v->verdict, v->requests, v->deliveries, v->violations);
		json_out_str(out, v->undecided);
		fprintf(out, "}");
	}
}

static void cj_free(struct cj *c)
{
	for (size_t i = 0; i < c->n_vcpus; i++)
		free(c->vcpus[i]);
	replay_free(c->replay);
	free(c);
}

int chrome_json_export(struct trace_reader *r, const char *path, FILE *out,
		       char *err, size_t errlen)
{
	const Kvmrec__Header *h = trace_reader_header(r);
	struct cj *c = cj_open(h, path, out, err, errlen);
	struct trace_event ev;
	int ret;

	if (!c)
		return -ENOMEM;
	while ((ret = trace_reader_next(r, &ev)) > 0) {
		cj_event(c, &ev);
		c->cur_tid = cj_tid(ev.vcpu);
		if (c->replay)
			replay_feed(c->replay, &ev);
	}
	/* What is decided at the end (lost, pending, undecided) needs the whole trace. */
	if (c->replay)
		replay_end(c->replay, ret == 0);
	cj_other_data(c, h, path);
	if (ret < 0) {
		fprintf(out, ",\"damage\":");
		json_out_str(out, trace_reader_error(r));
		snprintf(err, errlen, "%s", *trace_reader_error(r) ? trace_reader_error(r) : path);
	}
	fprintf(out, "}}\n");
	cj_free(c);
	return ret < 0 ? ret : 0;
}
