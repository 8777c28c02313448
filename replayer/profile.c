// SPDX-License-Identifier: GPL-2.0-only
/* The one place a VMM profile is chosen from the trace header (profile.h). */
#include <string.h>

#include "profile.h"

/* First match wins; the generic profile matches everything and comes last. */
static const struct vmm_profile *const profiles[] = {
	&profile_kvmrec_vmm, &profile_qemu, &profile_generic,
};

const char *profile_argv0_base(const Kvmrec__Header *h)
{
	const char *argv0 = h->n_vmm_argv && h->vmm_argv[0] ? h->vmm_argv[0] : "";
	const char *slash = strrchr(argv0, '/');

	return slash ? slash + 1 : argv0;
}

const struct vmm_profile *profile_choose(const Kvmrec__Header *h)
{
	for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++)
		if (profiles[i]->match(h))
			return profiles[i];
	return &profile_generic;
}

int profile_port_out(const struct vmm_profile *p, uint32_t port, const uint8_t *data,
		     size_t len, struct profile_line lines[2])
{
	return p->port_out ? p->port_out(port, data, len, lines) : -1;
}
