/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * trace_format: a trace as text, one line per event, in the spirit of
 * `trace-cmd report`:  SEQ TS(s.us) VCPU TID KIND PAYLOAD
 * Every number is decoded (exit reasons, ports, vectors as "0x3e (62)",
 * LAPIC vectors and registers by name, tracepoint arguments by name). Output
 * depends only on the arguments (no locale, no addresses), so the same
 * trace always prints the same bytes. Returns nothing; stdio errors stay on
 * the FILE for the caller's ferror().
 */
#ifndef KVMREC_TRACE_FORMAT_H
#define KVMREC_TRACE_FORMAT_H

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

#endif
