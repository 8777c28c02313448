/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * trace_format: the one renderer of events as text, in two forms.
 * The full line (`kvmrec dump`), in the spirit of `trace-cmd report`:
 *   SEQ TS(s.us) VCPU TID KIND PAYLOAD
 * every number decoded (exit reasons, ports, vectors as "0x3e (62)", LAPIC
 * vectors and registers by name, tracepoint fields by name); and the short
 * form without position (diff context, plot labels, export names), with
 * its first word(s) as a label. Output depends only on the arguments (no
 * locale, no addresses), so the same trace always gives the same bytes.
 * The full form writes to a FILE (stdio errors stay there for ferror());
 * the short form fills a caller's buffer, truncated to fit, always
 * NUL-terminated, and returns its length.
 */
#ifndef KVMREC_TRACE_FORMAT_H
#define KVMREC_TRACE_FORMAT_H

#include <stddef.h>
#include <stdio.h>
#include "trace_event.h"

/* One "# key: value" line per Header field present. */
void trace_format_header(FILE *f, const Kvmrec__Header *hdr);

/* One line, ending in a newline. */
void trace_format_event(FILE *f, const struct trace_event *ev);

/* The PAYLOAD part only (kind and payload), no newline: for viewers. */
void trace_format_body(FILE *f, const Kvmrec__Record *rec);

/* "# footer: ..." and one "# count KIND: N" line per kind. */
void trace_format_footer(FILE *f, const Kvmrec__Footer *ft);

#define TRACE_FORMAT_SHORT_MAX 192

/* The short form: "exit IO out port 0x3f8 size 1 data 41 [ready]", ... */
size_t trace_format_short(const Kvmrec__Record *rec, char *buf, size_t n);

/*
 * The event's short label for a timeline: the short form's first word
 * ("KVM_NMI", "note"), or first two for set-up ("setup irqfd").
 */
size_t trace_format_label(const Kvmrec__Record *rec, char *buf, size_t n);

/* Short name of the event's kind: "exit", "inject", "lapic", "kevent", ...; "empty". */
const char *trace_format_kind(const Kvmrec__Record *rec);

/* The vectors set in a 256-bit IRR/ISR (8 words), as "{34,62}"; "{}" if none. */
size_t trace_format_vec256(const uint32_t *words, size_t nwords, char *buf, size_t n);

#endif
