/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kref: kernel events stored as references to the exit they repeat (internal
 * to trace/; Record.kref in proto/kvmrec.proto, docs/trace.md "References").
 *
 * kref_match() is the writer's half: given a kernel event and an exit of the
 * same vCPU, it fills a KernelRef only when kref_expand() of it gives back
 * the event exactly (the same fields, so the same bytes), so a reference
 * never changes what a reader sees. kref_expand() is the readers' half, the
 * same on the single-threaded path and in reader_pool workers: it needs
 * nothing but the reference and the exit record it points at.
 */
#ifndef KVMREC_TRACE_KREF_H
#define KVMREC_TRACE_KREF_H

#include <stdbool.h>
#include <stdint.h>
#include "kvmrec.pb-c.h"

/* How far, in records of the same frame, a reference may point either way. */
#define TRACE_KREF_WINDOW 16
/* The most args an expanded event has (kvm_pio). */
#define KREF_ARGS_MAX 5

/* True if @d (KernelRef.exit) is a distance a reader accepts. */
static inline bool kref_distance_ok(int32_t d)
{
	return d != 0 && d >= -TRACE_KREF_WINDOW && d <= TRACE_KREF_WINDOW;
}

/*
 * Fills @k (its args in @args, KREF_ARGS_MAX of them) from @ref and @exit.
 * Returns 0, or -EINVAL when @exit is not a RunExit with what @ref's event
 * needs (the trace is corrupt).
 */
int kref_expand(const Kvmrec__KernelRef *ref, const Kvmrec__Record *exit,
		Kvmrec__KernelEvent *k, int64_t *args);

/*
 * True if @k, when it repeats an exit, comes after it (kvm_pio of an IN,
 * kvm_mmio of a read: completed on the next KVM_RUN); else it comes before.
 */
bool kref_after_exit(const Kvmrec__KernelEvent *k);

/*
 * True, with @ref filled (its exit distance left to the caller), when @k is
 * exactly what kref_expand() makes of @ref and @x.
 */
bool kref_match(const Kvmrec__KernelEvent *k, const Kvmrec__RunExit *x,
		Kvmrec__KernelRef *ref);

#endif
