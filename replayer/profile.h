/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * profile: what the checker knows about one VMM, and nothing else does
 * (docs/design.md §4). A profile recognises its VMM from the trace header's
 * argv, says which injection policy the VMM ran with when its argv names
 * one, and decodes the VMM's private ports into PIC line changes the trace
 * would otherwise lack. One file per VMM (profile_kvmrec_vmm.c,
 * profile_qemu.c); profile_generic.c knows nothing private and describes
 * any other VMM. profile_choose() picks one from the header and never fails.
 */
#ifndef KVMREC_PROFILE_H
#define KVMREC_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy.h"
#include "trace_event.h"

/* One PIC input line change a private port write makes. */
struct profile_line {
	unsigned int irq;	/* 0-15 of the dual 8259 */
	bool level;
};

struct vmm_profile {
	const char *name;	/* "kvmrec-vmm", "qemu", "generic" */
	/* The header's VMM is this one. */
	bool (*match)(const Kvmrec__Header *h);
	/*
	 * The policy the VMM ran with as its recorded argv says (or the VMM's
	 * own default when argv names none), @why set to where it came from
	 * ("trace header: ..."). NULL member: this VMM's argv never names its
	 * injection rule, and the replay falls back to default_model.
	 */
	const struct policy *(*argv_policy)(const Kvmrec__Header *h, char *why, size_t len);
	/* policy_find() name of the model used when argv_policy is NULL. */
	const char *default_model;
	/*
	 * Every change of a PIC input line is a write to a private port that
	 * the trace holds as an exit, so the PIC's inputs are all in the trace.
	 */
	bool pic_lines_in_trace;
	/*
	 * Decodes an OUT of @len bytes to @port into @lines, in order, and
	 * returns how many (0-2), or -1 when @port is not private to this VMM.
	 * NULL member: the VMM has no private ports.
	 */
	int (*port_out)(uint32_t port, const uint8_t *data, size_t len,
			struct profile_line lines[2]);
};

extern const struct vmm_profile profile_kvmrec_vmm, profile_qemu, profile_generic;

/* The profile of the VMM @h names; profile_generic when none matches. */
const struct vmm_profile *profile_choose(const Kvmrec__Header *h);
/* The base name of the header's argv[0], "" when the header has no argv. */
const char *profile_argv0_base(const Kvmrec__Header *h);
/* @p->port_out, or -1 when @p has no private ports. */
int profile_port_out(const struct vmm_profile *p, uint32_t port, const uint8_t *data,
		     size_t len, struct profile_line lines[2]);

#endif
