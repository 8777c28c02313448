/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * trace_encode: the writer's fast path (internal to trace/), the mirror of
 * trace_decode. protobuf-c packs a message in two passes (sizes, then bytes)
 * through generic per-field calls; a trace record is a handful of varints, so
 * one pass straight from the structs is several times faster.
 *
 * trace_encode() writes exactly the bytes protobuf_c_message_pack() would for
 * the field types kvmrec's schema uses (varint scalars, bool, enum, string,
 * bytes, nested messages, packed and unpacked repeated fields, oneofs).
 * Returns the length written at @out, or 0 if the message does not fit in
 * @cap bytes or uses something outside that subset (unknown fields, fixed
 * or floating types): the caller then uses protobuf-c, which decides.
 */
#ifndef KVMREC_TRACE_ENCODE_H
#define KVMREC_TRACE_ENCODE_H

#include <stddef.h>
#include <stdint.h>
#include "kvmrec.pb-c.h"

size_t trace_encode(const ProtobufCMessage *m, uint8_t *out, size_t cap);

/*
 * The most trace_encode() writes for @rec when it is one of the records it
 * writes by hand (an exit without payload or with port I/O, a kernel event;
 * no frame mark), which it always does given that much room; 0 for any
 * other record.
 */
size_t trace_encode_hot_max(const Kvmrec__Record *rec);

#endif
