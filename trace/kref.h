/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kref: kernel events stored as references to the exit they repeat (internal
 * to trace/; Record.kref in proto/kvmrec.proto, docs/trace.md "References").
 *
 * kref_match() is the writer's half: given a kernel event and what an exit of
 * the same vCPU says (kref_exit_of()), it fills a KernelRef only when
 * kref_expand() of it gives back the event exactly (the same fields, so the
 * same bytes), so a reference never changes what a reader sees. The writer
 * keeps both sides in small structs of their own, since it compares an exit
 * with events that came before it. kref_expand() is the readers' half, the
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

/* What the kernel events that may repeat an exit read of it. */
struct kref_exit {
	uint32_t reason;
	int64_t err;            /* kvm_userspace_exit's errno: -err if ret < 0, else ret */
	/* IO, MMIO, or NOT_SET: then no kvm_pio or kvm_mmio can repeat the exit. */
	Kvmrec__RunExit__PayloadCase payload;
	bool write;             /* ExitIo.out, ExitMmio.write */
	uint32_t port, size, count;  /* IO */
	uint32_t len;           /* MMIO */
	uint64_t addr;          /* MMIO */
	int64_t val;            /* the data as a little-endian number */
};

void kref_exit_of(const Kvmrec__RunExit *x, struct kref_exit *e);

/* A kernel event that may become a reference, as the writer keeps it. */
struct kref_event {
	/* Nothing but its id, CPU and the table's args: kref_match() may take it. */
	bool plain;
	/*
	 * When it repeats an exit, it comes after it (kvm_pio of an IN, kvm_mmio
	 * of a read: completed on the next KVM_RUN); else it comes before.
	 */
	bool after;
	Kvmrec__KernelEventId id;
	protobuf_c_boolean has_cpu;
	uint32_t cpu;
	size_t n_args;
	int64_t args[KREF_ARGS_MAX];
};

/*
 * True, with @e filled, if @k is of a kind that may repeat an exit (kvm_pio,
 * kvm_mmio, kvm_userspace_exit with at most KREF_ARGS_MAX args), whether or
 * not it can be written as a reference (@e->plain).
 */
bool kref_event_of(const Kvmrec__KernelEvent *k, struct kref_event *e);

/*
 * True, with @ref filled (its exit distance left to the caller), when @e is
 * exactly what kref_expand() makes of @ref and the exit @x was taken from.
 */
bool kref_match(const struct kref_event *e, const struct kref_exit *x,
		Kvmrec__KernelRef *ref);

#endif
