/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kevent_table: the one table of the kvm:* tracepoints kvmrec knows — each
 * one's name, its KernelEventId in proto/kvmrec.proto, and its fields in
 * KernelEvent.args order — and the only code that knows a field's position.
 * Producers (recorder, import, the reader's kref expansion) store fields
 * with kevent_args_set(); consumers (replayer, views, renderer) read them
 * with kevent_get() by name, never by index. Unknown ids and args beyond
 * the table are tolerated: a reader asks for a field, never walks the
 * table past its end (docs/trace.md, "Kernel events"). Pure tables, no
 * allocation; lookups return NULL, -1 or the caller's default, never fail.
 */
#ifndef KVMREC_TRACE_KEVENT_TABLE_H
#define KVMREC_TRACE_KEVENT_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "kvmrec.pb-c.h"

/* Most fields of a tracepoint in the table (kvm_exit's seven) rounded up. */
#define KEVENT_MAX_FIELDS 8

/* Highest KernelEventId the table has a row for. */
#define KEVENT_ID_MAX KVMREC__KERNEL_EVENT_ID__KEV_APIC_ACCEPT_IRQ_OLD

/*
 * Every field name of every tracepoint, spelled as the kernel's format file
 * spells it (the recorder looks them up by that name); HEX: the short form
 * of an event shows it in hex (registers, ports, addresses, data).
 */
#define KEVENT_FIELDS(X) \
	X(REASON, "reason", 0)        X(ERRNO, "errno", 0)                           \
	X(APICID, "apicid", 0)        X(VECTOR, "vector", 0)                         \
	X(DM, "dm", 0)                X(TM, "tm", 0)                                 \
	X(VEC, "vec", 0)              X(COALESCED, "coalesced", 0)                   \
	X(RW, "rw", 0)                X(REG, "reg", 1)          X(VAL, "val", 1)     \
	X(ICR_LOW, "icr_low", 1)      X(DEST_ID, "dest_id", 0)                       \
	X(WRITE, "write", 0)          X(ECX, "ecx", 1)          X(DATA, "data", 1)   \
	X(EXCEPTION, "exception", 0)  X(PORT, "port", 1)        X(SIZE, "size", 0)   \
	X(COUNT, "count", 0)          X(TYPE, "type", 0)        X(LEN, "len", 0)     \
	X(GPA, "gpa", 1)              X(GSI, "gsi", 0)          X(LEVEL, "level", 0) \
	X(IRQ_SOURCE_ID, "irq_source_id", 0)                    X(ADDRESS, "address", 1) \
	X(E, "e", 0)                  X(PIN, "pin", 0)          X(CHIP, "chip", 0)   \
	X(ELCR, "elcr", 0)            X(IMR, "imr", 0)          X(IRQ, "irq", 0)     \
	X(SOFT, "soft", 0)            X(REINJECTED, "reinjected", 0)                 \
	X(VCPU_ID, "vcpu_id", 0)      X(RIP, "rip", 0)                               \
	X(EXIT_REASON, "exit_reason", 0)                        X(GUEST_RIP, "guest_rip", 0) \
	X(ISA, "isa", 0)              X(INFO1, "info1", 0)      X(INFO2, "info2", 0) \
	X(INTR_INFO, "intr_info", 0)  X(ERROR_CODE, "error_code", 0)

#define KEVENT_FIELD_ENUM(id, name, hex) KEV_F_##id,
enum kev_field {
	KEVENT_FIELDS(KEVENT_FIELD_ENUM)
	KEV_F_NR
};
#undef KEVENT_FIELD_ENUM

struct kevent_desc {
	const char *name;               /* "kvm_apic_accept_irq" */
	Kvmrec__KernelEventId id;
	bool traced;                    /* a tracepoint the recorder enables */
	uint8_t optional;               /* bit i: fields[i] absent on some kernels (read as 0) */
	unsigned int nfields;
	enum kev_field fields[KEVENT_MAX_FIELDS];  /* in KernelEvent.args order */
};

/* The row of @id; NULL for KEV_UNKNOWN, a hole, or an id from a newer recorder. */
const struct kevent_desc *kevent_desc(Kvmrec__KernelEventId id);
/* Rows in id order: the first for NULL, the one after @d, NULL after the last. */
const struct kevent_desc *kevent_desc_next(const struct kevent_desc *d);

const char *trace_kevent_name(Kvmrec__KernelEventId id);    /* "kvm_eoi"; "unknown" */
Kvmrec__KernelEventId trace_kevent_parse(const char *name); /* "kvm:kvm_eoi" too; KEV_UNKNOWN */

const char *kevent_field_name(enum kev_field f);   /* "vec"; "?" out of range */
bool kevent_field_hex(enum kev_field f);
/*
 * The other name a kernel gives the field, "" if none: newer kernels call
 * kvm_inj_virq's "irq" field "vector".
 */
const char *kevent_field_alt(enum kev_field f);

/* Where @f sits in @id's args, or -1 if @id has no such field. */
int kevent_field_pos(Kvmrec__KernelEventId id, enum kev_field f);

/*
 * Field @f of an event @id whose args are @args[0..@n): @def when the event
 * has no such field or the args stop short of it (an older producer).
 */
int64_t kevent_args_get(Kvmrec__KernelEventId id, const int64_t *args, size_t n,
			enum kev_field f, int64_t def);

/* kevent_get()'s lookups: the position of a field in a row, -1 if none. */
extern int8_t kevent_pos_table[KEVENT_ID_MAX + 1][KEV_F_NR];
/* kevent_get() of a field the event's row does not have: by its name. */
int64_t kevent_get_named(const Kvmrec__KernelEvent *k, enum kev_field f, int64_t def);

/*
 * Field @f of @k; for an event the table does not describe, the KernelField
 * of that name (an imported unknown event); else @def. Inline: the replayer
 * asks several times per kernel event.
 */
static inline int64_t kevent_get(const Kvmrec__KernelEvent *k, enum kev_field f, int64_t def)
{
	if ((unsigned int)k->id <= KEVENT_ID_MAX && (unsigned int)f < KEV_F_NR) {
		int pos = kevent_pos_table[k->id][f];

		if (pos >= 0)
			return (size_t)pos < k->n_args ? k->args[pos] : def;
	}
	return kevent_get_named(k, f, def);
}

/*
 * Producers: stores @v as field @f of event @id in @args, which holds
 * kevent_desc(id)->nfields values. -EINVAL (nothing stored) if @id has no
 * field @f.
 */
int kevent_args_set(Kvmrec__KernelEventId id, int64_t *args, enum kev_field f, int64_t v);

/*
 * For code that walks every arg (renderers): arg @i of @k with its field
 * from the table, or KEV_F_NR for an arg past the table's end (a newer
 * recorder's). False when @k has no arg @i.
 */
struct kevent_arg {
	enum kev_field field;
	int64_t value;
};
bool kevent_arg_at(const Kvmrec__KernelEvent *k, size_t i, struct kevent_arg *a);

/* Number of fields of @id (0 for an id the table does not describe). */
unsigned int kevent_nfields(Kvmrec__KernelEventId id);

#endif
