/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * describe: one short line of text for one trace event, without its
 * position (seq, time, vCPU), for diff context, plot labels and export
 * names. Pure: the same event always gives the same text. The text is
 * truncated to fit @n (always NUL-terminated); returns its length.
 */
#ifndef KVMREC_VIEW_DESCRIBE_H
#define KVMREC_VIEW_DESCRIBE_H

#include <stddef.h>
#include "trace_event.h"

#define DESCRIBE_MAX 192

size_t describe_event(const Kvmrec__Record *rec, char *buf, size_t n);

/*
 * The event's short label for a timeline: describe_event()'s first word
 * ("KVM_NMI", "note"), or first two for set-up ("setup irqfd").
 */
size_t describe_label(const Kvmrec__Record *rec, char *buf, size_t n);

/* Short name of the event's kind: "exit", "inject", "lapic", "kevent", ... */
const char *describe_kind(const Kvmrec__Record *rec);

/* The vectors set in a 256-bit IRR/ISR (8 words), as "{34,62}"; "{}" if none. */
size_t describe_vec256(const uint32_t *words, size_t nwords, char *buf, size_t n);

#endif
