/* SPDX-License-Identifier: GPL-2.0-only
 *
 * exit_stream: what `kvmrec diff` compares. Each vCPU's exit stream is the
 * ordered list of what the guest made that vCPU do and what userspace did to
 * it, stripped of everything that depends on timing:
 *
 *  - RunExit: reason, KVM_RUN result, payload (port/MMIO data, TPR access,
 *    ...), the ready/IF/irq-window flags, cr8, apic_base; not run_ns, not
 *    immediate_exit;
 *  - Injection and VcpuEvents: every field;
 *  - LapicSync: every field except the timer's current count (TMCCT), which
 *    changes with time;
 *  - VmSetup (VM-wide stream): every field except returned file descriptors.
 *
 * Left out: seq, timestamps, thread ids; KVM_RUN calls cut short by a
 * signal or immediate_exit (-EINTR, KVM_EXIT_INTR): when a VMM thread gets
 * kicked is host timing, not guest behaviour; annotations; kernel tracepoint
 * events, whose number and place depend on when the host batches work (the
 * kvm-pvm backend emulates in batches) - unless asked for with .kernel, and
 * then without their host CPU. Drop records are not compared but make the
 * comparison undecidable.
 *
 * exit_stream_key() serializes the compared part of one record into @key so
 * two records compare equal exactly when their keys are byte-equal.
 */
#ifndef KVMREC_VIEW_EXIT_STREAM_H
#define KVMREC_VIEW_EXIT_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "trace_event.h"

struct exit_stream_opts {
	bool kernel;          /* compare kernel tracepoint events too */
	/*
	 * Leave out the request_interrupt_window entry bit: what the VMM asked
	 * for, as opposed to what the guest did. diff uses it to tell a VMM
	 * that only asked differently from one that injected differently.
	 */
	bool no_window_request;
	/*
	 * Leave out what userspace or the device model gave the guest: the
	 * data of IN, of MMIO reads and of RDMSR exits. Two runs of one guest
	 * read different RTC seconds; diff reports those as input differences.
	 */
	bool no_inputs;
};

struct exit_stream_key {
	uint8_t *buf;
	size_t len, cap;
};

/*
 * Fills @key for @rec. Returns 1 when the record is part of the exit stream,
 * 0 when it is left out, -ENOMEM.
 */
int exit_stream_key(const Kvmrec__Record *rec, const struct exit_stream_opts *o,
		    struct exit_stream_key *key);
bool exit_stream_key_equal(const struct exit_stream_key *a, const struct exit_stream_key *b);
void exit_stream_key_free(struct exit_stream_key *key);

#endif
