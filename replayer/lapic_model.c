// SPDX-License-Identifier: GPL-2.0-only
#include <string.h>

#include "lapic_model.h"
#include "lapic_page.h"

void lapic_model_init(struct lapic_model *m)
{
	memset(m, 0, sizeof(*m));
}

bool lapic_model_accept(struct lapic_model *m, uint8_t vec)
{
	bool was = lapic_vec_test(m->irr, vec);

	lapic_vec_set(m->irr, vec, true);
	return was;
}

void lapic_model_deliver(struct lapic_model *m, uint8_t vec)
{
	lapic_vec_set(m->irr, vec, false);
	lapic_vec_set(m->isr, vec, true);
}

bool lapic_model_eoi(struct lapic_model *m, int vec)
{
	bool had;

	if (vec < 0)
		vec = lapic_vec256_highest(m->isr, 8);
	if (vec < 0)
		return true;
	had = lapic_vec_test(m->isr, vec);
	lapic_vec_set(m->isr, vec, false);
	return had;
}

void lapic_model_set_tpr(struct lapic_model *m, uint8_t tpr)
{
	m->tpr = tpr;
}

uint8_t lapic_model_ppr(const struct lapic_model *m)
{
	int isrv = lapic_vec256_highest(m->isr, 8);

	if (isrv < 0)
		isrv = 0;
	return (m->tpr >> 4) >= (isrv >> 4) ? m->tpr : (isrv & 0xf0);
}

void lapic_model_load(struct lapic_model *m, const uint32_t irr[8],
		      const uint32_t isr[8], uint8_t tpr)
{
	memcpy(m->irr, irr, sizeof(m->irr));
	memcpy(m->isr, isr, sizeof(m->isr));
	m->tpr = tpr;
}
