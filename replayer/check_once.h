/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * check_once: the exactly-once verdict of a trace (docs/design.md §3), as a library
 * call for other modules (kvmrec plot centres on the first violation).
 *
 * check_once_file() replays @path through the replayer's models and fills
 * @out with the verdict and the first violation. It owns nothing after it
 * returns. Returns the exit code `kvmrec replay --check-once` would give
 * (0 pass, 1 violation, 2 bad input, 125 cannot decide); on 2, out->error
 * holds the one-line reason naming the file. This struct only grows.
 */
#ifndef KVMREC_CHECK_ONCE_H
#define KVMREC_CHECK_ONCE_H

#include <stdbool.h>
#include <stdint.h>

enum check_once_kind {
	CHECK_ONCE_NONE = 0,
	CHECK_ONCE_DOUBLE,	/* delivered again with no new request */
	CHECK_ONCE_SPURIOUS,	/* delivered with no request ever seen */
	CHECK_ONCE_LOST,	/* requested, never delivered by the end */
};

enum check_once_path {
	CHECK_PATH_NONE = 0,
	CHECK_PATH_KERNEL,	/* the in-kernel LAPIC delivered it */
	CHECK_PATH_USER,	/* userspace KVM_INTERRUPT */
	CHECK_PATH_BEFORE,	/* already in service when the trace began */
};

/* Which record shows a delivery. */
enum check_once_evidence {
	CHECK_EV_NONE = 0,
	CHECK_EV_INJ_VIRQ,	/* kvm_inj_virq */
	CHECK_EV_KVM_INTERRUPT,	/* the KVM_INTERRUPT ioctl record */
	CHECK_EV_EOI,		/* kvm_eoi of the vector: it was in service */
	CHECK_EV_MODEL,		/* the model's decision (bisect what-if) */
};

/* Where the VM's interrupt controllers live, from its set-up records. */
enum check_once_irqchip {
	CHECK_IRQCHIP_UNKNOWN = 0,	/* no VM set-up in the trace (imports, attach) */
	CHECK_IRQCHIP_SPLIT,		/* KVM_CAP_SPLIT_IRQCHIP: LAPIC in the kernel */
	CHECK_IRQCHIP_KERNEL,		/* KVM_CREATE_IRQCHIP: PIC, IOAPIC, LAPIC in the kernel */
	CHECK_IRQCHIP_USERSPACE,	/* neither: the VMM injects everything */
};

/* A point in the trace; seq == 0 means "none". */
struct check_once_ref {
	uint64_t seq;
	uint64_t ts_ns;
};

/*
 * For a double injection, @delivery is the extra one: the userspace
 * injection when one of the pair came from userspace and the other from the
 * kernel LAPIC (in split mode only the kernel delivers LAPIC vectors), else
 * the later one. @first is the other delivery of the pair, whichever came
 * first in the trace.
 */
struct check_once_violation {
	enum check_once_kind kind;
	int32_t vcpu;
	uint32_t vector;
	struct check_once_ref delivery;	/* the extra delivery (LOST: the request) */
	enum check_once_path path;
	enum check_once_evidence evidence;
	struct check_once_ref first;	/* the other delivery of the vector */
	enum check_once_path first_path;
	enum check_once_evidence first_evidence;
	struct check_once_ref request;	/* the one request both claim */
	struct check_once_ref window;	/* the exit after which the extra was injected */
	uint32_t window_reason;		/* KVM_EXIT_* of that exit */
	uint32_t window_flags;		/* its RunExit.flags (ready, if_flag), 0 if unknown */
	struct check_once_ref window_asked; /* first KVM_RUN of the window request before it */
	struct check_once_ref stale_sync; /* KVM_GET_LAPIC whose IRR still had the vector */
	/*
	 * LOST by a write-back: the KVM_SET_LAPIC whose page dropped the pending
	 * vector (stale_sync is then the VMM's last read before the request).
	 */
	struct check_once_ref wiped_by;
};

/* One request or delivery the check could not decide, and why. */
struct check_once_undecided {
	int32_t vcpu;			/* -1: the whole trace */
	int32_t vector;			/* -1: none */
	struct check_once_ref at;
	char why[112];
};

#define CHECK_ONCE_MAX_UNDECIDED 8

struct check_once_result {
	int verdict;			/* 0, 1, 2, 125: the exit code */
	uint64_t events;		/* events replayed */
	uint64_t requests;
	uint64_t deliveries;
	uint64_t violations;
	struct check_once_violation first;	/* valid when violations > 0 */
	uint64_t before_start;		/* deliveries of requests older than the trace (imports, record --pid) */
	uint64_t pit_matched;		/* IRQ 0 deliveries matched to 8254 edges */
	uint64_t unpredictable;		/* model entries not compared: PIC lines unknown */
	bool requests_inferred;		/* no kvm_apic_accept_irq: requests from IPIs/MSIs only */
	bool truncated;			/* the trace was damaged; verdict on the prefix */
	char undecided[256];		/* what could not be decided, "" if all was */
	char error[256];		/* verdict 2: the one-line reason */
	enum check_once_irqchip irqchip;
	uint64_t pic_inferred;		/* PIC requests inferred from the PIC model's state */
	uint64_t pending_at_end;	/* requests still pending when the trace ended */
	uint64_t coalesced;		/* accepts into an IRR bit the model had set */
	uint64_t n_undecided;		/* undecided items in all */
	struct check_once_undecided undecided_items[CHECK_ONCE_MAX_UNDECIDED];	/* the first */
	bool vm_ran;			/* a KVM_RUN, or kernel events of a running vCPU */
};

/* "split", "in-kernel", "userspace", "unknown". */
const char *check_once_irqchip_name(enum check_once_irqchip m);

/* @model: a policy name (see policy.h), or NULL for the one the trace names. */
int check_once_file(const char *path, const char *model, struct check_once_result *out);

#endif
