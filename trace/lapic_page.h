/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lapic_page: decoding of the 1 KiB xAPIC register page of struct
 * kvm_lapic_state (KVM_GET_LAPIC / KVM_SET_LAPIC). Used by the recorder to fill
 * LapicSync and by readers that only have the page.
 */
#ifndef KVMREC_LAPIC_PAGE_H
#define KVMREC_LAPIC_PAGE_H

#include <stdbool.h>
#include <stdint.h>

#define LAPIC_PAGE_SIZE 1024

#define LAPIC_REG_ID    0x20
#define LAPIC_REG_TPR   0x80
#define LAPIC_REG_PPR   0xa0
#define LAPIC_REG_EOI   0xb0
#define LAPIC_REG_LDR   0xd0
#define LAPIC_REG_SPIV  0xf0
#define LAPIC_REG_ISR   0x100
#define LAPIC_REG_TMR   0x180
#define LAPIC_REG_IRR   0x200
#define LAPIC_REG_ICR_LO 0x300
#define LAPIC_REG_ICR_HI 0x310
#define LAPIC_REG_LVTT  0x320
#define LAPIC_REG_TMCCT 0x390

static inline uint32_t lapic_page_reg(const uint8_t *page, uint32_t off)
{
	uint32_t v;
	__builtin_memcpy(&v, page + off, 4);
	return v;
}

/* The 256-bit IRR/ISR/TMR as 8 words, word i covering vectors 32*i..32*i+31. */
static inline void lapic_page_vec256(const uint8_t *page, uint32_t base, uint32_t out[8])
{
	for (int i = 0; i < 8; i++)
		out[i] = lapic_page_reg(page, base + 0x10 * i);
}

static inline bool lapic_vec256_test(const uint32_t *words, unsigned int vec)
{
	return (words[vec / 32] >> (vec % 32)) & 1;
}

/* Highest set vector, or -1. */
static inline int lapic_vec256_highest(const uint32_t *words, unsigned int nwords)
{
	for (int i = (int)nwords - 1; i >= 0; i--)
		if (words[i])
			return i * 32 + 31 - __builtin_clz(words[i]);
	return -1;
}

#endif
