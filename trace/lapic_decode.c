// SPDX-License-Identifier: GPL-2.0-only
/* lapic_decode: the register page of KVM_GET/SET_LAPIC into LapicSync fields. */
#include <errno.h>

#include "lapic_page.h"
#include "lapic_sync.h"

int lapic_sync_decode(Kvmrec__LapicSync *ls, const uint8_t *page, size_t len,
		      struct lapic_sync_words *words)
{
	if (!page || len < LAPIC_PAGE_SIZE)
		return -EINVAL;
	lapic_page_vec256(page, LAPIC_REG_IRR, words->irr);
	lapic_page_vec256(page, LAPIC_REG_ISR, words->isr);
	lapic_page_vec256(page, LAPIC_REG_TMR, words->tmr);
	for (int i = 0; i < 6; i++)
		words->lvt[i] = lapic_page_reg(page, LAPIC_REG_LVTT + 0x10 * i);

	ls->n_irr = ls->n_isr = ls->n_tmr = 8;
	ls->irr = words->irr;
	ls->isr = words->isr;
	ls->tmr = words->tmr;
	ls->n_lvt = 6;
	ls->lvt = words->lvt;
	ls->has_tpr = ls->has_ppr = ls->has_id = ls->has_spiv = 1;
	ls->tpr = lapic_page_reg(page, LAPIC_REG_TPR);
	ls->ppr = lapic_page_reg(page, LAPIC_REG_PPR);
	ls->id = lapic_page_reg(page, LAPIC_REG_ID);
	ls->spiv = lapic_page_reg(page, LAPIC_REG_SPIV);
	ls->has_icr_lo = ls->has_icr_hi = 1;
	ls->icr_lo = lapic_page_reg(page, LAPIC_REG_ICR_LO);
	ls->icr_hi = lapic_page_reg(page, LAPIC_REG_ICR_HI);
	return 0;
}
