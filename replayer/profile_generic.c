// SPDX-License-Identifier: GPL-2.0-only
/*
 * Any other VMM (or a header without argv): nothing private is known. The
 * replay compares it with the only userspace-PIC model there is, current
 * QEMU's (qemu-fixed), and takes no PIC line change from a port write.
 */
#include "profile.h"

static bool generic_match(const Kvmrec__Header *h)
{
	(void)h;
	return true;
}

const struct vmm_profile profile_generic = {
	.name = "generic",
	.match = generic_match,
	.default_model = "qemu-fixed",
};
