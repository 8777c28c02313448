/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * apic_dest: which local APICs an IPI or MSI reaches, decoded as the
 * hardware does (SDM vol. 3 §10.6.2): physical by APIC ID, logical flat and
 * cluster by LDR under DFR, x2APIC physical and cluster, the shorthands
 * (self, all including self, all excluding self) and broadcast.
 *
 * The caller keeps one struct apic_dest_id per vCPU, filled from what the
 * trace shows (the LAPIC ID, LDR and DFR registers of KVM_GET/SET_LAPIC, the
 * guest's writes to them, IA32_APIC_BASE); until then a vCPU has APIC ID =
 * its index, LDR 0 and the flat model, as after reset. Pure functions, no
 * allocation, total.
 */
#ifndef KVMREC_APIC_DEST_H
#define KVMREC_APIC_DEST_H

#include <stdbool.h>
#include <stdint.h>

struct apic_dest_id {
	uint32_t id;		/* APIC ID: 8 bits in xAPIC mode, 32 in x2APIC */
	uint32_t ldr;		/* logical destination register, as read */
	uint32_t dfr;		/* destination format (bits 31:28: 0xf flat, 0 cluster) */
	bool x2apic;		/* IA32_APIC_BASE.EXTD */
};

void apic_dest_reset(struct apic_dest_id *d, uint32_t index);
/* x2APIC mode switched on or off; x2APIC's LDR follows from the ID. */
void apic_dest_set_x2apic(struct apic_dest_id *d, bool on);
/* The ID register as the LAPIC page shows it (xAPIC: bits 31:24). */
void apic_dest_set_id_reg(struct apic_dest_id *d, uint32_t reg);

enum apic_shorthand {
	APIC_SH_NONE = 0,
	APIC_SH_SELF = 1,
	APIC_SH_ALL = 2,
	APIC_SH_OTHERS = 3,
};

struct apic_dest_msg {
	enum apic_shorthand shorthand;
	bool logical;		/* destination mode */
	bool x2apic;		/* @dest is a 32-bit x2APIC destination */
	uint32_t dest;
	uint32_t self;		/* index of the sender, for the shorthands */
};

/*
 * Bit i of the result: vCPU i (of @n, at most 64, those with bit i of
 * @present) is a destination of @m.
 */
uint64_t apic_dest_match(const struct apic_dest_id *ids, unsigned int n, uint64_t present,
			 const struct apic_dest_msg *m);

#endif
