// SPDX-License-Identifier: GPL-2.0-only
/*
 * The replay report, as text and as JSON. Only trace contents and counters
 * are printed (no addresses, no wall time), so the same trace always gives
 * the same bytes.
 */
#include <inttypes.h>
#include <string.h>

#include "json_out.h"
#include "replay.h"
#include "trace_names.h"

static const char *kind_name(enum check_once_kind k)
{
	switch (k) {
	case CHECK_ONCE_DOUBLE:   return "double";
	case CHECK_ONCE_SPURIOUS: return "spurious";
	case CHECK_ONCE_LOST:     return "lost";
	default:                  return "none";
	}
}

static const char *path_name(enum check_once_path p)
{
	switch (p) {
	case CHECK_PATH_KERNEL: return "injected by the kernel";
	case CHECK_PATH_USER:   return "injected by userspace";
	case CHECK_PATH_BEFORE: return "in service when the trace began";
	default:                return "none";
	}
}

static const char *evidence_name(enum check_once_evidence e)
{
	switch (e) {
	case CHECK_EV_INJ_VIRQ:      return "kvm_inj_virq";
	case CHECK_EV_KVM_INTERRUPT: return "KVM_INTERRUPT ioctl";
	case CHECK_EV_EOI:           return "kvm_eoi: it was in service";
	case CHECK_EV_MODEL:         return "the model's KVM_INTERRUPT";
	default:                     return "none";
	}
}

const char *check_once_irqchip_name(enum check_once_irqchip m)
{
	switch (m) {
	case CHECK_IRQCHIP_SPLIT:     return "split";
	case CHECK_IRQCHIP_KERNEL:    return "in-kernel";
	case CHECK_IRQCHIP_USERSPACE: return "userspace";
	default:                      return "unknown";
	}
}

/* The mode, where it came from, and what it means for the checks. */
static const char *irqchip_what(enum check_once_irqchip m)
{
	switch (m) {
	case CHECK_IRQCHIP_SPLIT:
		return "KVM_CAP_SPLIT_IRQCHIP: LAPIC in the kernel, PIC and IOAPIC in userspace";
	case CHECK_IRQCHIP_KERNEL:
		return "KVM_CREATE_IRQCHIP: PIC, IOAPIC and LAPIC in the kernel; checked on kernel events alone";
	case CHECK_IRQCHIP_USERSPACE:
		return "no in-kernel irqchip: the VMM's own PIC and LAPIC inject everything with KVM_INTERRUPT";
	default:
		return "the VM's set-up is not in the trace; checked as split";
	}
}

static const char *verdict_name(int v)
{
	switch (v) {
	case 0:   return "PASS";
	case 1:   return "FAIL";
	case 125: return "UNDECIDED";
	default:  return "BAD INPUT";
	}
}

static void ref_text(FILE *f, const char *label, struct check_once_ref ref, const char *what)
{
	if (!ref.seq) {
		fprintf(f, "  %-16s none in the trace\n", label);
		return;
	}
	fprintf(f, "  %-16s seq %" PRIu64 " at %" PRIu64 ".%09" PRIu64 " s: %s\n", label,
		ref.seq, ref.ts_ns / UINT64_C(1000000000), ref.ts_ns % UINT64_C(1000000000), what);
}

static void vec_text(char *buf, size_t n, int v)
{
	if (v < 0)
		snprintf(buf, n, "nothing");
	else
		snprintf(buf, n, "vector 0x%x (%d)", v, v);
}

static void div_text(FILE *f, const char *label, const struct replay_divergence *d)
{
	char m[32], rec[32];

	vec_text(m, sizeof(m), d->model_vector);
	vec_text(rec, sizeof(rec), d->recorded_vector);
	fprintf(f, "  %s: vCPU %d, pre-run at seq %" PRIu64 " (%" PRIu64 ".%09" PRIu64 " s)\n",
		label, d->vcpu, d->seq, d->ts_ns / UINT64_C(1000000000),
		d->ts_ns % UINT64_C(1000000000));
	fprintf(f, "    model: injects %s, %s a window; recorded: injected %s, %s a window\n",
		m, d->model_window ? "requests" : "does not request", rec,
		d->recorded_window ? "requested" : "did not request");
}

static void print_divergence(const struct replay *r, FILE *f)
{
	const struct replay_divergence *d = replay_first_divergence(r);
	const struct replay_divergence *w = replay_first_window_divergence(r);

	fprintf(f, "irqchip: %s (%s)\n", check_once_irqchip_name(replay_result(r)->irqchip),
		irqchip_what(replay_result(r)->irqchip));
	if (!replay_run_exits(r)) {
		fprintf(f, "model %s: no KVM_RUN records in the trace, nothing to compare\n",
			replay_model(r)->name);
		return;
	}
	if (!replay_policy_applies(r)) {
		fprintf(f, "model: none applies to a%s %s irqchip (the models are a split irqchip's "
			   "userspace PIC and APIC copy): %" PRIu64 " KVM_RUN entries replayed, not compared\n",
			replay_result(r)->irqchip == CHECK_IRQCHIP_KERNEL ? "n" : "",
			check_once_irqchip_name(replay_result(r)->irqchip), replay_run_exits(r));
		return;
	}
	fprintf(f, "model %s (%s): %" PRIu64 " divergences in %" PRIu64 " KVM_RUN entries"
		" (%" PRIu64 " more differ only in the interrupt-window request)\n",
		replay_model(r)->name, replay_model_origin(r), replay_divergences(r),
		replay_run_exits(r), replay_window_divergences(r));
	if (replay_result(r)->unpredictable)
		fprintf(f, "  %" PRIu64 " entries not compared: they turn on PIC input lines the trace does not have\n",
			replay_result(r)->unpredictable);
	if (d)
		div_text(f, "first divergence", d);
	if (w)
		div_text(f, "first window-request difference", w);
}

static void delivery_text(FILE *f, const char *label, struct check_once_ref ref,
			  enum check_once_path path, enum check_once_evidence ev, bool extra)
{
	char what[160];

	snprintf(what, sizeof(what), "%s (%s)%s", path_name(path), evidence_name(ev),
		 extra ? ": the extra one, no request left for it" : "");
	ref_text(f, label, ref, what);
}

static void print_violation(const struct check_once_result *res, FILE *f)
{
	const struct check_once_violation *x = &res->first;
	bool extra_first = x->kind == CHECK_ONCE_DOUBLE && x->delivery.seq < x->first.seq;
	char what[192];

	if (x->kind == CHECK_ONCE_LOST && x->wiped_by.seq) {
		fprintf(f, "check-once: VIOLATION: vector 0x%x (%u) on vCPU %d requested and never delivered (lost interrupt: erased by KVM_SET_LAPIC)\n",
			x->vector, x->vector, x->vcpu);
		ref_text(f, "request:", x->request,
			 "accepted into IRR; the vCPU did not run again before the write below");
		if (x->stale_sync.seq)
			ref_text(f, "stale read:", x->stale_sync,
				 "KVM_GET_LAPIC: the VMM's last read of the page, before the request");
		snprintf(what, sizeof(what),
			 "KVM_SET_LAPIC wrote back a page without 0x%x in IRR: the request was erased",
			 x->vector);
		ref_text(f, "wiped by:", x->wiped_by, what);
		return;
	}
	if (x->kind == CHECK_ONCE_LOST) {
		fprintf(f, "check-once: VIOLATION: vector 0x%x (%u) on vCPU %d requested and never delivered (lost interrupt)\n",
			x->vector, x->vector, x->vcpu);
		ref_text(f, "request:", x->delivery, "accepted, no delivery by the end of the trace");
		return;
	}
	fprintf(f, "check-once: VIOLATION: vector 0x%x (%u) on vCPU %d %s\n", x->vector,
		x->vector, x->vcpu, x->kind == CHECK_ONCE_DOUBLE ?
		"delivered twice for one request (double injection)" :
		"delivered with no request (spurious injection)");
	if (x->kind == CHECK_ONCE_DOUBLE && !x->request.seq && x->first_path == CHECK_PATH_BEFORE)
		fprintf(f, "  %-16s made before the trace began\n", "request:");
	else if (x->kind == CHECK_ONCE_DOUBLE)
		ref_text(f, "request:", x->request,
			 x->request.seq ? "the one request both deliveries answer" : "");
	if (x->stale_sync.seq) {
		snprintf(what, sizeof(what),
			 "KVM_GET_LAPIC: the userspace copy took IRR with 0x%x pending and kept it "
			 "after the guest was given it", x->vector);
		ref_text(f, "stale sync:", x->stale_sync, what);
	} else {
		fprintf(f, "  %-16s no KVM_GET_LAPIC with the vector in IRR in the trace\n",
			"stale sync:");
	}
	snprintf(what, sizeof(what), "exit %s%s, after which the %s was injected",
		 trace_exit_reason_name(x->window_reason),
		 (x->window_flags & 12) == 12 ? " (ready for injection, IF set)" : "",
		 x->kind == CHECK_ONCE_DOUBLE ? "extra delivery" : "vector");
	ref_text(f, "window opened:", x->window, what);
	if (x->window_asked.seq && x->window_asked.seq < x->window.seq)
		ref_text(f, "window asked:", x->window_asked,
			 "the first KVM_RUN of the VMM's interrupt-window request");
	if (x->kind != CHECK_ONCE_DOUBLE) {
		delivery_text(f, "delivery:", x->delivery, x->path, x->evidence, false);
		return;
	}
	if (extra_first) {
		delivery_text(f, "first delivery:", x->delivery, x->path, x->evidence, true);
		delivery_text(f, "second delivery:", x->first, x->first_path, x->first_evidence, false);
	} else {
		delivery_text(f, "first delivery:", x->first, x->first_path, x->first_evidence, false);
		delivery_text(f, "second delivery:", x->delivery, x->path, x->evidence, true);
	}
}

void replay_print(const struct replay *r, FILE *f, bool check_once, const char *path)
{
	const struct check_once_result *res = replay_result(r);

	fprintf(f, "%s: %" PRIu64 " events replayed%s\n", path, res->events,
		res->truncated ? " (damaged trace: verdict on the readable prefix)" : "");
	print_divergence(r, f);
	if (!check_once)
		return;
	fprintf(f, "check-once: %" PRIu64 " requests, %" PRIu64 " deliveries, %" PRIu64 " violations\n",
		res->requests, res->deliveries, res->violations);
	if (res->violations)
		print_violation(res, f);
	if (res->violations > 1)
		fprintf(f, "check-once: %" PRIu64 " violations in all (the first above)\n",
			res->violations);
	if (res->before_start)
		fprintf(f, "check-once: note: %" PRIu64 " deliveries answered requests made before the trace began\n",
			res->before_start);
	if (res->pit_matched)
		fprintf(f, "check-once: note: the VMM's PIC lines are not in the trace; %" PRIu64
			" IRQ 0 deliveries were matched to edges of the guest-programmed 8254 timer\n",
			res->pit_matched);
	if (res->requests_inferred)
		fprintf(f, "check-once: note: kvm_apic_accept_irq is not in the trace; LAPIC requests are taken from IPIs and MSIs it shows\n");
	if (res->pic_inferred)
		fprintf(f, "check-once: note: %" PRIu64 " PIC requests inferred from the PIC model's state "
			"(their source is not in the trace; each was deliverable, not in service)\n",
			res->pic_inferred);
	if (res->coalesced)
		fprintf(f, "check-once: note: %" PRIu64 " accepts merged into an IRR bit already set "
			"(coalesced, whatever the event said)\n", res->coalesced);
	if (res->pending_at_end)
		fprintf(f, "check-once: %" PRIu64 " requests pending at the end (in the last "
			"KVM_GET_LAPIC's IRR, in the PIC model's IRR, or made during the vCPU's last "
			"KVM_RUN): not lost\n", res->pending_at_end);
	if (res->undecided[0])
		fprintf(f, "check-once: could not decide: %s\n", res->undecided);
	for (uint64_t i = 0; i < res->n_undecided && i < CHECK_ONCE_MAX_UNDECIDED; i++) {
		const struct check_once_undecided *u = &res->undecided_items[i];

		fprintf(f, "  undecided: ");
		if (u->vcpu >= 0)
			fprintf(f, "vCPU %d ", u->vcpu);
		if (u->vector >= 0)
			fprintf(f, "vector 0x%x (%d) ", u->vector, u->vector);
		if (u->at.seq)
			fprintf(f, "seq %" PRIu64 " at %" PRIu64 ".%09" PRIu64 " s", u->at.seq,
				u->at.ts_ns / UINT64_C(1000000000), u->at.ts_ns % UINT64_C(1000000000));
		fprintf(f, "%s%s\n", u->vcpu >= 0 || u->vector >= 0 || u->at.seq ? ": " : "",
			u->why);
	}
	if (res->n_undecided > CHECK_ONCE_MAX_UNDECIDED)
		fprintf(f, "  undecided: %" PRIu64 " more\n",
			res->n_undecided - CHECK_ONCE_MAX_UNDECIDED);
	if (res->truncated)
		fprintf(f, "verdict: BAD INPUT (damaged trace; the readable prefix alone: %s)\n",
			verdict_name(res->verdict));
	else
		fprintf(f, "verdict: %s\n", verdict_name(res->verdict));
}

static void json_ref(FILE *f, const char *name, struct check_once_ref ref)
{
	fprintf(f, ",\"%s\":", name);
	if (!ref.seq)
		fprintf(f, "null");
	else
		fprintf(f, "{\"seq\":%" PRIu64 ",\"ts_ns\":%" PRIu64 "}", ref.seq, ref.ts_ns);
}

void replay_print_json(const struct replay *r, FILE *f, bool check_once, const char *path)
{
	const struct check_once_result *res = replay_result(r);
	const struct replay_divergence *d = replay_first_divergence(r);
	const struct check_once_violation *x = &res->first;

	fprintf(f, "{\"trace\":");
	json_out_str(f, path);
	fprintf(f, ",\"events\":%" PRIu64 ",\"truncated\":%s,\"irqchip\":\"%s\","
		"\"policy_compared\":%s,\"model\":", res->events, res->truncated ? "true" : "false",
		check_once_irqchip_name(res->irqchip), replay_policy_applies(r) ? "true" : "false");
	if (replay_policy_applies(r)) {
		json_out_str(f, replay_model(r)->name);
		fprintf(f, ",\"model_origin\":");
		json_out_str(f, replay_model_origin(r));
	} else {
		fprintf(f, "null,\"model_origin\":null");
	}
	fprintf(f, ",\"run_entries\":%" PRIu64 ",\"divergences\":%" PRIu64
		",\"window_divergences\":%" PRIu64 ",\"not_compared\":%" PRIu64, replay_run_exits(r),
		replay_divergences(r), replay_window_divergences(r), res->unpredictable);
	fprintf(f, ",\"first_divergence\":");
	if (d)
		fprintf(f, "{\"seq\":%" PRIu64 ",\"ts_ns\":%" PRIu64 ",\"vcpu\":%d,"
			"\"model_vector\":%d,\"model_window\":%s,"
			"\"recorded_vector\":%d,\"recorded_window\":%s}",
			d->seq, d->ts_ns, d->vcpu, d->model_vector,
			d->model_window ? "true" : "false", d->recorded_vector,
			d->recorded_window ? "true" : "false");
	else
		fprintf(f, "null");
	if (check_once) {
		fprintf(f, ",\"check_once\":{\"verdict\":%d,\"requests\":%" PRIu64
			",\"deliveries\":%" PRIu64 ",\"violations\":%" PRIu64
			",\"before_start\":%" PRIu64 ",\"pit_matched\":%" PRIu64
			",\"requests_inferred\":%s,\"undecided\":",
			res->verdict, res->requests, res->deliveries, res->violations,
			res->before_start, res->pit_matched, res->requests_inferred ? "true" : "false");
		json_out_str(f, res->undecided);
		fprintf(f, ",\"pic_inferred\":%" PRIu64 ",\"coalesced\":%" PRIu64
			",\"pending_at_end\":%" PRIu64 ",\"undecided_count\":%" PRIu64
			",\"undecided_items\":[", res->pic_inferred, res->coalesced,
			res->pending_at_end, res->n_undecided);
		for (uint64_t i = 0; i < res->n_undecided && i < CHECK_ONCE_MAX_UNDECIDED; i++) {
			const struct check_once_undecided *u = &res->undecided_items[i];

			fprintf(f, "%s{\"vcpu\":%d,\"vector\":%d", i ? "," : "", u->vcpu, u->vector);
			json_ref(f, "at", u->at);
			fprintf(f, ",\"why\":");
			json_out_str(f, u->why);
			fprintf(f, "}");
		}
		fprintf(f, "]");
		fprintf(f, ",\"first_violation\":");
		if (res->violations) {
			fprintf(f, "{\"kind\":\"%s\",\"vector\":%u,\"vcpu\":%d,\"path\":\"%s\","
				"\"evidence\":\"%s\",\"first_path\":\"%s\",\"first_evidence\":\"%s\","
				"\"window_reason\":\"%s\"",
				kind_name(x->kind), x->vector, x->vcpu, path_name(x->path),
				evidence_name(x->evidence), path_name(x->first_path),
				evidence_name(x->first_evidence),
				trace_exit_reason_name(x->window_reason));
			json_ref(f, "delivery", x->delivery);
			json_ref(f, "first", x->first);
			json_ref(f, "request", x->request);
			json_ref(f, "window", x->window);
			json_ref(f, "window_asked", x->window_asked);
			json_ref(f, "stale_sync", x->stale_sync);
			json_ref(f, "wiped_by", x->wiped_by);
			fprintf(f, "}");
		} else {
			fprintf(f, "null");
		}
		fprintf(f, "}");
	}
	fprintf(f, "}\n");
}
