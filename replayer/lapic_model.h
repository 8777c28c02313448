/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lapic_model: the in-kernel LAPIC of one vCPU as the trace shows it: IRR set
 * when a vector is accepted, IRR -> ISR when the kernel delivers it, ISR
 * cleared on EOI, TPR from register writes, CR8 and KVM_SET_LAPIC.
 *
 * Pure state, no allocation; every function is total. The model believes the
 * trace: an EOI of a vector the model did not have in service is applied,
 * and lapic_model_eoi() says so by returning false.
 */
#ifndef KVMREC_LAPIC_MODEL_H
#define KVMREC_LAPIC_MODEL_H

#include <stdbool.h>
#include <stdint.h>

struct lapic_model {
	uint32_t irr[8];
	uint32_t isr[8];
	uint8_t tpr;
};

static inline bool lapic_vec_test(const uint32_t *w, unsigned int v)
{
	return (w[(v >> 5) & 7] >> (v & 31)) & 1;
}

static inline void lapic_vec_set(uint32_t *w, unsigned int v, bool on)
{
	if (on)
		w[(v >> 5) & 7] |= 1u << (v & 31);
	else
		w[(v >> 5) & 7] &= ~(1u << (v & 31));
}

void lapic_model_init(struct lapic_model *m);
/* Accept @vec into IRR; returns true if it was already pending (coalesced). */
bool lapic_model_accept(struct lapic_model *m, uint8_t vec);
/* The kernel delivered @vec: IRR -> ISR. */
void lapic_model_deliver(struct lapic_model *m, uint8_t vec);
/* EOI of @vec (-1: nothing in service). False if @vec was not in the model's ISR. */
bool lapic_model_eoi(struct lapic_model *m, int vec);
void lapic_model_set_tpr(struct lapic_model *m, uint8_t tpr);
uint8_t lapic_model_ppr(const struct lapic_model *m);
/* Take all of IRR/ISR/TPR from a register page (KVM_SET_LAPIC). */
void lapic_model_load(struct lapic_model *m, const uint32_t irr[8],
		      const uint32_t isr[8], uint8_t tpr);

#endif
