/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kevents: the kvm:* tracepoints of one VMM, from a private tracefs instance
 * on the mono clock, filtered to the VMM's pid and every task it forks.
 * Owns the instance (destroyed on close), its per-CPU readers and the event
 * formats. kevents_open() returns -errno and fills @why with one line when
 * kernel events cannot be had (no tracefs, no permission); recording goes on
 * without them. kvm_emulate_insn is never enabled: it floods the ring.
 */
#ifndef KVMREC_RECORDER_KEVENTS_H
#define KVMREC_RECORDER_KEVENTS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "decode.h"

struct kevents;

#define KEVENTS_MAX 16

/* Creates the instance and enables the events for @pid (before it runs). */
int kevents_open(pid_t pid, struct kevents **out, char *why, size_t whylen);

/* Names of the wanted events that exist here / that were enabled. */
size_t kevents_available(const struct kevents *k, const char **names, size_t max);
size_t kevents_enabled(const struct kevents *k, const char **names, size_t max);

/* Reads everything buffered now, without blocking; calls @cb per sample. */
int kevents_read(struct kevents *k, void (*cb)(void *ctx, struct kev *ev), void *ctx);

/* Samples the kernel lost (ring overruns plus missed events seen). */
uint64_t kevents_lost(struct kevents *k);
/* Space-separated enabled events that never fired, "" if none. */
void kevents_silent(const struct kevents *k, char *buf, size_t len);

void kevents_close(struct kevents *k);

#endif
