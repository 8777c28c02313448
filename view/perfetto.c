// SPDX-License-Identifier: GPL-2.0-only
/* perfetto: Perfetto protobuf export (see perfetto.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "kevent_table.h"
#include "trace_format.h"
#include "judge.h"
#include "lapic_page.h"
#include "perfetto.h"
#include "perfetto_trace.pb-c.h"
#include "replay.h"
#include "trace_names.h"

#define PF_MAX_VCPUS	1024
#define PF_MAX_NAMES	4096		/* interned names; more are written inline */
#define PF_NAME_LEN	64

#define PF_CLOCK_MONOTONIC	3	/* Perfetto's BUILTIN_CLOCK_MONOTONIC */
#define PF_CLOCK_INCREMENTAL	64	/* first sequence-scoped clock id */

#define PF_SEQ_GLOBAL	1		/* descriptors and the VM track */
#define PF_UUID_PROCESS	1
#define PF_UUID_VM	2
#define PF_UUID_VCPU0	0x100
#define PF_UUID_COUNTER0 0x100000
#define PF_FLOW_QUEUE	8		/* open flows kept per (vCPU, vector) */

enum pf_counter { PF_TPR, PF_IRR_MAX, PF_ISR_MAX, PF_COUNTERS };
static const char *const pf_counter_name[PF_COUNTERS] = { "TPR", "IRR max", "ISR max" };

typedef Perfetto__Protos__TracePacket pf_packet;
typedef Perfetto__Protos__TrackEvent pf_event;

/* One packet sequence: its own interned names, defaults and clock. */
struct pf_seq {
	uint32_t id;
	uint64_t track_uuid;		/* TrackEventDefaults */
	bool started;
	uint64_t last_ts;		/* the incremental clock's value */
	uint64_t defined[PF_MAX_NAMES / 64];
};

struct pf_vcpu {
	int32_t id;
	uint64_t uuid;
	/* Slices only: entry times lie before kernel events already written. */
	struct pf_seq slices;
	struct pf_seq events;		/* instants and counters */
	bool open;			/* a slice is open on the track */
	int counter[PF_COUNTERS];	/* last value written; -2: never */
	/* Flows started at requests and not yet ended, oldest first. */
	uint64_t flow[256][PF_FLOW_QUEUE];
	uint8_t n_flow[256];
};

/* One of the judge's decisions about the event being exported. */
struct pf_item {
	enum judge_kind kind;
	int32_t vcpu, vector;
	struct check_once_ref at, request;
	enum check_once_kind violation;
	bool used;			/* attached to the event's own instant */
};

struct pf_name {
	bool used;
	char s[PF_NAME_LEN];
};

struct pf {
	FILE *out;
	uint8_t *buf;
	size_t cap;
	int32_t pid;
	uint64_t start_ns, last_ns;
	struct pf_seq global;
	struct pf_vcpu *vcpus[PF_MAX_VCPUS];
	size_t n_vcpus;
	bool failed;			/* out of memory: a packet was not written */
	/* The judge: a replay of the same events; its decisions become flows and marks. */
	struct replay *replay;
	struct judge_observer observer;
	struct pf_item *items;		/* decisions about the current event */
	size_t n_items, cap_items;
	uint64_t n_names;
	struct pf_name names[PF_MAX_NAMES];	/* open addressing; iid = slot + 1 */
};

/* One name and the interning it may need, for the packet that uses it. */
struct pf_iname {
	uint64_t iid;			/* 0: not interned, @inline_name set */
	const char *inline_name;
	Perfetto__Protos__EventName def;
	bool needs_def;
};

static void pf_write(struct pf *c, const pf_packet *pkt)
{
	size_t n = perfetto__protos__trace_packet__get_packed_size(pkt);
	uint8_t hdr[11];
	size_t h = 0;

	if (n > c->cap) {
		uint8_t *b = realloc(c->buf, n);
		if (!b) {
			c->failed = true;
			return;
		}
		c->buf = b;
		c->cap = n;
	}
	perfetto__protos__trace_packet__pack(pkt, c->buf);
	hdr[h++] = 0x0a;		/* Trace.packet, length-delimited */
	for (uint64_t v = n; ; v >>= 7) {
		hdr[h++] = (uint8_t)(v & 0x7f) | (v >= 0x80 ? 0x80 : 0);
		if (v < 0x80)
			break;
	}
	fwrite(hdr, 1, h, c->out);
	fwrite(c->buf, 1, n, c->out);
}

static uint64_t pf_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;	/* FNV-1a */

	while (*s)
		h = (h ^ (uint8_t)*s++) * 1099511628211ull;
	return h;
}

/* The interning id of @s on @seq, with its definition when @seq lacks it. */
static void pf_name_get(struct pf *c, struct pf_seq *seq, const char *s, struct pf_iname *out)
{
	uint64_t slot = pf_hash(s) % PF_MAX_NAMES;

	memset(out, 0, sizeof(*out));
	for (uint64_t probes = 0; probes < PF_MAX_NAMES; probes++, slot = (slot + 1) % PF_MAX_NAMES) {
		struct pf_name *e = &c->names[slot];
		if (!e->used) {
			if (c->n_names >= PF_MAX_NAMES / 2 || strlen(s) >= PF_NAME_LEN)
				break;
			e->used = true;
			snprintf(e->s, sizeof(e->s), "%s", s);
			c->n_names++;
		} else if (strcmp(e->s, s)) {
			continue;
		}
		out->iid = slot + 1;
		if (!(seq->defined[slot / 64] & (1ull << (slot % 64)))) {
			seq->defined[slot / 64] |= 1ull << (slot % 64);
			perfetto__protos__event_name__init(&out->def);
			out->def.has_iid = true;
			out->def.iid = out->iid;
			out->def.name = e->s;
			out->needs_def = true;
		}
		return;
	}
	/* The table is full (or the name too long): written inline, not interned. */
	out->inline_name = s;
}

/*
 * The first packet of a sequence: clears its state, sets its defaults and
 * starts its incremental clock at @ts on the trace clock.
 */
static void pf_seq_start(struct pf *c, struct pf_seq *seq, uint64_t ts)
{
	Perfetto__Protos__ClockSnapshot__Clock clk[2], *clks[2] = { &clk[0], &clk[1] };
	Perfetto__Protos__ClockSnapshot snap = PERFETTO__PROTOS__CLOCK_SNAPSHOT__INIT;
	Perfetto__Protos__TracePacketDefaults defs = PERFETTO__PROTOS__TRACE_PACKET_DEFAULTS__INIT;
	Perfetto__Protos__TrackEventDefaults tdefs = PERFETTO__PROTOS__TRACK_EVENT_DEFAULTS__INIT;
	pf_packet pkt = PERFETTO__PROTOS__TRACE_PACKET__INIT;

	for (int i = 0; i < 2; i++)
		perfetto__protos__clock_snapshot__clock__init(&clk[i]);
	clk[0].has_clock_id = clk[0].has_timestamp = clk[0].has_is_incremental = true;
	clk[0].clock_id = PF_CLOCK_INCREMENTAL;
	clk[0].timestamp = ts;
	clk[0].is_incremental = true;
	clk[1].has_clock_id = clk[1].has_timestamp = true;
	clk[1].clock_id = PF_CLOCK_MONOTONIC;
	clk[1].timestamp = ts;
	snap.n_clocks = 2;
	snap.clocks = clks;
	if (seq->id == PF_SEQ_GLOBAL) {
		snap.has_primary_trace_clock = true;
		snap.primary_trace_clock = PERFETTO__PROTOS__CLOCK_SNAPSHOT__BUILTIN_CLOCK__BUILTIN_CLOCK_MONOTONIC;
	}

	defs.has_timestamp_clock_id = true;
	defs.timestamp_clock_id = PF_CLOCK_INCREMENTAL;
	if (seq->track_uuid) {
		tdefs.has_track_uuid = true;
		tdefs.track_uuid = seq->track_uuid;
		defs.track_event_defaults = &tdefs;
	}

	pkt.has_trusted_packet_sequence_id = true;
	pkt.trusted_packet_sequence_id = seq->id;
	pkt.has_sequence_flags = true;
	pkt.sequence_flags = PERFETTO__PROTOS__TRACE_PACKET__SEQUENCE_FLAGS__SEQ_INCREMENTAL_STATE_CLEARED;
	pkt.trace_packet_defaults = &defs;
	pkt.has_timestamp = pkt.has_timestamp_clock_id = true;
	pkt.timestamp = ts;
	pkt.timestamp_clock_id = PF_CLOCK_MONOTONIC;
	pkt.data_case = PERFETTO__PROTOS__TRACE_PACKET__DATA_CLOCK_SNAPSHOT;
	pkt.clock_snapshot = &snap;
	pf_write(c, &pkt);
	seq->started = true;
	seq->last_ts = ts;
}

/*
 * A packet on @seq at @ts. Timestamps of one sequence never go back: a
 * merged kernel event a little out of order is written at the sequence's
 * latest time (its true time is in the trace).
 */
static void pf_packet_at(struct pf *c, struct pf_seq *seq, uint64_t ts, pf_packet *pkt)
{
	if (!seq->started)
		pf_seq_start(c, seq, ts);
	uint64_t delta = ts > seq->last_ts ? ts - seq->last_ts : 0;
	seq->last_ts += delta;
	pkt->has_trusted_packet_sequence_id = true;
	pkt->trusted_packet_sequence_id = seq->id;
	pkt->has_timestamp = true;
	pkt->timestamp = delta;
	if (ts > c->last_ns)
		c->last_ns = ts;
}

/* A track event named @name (NULL: none, for SLICE_END and counters). */
static void pf_event_write(struct pf *c, struct pf_seq *seq, uint64_t ts, pf_event *te,
			   const char *name)
{
	pf_packet pkt = PERFETTO__PROTOS__TRACE_PACKET__INIT;
	Perfetto__Protos__InternedData in = PERFETTO__PROTOS__INTERNED_DATA__INIT;
	Perfetto__Protos__EventName *defs[1];
	struct pf_iname n;

	if (name) {
		pf_name_get(c, seq, name, &n);
		if (n.iid) {
			te->has_name_iid = true;
			te->name_iid = n.iid;
		} else {
			te->name = (char *)n.inline_name;
		}
		if (n.needs_def) {
			defs[0] = &n.def;
			in.n_event_names = 1;
			in.event_names = defs;
			pkt.interned_data = &in;
		}
	}
	pf_packet_at(c, seq, ts, &pkt);
	pkt.data_case = PERFETTO__PROTOS__TRACE_PACKET__DATA_TRACK_EVENT;
	pkt.track_event = te;
	pf_write(c, &pkt);
}

static void pf_descriptor(struct pf *c, Perfetto__Protos__TrackDescriptor *td)
{
	pf_packet pkt = PERFETTO__PROTOS__TRACE_PACKET__INIT;

	if (!c->global.started)
		pf_seq_start(c, &c->global, c->start_ns);
	pkt.has_trusted_packet_sequence_id = true;
	pkt.trusted_packet_sequence_id = c->global.id;
	pkt.data_case = PERFETTO__PROTOS__TRACE_PACKET__DATA_TRACK_DESCRIPTOR;
	pkt.track_descriptor = td;
	pf_write(c, &pkt);
}

static void pf_track(struct pf *c, uint64_t uuid, uint64_t parent, const char *name)
{
	Perfetto__Protos__TrackDescriptor td = PERFETTO__PROTOS__TRACK_DESCRIPTOR__INIT;

	td.has_uuid = true;
	td.uuid = uuid;
	if (parent) {
		td.has_parent_uuid = true;
		td.parent_uuid = parent;
	}
	td.name = (char *)name;
	pf_descriptor(c, &td);
}

static struct pf_vcpu *pf_vcpu(struct pf *c, int32_t id)
{
	for (size_t i = 0; i < c->n_vcpus; i++)
		if (c->vcpus[i]->id == id)
			return c->vcpus[i];
	if (id < 0 || c->n_vcpus >= PF_MAX_VCPUS)
		return NULL;
	struct pf_vcpu *v = calloc(1, sizeof(*v));
	if (!v)
		return NULL;
	size_t i = c->n_vcpus++;
	v->id = id;
	v->uuid = PF_UUID_VCPU0 + i;
	v->slices.id = (uint32_t)(2 + 2 * i);
	v->events.id = (uint32_t)(3 + 2 * i);
	v->slices.track_uuid = v->events.track_uuid = v->uuid;
	for (int k = 0; k < PF_COUNTERS; k++)
		v->counter[k] = -2;
	c->vcpus[i] = v;

	char name[32];
	snprintf(name, sizeof(name), "vCPU %d", id);
	pf_track(c, v->uuid, PF_UUID_PROCESS, name);
	return v;
}

static uint64_t pf_counter_uuid(const struct pf_vcpu *v, enum pf_counter k)
{
	return PF_UUID_COUNTER0 + (v->uuid - PF_UUID_VCPU0) * PF_COUNTERS + k;
}

static void pf_counter(struct pf *c, struct pf_vcpu *v, enum pf_counter k, int value, uint64_t ts)
{
	pf_event te = PERFETTO__PROTOS__TRACK_EVENT__INIT;

	if (v->counter[k] == value)
		return;
	if (v->counter[k] == -2) {
		Perfetto__Protos__TrackDescriptor td = PERFETTO__PROTOS__TRACK_DESCRIPTOR__INIT;
		Perfetto__Protos__CounterDescriptor cd = PERFETTO__PROTOS__COUNTER_DESCRIPTOR__INIT;
		char name[48];

		snprintf(name, sizeof(name), "vCPU %d %s", v->id, pf_counter_name[k]);
		td.has_uuid = td.has_parent_uuid = true;
		td.uuid = pf_counter_uuid(v, k);
		td.parent_uuid = PF_UUID_PROCESS;
		td.name = name;
		td.counter = &cd;
		pf_descriptor(c, &td);
	}
	v->counter[k] = value;
	te.has_type = true;
	te.type = PERFETTO__PROTOS__TRACK_EVENT__TYPE__TYPE_COUNTER;
	te.has_track_uuid = true;
	te.track_uuid = pf_counter_uuid(v, k);
	te.has_counter_value = true;
	te.counter_value = value;
	pf_event_write(c, &v->events, ts, &te, NULL);
}

static void pf_slice(struct pf *c, struct pf_vcpu *v, uint64_t ts, const char *begin_name)
{
	pf_event te = PERFETTO__PROTOS__TRACK_EVENT__INIT;

	te.has_type = true;
	if (!begin_name) {
		if (!v->open)
			return;
		te.type = PERFETTO__PROTOS__TRACK_EVENT__TYPE__TYPE_SLICE_END;
		v->open = false;
	} else {
		te.type = PERFETTO__PROTOS__TRACK_EVENT__TYPE__TYPE_SLICE_BEGIN;
		v->open = true;
	}
	pf_event_write(c, &v->slices, ts, &te, begin_name);
}

/* A flow's id: one per request, whichever event made it. */
static uint64_t pf_flow_id(struct check_once_ref req, int32_t vcpu, int32_t vector)
{
	return (req.seq << 20) | ((uint64_t)(vcpu & 0xfff) << 8) | (uint64_t)(vector & 0xff);
}

/* A flow starts at the request: remembered until a delivery or the end closes it. */
static bool pf_flow_start(struct pf_vcpu *v, unsigned int vec, uint64_t id, uint64_t *drop)
{
	*drop = 0;
	if (v->n_flow[vec] == PF_FLOW_QUEUE) {
		/* Too many at once: the oldest is ended here, as undelivered so far. */
		*drop = v->flow[vec][0];
		memmove(&v->flow[vec][0], &v->flow[vec][1], (PF_FLOW_QUEUE - 1) * sizeof(uint64_t));
		v->n_flow[vec]--;
	}
	v->flow[vec][v->n_flow[vec]++] = id;
	return true;
}

/* A delivery ends its request's flow, if that flow was started here. */
static bool pf_flow_end(struct pf_vcpu *v, unsigned int vec, uint64_t id)
{
	for (unsigned int i = 0; i < v->n_flow[vec]; i++) {
		if (v->flow[vec][i] != id)
			continue;
		memmove(&v->flow[vec][i], &v->flow[vec][i + 1],
			(v->n_flow[vec] - i - 1) * sizeof(uint64_t));
		v->n_flow[vec]--;
		return true;
	}
	return false;
}

/*
 * Flows of the judge's items about @ev on @v's track: started by requests,
 * ended by deliveries. Each item is used by the first instant that takes it.
 */
static void pf_flows_for(struct pf *c, struct pf_vcpu *v, uint64_t seq, pf_event *te,
			 uint64_t *start, uint64_t *end)
{
	for (size_t i = 0; v && i < c->n_items; i++) {
		struct pf_item *it = &c->items[i];
		uint64_t drop;

		if (it->used || it->vcpu != v->id || it->at.seq != seq || it->vector < 0)
			continue;
		if (it->kind == JUDGE_REQUEST && !te->n_flow_ids) {
			*start = pf_flow_id(it->at, it->vcpu, it->vector);
			pf_flow_start(v, (unsigned int)it->vector, *start, &drop);
			te->n_flow_ids = 1;
			te->flow_ids = start;
			if (drop) {
				*end = drop;
				te->n_terminating_flow_ids = 1;
				te->terminating_flow_ids = end;
			}
			it->used = true;
		} else if (it->kind == JUDGE_DELIVERY && !te->n_terminating_flow_ids) {
			uint64_t id = pf_flow_id(it->request, it->vcpu, it->vector);
			if (it->request.seq && pf_flow_end(v, (unsigned int)it->vector, id)) {
				*end = id;
				te->n_terminating_flow_ids = 1;
				te->terminating_flow_ids = end;
			}
			it->used = true;
		}
	}
}

/* An instant on @v's track, or on the VM track when @v is NULL. */
static void pf_instant(struct pf *c, struct pf_vcpu *v, const struct trace_event *ev,
		       const char *name)
{
	pf_event te = PERFETTO__PROTOS__TRACK_EVENT__INIT;
	uint64_t start, end;

	te.has_type = true;
	te.type = PERFETTO__PROTOS__TRACK_EVENT__TYPE__TYPE_INSTANT;
	pf_flows_for(c, v, ev->seq, &te, &start, &end);
	pf_event_write(c, v ? &v->events : &c->global, ev->ts_ns, &te, name);
}

static void pf_exit(struct pf *c, const struct trace_event *ev)
{
	const Kvmrec__RunExit *x = ev->rec->exit;
	struct pf_vcpu *v = pf_vcpu(c, ev->vcpu);
	const char *reason = trace_exit_reason_name(x->reason);

	if (!v) {
		pf_instant(c, NULL, ev, reason);
		return;
	}
	if (x->has_run_ns) {
		uint64_t entry = ev->ts_ns >= x->run_ns ? ev->ts_ns - x->run_ns : 0;
		if (v->slices.started && entry < v->slices.last_ts)
			entry = v->slices.last_ts;
		pf_slice(c, v, entry, NULL);
		pf_slice(c, v, entry, "guest");
		pf_slice(c, v, ev->ts_ns, NULL);
	} else {
		pf_slice(c, v, ev->ts_ns, NULL);
	}
	/* Userspace's handling of this exit, and without entry times the guest's run too. */
	pf_slice(c, v, ev->ts_ns, reason);
	if (x->has_cr8)
		pf_counter(c, v, PF_TPR, (int)((x->cr8 & 0xf) << 4), ev->ts_ns);
}

static void pf_inject(struct pf *c, const struct trace_event *ev)
{
	const Kvmrec__Injection *in = ev->rec->inject;
	char name[TRACE_FORMAT_SHORT_MAX];

	if (in->kind == KVMREC__INJECT_KIND__INJECT_INTERRUPT) {
		snprintf(name, sizeof(name), "KVM_INTERRUPT %u", in->vector & 0xff);
	} else {
		trace_format_label(ev->rec, name, sizeof(name));
	}
	pf_instant(c, ev->vcpu >= 0 ? pf_vcpu(c, ev->vcpu) : NULL, ev, name);
}

static void pf_lapic(struct pf *c, const struct trace_event *ev)
{
	const Kvmrec__LapicSync *l = ev->rec->lapic;
	struct pf_vcpu *v = pf_vcpu(c, ev->vcpu);

	pf_instant(c, v, ev, l->set ? "KVM_SET_LAPIC" : "KVM_GET_LAPIC");
	if (!v || (l->has_ret && l->ret < 0))
		return;
	if (l->has_tpr)
		pf_counter(c, v, PF_TPR, (int)(l->tpr & 0xff), ev->ts_ns);
	if (l->n_irr)
		pf_counter(c, v, PF_IRR_MAX,
			   lapic_vec256_highest(l->irr, l->n_irr < 8 ? (unsigned int)l->n_irr : 8),
			   ev->ts_ns);
	if (l->n_isr)
		pf_counter(c, v, PF_ISR_MAX,
			   lapic_vec256_highest(l->isr, l->n_isr < 8 ? (unsigned int)l->n_isr : 8),
			   ev->ts_ns);
}

/*
 * Kernel events about interrupts become instants; the ones an exit slice
 * already shows (kvm_userspace_exit, kvm_pio, kvm_mmio, kvm_msr, entries and
 * exits) do not, so the timeline stays small.
 */
static void pf_kevent(struct pf *c, const struct trace_event *ev)
{
	const Kvmrec__KernelEvent *k = ev->rec->kevent;
	const char *what = NULL;
	enum kev_field vec_f = KEV_F_NR, apic_f = KEV_F_NR;
	char name[64];

	switch (k->id) {
	case KVMREC__KERNEL_EVENT_ID__KEV_APIC_ACCEPT_IRQ:
		what = "accept", vec_f = KEV_F_VEC, apic_f = KEV_F_APICID;
		break;
	case KVMREC__KERNEL_EVENT_ID__KEV_EOI:
		what = "EOI", vec_f = KEV_F_VECTOR, apic_f = KEV_F_APICID;
		break;
	case KVMREC__KERNEL_EVENT_ID__KEV_INJ_VIRQ:
		what = "inj_virq", vec_f = KEV_F_IRQ;
		break;
	case KVMREC__KERNEL_EVENT_ID__KEV_INJ_NMI:
		what = "inj_nmi";
		break;
	case KVMREC__KERNEL_EVENT_ID__KEV_APIC_IPI:
		what = "IPI";
		break;
	case KVMREC__KERNEL_EVENT_ID__KEV_APIC: {
		struct pf_vcpu *v = pf_vcpu(c, ev->vcpu);
		if (v && kevent_get(k, KEV_F_RW, 0) == 1 &&
		    kevent_get(k, KEV_F_REG, -1) == LAPIC_REG_TPR)
			pf_counter(c, v, PF_TPR, (int)(kevent_get(k, KEV_F_VAL, 0) & 0xff),
				   ev->ts_ns);
		return;
	}
	case KVMREC__KERNEL_EVENT_ID__KEV_SET_IRQ:
	case KVMREC__KERNEL_EVENT_ID__KEV_MSI_SET_IRQ:
	case KVMREC__KERNEL_EVENT_ID__KEV_IOAPIC_SET_IRQ:
	case KVMREC__KERNEL_EVENT_ID__KEV_PIC_SET_IRQ:
		pf_instant(c, NULL, ev, trace_kevent_name(k->id));
		return;
	case KVMREC__KERNEL_EVENT_ID__KEV_USERSPACE_EXIT:
	case KVMREC__KERNEL_EVENT_ID__KEV_PIO:
	case KVMREC__KERNEL_EVENT_ID__KEV_MMIO:
	case KVMREC__KERNEL_EVENT_ID__KEV_MSR:
	case KVMREC__KERNEL_EVENT_ID__KEV_ENTRY:
	case KVMREC__KERNEL_EVENT_ID__KEV_EXIT:
		return;
	default:
		/* An event this reader does not know: shown by its own name. */
		pf_instant(c, pf_vcpu(c, ev->vcpu), ev,
			   k->id ? trace_kevent_name(k->id) : (k->name ? k->name : "kernel event"));
		return;
	}

	int32_t target = (int32_t)kevent_get(k, apic_f, ev->vcpu);
	int64_t vec = kevent_get(k, vec_f, -1);
	if (vec_f != KEV_F_NR && (vec < 0 || vec > 255))
		snprintf(name, sizeof(name), "%s (none)", what);
	else if (vec_f != KEV_F_NR)
		snprintf(name, sizeof(name), "%s %" PRId64, what, vec);
	else
		snprintf(name, sizeof(name), "%s", what);
	pf_instant(c, pf_vcpu(c, target), ev, name);
}

static void pf_event_one(struct pf *c, const struct trace_event *ev)
{
	char d[TRACE_FORMAT_SHORT_MAX];

	switch (ev->rec->body_case) {
	case KVMREC__RECORD__BODY_EXIT:
		pf_exit(c, ev);
		return;
	case KVMREC__RECORD__BODY_INJECT:
		pf_inject(c, ev);
		return;
	case KVMREC__RECORD__BODY_LAPIC:
		pf_lapic(c, ev);
		return;
	case KVMREC__RECORD__BODY_KEVENT:
		pf_kevent(c, ev);
		return;
	case KVMREC__RECORD__BODY_DROP:
		pf_instant(c, NULL, ev, "DROPPED records");
		return;
	default:
		trace_format_label(ev->rec, d, sizeof(d));
		pf_instant(c, ev->vcpu >= 0 ? pf_vcpu(c, ev->vcpu) : NULL, ev, d);
		return;
	}
}

static void pf_judge(void *ctx, const struct judge_item *it)
{
	struct pf *c = ctx;

	if (c->n_items == c->cap_items) {
		size_t cap = c->cap_items ? c->cap_items * 2 : 16;
		struct pf_item *n = realloc(c->items, cap * sizeof(*n));
		if (!n) {
			c->failed = true;
			return;
		}
		c->items = n;
		c->cap_items = cap;
	}
	c->items[c->n_items++] = (struct pf_item){
		.kind = it->kind, .vcpu = it->vcpu, .vector = it->vector, .at = it->at,
		.request = it->request,
		.violation = it->violation ? it->violation->kind : CHECK_ONCE_NONE,
	};
}

/*
 * The judge's items no instant of the event took: a request or delivery the
 * event's own instant does not show (a PIC edge inside a port write), and
 * the marks: violations, undecided and pending items. At @ts, which is the
 * event's time, or the trace's end for what is decided there.
 */
static void pf_items_left(struct pf *c, uint64_t ts)
{
	for (size_t i = 0; i < c->n_items; i++) {
		struct pf_item *it = &c->items[i];
		struct pf_vcpu *v = it->vector >= 0 ? pf_vcpu(c, it->vcpu) : NULL;
		struct trace_event at = { .seq = it->at.seq, .ts_ns = ts };
		pf_event te = PERFETTO__PROTOS__TRACK_EVENT__INIT;
		uint64_t start, end = 0;
		char name[PF_NAME_LEN];

		if (it->used)
			continue;
		switch (it->kind) {
		case JUDGE_REQUEST:
		case JUDGE_DELIVERY:
			if (!v)
				continue;
			snprintf(name, sizeof(name), "%s %d", judge_kind_name(it->kind), it->vector);
			pf_instant(c, v, &at, name);
			continue;
		case JUDGE_VIOLATION:
			snprintf(name, sizeof(name), "VIOLATION: %s %d",
				 judge_violation_name(it->violation), it->vector);
			break;
		case JUDGE_PENDING:
		case JUDGE_UNDECIDED:
			if (it->vector >= 0)
				snprintf(name, sizeof(name), "%s %d", judge_kind_name(it->kind), it->vector);
			else
				snprintf(name, sizeof(name), "%s", judge_kind_name(it->kind));
			break;
		}
		/* A request judged pending or lost at the end: its flow ends here. */
		if (v && it->at.seq && (it->kind == JUDGE_PENDING ||
					(it->kind == JUDGE_VIOLATION && it->violation == CHECK_ONCE_LOST))) {
			uint64_t id = pf_flow_id(it->at, it->vcpu, it->vector);
			if (pf_flow_end(v, (unsigned int)it->vector, id)) {
				end = id;
				te.n_terminating_flow_ids = 1;
				te.terminating_flow_ids = &end;
			}
		}
		(void)start;
		te.has_type = true;
		te.type = PERFETTO__PROTOS__TRACK_EVENT__TYPE__TYPE_INSTANT;
		pf_event_write(c, v ? &v->events : &c->global, ts, &te, name);
	}
	c->n_items = 0;
}

/* Flows still open at the end: their requests were never answered in the trace. */
static void pf_flows_close(struct pf *c)
{
	for (size_t i = 0; i < c->n_vcpus; i++) {
		struct pf_vcpu *v = c->vcpus[i];
		for (unsigned int vec = 0; vec < 256; vec++) {
			while (v->n_flow[vec]) {
				pf_event te = PERFETTO__PROTOS__TRACK_EVENT__INIT;
				uint64_t id = v->flow[vec][--v->n_flow[vec]];
				char name[PF_NAME_LEN];

				snprintf(name, sizeof(name), "undelivered %u", vec);
				te.has_type = true;
				te.type = PERFETTO__PROTOS__TRACK_EVENT__TYPE__TYPE_INSTANT;
				te.n_terminating_flow_ids = 1;
				te.terminating_flow_ids = &id;
				pf_event_write(c, &v->events, c->last_ns, &te, name);
			}
		}
	}
}

static void pf_start(struct pf *c, const Kvmrec__Header *h)
{
	Perfetto__Protos__TrackDescriptor td = PERFETTO__PROTOS__TRACK_DESCRIPTOR__INIT;
	Perfetto__Protos__ProcessDescriptor pd = PERFETTO__PROTOS__PROCESS_DESCRIPTOR__INIT;
	char name[256];

	snprintf(name, sizeof(name), "VMM %s (kvmrec)", h && h->n_vmm_argv ? h->vmm_argv[0] : "?");
	pd.has_pid = true;
	pd.pid = c->pid;
	pd.process_name = name;
	if (h) {
		pd.n_cmdline = h->n_vmm_argv;
		pd.cmdline = h->vmm_argv;
	}
	td.has_uuid = true;
	td.uuid = PF_UUID_PROCESS;
	td.process = &pd;
	pf_descriptor(c, &td);
	pf_track(c, PF_UUID_VM, PF_UUID_PROCESS, "VM");
}

static void pf_finish(struct pf *c)
{
	for (size_t i = 0; i < c->n_vcpus; i++) {
		struct pf_vcpu *v = c->vcpus[i];
		pf_slice(c, v, v->slices.last_ts > c->last_ns ? v->slices.last_ts : c->last_ns, NULL);
	}
}

int perfetto_export(struct trace_reader *r, const char *path, FILE *out,
		    char *err, size_t errlen)
{
	const Kvmrec__Header *h = trace_reader_header(r);
	struct pf *c = calloc(1, sizeof(*c));
	struct trace_event ev;
	int ret;

	if (!c) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	c->out = out;
	c->pid = h && h->has_vmm_pid && h->vmm_pid ? (int32_t)h->vmm_pid : 1;
	c->start_ns = c->last_ns = h && h->has_start_ns ? h->start_ns : 0;
	c->global.id = PF_SEQ_GLOBAL;
	c->global.track_uuid = PF_UUID_VM;
	pf_start(c, h);
	if (h) {
		struct replay_opts o = { .observer = &c->observer };

		c->observer = (struct judge_observer){ pf_judge, c };
		if (!(c->replay = replay_alloc(&o))) {
			free(c);
			snprintf(err, errlen, "%s: out of memory", path);
			return -ENOMEM;
		}
		replay_begin(c->replay, h);
	}

	while ((ret = trace_reader_next(r, &ev)) > 0) {
		/* The judge first, so the event's instants carry its flows. */
		if (c->replay)
			replay_feed(c->replay, &ev);
		pf_event_one(c, &ev);
		pf_items_left(c, ev.ts_ns);
	}
	/* What is decided at the end (lost, pending, undecided) needs the whole trace. */
	if (c->replay) {
		replay_end(c->replay, ret == 0);
		pf_items_left(c, c->last_ns);
	}
	if (ret < 0) {
		const char *why = *trace_reader_error(r) ? trace_reader_error(r) : path;
		struct trace_event at = { .ts_ns = c->last_ns };
		char name[PF_NAME_LEN + 16];

		snprintf(name, sizeof(name), "DAMAGE: %s", why);
		pf_instant(c, NULL, &at, name);
		snprintf(err, errlen, "%s", why);
	}
	pf_flows_close(c);
	pf_finish(c);

	if (c->failed && ret >= 0) {
		snprintf(err, errlen, "%s: out of memory", path);
		ret = -ENOMEM;
	}
	for (size_t i = 0; i < c->n_vcpus; i++)
		free(c->vcpus[i]);
	replay_free(c->replay);
	free(c->items);
	free(c->buf);
	free(c);
	return ret < 0 ? ret : 0;
}
