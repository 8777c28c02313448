// SPDX-License-Identifier: GPL-2.0-only
#include <string.h>

#include "pit8254.h"

void pit_init(struct pit8254 *p)
{
	memset(p, 0, sizeof(*p));
}

static uint64_t edges_since_load(const struct pit8254 *p, uint64_t ts_ns)
{
	unsigned __int128 ticks;

	if (!p->running)
		return 0;
	/* Modes 2 and 3 (6 and 7 alias them) repeat; the others fire once. */
	if (p->mode != 2 && p->mode != 3)
		return 1;
	if (ts_ns < p->load_ns)
		return 1;
	ticks = (unsigned __int128)(ts_ns - p->load_ns) * PIT_HZ;
	return (uint64_t)(ticks / ((unsigned __int128)p->count * 1000000000u)) + 1;
}

uint64_t pit_edges(const struct pit8254 *p, uint64_t ts_ns)
{
	return p->banked + edges_since_load(p, ts_ns);
}

static void load(struct pit8254 *p, uint32_t count, uint64_t ts_ns)
{
	p->banked += edges_since_load(p, ts_ns);
	p->count = count ? count : 65536;
	p->running = true;
	p->load_ns = ts_ns;
}

bool pit_ioport_write(struct pit8254 *p, uint16_t port, uint8_t val, uint64_t ts_ns)
{
	if (port == 0x43) {
		/* Channel 0 only; access 0 is a counter latch, not a mode change. */
		if ((val >> 6) != 0 || !((val >> 4) & 3))
			return true;
		p->banked += edges_since_load(p, ts_ns);
		p->running = false;
		p->access = (val >> 4) & 3;
		p->mode = (val >> 1) & 7;
		if (p->mode > 5)
			p->mode -= 4;
		p->msb_next = false;
		return true;
	}
	if (port != 0x40)
		return false;
	switch (p->access) {
	case 1:
		load(p, val, ts_ns);
		break;
	case 2:
		load(p, (uint32_t)val << 8, ts_ns);
		break;
	case 3:
		if (!p->msb_next) {
			p->partial = val;
			p->msb_next = true;
		} else {
			p->msb_next = false;
			load(p, p->partial | (uint32_t)val << 8, ts_ns);
		}
		break;
	default:
		break;
	}
	return true;
}
