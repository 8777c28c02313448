/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * json_out: the few JSON pieces kvmrec prints (replay, stat, export), and its
 * one JSON string escaper. Strings are escaped per RFC 8259 (bytes >= 0x80
 * that are not valid UTF-8 become \u00XX of the byte, so the output is always
 * valid JSON); numbers print the same way every time. Errors are the
 * FILE's (check ferror() at the end).
 */
#ifndef KVMREC_TRACE_JSON_OUT_H
#define KVMREC_TRACE_JSON_OUT_H

#include <stdio.h>

void json_out_str(FILE *f, const char *s);
/* Microseconds with nanosecond precision, as trace-event "ts" wants them. */
void json_out_us(FILE *f, long long ns);

#endif
