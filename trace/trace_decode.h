/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * trace_decode: a one-pass protobuf decoder for the canonical encodings
 * kvmrec's writer produces (internal to trace/). It fills the same
 * protobuf-c structs protobuf_c_message_unpack() would, from the message
 * descriptors, allocating from @alloc. Anything outside its subset
 * (unknown fields, strings, unpacked repeated fields, a field seen twice,
 * wire-type mismatches, bad varints) makes it return NULL, and the caller
 * falls back to protobuf_c_message_unpack(), which then decides: so the
 * result is always exactly protobuf-c's. One difference in where, not what:
 * with a trace_arena allocator, the hottest bytes field (ExitIo.data) points
 * into @data instead of a copy, so @data must outlive the message (the
 * reader's frame does: its records die with it).
 */
#ifndef KVMREC_TRACE_DECODE_H
#define KVMREC_TRACE_DECODE_H

#include <stddef.h>
#include <stdint.h>
#include <protobuf-c/protobuf-c.h>

ProtobufCMessage *trace_decode_fast(const ProtobufCMessageDescriptor *desc,
				    ProtobufCAllocator *alloc,
				    const uint8_t *data, size_t len);

#endif
