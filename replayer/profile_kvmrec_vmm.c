// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvmrec-vmm (docs/vmm.md): its --policy names the injection rule it ran
 * with, and its PIC lines move only through the guest's test port, whose
 * writes the trace holds as IO exits.
 */
#include <stdio.h>
#include <string.h>

#include "profile.h"
/* The VMM's guest ABI is the one definition of its test port. */
#include "../vmm/guest_abi.h"

/* kvmrec-vmm's --policy values (vmm/main.c) and the models that describe them. */
static const struct {
	const char *arg, *model;
} policies[] = {
	{ "qemu-2.7", "qemu-2.7" },
	{ "fixed", "qemu-fixed" },
	{ "stale-setlapic", "stale-setlapic" },
};

static bool kvmrec_vmm_match(const Kvmrec__Header *h)
{
	return strstr(profile_argv0_base(h), "kvmrec-vmm") != NULL;
}

/* --policy VALUE / --policy=VALUE from the recorded argv; the last wins. */
static const char *argv_policy_arg(const Kvmrec__Header *h)
{
	const char *pol = NULL;

	for (size_t i = 1; i < h->n_vmm_argv; i++) {
		const char *a = h->vmm_argv[i];

		if (!strcmp(a, "--"))
			break;
		if (!strcmp(a, "--policy") && i + 1 < h->n_vmm_argv)
			pol = h->vmm_argv[++i];
		else if (!strncmp(a, "--policy=", 9))
			pol = a + 9;
	}
	return pol;
}

static const struct policy *kvmrec_vmm_policy(const Kvmrec__Header *h, char *why, size_t len)
{
	const char *pol = argv_policy_arg(h);

	for (size_t i = 0; pol && i < sizeof(policies) / sizeof(policies[0]); i++) {
		if (!strcmp(pol, policies[i].arg)) {
			snprintf(why, len, "trace header: kvmrec-vmm --policy %s", pol);
			return policy_find(policies[i].model);
		}
	}
	snprintf(why, len, "trace header: kvmrec-vmm, its default --policy fixed");
	return policy_find("qemu-fixed");
}

/* A 32-bit TESTDEV_CMD(op, chip, line): PIC lines raised, lowered or pulsed. */
static int kvmrec_vmm_port_out(uint32_t port, const uint8_t *b, size_t len,
			       struct profile_line lines[2])
{
	uint32_t cmd;
	unsigned int op, chip, line;

	if (port != GUEST_TESTDEV_IRQ_PORT || len < 4)
		return -1;
	cmd = b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
	op = (cmd >> 16) & 0xff;
	chip = (cmd >> 8) & 0xff;
	line = cmd & 0xff;
	if (chip != TESTDEV_CHIP_PIC)
		return 0;
	switch (op) {
	case TESTDEV_OP_LOWER:
	case TESTDEV_OP_RAISE:
		lines[0] = (struct profile_line){ line, op == TESTDEV_OP_RAISE };
		return 1;
	case TESTDEV_OP_PULSE:
		lines[0] = (struct profile_line){ line, true };
		lines[1] = (struct profile_line){ line, false };
		return 2;
	}
	return 0;
}

const struct vmm_profile profile_kvmrec_vmm = {
	.name = "kvmrec-vmm",
	.match = kvmrec_vmm_match,
	.argv_policy = kvmrec_vmm_policy,
	.default_model = "qemu-fixed",
	.pic_lines_in_trace = true,
	.port_out = kvmrec_vmm_port_out,
};
