/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * judge: the exactly-once ledger's decisions (docs/replay.md), one at a
 * time, for every module that shows them (kvmrec stat, export, plot). The
 * replayer is the only judge: a view counts, draws and centres on these
 * items and decides nothing about requests and deliveries itself.
 *
 * Pass a struct judge_observer in struct replay_opts; the ledger calls
 * observer->item() once per decision, in trace order but for what is only
 * decided at the end (pending, undecided and lost requests), which comes from
 * replay_end(). Items and the pointers in them live for the call only.
 * Without an observer the ledger pays one NULL test per decision. Bisect's
 * what-if deliveries (the model's own PIC INTA) are not told: bisect needs
 * the verdict only.
 */
#ifndef KVMREC_JUDGE_H
#define KVMREC_JUDGE_H

#include <stdint.h>

#include "check_once.h"

enum judge_kind {
	JUDGE_REQUEST = 1,	/* a request the ledger will want a delivery for */
	JUDGE_DELIVERY,		/* a delivery matched to its request: no violation */
	JUDGE_VIOLATION,	/* double, spurious or lost: see item->violation */
	JUDGE_UNDECIDED,	/* the trace lacks the evidence for this one */
	JUDGE_PENDING,		/* a request still pending when the trace ended */
};

/* What a request is, or what a delivery was matched to. */
enum judge_source {
	JUDGE_SRC_NONE = 0,
	JUDGE_SRC_LAPIC,	/* kvm_apic_accept_irq */
	JUDGE_SRC_INFERRED,	/* an IPI or MSI (accepts not traced) */
	JUDGE_SRC_PIC,		/* the PIC model's IRR */
	JUDGE_SRC_PIT,		/* an 8254 edge (the PIC's line is not traced) */
	JUDGE_SRC_BEFORE,	/* requested before the trace began */
};

struct judge_item {
	enum judge_kind kind;
	int32_t vcpu;			/* UNDECIDED: -1 for the whole trace */
	int32_t vector;			/* UNDECIDED: -1 for none */
	struct check_once_ref at;	/* the request, or the delivery; seq 0: none */
	enum check_once_path path;	/* DELIVERY, UNDECIDED delivery */
	enum check_once_evidence evidence;
	enum judge_source source;
	/* DELIVERY: the request it was matched to; seq 0 when not in the trace. */
	struct check_once_ref request;
	const struct check_once_violation *violation;	/* VIOLATION */
	const char *why;		/* UNDECIDED, PENDING: one line, no newline */
};

struct judge_observer {
	void (*item)(void *ctx, const struct judge_item *item);
	void *ctx;
};

const char *judge_kind_name(enum judge_kind k);
const char *judge_source_name(enum judge_source s);
/* "double injection", "spurious injection", "lost interrupt". */
const char *judge_violation_name(enum check_once_kind k);

#endif
