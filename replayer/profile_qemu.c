// SPDX-License-Identifier: GPL-2.0-only
/*
 * QEMU: the injection models are written from its kvm_arch_pre_run()
 * (policy.c). Its argv says nothing of the version's injection rule, so the
 * model is current QEMU's (qemu-fixed) unless --model names qemu-2.7. Its
 * PIC lines are driven by devices (PIT, serial, IOAPIC) whose changes a
 * split-irqchip recording does not hold, and it has no private port that
 * shows them.
 */
#include <string.h>

#include "profile.h"

static bool qemu_match(const Kvmrec__Header *h)
{
	const char *base = profile_argv0_base(h);

	return !strncmp(base, "qemu-system-", 12) || !strcmp(base, "qemu-kvm");
}

const struct vmm_profile profile_qemu = {
	.name = "qemu",
	.match = qemu_match,
	.default_model = "qemu-fixed",
};
