// SPDX-License-Identifier: GPL-2.0-only
/* suspect: first KVM_INTERRUPT of a LAPIC-accepted vector (see suspect.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "describe.h"
#include "lapic_page.h"
#include "suspect.h"
#include "trace_names.h"
#include "trace_reader.h"

#define SUSPECT_VCPUS 64
/* How far past the injection to look for the kernel's own delivery. */
#define SUSPECT_LOOKAHEAD 2000

struct suspect_vcpu {
	uint64_t accept_seq[256];   /* last accept of each vector */
	uint64_t sync_seq[256];     /* last GET_LAPIC showing it in IRR */
	uint64_t kernel_seq[256];   /* last kernel delivery (inj_virq or EOI) */
	uint64_t exit_seq;          /* last exit */
	uint32_t exit_reason;
};

int suspect_find(const char *path, struct plot_focus *f, char *err, size_t errlen)
{
	struct suspect_vcpu *v = calloc(SUSPECT_VCPUS, sizeof(*v));
	struct trace_reader *r = NULL;
	struct trace_event ev;
	int32_t hit_vcpu = -1;
	uint32_t hit_vec = 0;
	uint64_t hit_seq = 0, after = 0, kernel_after = 0;
	int ret;

	if (!v) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	ret = trace_reader_open(path, &r);
	if (ret < 0)
		goto fail;
	while ((ret = trace_reader_next(r, &ev)) > 0) {
		const Kvmrec__Record *rec = ev.rec;
		int32_t cpu = ev.vcpu;
		int64_t vec;

		if (hit_seq && ++after > SUSPECT_LOOKAHEAD)
			break;
		switch (rec->body_case) {
		case KVMREC__RECORD__BODY_EXIT:
			if (cpu >= 0 && cpu < SUSPECT_VCPUS && !hit_seq) {
				v[cpu].exit_seq = ev.seq;
				v[cpu].exit_reason = rec->exit->reason;
			}
			break;
		case KVMREC__RECORD__BODY_LAPIC:
			if (cpu < 0 || cpu >= SUSPECT_VCPUS || rec->lapic->set || hit_seq)
				break;
			for (unsigned int k = 0; k < 256 && k / 32 < rec->lapic->n_irr; k++)
				if (lapic_vec256_test(rec->lapic->irr, k))
					v[cpu].sync_seq[k] = ev.seq;
			break;
		case KVMREC__RECORD__BODY_INJECT:
			if (rec->inject->kind != KVMREC__INJECT_KIND__INJECT_INTERRUPT || cpu < 0 ||
			    cpu >= SUSPECT_VCPUS || hit_seq)
				break;
			vec = rec->inject->vector & 0xff;
			if (v[cpu].accept_seq[vec]) {
				hit_seq = ev.seq;
				hit_vcpu = cpu;
				hit_vec = (uint32_t)vec;
			}
			break;
		case KVMREC__RECORD__BODY_KEVENT: {
			const Kvmrec__KernelEvent *k = rec->kevent;
			if (k->id == KVMREC__KERNEL_EVENT_ID__KEV_APIC_ACCEPT_IRQ) {
				vec = describe_kevent_arg(k, "vec", -1);
				cpu = (int32_t)describe_kevent_arg(k, "apicid", cpu);
				if (!hit_seq && vec >= 0 && vec < 256 && cpu >= 0 && cpu < SUSPECT_VCPUS)
					v[cpu].accept_seq[vec] = ev.seq;
			} else if (k->id == KVMREC__KERNEL_EVENT_ID__KEV_EOI ||
				   k->id == KVMREC__KERNEL_EVENT_ID__KEV_INJ_VIRQ) {
				bool eoi = k->id == KVMREC__KERNEL_EVENT_ID__KEV_EOI;
				vec = describe_kevent_arg(k, eoi ? "vector" : "irq", -1);
				if (eoi)
					cpu = (int32_t)describe_kevent_arg(k, "apicid", cpu);
				if (vec < 0 || vec > 255 || cpu < 0 || cpu >= SUSPECT_VCPUS)
					break;
				if (!hit_seq)
					v[cpu].kernel_seq[vec] = ev.seq;
				else if (cpu == hit_vcpu && (uint32_t)vec == hit_vec && !kernel_after)
					kernel_after = ev.seq;
			}
			break;
		}
		default:
			break;
		}
	}
	if (ret < 0 && !hit_seq)
		goto fail;
	trace_reader_close(r);
	if (!hit_seq) {
		free(v);
		return 0;
	}

	struct suspect_vcpu *s = &v[hit_vcpu];
	uint64_t kernel = s->kernel_seq[hit_vec] > s->accept_seq[hit_vec] ? s->kernel_seq[hit_vec]
									   : kernel_after;
	memset(f, 0, sizeof(*f));
	f->center = hit_seq;
	snprintf(f->headline, sizeof(f->headline),
		 "suspect: vCPU %d vector %u injected with KVM_INTERRUPT (seq %" PRIu64
		 ") though the in-kernel LAPIC accepted it (seq %" PRIu64 "): delivered twice?",
		 hit_vcpu, hit_vec, hit_seq, s->accept_seq[hit_vec]);
	plot_focus_mark(f, hit_seq, PLOT_MARK_VIOLATION, "KVM_INTERRUPT %u: userspace delivers it",
			hit_vec);
	plot_focus_mark(f, kernel, PLOT_MARK_VIOLATION, "kernel delivery of %u (EOI)", hit_vec);
	plot_focus_mark(f, s->accept_seq[hit_vec], PLOT_MARK_CONTEXT, "request: LAPIC accepts %u",
			hit_vec);
	plot_focus_mark(f, s->sync_seq[hit_vec], PLOT_MARK_CONTEXT,
			"KVM_GET_LAPIC: VMM's copy has %u pending", hit_vec);
	plot_focus_mark(f, s->exit_seq, PLOT_MARK_CONTEXT, "window open at this %s exit",
			trace_exit_reason_name(s->exit_reason));
	free(v);
	return 1;
fail:
	trace_reader_explain(r, path, ret, err, errlen);
	trace_reader_close(r);
	free(v);
	return ret;
}
