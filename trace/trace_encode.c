// SPDX-License-Identifier: GPL-2.0-only
/*
 * trace_encode: one-pass protobuf encoding of protobuf-c structs (see
 * trace_encode.h). A nested message's length is written after its bytes: one
 * byte is reserved for it, and the bytes move up in the rare case the length
 * needs more.
 */
#include <stdbool.h>
#include <string.h>

#include "kvmrec.pb-c.h"
#include "trace_encode.h"
#include "trace_varint.h"

enum { WIRE_VARINT = 0, WIRE_LEN = 2 };

struct cursor {
	uint8_t *p, *end;
	bool bad;
};

static inline void put_varint(struct cursor *c, uint64_t v)
{
	if (c->end - c->p < TRACE_VARINT_MAX) {
		c->bad = true;
		return;
	}
	c->p += trace_varint_put(c->p, v);
}

static inline void put_tag(struct cursor *c, uint32_t id, int wire)
{
	put_varint(c, ((uint64_t)id << 3) | (uint64_t)wire);
}

static void put_raw(struct cursor *c, const void *data, size_t len)
{
	if ((size_t)(c->end - c->p) < len) {
		c->bad = true;
		return;
	}
	if (len)
		memcpy(c->p, data, len);
	c->p += len;
}

/* Starts a length-delimited body: reserves its length's first byte. */
static uint8_t *len_begin(struct cursor *c)
{
	if (c->p == c->end) {
		c->bad = true;
		return NULL;
	}
	return c->p++;
}

static void len_end(struct cursor *c, uint8_t *at)
{
	if (c->bad)
		return;
	uint8_t *body = at + 1;
	size_t len = (size_t)(c->p - body);
	unsigned int n = trace_varint_len(len);

	if (n > 1) {
		if ((size_t)(c->end - c->p) < n - 1) {
			c->bad = true;
			return;
		}
		memmove(body + n - 1, body, len);
		c->p += n - 1;
	}
	trace_varint_put(at, len);
}

static void encode_message(struct cursor *c, const ProtobufCMessage *m);

/* A varint-typed value's wire form; false for types outside the subset. */
static inline bool varint_of(ProtobufCType type, const void *p, uint64_t *v)
{
	switch (type) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_ENUM:
		/* Negative int32 is sign-extended to ten bytes, as protobuf-c does. */
		*v = (uint64_t)(int64_t)*(const int32_t *)p;
		return true;
	case PROTOBUF_C_TYPE_UINT32:
		*v = *(const uint32_t *)p;
		return true;
	case PROTOBUF_C_TYPE_SINT32: {
		int32_t s = *(const int32_t *)p;
		*v = (uint32_t)(((uint32_t)s << 1) ^ (uint32_t)(s >> 31));
		return true;
	}
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_UINT64:
		*v = *(const uint64_t *)p;
		return true;
	case PROTOBUF_C_TYPE_SINT64: {
		int64_t s = *(const int64_t *)p;
		*v = ((uint64_t)s << 1) ^ (uint64_t)(s >> 63);
		return true;
	}
	case PROTOBUF_C_TYPE_BOOL:
		*v = *(const protobuf_c_boolean *)p ? 1 : 0;
		return true;
	default:
		return false;
	}
}

/* One value of field @f (tag and payload); @p points at the value itself. */
static void encode_value(struct cursor *c, const ProtobufCFieldDescriptor *f, const void *p)
{
	uint64_t v;

	switch (f->type) {
	case PROTOBUF_C_TYPE_STRING: {
		const char *s = *(char *const *)p;
		size_t len = s ? strlen(s) : 0;
		put_tag(c, f->id, WIRE_LEN);
		put_varint(c, len);
		put_raw(c, s, len);
		return;
	}
	case PROTOBUF_C_TYPE_BYTES: {
		const ProtobufCBinaryData *b = p;
		put_tag(c, f->id, WIRE_LEN);
		put_varint(c, b->len);
		put_raw(c, b->data, b->len);
		return;
	}
	case PROTOBUF_C_TYPE_MESSAGE: {
		const ProtobufCMessage *sub = *(ProtobufCMessage *const *)p;
		put_tag(c, f->id, WIRE_LEN);
		uint8_t *at = len_begin(c);
		if (sub && at)
			encode_message(c, sub);
		if (at)
			len_end(c, at);
		return;
	}
	default:
		if (!varint_of(f->type, p, &v)) {
			c->bad = true;
			return;
		}
		put_tag(c, f->id, WIRE_VARINT);
		put_varint(c, v);
		return;
	}
}

static size_t element_size(ProtobufCType type)
{
	switch (type) {
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_FIXED64:
	case PROTOBUF_C_TYPE_DOUBLE:
		return 8;
	case PROTOBUF_C_TYPE_BOOL:
		return sizeof(protobuf_c_boolean);
	case PROTOBUF_C_TYPE_STRING:
	case PROTOBUF_C_TYPE_MESSAGE:
		return sizeof(void *);
	case PROTOBUF_C_TYPE_BYTES:
		return sizeof(ProtobufCBinaryData);
	default:
		return 4;
	}
}

static void encode_repeated(struct cursor *c, const ProtobufCFieldDescriptor *f, size_t n,
			    const void *member)
{
	const uint8_t *arr = *(const uint8_t *const *)member;
	size_t sz = element_size(f->type);
	uint64_t v;

	if (!(f->flags & PROTOBUF_C_FIELD_FLAG_PACKED)) {
		for (size_t i = 0; i < n && !c->bad; i++)
			encode_value(c, f, arr + i * sz);
		return;
	}
	put_tag(c, f->id, WIRE_LEN);
	uint8_t *at = len_begin(c);
	for (size_t i = 0; i < n && at && !c->bad; i++) {
		if (!varint_of(f->type, arr + i * sz, &v)) {
			c->bad = true;
			return;
		}
		put_varint(c, v);
	}
	if (at)
		len_end(c, at);
}

static void encode_generic(struct cursor *c, const ProtobufCMessage *m);

/*
 * The hottest messages by hand: a record's position fields, a port I/O exit,
 * a kernel event, the fields in field-number order as protobuf-c writes them.
 * Each is used only while its message has exactly the fields written here (a
 * schema change falls back to the generic loop until this is updated:
 * slower, never wrong). They write without a check per byte, so only where
 * the buffer has the most they can write (*_MAX) left; the generic loop
 * writes the rest.
 */

/* Byte by byte, no bound check: the callers checked the room. */
static inline uint8_t *put_v(uint8_t *p, uint64_t v)
{
	return p + trace_varint_put(p, v);
}

static inline uint8_t *put_u(uint8_t *p, uint32_t id, bool has, uint64_t v)
{
	if (has) {
		*p++ = (uint8_t)(id << 3 | WIRE_VARINT);
		p = put_v(p, v);
	}
	return p;
}

static inline uint64_t zigzag64(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static inline uint32_t zigzag32(int32_t v)
{
	return ((uint32_t)v << 1) ^ (uint32_t)(v >> 31);
}

/*
 * A nested message's length, written at @at once its body (@at + 1 to @p) is
 * there; the body moves up a byte if its length needs two (the callers leave
 * that byte of room: their bodies are under 2^14 bytes). Returns the end.
 */
static inline uint8_t *put_len(uint8_t *at, uint8_t *p)
{
	size_t len = (size_t)(p - at - 1);

	if (len < 0x80) {
		*at = (uint8_t)len;
		return p;
	}
	memmove(at + 2, at + 1, len);
	at[0] = (uint8_t)(len | 0x80);
	at[1] = (uint8_t)(len >> 7);
	return p + 1;
}

/* Record fields 1-4: a tag and at most ten bytes each. */
#define POS_MAX 38
static uint8_t *put_pos(uint8_t *p, const Kvmrec__Record *r)
{
	p = put_u(p, 1, r->has_seq_delta, r->seq_delta);
	p = put_u(p, 2, r->has_ts_delta, zigzag64(r->ts_delta));
	p = put_u(p, 3, r->has_vcpu, zigzag32(r->vcpu));
	return put_u(p, 4, r->has_tid, r->tid);
}

/* An ExitIo of at most IO_DATA_MAX data bytes is hot. */
#define IO_DATA_MAX 64
#define EXIT_IO_MAX (5 * 11 + 3 + IO_DATA_MAX + 11)
static inline bool hot_exit_io(const Kvmrec__ExitIo *io)
{
	return io->base.descriptor->n_fields == 6 && !io->base.n_unknown_fields &&
	       (!io->has_data || io->data.len <= IO_DATA_MAX);
}

static uint8_t *put_exit_io(uint8_t *p, const Kvmrec__ExitIo *io)
{
	p = put_u(p, 1, io->has_out, io->out ? 1 : 0);
	p = put_u(p, 2, io->has_size, io->size);
	p = put_u(p, 3, io->has_port, io->port);
	p = put_u(p, 4, io->has_count, io->count);
	if (io->has_data) {
		*p++ = 5 << 3 | WIRE_LEN;
		p = put_v(p, io->data.len);
		if (io->data.len)
			memcpy(p, io->data.data, io->data.len);
		p += io->data.len;
	}
	return put_u(p, 6, io->has_data_add, zigzag64(io->data_add));
}

/* A RunExit without payload or with a hot ExitIo. */
#define RUN_EXIT_MAX (9 * 11 + 3 + EXIT_IO_MAX + 1)
static inline bool hot_run_exit(const Kvmrec__RunExit *x)
{
	if (x->base.descriptor->n_fields != 20 || x->base.n_unknown_fields)
		return false;
	if (x->payload_case == KVMREC__RUN_EXIT__PAYLOAD_IO)
		return !x->io || hot_exit_io(x->io);
	return x->payload_case == KVMREC__RUN_EXIT__PAYLOAD__NOT_SET;
}

static uint8_t *put_run_exit(uint8_t *p, const Kvmrec__RunExit *x)
{
	p = put_u(p, 1, x->has_reason, x->reason);
	p = put_u(p, 2, x->has_ret, zigzag32(x->ret));
	p = put_u(p, 3, x->has_err, x->err);
	p = put_u(p, 4, x->has_flags, x->flags);
	p = put_u(p, 5, x->has_run_ns, x->run_ns);
	p = put_u(p, 6, x->has_cr8, x->cr8);
	p = put_u(p, 7, x->has_apic_base, x->apic_base);
	p = put_u(p, 8, x->has_run_flags, x->run_flags);
	p = put_u(p, 9, x->has_cr8_in, x->cr8_in);
	if (x->payload_case == KVMREC__RUN_EXIT__PAYLOAD_IO && x->io) {
		uint8_t *at;

		*p++ = 10 << 3 | WIRE_LEN;
		at = p++;
		p = put_len(at, put_exit_io(p, x->io));
	}
	return p;
}

/* A KernelEvent of the table's kind: id, at most KEVENT_ARGS_MAX args, cpu. */
#define KEVENT_ARGS_MAX 8
#define KEVENT_MAX (11 + 3 + 10 * KEVENT_ARGS_MAX + 6)
static inline bool hot_kevent(const Kvmrec__KernelEvent *k)
{
	return k->base.descriptor->n_fields == 6 && !k->base.n_unknown_fields && !k->name &&
	       !k->n_fields && !k->exit_name && k->n_args <= KEVENT_ARGS_MAX;
}

static uint8_t *put_kevent(uint8_t *p, const Kvmrec__KernelEvent *k)
{
	p = put_u(p, 1, k->has_id, (uint64_t)(int64_t)k->id);
	if (k->n_args) {
		uint8_t *at;

		*p++ = 2 << 3 | WIRE_LEN;
		at = p++;
		for (size_t i = 0; i < k->n_args; i++)
			p = put_v(p, zigzag64(k->args[i]));
		p = put_len(at, p);
	}
	return put_u(p, 3, k->has_cpu, k->cpu);
}

/* The most a hot body takes (with its tag and length), or 0 if @r's body is not hot. */
static inline size_t hot_body_max(const Kvmrec__Record *r)
{
	if (r->body_case == KVMREC__RECORD__BODY_EXIT && r->exit && hot_run_exit(r->exit))
		return 3 + RUN_EXIT_MAX;
	if (r->body_case == KVMREC__RECORD__BODY_KEVENT && r->kevent && hot_kevent(r->kevent))
		return 3 + KEVENT_MAX;
	return 0;
}

size_t trace_encode_hot_max(const Kvmrec__Record *r)
{
	size_t body;

	if (r->base.descriptor->n_fields != 17 || r->base.n_unknown_fields || r->frame)
		return 0;
	body = hot_body_max(r);
	return body ? POS_MAX + body : 0;
}

/*
 * A record: its position fields by hand, then its body (by hand when hot),
 * then a frame's mark (field 16). Records whose body has a field number past
 * 16 (header, footer) go to the generic loop, which keeps that order.
 */
static bool encode_record(struct cursor *c, const Kvmrec__Record *r)
{
	size_t room = (size_t)(c->end - c->p), hot = hot_body_max(r);
	const ProtobufCFieldDescriptor *f = NULL;
	const ProtobufCMessage *body = NULL;
	uint8_t *at;

	if (r->base.descriptor->n_fields != 17 || r->base.n_unknown_fields ||
	    room < POS_MAX + (hot ? hot : 3) || r->body_case > KVMREC__RECORD__BODY_BATCH)
		return false;
	/* Every body is a message, the oneof's members Record's fields 5-14 in order. */
	if (r->body_case != KVMREC__RECORD__BODY__NOT_SET) {
		f = &kvmrec__record__descriptor.fields[r->body_case - 1];
		if (f->id != r->body_case || f->type != PROTOBUF_C_TYPE_MESSAGE)
			return false;
	}
	c->p = put_pos(c->p, r);
	if (hot && !r->frame) {
		/* The hottest case, all by hand. */
		*c->p++ = (uint8_t)(r->body_case << 3 | WIRE_LEN);
		at = c->p++;
		c->p = put_len(at, r->body_case == KVMREC__RECORD__BODY_EXIT ?
				   put_run_exit(at + 1, r->exit) : put_kevent(at + 1, r->kevent));
		return true;
	}
	if (f) {
		body = *(const ProtobufCMessage *const *)((const char *)r + f->offset);
		if (body) {
			put_tag(c, r->body_case, WIRE_LEN);
			at = len_begin(c);
			if (at) {
				encode_message(c, body);
				len_end(c, at);
			}
		}
	}
	if (r->frame) {
		put_tag(c, 16, WIRE_LEN);
		at = len_begin(c);
		if (at) {
			encode_generic(c, &r->frame->base);
			len_end(c, at);
		}
	}
	return true;
}

/* Hot messages by hand where there is room, anything else field by field. */
static void encode_message(struct cursor *c, const ProtobufCMessage *m)
{
	size_t room = (size_t)(c->end - c->p);

	if (m->descriptor == &kvmrec__record__descriptor &&
	    encode_record(c, (const Kvmrec__Record *)m))
		return;
	if (m->descriptor == &kvmrec__run_exit__descriptor && room >= RUN_EXIT_MAX &&
	    hot_run_exit((const Kvmrec__RunExit *)m)) {
		c->p = put_run_exit(c->p, (const Kvmrec__RunExit *)m);
		return;
	}
	if (m->descriptor == &kvmrec__kernel_event__descriptor && room >= KEVENT_MAX &&
	    hot_kevent((const Kvmrec__KernelEvent *)m)) {
		c->p = put_kevent(c->p, (const Kvmrec__KernelEvent *)m);
		return;
	}
	encode_generic(c, m);
}

static void encode_generic(struct cursor *c, const ProtobufCMessage *m)
{
	const ProtobufCMessageDescriptor *d = m->descriptor;

	if (m->n_unknown_fields) {
		c->bad = true;
		return;
	}
	for (unsigned int i = 0; i < d->n_fields && !c->bad; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];
		const void *member = (const char *)m + f->offset;
		const void *q = (const char *)m + f->quantifier_offset;
		bool pointer = f->type == PROTOBUF_C_TYPE_MESSAGE || f->type == PROTOBUF_C_TYPE_STRING;

		switch (f->label) {
		case PROTOBUF_C_LABEL_REQUIRED:
			encode_value(c, f, member);
			break;
		case PROTOBUF_C_LABEL_OPTIONAL:
			if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
				if (*(const uint32_t *)q != f->id)
					break;
			} else if (!pointer && !*(const protobuf_c_boolean *)q) {
				break;
			}
			/* An absent or default message or string is not written, as in protobuf-c. */
			if (pointer && (!*(void *const *)member ||
					*(void *const *)member == f->default_value))
				break;
			encode_value(c, f, member);
			break;
		case PROTOBUF_C_LABEL_REPEATED:
			if (*(const size_t *)q)
				encode_repeated(c, f, *(const size_t *)q, member);
			break;
		default:
			c->bad = true;	/* proto3 fields: not in kvmrec's schema */
			break;
		}
	}
}

size_t trace_encode(const ProtobufCMessage *m, uint8_t *out, size_t cap)
{
	struct cursor c = { out, out + cap, false };

	encode_message(&c, m);
	return c.bad ? 0 : (size_t)(c.p - out);
}
