/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lapic_sync: fills a LapicSync's decoded fields (irr, isr, tmr, tpr, ppr, id,
 * spiv, lvt, icr) from a 1 KiB xAPIC register page, so recorders and
 * importers agree on what the page says. The repeated fields point into
 * @words, which the caller keeps alive as long as @ls; regs/set/ret/err are
 * left alone. Returns 0, or -EINVAL if @len is short of LAPIC_PAGE_SIZE
 * (then @ls is unchanged).
 */
#ifndef KVMREC_LAPIC_SYNC_H
#define KVMREC_LAPIC_SYNC_H

#include <stddef.h>
#include <stdint.h>
#include "kvmrec.pb-c.h"

struct lapic_sync_words {
	uint32_t irr[8], isr[8], tmr[8];
	uint32_t lvt[6];         /* timer, thermal, perf, lint0, lint1, error */
};

int lapic_sync_decode(Kvmrec__LapicSync *ls, const uint8_t *page, size_t len,
		      struct lapic_sync_words *words);

#endif
