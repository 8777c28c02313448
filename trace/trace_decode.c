// SPDX-License-Identifier: GPL-2.0-only
/*
 * trace_decode: the reader's fast path. protobuf-c's unpack makes two passes
 * per message and looks every field up generically; hot records (an exit, a
 * kernel event) are a handful of varints, so one pass straight into the
 * structs is about twice as fast; the hottest messages, decoded by hand
 * without the descriptors, faster still. Correctness rests on declining:
 * every case not handled here goes to protobuf-c.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "kvmrec.pb-c.h"
#include "trace_arena.h"
#include "trace_decode.h"
#include "pb_init.h"
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

/*
 * A varint's value, declining a tenth byte with bits past 64: protobuf-c
 * drops them from a number but counts them in a bool (any bit set is true).
 */
static inline size_t value_get(const uint8_t *p, const uint8_t *end, uint64_t *v)
{
	size_t k = trace_varint_get(p, end, v);

	return k == TRACE_VARINT_MAX && p[k - 1] > 1 ? 0 : k;
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
			arr = trace_arena_pb_alloc(a, n * esz);
			if (!arr)
				return false;
		}
		for (size_t i = 0; i < n; i++) {
			uint64_t v;
			size_t k = value_get(p, p + len, &v);

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
			bd->data = trace_arena_pb_alloc(a, len);
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

/*
 * One field of @m, looked up in its descriptor: where the field ends, or
 * NULL to decline. @p is just past the field's tag.
 */
static const uint8_t *field_generic(ProtobufCMessage *m, ProtobufCAllocator *a, uint64_t tag,
				    const uint8_t *p, const uint8_t *end, int depth)
{
	const ProtobufCFieldDescriptor *f;
	uint64_t v;
	size_t k;

	if (tag >> 3 > UINT32_MAX)
		return NULL;
	f = field_find(m->descriptor, (uint32_t)(tag >> 3));
	if (!f)
		return NULL;
	k = value_get(p, end, &v);
	if (!k)
		return NULL;
	p += k;
	if ((tag & 7) == WIRE_VARINT) {
		if (f->label == PROTOBUF_C_LABEL_REPEATED || (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) ||
		    !f->quantifier_offset || !scalar_store(f->type, member(m, f->offset), v))
			return NULL;
		*(protobuf_c_boolean *)member(m, f->quantifier_offset) = 1;
		return p;
	}
	if ((tag & 7) == WIRE_LEN) {
		if (v > (uint64_t)(end - p) || !decode_len(m, f, a, p, (size_t)v, depth))
			return NULL;
		return p + v;
	}
	return NULL;
}

static ProtobufCMessage *decode(const ProtobufCMessageDescriptor *d, ProtobufCAllocator *a,
				const uint8_t *p, const uint8_t *end, int depth)
{
	ProtobufCMessage *m = trace_arena_pb_alloc(a, d->sizeof_message);
	if (!m)
		return NULL;
	d->message_init(m);
	while (p < end) {
		uint64_t tag;
		size_t k = trace_varint_get(p, end, &tag);

		if (!k)
			return NULL;
		p = field_generic(m, a, tag, p + k, end, depth);
		if (!p)
			return NULL;
	}
	return m;
}

/*
 * The hottest messages by hand, the mirror of trace_encode.c: a record
 * around a port I/O exit, a kernel event or a reference to one. The switch
 * takes a field's tag (number and wire type) as the writer puts it; any other
 * tag, a wrong wire type included, goes to field_generic(), which accepts or
 * declines exactly as for any message. Each is used only while the fields it
 * knows are as the descriptors say (hand_check(): a schema change falls back
 * to decode(), slower, never wrong). Structs start as kvmrec__*__init() leaves them, defaults included
 * (ExitIo.count is 1, Record.seq_delta 1).
 */
#define TAG(id, wire) ((uint64_t)(id) << 3 | (wire))

/*
 * What a hand decoder knows of its message: each field it decodes by number,
 * with its type and place. A decoder is used only while the descriptors
 * agree field by field, so a schema change (a field renumbered, retyped or
 * gone) sends the message to decode(); a field added is no change for them:
 * its tag goes to field_generic() like any other they do not know.
 */
struct hand_field {
	uint32_t id;
	ProtobufCType type;
	ProtobufCLabel label;
	unsigned int offset;
};

#define HF(msg, id, T, member) \
	{ id, PROTOBUF_C_TYPE_##T, PROTOBUF_C_LABEL_OPTIONAL, offsetof(msg, member) }
#define HF_ONEOF(msg, id, member) \
	{ id, PROTOBUF_C_TYPE_MESSAGE, PROTOBUF_C_LABEL_NONE, offsetof(msg, member) }

static const struct hand_field exit_io_fields[] = {
	HF(Kvmrec__ExitIo, 1, BOOL, out), HF(Kvmrec__ExitIo, 2, UINT32, size),
	HF(Kvmrec__ExitIo, 3, UINT32, port), HF(Kvmrec__ExitIo, 4, UINT32, count),
	HF(Kvmrec__ExitIo, 5, BYTES, data), HF(Kvmrec__ExitIo, 6, SINT64, data_add),
};
static const struct hand_field run_exit_fields[] = {
	HF(Kvmrec__RunExit, 1, UINT32, reason), HF(Kvmrec__RunExit, 2, SINT32, ret),
	HF(Kvmrec__RunExit, 3, UINT32, err), HF(Kvmrec__RunExit, 4, UINT32, flags),
	HF(Kvmrec__RunExit, 5, UINT64, run_ns), HF(Kvmrec__RunExit, 6, UINT64, cr8),
	HF(Kvmrec__RunExit, 7, UINT64, apic_base), HF(Kvmrec__RunExit, 8, UINT32, run_flags),
	HF(Kvmrec__RunExit, 9, UINT64, cr8_in), HF_ONEOF(Kvmrec__RunExit, 10, io),
};
static const struct hand_field kevent_fields[] = {
	HF(Kvmrec__KernelEvent, 1, ENUM, id),
	{ 2, PROTOBUF_C_TYPE_SINT64, PROTOBUF_C_LABEL_REPEATED, offsetof(Kvmrec__KernelEvent, args) },
	HF(Kvmrec__KernelEvent, 3, UINT32, cpu),
};
static const struct hand_field kref_fields[] = {
	HF(Kvmrec__KernelRef, 1, SINT32, exit), HF(Kvmrec__KernelRef, 2, ENUM, id),
	HF(Kvmrec__KernelRef, 3, UINT32, cpu), HF(Kvmrec__KernelRef, 4, UINT32, mmio_type),
};
static const struct hand_field record_fields[] = {
	HF(Kvmrec__Record, 1, UINT64, seq_delta), HF(Kvmrec__Record, 2, SINT64, ts_delta),
	HF(Kvmrec__Record, 3, SINT32, vcpu), HF(Kvmrec__Record, 4, UINT32, tid),
	HF_ONEOF(Kvmrec__Record, 5, exit), HF_ONEOF(Kvmrec__Record, 8, kevent),
	HF_ONEOF(Kvmrec__Record, 13, kref),
};

static bool hand_fields_agree(const ProtobufCMessageDescriptor *d, const struct hand_field *h,
			      size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field(d, h[i].id);

		if (!f || f->type != h[i].type || f->offset != h[i].offset ||
		    (h[i].label == PROTOBUF_C_LABEL_NONE ? !(f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
							: f->label != h[i].label))
			return false;
		if (h[i].label == PROTOBUF_C_LABEL_REPEATED && !(f->flags & PROTOBUF_C_FIELD_FLAG_PACKED))
			return false;
	}
	return true;
}

enum { HAND_EXIT_IO, HAND_RUN_EXIT, HAND_KEVENT, HAND_KREF, HAND_RECORD, HAND_N };
static bool hand_ok[HAND_N];
static pthread_once_t hand_once = PTHREAD_ONCE_INIT;
static atomic_bool hand_checked;	/* a plain load per record, not a pthread_once call */

static void hand_check(void)
{
#define AGREE(d, f) hand_fields_agree(&(d), f, sizeof(f) / sizeof((f)[0]))
	hand_ok[HAND_EXIT_IO] = AGREE(kvmrec__exit_io__descriptor, exit_io_fields);
	hand_ok[HAND_RUN_EXIT] = AGREE(kvmrec__run_exit__descriptor, run_exit_fields);
	hand_ok[HAND_KEVENT] = AGREE(kvmrec__kernel_event__descriptor, kevent_fields);
	hand_ok[HAND_KREF] = AGREE(kvmrec__kernel_ref__descriptor, kref_fields);
	hand_ok[HAND_RECORD] = AGREE(kvmrec__record__descriptor, record_fields);
#undef AGREE
	atomic_store_explicit(&hand_checked, true, memory_order_release);
}

/* Past the varint at @p, or NULL when there is none. */
static inline const uint8_t *varint_at(const uint8_t *p, const uint8_t *end, uint64_t *v)
{
	size_t k = value_get(p, end, v);

	return k ? p + k : NULL;
}

static inline int32_t unzigzag32(uint64_t v)
{
	uint32_t u = (uint32_t)v;

	return (int32_t)((u >> 1) ^ -(u & 1));
}

static inline int64_t unzigzag64(uint64_t v)
{
	return (int64_t)((v >> 1) ^ -(v & 1));
}

/* Each hand decoder: past its last field's tag and value, or NULL to decline. */
#define NEXT_VARINT(v)                                  \
	do {                                            \
		if (!(p = varint_at(p, end, &(v))))     \
			return NULL;                    \
	} while (0)

static Kvmrec__ExitIo *decode_exit_io(ProtobufCAllocator *a, const uint8_t *p,
				      const uint8_t *end, int depth)
{
	Kvmrec__ExitIo *io;

	if (!hand_ok[HAND_EXIT_IO])
		return (Kvmrec__ExitIo *)decode(&kvmrec__exit_io__descriptor, a, p, end, depth);
	io = trace_arena_pb_alloc(a, sizeof(*io));
	if (!io)
		return NULL;
	PB_INIT(io, Kvmrec__ExitIo, KVMREC__EXIT_IO__INIT);
	while (p < end) {
		uint64_t tag, v;

		NEXT_VARINT(tag);
		switch (tag) {
		case TAG(1, WIRE_VARINT):
			NEXT_VARINT(v);
			io->has_out = 1;
			io->out = v != 0;
			break;
		case TAG(2, WIRE_VARINT):
			NEXT_VARINT(v);
			io->has_size = 1;
			io->size = (uint32_t)v;
			break;
		case TAG(3, WIRE_VARINT):
			NEXT_VARINT(v);
			io->has_port = 1;
			io->port = (uint32_t)v;
			break;
		case TAG(4, WIRE_VARINT):
			NEXT_VARINT(v);
			io->has_count = 1;
			io->count = (uint32_t)v;
			break;
		case TAG(5, WIRE_LEN):
			NEXT_VARINT(v);
			if (v > (uint64_t)(end - p))
				return NULL;
			io->has_data = 1;
			io->data.len = (size_t)v;
			io->data.data = NULL;
			if (v && a->alloc == trace_arena_pb_cb) {
				/* Arena records die with the input they were decoded from. */
				io->data.data = (uint8_t *)p;
			} else if (v) {
				io->data.data = trace_arena_pb_alloc(a, (size_t)v);
				if (!io->data.data)
					return NULL;
				memcpy(io->data.data, p, (size_t)v);
			}
			p += v;
			break;
		case TAG(6, WIRE_VARINT):
			NEXT_VARINT(v);
			io->has_data_add = 1;
			io->data_add = unzigzag64(v);
			break;
		default:
			p = field_generic(&io->base, a, tag, p, end, depth);
			if (!p)
				return NULL;
		}
	}
	return io;
}

static Kvmrec__RunExit *decode_run_exit(ProtobufCAllocator *a, const uint8_t *p,
					const uint8_t *end, int depth)
{
	Kvmrec__RunExit *x;

	if (!hand_ok[HAND_RUN_EXIT])
		return (Kvmrec__RunExit *)decode(&kvmrec__run_exit__descriptor, a, p, end, depth);
	x = trace_arena_pb_alloc(a, sizeof(*x));
	if (!x)
		return NULL;
	PB_INIT(x, Kvmrec__RunExit, KVMREC__RUN_EXIT__INIT);
	while (p < end) {
		uint64_t tag, v;

		NEXT_VARINT(tag);
		switch (tag) {
		case TAG(1, WIRE_VARINT):
			NEXT_VARINT(v);
			x->has_reason = 1;
			x->reason = (uint32_t)v;
			break;
		case TAG(2, WIRE_VARINT):
			NEXT_VARINT(v);
			x->has_ret = 1;
			x->ret = unzigzag32(v);
			break;
		case TAG(3, WIRE_VARINT):
			NEXT_VARINT(v);
			x->has_err = 1;
			x->err = (uint32_t)v;
			break;
		case TAG(4, WIRE_VARINT):
			NEXT_VARINT(v);
			x->has_flags = 1;
			x->flags = (uint32_t)v;
			break;
		case TAG(5, WIRE_VARINT):
			NEXT_VARINT(v);
			x->has_run_ns = 1;
			x->run_ns = v;
			break;
		case TAG(6, WIRE_VARINT):
			NEXT_VARINT(v);
			x->has_cr8 = 1;
			x->cr8 = v;
			break;
		case TAG(7, WIRE_VARINT):
			NEXT_VARINT(v);
			x->has_apic_base = 1;
			x->apic_base = v;
			break;
		case TAG(8, WIRE_VARINT):
			NEXT_VARINT(v);
			x->has_run_flags = 1;
			x->run_flags = (uint32_t)v;
			break;
		case TAG(9, WIRE_VARINT):
			NEXT_VARINT(v);
			x->has_cr8_in = 1;
			x->cr8_in = v;
			break;
		case TAG(10, WIRE_LEN):
			NEXT_VARINT(v);
			/* A second payload: protobuf-c's rules for it are not repeated here. */
			if (v > (uint64_t)(end - p) || x->payload_case != KVMREC__RUN_EXIT__PAYLOAD__NOT_SET)
				return NULL;
			x->io = decode_exit_io(a, p, p + v, depth + 1);
			if (!x->io)
				return NULL;
			x->payload_case = KVMREC__RUN_EXIT__PAYLOAD_IO;
			p += v;
			break;
		default:
			p = field_generic(&x->base, a, tag, p, end, depth);
			if (!p)
				return NULL;
		}
	}
	return x;
}

/*
 * KernelEvent.args, packed sint64s: decoded in one pass into a small buffer,
 * then copied to the arena; only a run longer than that is counted first.
 */
#define ARGS_INLINE 16
static bool decode_args(Kvmrec__KernelEvent *k, ProtobufCAllocator *a, const uint8_t *p,
			const uint8_t *stop)
{
	int64_t buf[ARGS_INLINE];
	const uint8_t *q = p;
	size_t n = 0;

	while (q < stop && n < ARGS_INLINE) {
		uint64_t u;

		if (!(q = varint_at(q, stop, &u)))
			return false;
		buf[n++] = unzigzag64(u);
	}
	if (q < stop) {
		for (n = 0, q = p; q < stop; q++)
			n += !(*q & 0x80);
		if (stop[-1] & 0x80)
			return false;
	}
	if (!n)
		return true;
	k->args = trace_arena_pb_alloc(a, n * sizeof(*k->args));
	if (!k->args)
		return false;
	k->n_args = n;
	if (n <= ARGS_INLINE) {
		memcpy(k->args, buf, n * sizeof(*k->args));
		return true;
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t u;

		if (!(p = varint_at(p, stop, &u)))
			return false;
		k->args[i] = unzigzag64(u);
	}
	return true;
}

static Kvmrec__KernelEvent *decode_kevent(ProtobufCAllocator *a, const uint8_t *p,
					  const uint8_t *end, int depth)
{
	Kvmrec__KernelEvent *k;

	if (!hand_ok[HAND_KEVENT])
		return (Kvmrec__KernelEvent *)decode(&kvmrec__kernel_event__descriptor, a, p, end, depth);
	k = trace_arena_pb_alloc(a, sizeof(*k));
	if (!k)
		return NULL;
	PB_INIT(k, Kvmrec__KernelEvent, KVMREC__KERNEL_EVENT__INIT);
	while (p < end) {
		uint64_t tag, v;

		NEXT_VARINT(tag);
		switch (tag) {
		case TAG(1, WIRE_VARINT):
			NEXT_VARINT(v);
			k->has_id = 1;
			k->id = (Kvmrec__KernelEventId)(int32_t)(uint32_t)v;
			break;
		case TAG(2, WIRE_LEN):
			NEXT_VARINT(v);
			/* A second run of args: protobuf-c appends; not repeated here. */
			if (v > (uint64_t)(end - p) || k->n_args || !decode_args(k, a, p, p + v))
				return NULL;
			p += v;
			break;
		case TAG(3, WIRE_VARINT):
			NEXT_VARINT(v);
			k->has_cpu = 1;
			k->cpu = (uint32_t)v;
			break;
		default:
			p = field_generic(&k->base, a, tag, p, end, depth);
			if (!p)
				return NULL;
		}
	}
	return k;
}

/* A kernel event stored as a reference to its exit (kref.h): most of a kernel-event trace. */
static Kvmrec__KernelRef *decode_kref(ProtobufCAllocator *a, const uint8_t *p,
				      const uint8_t *end, int depth)
{
	Kvmrec__KernelRef *k;

	if (!hand_ok[HAND_KREF])
		return (Kvmrec__KernelRef *)decode(&kvmrec__kernel_ref__descriptor, a, p, end, depth);
	k = trace_arena_pb_alloc(a, sizeof(*k));
	if (!k)
		return NULL;
	PB_INIT(k, Kvmrec__KernelRef, KVMREC__KERNEL_REF__INIT);
	while (p < end) {
		uint64_t tag, v;

		NEXT_VARINT(tag);
		switch (tag) {
		case TAG(1, WIRE_VARINT):
			NEXT_VARINT(v);
			k->has_exit = 1;
			k->exit = unzigzag32(v);
			break;
		case TAG(2, WIRE_VARINT):
			NEXT_VARINT(v);
			k->has_id = 1;
			k->id = (Kvmrec__KernelEventId)(int32_t)(uint32_t)v;
			break;
		case TAG(3, WIRE_VARINT):
			NEXT_VARINT(v);
			k->has_cpu = 1;
			k->cpu = (uint32_t)v;
			break;
		case TAG(4, WIRE_VARINT):
			NEXT_VARINT(v);
			k->has_mmio_type = 1;
			k->mmio_type = (uint32_t)v;
			break;
		default:
			p = field_generic(&k->base, a, tag, p, end, depth);
			if (!p)
				return NULL;
		}
	}
	return k;
}

static Kvmrec__Record *decode_record(ProtobufCAllocator *a, const uint8_t *p, const uint8_t *end)
{
	Kvmrec__Record *r;

	if (!hand_ok[HAND_RECORD])
		return (Kvmrec__Record *)decode(&kvmrec__record__descriptor, a, p, end, 0);
	r = trace_arena_pb_alloc(a, sizeof(*r));
	if (!r)
		return NULL;
	PB_INIT(r, Kvmrec__Record, KVMREC__RECORD__INIT);
	while (p < end) {
		uint64_t tag, v;

		NEXT_VARINT(tag);
		switch (tag) {
		case TAG(1, WIRE_VARINT):
			NEXT_VARINT(v);
			r->has_seq_delta = 1;
			r->seq_delta = v;
			break;
		case TAG(2, WIRE_VARINT):
			NEXT_VARINT(v);
			r->has_ts_delta = 1;
			r->ts_delta = unzigzag64(v);
			break;
		case TAG(3, WIRE_VARINT):
			NEXT_VARINT(v);
			r->has_vcpu = 1;
			r->vcpu = unzigzag32(v);
			break;
		case TAG(4, WIRE_VARINT):
			NEXT_VARINT(v);
			r->has_tid = 1;
			r->tid = (uint32_t)v;
			break;
		case TAG(5, WIRE_LEN):
			NEXT_VARINT(v);
			/* A second body: protobuf-c's rules for it are not repeated here. */
			if (v > (uint64_t)(end - p) || r->body_case != KVMREC__RECORD__BODY__NOT_SET)
				return NULL;
			r->exit = decode_run_exit(a, p, p + v, 1);
			if (!r->exit)
				return NULL;
			r->body_case = KVMREC__RECORD__BODY_EXIT;
			p += v;
			break;
		case TAG(8, WIRE_LEN):
			NEXT_VARINT(v);
			if (v > (uint64_t)(end - p) || r->body_case != KVMREC__RECORD__BODY__NOT_SET)
				return NULL;
			r->kevent = decode_kevent(a, p, p + v, 1);
			if (!r->kevent)
				return NULL;
			r->body_case = KVMREC__RECORD__BODY_KEVENT;
			p += v;
			break;
		case TAG(13, WIRE_LEN):
			NEXT_VARINT(v);
			if (v > (uint64_t)(end - p) || r->body_case != KVMREC__RECORD__BODY__NOT_SET)
				return NULL;
			r->kref = decode_kref(a, p, p + v, 1);
			if (!r->kref)
				return NULL;
			r->body_case = KVMREC__RECORD__BODY_KREF;
			p += v;
			break;
		default:
			/* The frame mark (16), any other body. */
			p = field_generic(&r->base, a, tag, p, end, 0);
			if (!p)
				return NULL;
		}
	}
	return r;
}

#undef NEXT_VARINT

ProtobufCMessage *trace_decode_fast(const ProtobufCMessageDescriptor *desc,
				    ProtobufCAllocator *alloc,
				    const uint8_t *data, size_t len)
{
	if (desc == &kvmrec__record__descriptor) {
		if (!atomic_load_explicit(&hand_checked, memory_order_acquire))
			pthread_once(&hand_once, hand_check);
		Kvmrec__Record *r = decode_record(alloc, data, data + len);

		return r ? &r->base : NULL;
	}
	return decode(desc, alloc, data, data + len, 0);
}
