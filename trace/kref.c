// SPDX-License-Identifier: GPL-2.0-only
/*
 * kref: a kernel event as a reference to its exit, and back (see kref.h).
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>

#include "kevent_table.h"
#include "kref.h"
#include "pb_init.h"

enum { MMIO_READ_UNSATISFIED = 0, MMIO_READ = 1, MMIO_WRITE = 2 };

/*
 * Where each field an expansion sets sits in its event's args, asked of the
 * table once: the writer compares two events per exit. An event whose row
 * lacks one of these fields, or has others, is never a reference (n = 0).
 */
static struct {
	unsigned int n_exit, n_pio, n_mmio;     /* args of each event */
	int reason, err;                        /* kvm_userspace_exit */
	int rw, port, size, count, pio_val;     /* kvm_pio */
	int type, len, gpa, mmio_val;           /* kvm_mmio */
} at;
static pthread_once_t at_once = PTHREAD_ONCE_INIT;
static atomic_bool at_built;

/* The number of @id's args if @pos (@n of them) are exactly its fields' positions, else 0. */
static unsigned int layout_of(Kvmrec__KernelEventId id, const int *pos, unsigned int n)
{
	unsigned int seen = 0;

	if (kevent_nfields(id) != n)
		return 0;
	for (unsigned int i = 0; i < n; i++) {
		if (pos[i] < 0 || (unsigned int)pos[i] >= n || seen & 1u << pos[i])
			return 0;
		seen |= 1u << pos[i];
	}
	return n;
}

static void layout_build(void)
{
	const Kvmrec__KernelEventId exit = KVMREC__KERNEL_EVENT_ID__KEV_USERSPACE_EXIT,
				    pio = KVMREC__KERNEL_EVENT_ID__KEV_PIO,
				    mmio = KVMREC__KERNEL_EVENT_ID__KEV_MMIO;

	at.reason = kevent_field_pos(exit, KEV_F_REASON);
	at.err = kevent_field_pos(exit, KEV_F_ERRNO);
	at.n_exit = layout_of(exit, (int[]){ at.reason, at.err }, 2);
	at.rw = kevent_field_pos(pio, KEV_F_RW);
	at.port = kevent_field_pos(pio, KEV_F_PORT);
	at.size = kevent_field_pos(pio, KEV_F_SIZE);
	at.count = kevent_field_pos(pio, KEV_F_COUNT);
	at.pio_val = kevent_field_pos(pio, KEV_F_VAL);
	at.n_pio = layout_of(pio, (int[]){ at.rw, at.port, at.size, at.count, at.pio_val }, 5);
	at.type = kevent_field_pos(mmio, KEV_F_TYPE);
	at.len = kevent_field_pos(mmio, KEV_F_LEN);
	at.gpa = kevent_field_pos(mmio, KEV_F_GPA);
	at.mmio_val = kevent_field_pos(mmio, KEV_F_VAL);
	at.n_mmio = layout_of(mmio, (int[]){ at.type, at.len, at.gpa, at.mmio_val }, 4);
	atomic_store_explicit(&at_built, true, memory_order_release);
}

static inline void layout(void)
{
	if (!atomic_load_explicit(&at_built, memory_order_acquire))
		pthread_once(&at_once, layout_build);
}

/* Args of @id's expansion, 0 for an event that is never a reference. */
static inline unsigned int layout_args(Kvmrec__KernelEventId id)
{
	switch (id) {
	case KVMREC__KERNEL_EVENT_ID__KEV_USERSPACE_EXIT:
		return at.n_exit;
	case KVMREC__KERNEL_EVENT_ID__KEV_PIO:
		return at.n_pio;
	case KVMREC__KERNEL_EVENT_ID__KEV_MMIO:
		return at.n_mmio;
	default:
		return 0;
	}
}

/* Arg @pos of @e (a position from the table), @def if it has none there. */
static inline int64_t arg_at(const struct kref_event *e, int pos, int64_t def)
{
	return pos >= 0 && (size_t)pos < e->n_args ? e->args[pos] : def;
}

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

void kref_exit_of(const Kvmrec__RunExit *x, struct kref_exit *e)
{
	e->reason = x->reason;
	e->err = x->ret < 0 ? -(int64_t)x->err : x->ret;
	/* Every field set, whatever the payload: the writer copies the struct. */
	e->payload = KVMREC__RUN_EXIT__PAYLOAD__NOT_SET;
	e->write = false;
	e->port = e->size = e->count = e->len = 0;
	e->addr = 0;
	e->val = 0;
	if (x->payload_case == KVMREC__RUN_EXIT__PAYLOAD_IO && x->io) {
		const Kvmrec__ExitIo *io = x->io;

		e->payload = x->payload_case;
		e->write = io->out;
		e->port = io->port;
		e->size = io->size;
		e->count = io->count;
		e->val = le_value(io->has_data, &io->data, io->size);
	} else if (x->payload_case == KVMREC__RUN_EXIT__PAYLOAD_MMIO && x->mmio) {
		const Kvmrec__ExitMmio *m = x->mmio;

		e->payload = x->payload_case;
		e->write = m->write;
		e->len = m->len;
		e->addr = m->addr;
		e->val = le_value(m->has_data, &m->data, m->len);
	}
}

/* The args of the event @ref stands for (kvm_mmio's type @type); how many, or 0 if none. */
static inline size_t expand_args(Kvmrec__KernelEventId id, uint32_t type, const struct kref_exit *x,
			  int64_t *args)
{
	layout();
	switch (id) {
	case KVMREC__KERNEL_EVENT_ID__KEV_USERSPACE_EXIT:
		if (!at.n_exit)
			return 0;
		args[at.reason] = x->reason;
		args[at.err] = x->err;
		return at.n_exit;
	case KVMREC__KERNEL_EVENT_ID__KEV_PIO:
		if (x->payload != KVMREC__RUN_EXIT__PAYLOAD_IO || !at.n_pio)
			return 0;
		args[at.rw] = x->write ? 1 : 0;
		args[at.port] = x->port;
		args[at.size] = x->size;
		args[at.count] = x->count;
		args[at.pio_val] = x->val;
		return at.n_pio;
	case KVMREC__KERNEL_EVENT_ID__KEV_MMIO:
		if (x->payload != KVMREC__RUN_EXIT__PAYLOAD_MMIO || !at.n_mmio)
			return 0;
		args[at.type] = type;
		args[at.len] = x->len;
		args[at.gpa] = (int64_t)x->addr;
		args[at.mmio_val] = type == MMIO_READ_UNSATISFIED ? 0 : x->val;
		return at.n_mmio;
	default:
		return 0;
	}
}

/* The type kvm_mmio has when its reference does not say: the exit's direction. */
static uint32_t mmio_type(const struct kref_exit *x)
{
	return x->write ? MMIO_WRITE : MMIO_READ;
}

int kref_expand(const Kvmrec__KernelRef *ref, const Kvmrec__Record *exit,
		Kvmrec__KernelEvent *k, int64_t *args)
{
	struct kref_exit x;

	if (exit->body_case != KVMREC__RECORD__BODY_EXIT || !exit->exit)
		return -EINVAL;
	kref_exit_of(exit->exit, &x);
	PB_INIT(k, Kvmrec__KernelEvent, KVMREC__KERNEL_EVENT__INIT);	/* once per reference read */
	k->has_id = 1;
	k->id = ref->id;
	k->has_cpu = ref->has_cpu;
	k->cpu = ref->cpu;
	k->args = args;
	k->n_args = expand_args(ref->id, ref->has_mmio_type ? ref->mmio_type : mmio_type(&x),
				&x, args);	/* the type is read for kvm_mmio only */
	return k->n_args ? 0 : -EINVAL;
}

bool kref_event_of(const Kvmrec__KernelEvent *k, struct kref_event *e)
{
	unsigned int n;

	if (!k || k->n_args > KREF_ARGS_MAX ||
	    (k->id != KVMREC__KERNEL_EVENT_ID__KEV_USERSPACE_EXIT &&
	     k->id != KVMREC__KERNEL_EVENT_ID__KEV_PIO &&
	     k->id != KVMREC__KERNEL_EVENT_ID__KEV_MMIO))
		return false;
	layout();
	n = layout_args(k->id);
	/*
	 * What an expansion sets is id, args and cpu, nothing else, and exactly
	 * the table's fields: an event with more or fewer is stored whole.
	 */
	e->plain = k->has_id && !k->name && !k->n_fields && !k->exit_name &&
		   !k->base.n_unknown_fields && n && k->n_args == n;
	e->id = k->id;
	e->has_cpu = k->has_cpu;
	e->cpu = k->cpu;
	e->n_args = k->n_args;
	for (size_t i = 0; i < k->n_args; i++)
		e->args[i] = k->args[i];
	e->after = (e->id == KVMREC__KERNEL_EVENT_ID__KEV_PIO && arg_at(e, at.rw, -1) == 0) ||
		   (e->id == KVMREC__KERNEL_EVENT_ID__KEV_MMIO && arg_at(e, at.type, -1) == MMIO_READ);
	return true;
}

bool kref_match(const struct kref_event *e, const struct kref_exit *x,
		Kvmrec__KernelRef *ref)
{
	int64_t args[KREF_ARGS_MAX], type = 0;
	size_t n;

	if (!e->plain)
		return false;
	PB_INIT(ref, Kvmrec__KernelRef, KVMREC__KERNEL_REF__INIT);
	ref->has_id = 1;
	ref->id = e->id;
	ref->has_cpu = e->has_cpu;
	ref->cpu = e->cpu;
	if (e->id == KVMREC__KERNEL_EVENT_ID__KEV_MMIO) {
		if (x->payload != KVMREC__RUN_EXIT__PAYLOAD_MMIO)
			return false;
		type = arg_at(e, at.type, 0);
		if (type != mmio_type(x)) {
			if (type < 0 || type > UINT32_MAX)
				return false;
			ref->has_mmio_type = 1;
			ref->mmio_type = (uint32_t)type;
		}
	}
	/* Equal args: equal events, as protobuf-c encodes and decodes them. */
	n = expand_args(e->id, (uint32_t)type, x, args);
	if (!n || n != e->n_args)
		return false;
	for (size_t i = 0; i < n; i++)
		if (args[i] != e->args[i])
			return false;
	return true;
}
