/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * plot_window: the events of a trace around one sequence number, copied out
 * of the reader (position, kind, the few numbers a picture needs, a label
 * and the full one-line description), for svg_plot.
 *
 * Kernel events that only repeat what an exit record already says
 * (kvm_userspace_exit, kvm_pio, kvm_mmio) and kvm_apic register writes other
 * than TPR are left out unless .all_events; everything else is kept in
 * trace order. Memory is bounded by PLOT_WINDOW_MAX events whatever the
 * trace size.
 */
#ifndef KVMREC_VIEW_PLOT_WINDOW_H
#define KVMREC_VIEW_PLOT_WINDOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "trace_format.h"

#define PLOT_WINDOW_MAX  240
#define PLOT_LABEL_MAX   40

enum plot_kind {
	PLOT_EXIT,
	PLOT_INJECT,
	PLOT_LAPIC,
	PLOT_ACCEPT,
	PLOT_EOI,
	PLOT_KERNEL,
	PLOT_OTHER,
	PLOT_DROP,
};

struct plot_event {
	uint64_t seq, ts;
	int32_t vcpu;            /* lane; accepts and EOIs go to their destination */
	enum plot_kind kind;
	uint32_t reason;         /* PLOT_EXIT */
	uint32_t flags;          /* PLOT_EXIT: RunFlag bits */
	uint64_t run_ns;         /* PLOT_EXIT */
	bool timed;              /* PLOT_EXIT: run_ns known (recorded with --run-times) */
	bool set;                /* PLOT_LAPIC: KVM_SET_LAPIC */
	char label[PLOT_LABEL_MAX];
	char text[TRACE_FORMAT_SHORT_MAX];
};

struct plot_window_opts {
	uint64_t around;         /* centre seq */
	uint64_t from;           /* also include events from this seq on (0: none) */
	unsigned int before, after;
	bool all_events;
};

struct plot_window {
	struct plot_event ev[PLOT_WINDOW_MAX];
	size_t n;
	bool found;              /* the trace reached opts.around */
	bool cut;                /* more was wanted than PLOT_WINDOW_MAX */
	char damage[256];        /* the reader's error if it stopped early */
};

/*
 * Reads @path and fills @w. Returns 0 (w->found says whether @around was
 * reached) or -errno with @err set, naming the file.
 */
int plot_window_read(const char *path, const struct plot_window_opts *o,
		     struct plot_window *w, char *err, size_t errlen);

#endif
