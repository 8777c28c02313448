// SPDX-License-Identifier: GPL-2.0-only
/*
 * kevent_table: the rows follow the KernelEventId comments in
 * proto/kvmrec.proto and the kernel's TP_STRUCT__entry() field names
 * (arch/x86/kvm/trace.h, virt/kvm/trace.h).
 */
#include <errno.h>
#include <string.h>

#include "kevent_table.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ID(x) KVMREC__KERNEL_EVENT_ID__KEV_##x
#define FIELDS(...) \
	.nfields = sizeof((enum kev_field[]){ __VA_ARGS__ }) / sizeof(enum kev_field), \
	.fields = { __VA_ARGS__ }
#define ROW(x, nm, tr, ...) [ID(x)] = { .name = nm, .id = ID(x), .traced = tr, FIELDS(__VA_ARGS__) }
/* @opt: bit i set when fields[i] is missing from some kernels' format (stored as 0). */
#define ROW_OPT(x, nm, opt, ...) \
	[ID(x)] = { .name = nm, .id = ID(x), .traced = true, .optional = opt, FIELDS(__VA_ARGS__) }
#define NO_FIELDS(x, nm) [ID(x)] = { .name = nm, .id = ID(x) }

static const struct kevent_desc table[KEVENT_ID_MAX + 1] = {
	ROW(USERSPACE_EXIT, "kvm_userspace_exit", true, KEV_F_REASON, KEV_F_ERRNO),
	ROW(EOI, "kvm_eoi", true, KEV_F_APICID, KEV_F_VECTOR),
	/* Newer kernels dropped coalesced (it was unreliable): 0 where it is missing. */
	ROW_OPT(APIC_ACCEPT_IRQ, "kvm_apic_accept_irq", 1u << 4,
		KEV_F_APICID, KEV_F_DM, KEV_F_TM, KEV_F_VEC, KEV_F_COALESCED),
	ROW(APIC, "kvm_apic", true, KEV_F_RW, KEV_F_REG, KEV_F_VAL),
	ROW(APIC_IPI, "kvm_apic_ipi", true, KEV_F_ICR_LOW, KEV_F_DEST_ID),
	ROW(MSR, "kvm_msr", true, KEV_F_WRITE, KEV_F_ECX, KEV_F_DATA, KEV_F_EXCEPTION),
	ROW(PIO, "kvm_pio", true, KEV_F_RW, KEV_F_PORT, KEV_F_SIZE, KEV_F_COUNT, KEV_F_VAL),
	ROW(MMIO, "kvm_mmio", true, KEV_F_TYPE, KEV_F_LEN, KEV_F_GPA, KEV_F_VAL),
	ROW(SET_IRQ, "kvm_set_irq", true, KEV_F_GSI, KEV_F_LEVEL, KEV_F_IRQ_SOURCE_ID),
	ROW(MSI_SET_IRQ, "kvm_msi_set_irq", true, KEV_F_ADDRESS, KEV_F_DATA),
	ROW(IOAPIC_SET_IRQ, "kvm_ioapic_set_irq", true, KEV_F_E, KEV_F_PIN, KEV_F_COALESCED),
	ROW(PIC_SET_IRQ, "kvm_pic_set_irq", true,
	    KEV_F_CHIP, KEV_F_PIN, KEV_F_ELCR, KEV_F_IMR, KEV_F_COALESCED),
	ROW(INJ_VIRQ, "kvm_inj_virq", true, KEV_F_IRQ, KEV_F_SOFT, KEV_F_REINJECTED),
	ROW(ENTRY, "kvm_entry", true, KEV_F_VCPU_ID, KEV_F_RIP),
	ROW(EXIT, "kvm_exit", true, KEV_F_EXIT_REASON, KEV_F_GUEST_RIP, KEV_F_ISA,
	    KEV_F_INFO1, KEV_F_INFO2, KEV_F_INTR_INFO, KEV_F_ERROR_CODE),
	/* No tracepoint of these names: kept so that old traces keep their names. */
	NO_FIELDS(INJ_NMI, "kvm_inj_nmi"),
	NO_FIELDS(APIC_ACCEPT_IRQ_OLD, "kvm_apic_accept_irq_old"),
};

#define FIELD_NAME(id, name, hex) [KEV_F_##id] = name,
static const char *const field_names[KEV_F_NR] = { KEVENT_FIELDS(FIELD_NAME) };
#define FIELD_HEX(id, name, hex) [KEV_F_##id] = hex,
static const bool field_hex[KEV_F_NR] = { KEVENT_FIELDS(FIELD_HEX) };

const struct kevent_desc *kevent_desc(Kvmrec__KernelEventId id)
{
	/* Ids from a newer recorder, or a hole in the table, have no row. */
	if ((unsigned int)id < ARRAY_SIZE(table) && table[id].name)
		return &table[id];
	return NULL;
}

const struct kevent_desc *kevent_desc_next(const struct kevent_desc *d)
{
	for (size_t i = d ? (size_t)(d - table) + 1 : 0; i < ARRAY_SIZE(table); i++)
		if (table[i].name)
			return &table[i];
	return NULL;
}

const char *trace_kevent_name(Kvmrec__KernelEventId id)
{
	const struct kevent_desc *d = kevent_desc(id);

	return d ? d->name : "unknown";
}

Kvmrec__KernelEventId trace_kevent_parse(const char *name)
{
	if (!strncmp(name, "kvm:", 4))
		name += 4;
	for (const struct kevent_desc *d = kevent_desc_next(NULL); d; d = kevent_desc_next(d))
		if (!strcmp(name, d->name))
			return d->id;
	return KVMREC__KERNEL_EVENT_ID__KEV_UNKNOWN;
}

const char *kevent_field_name(enum kev_field f)
{
	return (unsigned int)f < KEV_F_NR ? field_names[f] : "?";
}

bool kevent_field_hex(enum kev_field f)
{
	return (unsigned int)f < KEV_F_NR && field_hex[f];
}

const char *kevent_field_alt(enum kev_field f)
{
	return f == KEV_F_IRQ ? "vector" : "";
}

/*
 * Every field's position in every row, -1 where it has none: the replayer
 * and the readers' reference expansion ask several times per event, so a
 * lookup is one load (kevent_get() is inline), not a walk of the row. Built
 * from the table when the program (or the interposer) is loaded, before any
 * thread can ask.
 */
int8_t kevent_pos_table[KEVENT_ID_MAX + 1][KEV_F_NR];

_Static_assert(ARRAY_SIZE(table) == KEVENT_ID_MAX + 1, "a row for every id up to KEVENT_ID_MAX");

__attribute__((constructor)) static void field_pos_build(void)
{
	memset(kevent_pos_table, -1, sizeof(kevent_pos_table));
	for (size_t id = 0; id < ARRAY_SIZE(table); id++)
		for (unsigned int i = table[id].nfields; i-- > 0;)
			if (table[id].name && (unsigned int)table[id].fields[i] < KEV_F_NR)
				kevent_pos_table[id][table[id].fields[i]] = (int8_t)i;
}

static inline int field_pos_of(Kvmrec__KernelEventId id, enum kev_field f)
{
	if ((unsigned int)id >= ARRAY_SIZE(table) || (unsigned int)f >= KEV_F_NR)
		return -1;
	return kevent_pos_table[id][f];
}

int kevent_field_pos(Kvmrec__KernelEventId id, enum kev_field f)
{
	return field_pos_of(id, f);
}

unsigned int kevent_nfields(Kvmrec__KernelEventId id)
{
	const struct kevent_desc *d = kevent_desc(id);

	return d ? d->nfields : 0;
}

int64_t kevent_args_get(Kvmrec__KernelEventId id, const int64_t *args, size_t n,
			enum kev_field f, int64_t def)
{
	int pos = field_pos_of(id, f);

	return pos >= 0 && (size_t)pos < n ? args[pos] : def;
}

int64_t kevent_get_named(const Kvmrec__KernelEvent *k, enum kev_field f, int64_t def)
{
	const char *name;

	if ((unsigned int)f >= KEV_F_NR)
		return def;
	name = kevent_field_name(f);
	for (size_t i = 0; i < k->n_fields; i++)
		if (k->fields[i]->name && !strcmp(k->fields[i]->name, name))
			return k->fields[i]->value;
	return def;
}

int kevent_args_set(Kvmrec__KernelEventId id, int64_t *args, enum kev_field f, int64_t v)
{
	int pos = field_pos_of(id, f);

	if (pos < 0)
		return -EINVAL;
	args[pos] = v;
	return 0;
}

bool kevent_arg_at(const Kvmrec__KernelEvent *k, size_t i, struct kevent_arg *a)
{
	const struct kevent_desc *d = kevent_desc(k->id);

	if (i >= k->n_args)
		return false;
	a->field = d && i < d->nfields ? d->fields[i] : KEV_F_NR;
	a->value = k->args[i];
	return true;
}
