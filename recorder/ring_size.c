// SPDX-License-Identifier: GPL-2.0-only
/* ring_size: a ring size as a user writes it ("1M", "65536", "0x100000K"). */
#include <errno.h>
#include <stdlib.h>

#include "ring.h"

int ring_size_parse(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -EINVAL;
	/* Range-checked before the shift: 17592186044417M must not wrap to 1M. */
	if (*end == 'k' || *end == 'K') {
		if (v > RING_MAX_SIZE >> 10)
			return -EINVAL;
		v <<= 10, end++;
	} else if (*end == 'm' || *end == 'M') {
		if (v > RING_MAX_SIZE >> 20)
			return -EINVAL;
		v <<= 20, end++;
	}
	if (*end || v < RING_MIN_SIZE || v > RING_MAX_SIZE)
		return -EINVAL;
	while (v & (v - 1))
		v = (v | (v - 1)) + 1;
	*out = v;
	return 0;
}
