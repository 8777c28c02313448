// SPDX-License-Identifier: GPL-2.0-only
/*
 * kref: a kernel event as a reference to its exit, and back (see kref.h).
 */
#include <errno.h>
#include <string.h>

#include "kevent_table.h"
#include "kref.h"
#include "pb_init.h"

enum { MMIO_READ_UNSATISFIED = 0, MMIO_READ = 1, MMIO_WRITE = 2 };

/* The first @size bytes of @d as a little-endian number (at most 8), 0 if absent. */
static int64_t le_value(protobuf_c_boolean has, const ProtobufCBinaryData *d, uint32_t size)
{
	uint64_t v = 0;
	size_t n = size < 8 ? size : 8;

	if (!has)
		return 0;
	if (n > d->len)
		n = d->len;
	for (size_t i = n; i-- > 0;)
		v = v << 8 | d->data[i];
	return (int64_t)v;
}

/*
 * What the exit @x says of field @f of @ref's event, into *@v; false for a
 * field it does not give. @type: kvm_mmio's type, worked out by the caller.
 */
static inline bool exit_field(const Kvmrec__KernelRef *ref, const Kvmrec__RunExit *x,
			      enum kev_field f, uint32_t type, int64_t *v)
{
	const Kvmrec__ExitIo *io = x->io;
	const Kvmrec__ExitMmio *m = x->mmio;

	switch (ref->id) {
	case KVMREC__KERNEL_EVENT_ID__KEV_USERSPACE_EXIT:
		if (f == KEV_F_REASON)
			*v = x->reason;
		else if (f == KEV_F_ERRNO)
			*v = x->ret < 0 ? -(int64_t)x->err : x->ret;
		else
			return false;
		return true;
	case KVMREC__KERNEL_EVENT_ID__KEV_PIO:
		switch (f) {
		case KEV_F_RW:		*v = io->out ? 1 : 0; return true;
		case KEV_F_PORT:	*v = io->port; return true;
		case KEV_F_SIZE:	*v = io->size; return true;
		case KEV_F_COUNT:	*v = io->count; return true;
		case KEV_F_VAL:		*v = le_value(io->has_data, &io->data, io->size); return true;
		default:		return false;
		}
	case KVMREC__KERNEL_EVENT_ID__KEV_MMIO:
		switch (f) {
		case KEV_F_TYPE:	*v = type; return true;
		case KEV_F_LEN:		*v = m->len; return true;
		case KEV_F_GPA:		*v = (int64_t)m->addr; return true;
		case KEV_F_VAL:
			*v = type == MMIO_READ_UNSATISFIED ? 0 : le_value(m->has_data, &m->data, m->len);
			return true;
		default:		return false;
		}
	default:
		return false;
	}
}

/* The event @ref stands for, its args in the table's order (kevent_table.h), from @x. */
static int expand_exit(const Kvmrec__KernelRef *ref, const Kvmrec__RunExit *x,
		       Kvmrec__KernelEvent *k, int64_t *args)
{
	const struct kevent_desc *d = kevent_desc(ref->id);
	uint32_t type = 0;

	if (!d || d->nfields > KREF_ARGS_MAX)
		return -EINVAL;
	switch (ref->id) {
	case KVMREC__KERNEL_EVENT_ID__KEV_USERSPACE_EXIT:
		break;
	case KVMREC__KERNEL_EVENT_ID__KEV_PIO:
		if (x->payload_case != KVMREC__RUN_EXIT__PAYLOAD_IO || !x->io)
			return -EINVAL;
		break;
	case KVMREC__KERNEL_EVENT_ID__KEV_MMIO:
		if (x->payload_case != KVMREC__RUN_EXIT__PAYLOAD_MMIO || !x->mmio)
			return -EINVAL;
		type = ref->has_mmio_type ? ref->mmio_type : x->mmio->write ? MMIO_WRITE : MMIO_READ;
		break;
	default:
		return -EINVAL;	/* only these three repeat an exit */
	}
	PB_INIT(k, Kvmrec__KernelEvent, KVMREC__KERNEL_EVENT__INIT);	/* once per reference read */
	k->has_id = 1;
	k->id = ref->id;
	k->has_cpu = ref->has_cpu;
	k->cpu = ref->cpu;
	k->args = args;
	for (unsigned int i = 0; i < d->nfields; i++)
		if (!exit_field(ref, x, d->fields[i], type, &args[i]))
			return -EINVAL;
	k->n_args = d->nfields;
	return 0;
}

int kref_expand(const Kvmrec__KernelRef *ref, const Kvmrec__Record *exit,
		Kvmrec__KernelEvent *k, int64_t *args)
{
	if (exit->body_case != KVMREC__RECORD__BODY_EXIT || !exit->exit)
		return -EINVAL;
	return expand_exit(ref, exit->exit, k, args);
}

bool kref_after_exit(const Kvmrec__KernelEvent *k)
{
	if (!k->n_args)
		return false;
	switch (k->id) {
	case KVMREC__KERNEL_EVENT_ID__KEV_PIO:
		return kevent_get(k, KEV_F_RW, -1) == 0;	/* an IN completes on the next KVM_RUN */
	case KVMREC__KERNEL_EVENT_ID__KEV_MMIO:
		return kevent_get(k, KEV_F_TYPE, -1) == MMIO_READ;	/* so does a read */
	default:
		return false;
	}
}

bool kref_match(const Kvmrec__KernelEvent *k, const Kvmrec__RunExit *x,
		Kvmrec__KernelRef *ref)
{
	Kvmrec__KernelEvent e;
	int64_t args[KREF_ARGS_MAX], type;

	if (!k->has_id || k->name || k->n_fields || k->exit_name || k->base.n_unknown_fields)
		return false;
	kvmrec__kernel_ref__init(ref);
	ref->has_id = 1;
	ref->id = k->id;
	ref->has_cpu = k->has_cpu;
	ref->cpu = k->cpu;
	/* Exactly the table's fields: an event with more or fewer is stored whole. */
	if (k->n_args != kevent_nfields(k->id))
		return false;
	switch (k->id) {
	case KVMREC__KERNEL_EVENT_ID__KEV_USERSPACE_EXIT:
		break;
	case KVMREC__KERNEL_EVENT_ID__KEV_PIO:
		if (x->payload_case != KVMREC__RUN_EXIT__PAYLOAD_IO)
			return false;
		break;
	case KVMREC__KERNEL_EVENT_ID__KEV_MMIO:
		if (x->payload_case != KVMREC__RUN_EXIT__PAYLOAD_MMIO || !x->mmio)
			return false;
		type = kevent_get(k, KEV_F_TYPE, 0);
		if (type != (x->mmio->write ? MMIO_WRITE : MMIO_READ)) {
			if (type < 0 || type > UINT32_MAX)
				return false;
			ref->has_mmio_type = 1;
			ref->mmio_type = (uint32_t)type;
		}
		break;
	default:
		return false;
	}
	/*
	 * What the expansion sets is id, args and cpu (copied from @k), nothing
	 * else; @k has nothing else (checked above). Equal args: equal events,
	 * as protobuf-c encodes and decodes them.
	 */
	if (expand_exit(ref, x, &e, args) || e.n_args != k->n_args)
		return false;
	return !memcmp(args, k->args, k->n_args * sizeof(*args));
}
