// SPDX-License-Identifier: GPL-2.0-only
/*
 * kref: a kernel event as a reference to its exit, and back (see kref.h).
 */
#include <errno.h>
#include <string.h>

#include "kref.h"

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

static int expand_exit(const Kvmrec__KernelRef *ref, const Kvmrec__RunExit *x,
		       Kvmrec__KernelEvent *k, int64_t *args)
{
	*k = (Kvmrec__KernelEvent)KVMREC__KERNEL_EVENT__INIT;	/* inline: once per reference read */
	k->has_id = 1;
	k->id = ref->id;
	k->has_cpu = ref->has_cpu;
	k->cpu = ref->cpu;
	k->args = args;
	switch (ref->id) {
	case KVMREC__KERNEL_EVENT_ID__KEV_USERSPACE_EXIT:
		args[0] = x->reason;
		args[1] = x->ret < 0 ? -(int64_t)x->err : x->ret;
		k->n_args = 2;
		return 0;
	case KVMREC__KERNEL_EVENT_ID__KEV_PIO: {
		const Kvmrec__ExitIo *io = x->io;

		if (x->payload_case != KVMREC__RUN_EXIT__PAYLOAD_IO || !io)
			return -EINVAL;
		args[0] = io->out ? 1 : 0;
		args[1] = io->port;
		args[2] = io->size;
		args[3] = io->count;
		args[4] = le_value(io->has_data, &io->data, io->size);
		k->n_args = 5;
		return 0;
	}
	case KVMREC__KERNEL_EVENT_ID__KEV_MMIO: {
		const Kvmrec__ExitMmio *m = x->mmio;
		uint32_t type;

		if (x->payload_case != KVMREC__RUN_EXIT__PAYLOAD_MMIO || !m)
			return -EINVAL;
		type = ref->has_mmio_type ? ref->mmio_type : m->write ? MMIO_WRITE : MMIO_READ;
		args[0] = type;
		args[1] = m->len;
		args[2] = (int64_t)m->addr;
		args[3] = type == MMIO_READ_UNSATISFIED ? 0 : le_value(m->has_data, &m->data, m->len);
		k->n_args = 4;
		return 0;
	}
	default:
		return -EINVAL;
	}
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
		return k->args[0] == 0;		/* rw: an IN completes on the next KVM_RUN */
	case KVMREC__KERNEL_EVENT_ID__KEV_MMIO:
		return k->args[0] == MMIO_READ;	/* so does a read */
	default:
		return false;
	}
}

bool kref_match(const Kvmrec__KernelEvent *k, const Kvmrec__RunExit *x,
		Kvmrec__KernelRef *ref)
{
	Kvmrec__KernelEvent e;
	int64_t args[KREF_ARGS_MAX];

	if (!k->has_id || k->name || k->n_fields || k->exit_name || k->base.n_unknown_fields)
		return false;
	kvmrec__kernel_ref__init(ref);
	ref->has_id = 1;
	ref->id = k->id;
	ref->has_cpu = k->has_cpu;
	ref->cpu = k->cpu;
	switch (k->id) {
	case KVMREC__KERNEL_EVENT_ID__KEV_USERSPACE_EXIT:
		if (k->n_args != 2)
			return false;
		break;
	case KVMREC__KERNEL_EVENT_ID__KEV_PIO:
		if (k->n_args != 5 || x->payload_case != KVMREC__RUN_EXIT__PAYLOAD_IO)
			return false;
		break;
	case KVMREC__KERNEL_EVENT_ID__KEV_MMIO:
		if (k->n_args != 4 || x->payload_case != KVMREC__RUN_EXIT__PAYLOAD_MMIO || !x->mmio)
			return false;
		if (k->args[0] != (x->mmio->write ? MMIO_WRITE : MMIO_READ)) {
			if (k->args[0] < 0 || k->args[0] > UINT32_MAX)
				return false;
			ref->has_mmio_type = 1;
			ref->mmio_type = (uint32_t)k->args[0];
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
