/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * synth: the one builder of synthetic traces for tests and benchmarks.
 * A scenario is a sequence of verbs -- an exit, a kernel event, an
 * injection, a LAPIC sync, a set-up call -- each of which makes one Record
 * and hands it, placed (sequence number, time, vCPU, thread), to the sink:
 * a trace file written by the real trace_writer (synth_open), or a callback
 * such as a replay fed event by event (synth_feed_init). A verb's storage
 * lives only for the call; the callback must copy what it keeps.
 *
 * Times advance by a fixed step, or, after synth_jitter(), by a seeded
 * pseudo-random one, and then exits carry a run time and kernel events a
 * CPU: the same seed gives the same trace. Verbs never fail: the sink's
 * first error (or a verb's, see synth_kev) is kept in err and returned by
 * synth_close().
 */
#ifndef KVMREC_TESTS_SYNTH_H
#define KVMREC_TESTS_SYNTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kevent_table.h"
#include "trace_event.h"

struct trace_writer;

typedef void synth_feed_fn(void *ctx, const struct trace_event *ev);

struct synth {
	struct trace_writer *w;	/* the sink: a trace file, or ... */
	synth_feed_fn *feed;	/* ... each event handed to feed(ctx, ev) */
	void *ctx;
	uint64_t seq;		/* the last event's sequence number */
	uint64_t ts;		/* the next event's time */
	uint64_t step_ns;	/* time between events, unless jittered */
	uint64_t rnd;		/* xorshift state; non-zero: jittered */
	uint32_t tid[2];	/* thread of even and odd vCPUs */
	int err;		/* the sink's first error, a negative errno */
};

/* Events go to @feed; the first at @ts0, then every @step_ns. */
void synth_feed_init(struct synth *s, synth_feed_fn *feed, void *ctx, uint64_t ts0,
		     uint64_t step_ns);
/*
 * Events go to a new trace at @path (replaced if it exists) with header
 * @hdr. Returns 0 or -errno (trace_writer_error(NULL) says why).
 */
int synth_open(struct synth *s, const char *path, Kvmrec__Header *hdr, uint64_t ts0,
	       uint64_t step_ns);
/* From now on, steps of 500-3499 ns, exit run times and event CPUs from @seed (non-zero). */
void synth_jitter(struct synth *s, uint64_t seed);
/*
 * Ends the trace: with its footer, or (!@footer) flushed and cut off as a
 * killed recorder leaves it. Returns the first error, or 0.
 */
int synth_close(struct synth *s, bool footer);

/* Any record, for what the verbs do not make; returns its sequence number. */
uint64_t synth_record(struct synth *s, int32_t vcpu, Kvmrec__Record *rec);

/*
 * Kernel events (kvm:* tracepoints). synth_kev() fills every field of the
 * event's row in the tracepoint table (trace/kevent_table.h), 0 unless
 * named in @f (ended by KEV_F_NR); a field the event does not have makes
 * no event and is kept in err as -EINVAL. SYNTH_KEV(s, vcpu, APIC_IPI,
 * { KEV_F_ICR_LOW, 0x8f1 }, { KEV_F_DEST_ID, 0x81 }) names them inline.
 * synth_kevent() stores @args as given: for events the table does not
 * describe and the extra args of a newer recorder.
 */
struct synth_field {
	enum kev_field field;
	int64_t value;
};

uint64_t synth_kev(struct synth *s, int32_t vcpu, Kvmrec__KernelEventId id,
		   const struct synth_field *f);
#define SYNTH_KEV(s, vcpu, id, ...) \
	synth_kev(s, vcpu, KVMREC__KERNEL_EVENT_ID__KEV_##id, \
		  (const struct synth_field[]){ __VA_ARGS__, { KEV_F_NR, 0 } })
uint64_t synth_kevent(struct synth *s, int32_t vcpu, Kvmrec__KernelEventId id,
		      const int64_t *args, size_t n);
/* kvm_apic_accept_irq of @vec into the LAPIC of @vcpu (APIC ID = vCPU index). */
void synth_accept(struct synth *s, int32_t vcpu, int vec, bool coalesced);
/* kvm_eoi of @vec; -1: an EOI with nothing in service (kvm-pvm's second trace). */
void synth_eoi(struct synth *s, int32_t vcpu, int vec);
void synth_inj_virq(struct synth *s, int32_t vcpu, int vec);

/* KVM_INTERRUPT of @vec; returns its sequence number. */
uint64_t synth_interrupt(struct synth *s, int32_t vcpu, uint32_t vec);

/* A KVM_RUN return without payload; @flags are RunFlag bits. */
void synth_exit(struct synth *s, int32_t vcpu, uint32_t reason, uint32_t flags);
/* A port I/O exit of @len (1, 2 or 4) bytes; for IN, @data is what the VMM gave. */
void synth_io(struct synth *s, int32_t vcpu, bool out, uint32_t port, const uint8_t *data,
	      uint32_t len, uint32_t flags);
void synth_outb(struct synth *s, int32_t vcpu, uint32_t port, uint8_t val, uint32_t flags);
/* kvmrec-vmm's interrupt test port (vmm/guest_abi.h): pulse PIC line @line. */
void synth_pulse(struct synth *s, int32_t vcpu, unsigned int line, uint32_t flags);
/* The guest's ICW1-4: master 8259 at @vector_base, slave on IRQ 2, 8086 mode. */
void synth_pic_init(struct synth *s, int32_t vcpu, uint8_t vector_base, uint32_t flags);
/* A TPR-access report at @rip. */
void synth_tpr_access(struct synth *s, int32_t vcpu, uint64_t rip, bool write, uint32_t flags);
/* A KVM_RUN cut short by a signal (-EINTR). */
void synth_eintr(struct synth *s, int32_t vcpu);

/* KVM_GET_LAPIC or KVM_SET_LAPIC (@set) with only @irr_vec in IRR (0: none). */
void synth_lapic_sync(struct synth *s, int32_t vcpu, bool set, int irr_vec);
/* KVM_GET_LAPIC with the register page too (IRR; TMCCT moves when jittered), TPR 0. */
void synth_lapic_page(struct synth *s, int32_t vcpu, int irr_vec);

/* A VM set-up call with one argument (the capability for ENABLE_CAP) and its return. */
void synth_setup(struct synth *s, Kvmrec__SetupKind kind, uint64_t arg, int64_t ret);
/* A Drop record: @count records of @what lost. */
void synth_drop(struct synth *s, int32_t vcpu, uint64_t count, const char *what);

#endif
