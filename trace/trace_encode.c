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

static inline void put_u(struct cursor *c, uint32_t id, bool has, uint64_t v)
{
	if (has) {
		put_tag(c, id, WIRE_VARINT);
		put_varint(c, v);
	}
}

/*
 * The hottest records by hand: a port I/O exit and a kernel event, the
 * fields in field-number order as protobuf-c writes them. Each is used only
 * while its message has exactly the fields written here (a schema change
 * falls back to the generic loop until this is updated: slower, never wrong).
 */
static bool encode_exit_io(struct cursor *c, const Kvmrec__ExitIo *io)
{
	if (io->base.descriptor->n_fields != 6 || io->base.n_unknown_fields)
		return false;
	put_u(c, 1, io->has_out, io->out ? 1 : 0);
	put_u(c, 2, io->has_size, io->size);
	put_u(c, 3, io->has_port, io->port);
	put_u(c, 4, io->has_count, io->count);
	if (io->has_data) {
		put_tag(c, 5, WIRE_LEN);
		put_varint(c, io->data.len);
		put_raw(c, io->data.data, io->data.len);
	}
	put_u(c, 6, io->has_data_add,
	      ((uint64_t)io->data_add << 1) ^ (uint64_t)(io->data_add >> 63));
	return true;
}

static bool encode_run_exit(struct cursor *c, const Kvmrec__RunExit *x)
{
	if (x->base.descriptor->n_fields != 20 || x->base.n_unknown_fields)
		return false;
	if (x->payload_case != KVMREC__RUN_EXIT__PAYLOAD__NOT_SET &&
	    x->payload_case != KVMREC__RUN_EXIT__PAYLOAD_IO)
		return false;
	put_u(c, 1, x->has_reason, x->reason);
	put_u(c, 2, x->has_ret, (uint32_t)(((uint32_t)x->ret << 1) ^ (uint32_t)(x->ret >> 31)));
	put_u(c, 3, x->has_err, x->err);
	put_u(c, 4, x->has_flags, x->flags);
	put_u(c, 5, x->has_run_ns, x->run_ns);
	put_u(c, 6, x->has_cr8, x->cr8);
	put_u(c, 7, x->has_apic_base, x->apic_base);
	put_u(c, 8, x->has_run_flags, x->run_flags);
	put_u(c, 9, x->has_cr8_in, x->cr8_in);
	if (x->payload_case == KVMREC__RUN_EXIT__PAYLOAD_IO && x->io) {
		put_tag(c, 10, WIRE_LEN);
		uint8_t *at = len_begin(c);
		if (!at)
			return true;
		if (!encode_exit_io(c, x->io))
			encode_generic(c, &x->io->base);
		len_end(c, at);
	}
	return true;
}

static bool encode_kevent(struct cursor *c, const Kvmrec__KernelEvent *k)
{
	if (k->base.descriptor->n_fields != 6 || k->base.n_unknown_fields || k->name ||
	    k->n_fields || k->exit_name)
		return false;
	put_u(c, 1, k->has_id, (uint64_t)(int64_t)k->id);
	if (k->n_args) {
		put_tag(c, 2, WIRE_LEN);
		uint8_t *at = len_begin(c);
		for (size_t i = 0; at && i < k->n_args; i++)
			put_varint(c, ((uint64_t)k->args[i] << 1) ^ (uint64_t)(k->args[i] >> 63));
		if (at)
			len_end(c, at);
	}
	put_u(c, 3, k->has_cpu, k->cpu);
	return true;
}

/* The record around a hot body: its position fields, then the body. */
static bool encode_record(struct cursor *c, const Kvmrec__Record *r)
{
	const ProtobufCMessage *body;
	uint32_t id;

	if (r->base.descriptor->n_fields != 17 || r->base.n_unknown_fields)
		return false;
	if (r->body_case == KVMREC__RECORD__BODY_EXIT && r->exit)
		id = 5, body = &r->exit->base;
	else if (r->body_case == KVMREC__RECORD__BODY_KEVENT && r->kevent)
		id = 8, body = &r->kevent->base;
	else
		return false;
	put_u(c, 1, r->has_seq_delta, r->seq_delta);
	put_u(c, 2, r->has_ts_delta, ((uint64_t)r->ts_delta << 1) ^ (uint64_t)(r->ts_delta >> 63));
	put_u(c, 3, r->has_vcpu, (uint32_t)(((uint32_t)r->vcpu << 1) ^ (uint32_t)(r->vcpu >> 31)));
	put_u(c, 4, r->has_tid, r->tid);
	put_tag(c, id, WIRE_LEN);
	uint8_t *at = len_begin(c);
	if (at) {
		encode_message(c, body);
		len_end(c, at);
	}
	/* A frame's first record carries the frame's mark (field 16), after the body. */
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

/* Hot bodies by hand, anything else field by field. */
static void encode_message(struct cursor *c, const ProtobufCMessage *m)
{
	if (m->descriptor == &kvmrec__record__descriptor &&
	    encode_record(c, (const Kvmrec__Record *)m))
		return;
	if (m->descriptor == &kvmrec__run_exit__descriptor &&
	    encode_run_exit(c, (const Kvmrec__RunExit *)m))
		return;
	if (m->descriptor == &kvmrec__kernel_event__descriptor &&
	    encode_kevent(c, (const Kvmrec__KernelEvent *)m))
		return;
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
