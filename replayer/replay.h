/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * replay: drives the models (PIC, kernel LAPIC, userspace APIC copy,
 * injection policy) through a trace one event at a time, compares the
 * policy's decision at every KVM_RUN entry with what was recorded, and
 * matches every interrupt delivery to exactly one request (--check-once).
 * The VM's irqchip mode, from its set-up records, decides what applies: the
 * policy is compared only for a split irqchip (or when the set-up is not in
 * the trace); an in-kernel irqchip is checked on kernel events alone.
 *
 * Memory is one struct replay, allocated once: no allocation per event, and
 * state bounded by REPLAY_MAX_VCPUS whatever the trace size. Events of vCPUs
 * beyond that are counted and make the verdict undecided, never dropped
 * silently. replay_alloc() returns NULL only on out-of-memory.
 */
#ifndef KVMREC_REPLAY_H
#define KVMREC_REPLAY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "check_once.h"
#include "judge.h"
#include "policy.h"
#include "trace_event.h"

#define REPLAY_MAX_VCPUS 64

struct replay;

struct replay_opts {
	const struct policy *model;	/* NULL: from the trace header */
	/*
	 * Bisect's what-if: userspace injections are the model's decisions, not
	 * the recorded KVM_INTERRUPTs, and knob SYNC_ON_TPR gates copy syncs.
	 */
	bool what_if;
	/* Told each decision of the ledger (judge.h); NULL: nobody listens. */
	const struct judge_observer *observer;
};

struct replay_divergence {
	uint64_t seq, ts_ns;
	int32_t vcpu;
	int model_vector, recorded_vector;	/* -1: none */
	bool model_window, recorded_window;
};

struct replay *replay_alloc(const struct replay_opts *opts);
void replay_free(struct replay *r);
/* Call once, before the events. */
void replay_begin(struct replay *r, const Kvmrec__Header *hdr);
void replay_feed(struct replay *r, const struct trace_event *ev);
/* @complete: the footer was read (false: truncated, no "lost" verdicts). */
void replay_end(struct replay *r, bool complete);

const struct check_once_result *replay_result(const struct replay *r);
const struct policy *replay_model(const struct replay *r);
/* Where the model came from: "--model", "trace header: ...", "default". */
const char *replay_model_origin(const struct replay *r);
/* Entries where the model would inject something other than was recorded. */
uint64_t replay_divergences(const struct replay *r);
const struct replay_divergence *replay_first_divergence(const struct replay *r);
/* Entries that agree on the injection but not on request_interrupt_window. */
uint64_t replay_window_divergences(const struct replay *r);
const struct replay_divergence *replay_first_window_divergence(const struct replay *r);
uint64_t replay_run_exits(const struct replay *r);
/*
 * "--model NAME does not apply: ..." when the model given does not describe
 * the trace's irqchip mode or VMM (replay_file() then returns 2), or NULL.
 */
const char *replay_model_error(const struct replay *r);
/* The userspace injection policy was compared (split irqchip, or unknown). */
bool replay_policy_applies(const struct replay *r);

/* Text and JSON reports; deterministic for a given trace. */
void replay_print(const struct replay *r, FILE *f, bool check_once, const char *path);
void replay_print_json(const struct replay *r, FILE *f, bool check_once, const char *path);

/*
 * The whole file through one replay. Returns the check-once exit code,
 * with out-of-band failures (unreadable file) as 2 and the reason in
 * replay_result()->error. *out is set whenever the return is not 2 from
 * an allocation failure; free it with replay_free().
 */
int replay_file(const char *path, const struct replay_opts *opts, struct replay **out);

#endif
