// SPDX-License-Identifier: GPL-2.0-only
/*
 * trace_decode: the reader's fast path. protobuf-c's unpack makes two passes
 * per message and looks every field up generically; hot records (an exit, a
 * kernel event) are a handful of varints, so one pass straight into the
 * structs is about twice as fast. Correctness rests on declining: every case
 * not handled here goes to protobuf-c.
 */
#include <stdbool.h>
#include <string.h>

#include "trace_decode.h"
#include "trace_varint.h"

#define MAX_DEPTH 8

enum { WIRE_VARINT = 0, WIRE_LEN = 2 };

/*
 * Field numbers come in a few contiguous ranges; protobuf-c's descriptors
 * list them with a sentinel whose orig_index is n_fields. Messages here
 * have one to three ranges, so a scan beats a search.
 */
static inline const ProtobufCFieldDescriptor *field_find(const ProtobufCMessageDescriptor *d,
							 uint32_t id)
{
	const ProtobufCIntRange *r = d->field_ranges;

	for (unsigned int i = 0; i < d->n_field_ranges; i++) {
		uint32_t start = (uint32_t)r[i].start_value;
		uint32_t count = r[i + 1].orig_index - r[i].orig_index;

		if (id - start < count) {
			const ProtobufCFieldDescriptor *f = &d->fields[r[i].orig_index + (id - start)];

			return f->id == id ? f : NULL;
		}
	}
	return NULL;
}

static void *member(ProtobufCMessage *m, unsigned int off)
{
	return (char *)m + off;
}

/* Stores a varint into a scalar of @type; false if the type is not a varint one. */
static inline __attribute__((always_inline)) bool scalar_store(ProtobufCType type, void *p, uint64_t v)
{
	switch (type) {
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_ENUM:
		*(uint32_t *)p = (uint32_t)v;
		return true;
	case PROTOBUF_C_TYPE_SINT32: {
		uint32_t u = (uint32_t)v;

		*(int32_t *)p = (int32_t)((u >> 1) ^ -(u & 1));
		return true;
	}
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_INT64:
		*(uint64_t *)p = v;
		return true;
	case PROTOBUF_C_TYPE_SINT64:
		*(int64_t *)p = (int64_t)((v >> 1) ^ -(v & 1));
		return true;
	case PROTOBUF_C_TYPE_BOOL:
		*(protobuf_c_boolean *)p = v != 0;
		return true;
	default:
		return false;
	}
}

static size_t scalar_size(ProtobufCType type)
{
	switch (type) {
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_ENUM:
		return 4;
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
		return 8;
	case PROTOBUF_C_TYPE_BOOL:
		return sizeof(protobuf_c_boolean);
	default:
		return 0;
	}
}

static ProtobufCMessage *decode(const ProtobufCMessageDescriptor *d, ProtobufCAllocator *a,
				const uint8_t *p, const uint8_t *end, int depth);

/* A length-delimited field: bytes, a message, or a packed repeated scalar. */
static bool decode_len(ProtobufCMessage *m, const ProtobufCFieldDescriptor *f,
		       ProtobufCAllocator *a, const uint8_t *p, size_t len, int depth)
{
	bool oneof = f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF;
	uint32_t *quant = member(m, f->quantifier_offset);

	if (f->label == PROTOBUF_C_LABEL_REPEATED) {
		size_t esz = scalar_size(f->type), n = 0;
		uint8_t *arr;

		if (!(f->flags & PROTOBUF_C_FIELD_FLAG_PACKED) || !esz || *(size_t *)quant)
			return false;
		for (size_t i = 0; i < len; i++)
			n += !(p[i] & 0x80);
		if (len && (p[len - 1] & 0x80))
			return false;
		arr = NULL;
		if (n) {
			arr = a->alloc(a->allocator_data, n * esz);
			if (!arr)
				return false;
		}
		for (size_t i = 0; i < n; i++) {
			uint64_t v;
			size_t k = trace_varint_get(p, p + len, &v);

			if (!k)
				return false;
			scalar_store(f->type, arr + i * esz, v);
			p += k;
			len -= k;
		}
		*(size_t *)quant = n;
		*(void **)member(m, f->offset) = arr;
		return true;
	}
	if (oneof && *quant)
		return false;

	if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
		ProtobufCMessage **slot = member(m, f->offset);

		if (*slot || depth >= MAX_DEPTH)
			return false;
		*slot = decode(f->descriptor, a, p, p + len, depth + 1);
		if (!*slot)
			return false;
	} else if (f->type == PROTOBUF_C_TYPE_BYTES) {
		ProtobufCBinaryData *bd = member(m, f->offset);

		bd->len = len;
		bd->data = NULL;
		if (len) {
			bd->data = a->alloc(a->allocator_data, len);
			if (!bd->data)
				return false;
			memcpy(bd->data, p, len);
		}
		if (!oneof && f->quantifier_offset)
			*(protobuf_c_boolean *)quant = 1;
	} else {
		return false;
	}
	if (oneof)
		*quant = f->id;
	return true;
}

static ProtobufCMessage *decode(const ProtobufCMessageDescriptor *d, ProtobufCAllocator *a,
				const uint8_t *p, const uint8_t *end, int depth)
{
	ProtobufCMessage *m = a->alloc(a->allocator_data, d->sizeof_message);
	if (!m)
		return NULL;
	d->message_init(m);
	while (p < end) {
		const ProtobufCFieldDescriptor *f;
		uint64_t tag, v;
		size_t k = trace_varint_get(p, end, &tag);

		if (!k || tag >> 3 > UINT32_MAX)
			return NULL;
		p += k;
		f = field_find(d, (uint32_t)(tag >> 3));
		if (!f)
			return NULL;
		k = trace_varint_get(p, end, &v);
		if (!k)
			return NULL;
		p += k;
		if ((tag & 7) == WIRE_VARINT) {
			if (f->label == PROTOBUF_C_LABEL_REPEATED || (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) ||
			    !f->quantifier_offset || !scalar_store(f->type, member(m, f->offset), v))
				return NULL;
			*(protobuf_c_boolean *)member(m, f->quantifier_offset) = 1;
		} else if ((tag & 7) == WIRE_LEN) {
			if (v > (uint64_t)(end - p) || !decode_len(m, f, a, p, (size_t)v, depth))
				return NULL;
			p += v;
		} else {
			return NULL;
		}
	}
	return m;
}

ProtobufCMessage *trace_decode_fast(const ProtobufCMessageDescriptor *desc,
				    ProtobufCAllocator *alloc,
				    const uint8_t *data, size_t len)
{
	return decode(desc, alloc, data, data + len, 0);
}
