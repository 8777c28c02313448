// SPDX-License-Identifier: GPL-2.0-only
/* bisect_print: `kvmrec bisect`'s report of a bisect_result, in words. */
#include <stdio.h>

#include "bisect.h"

static void print_fix(FILE *f, const struct policy *base, uint32_t flip, uint64_t changes,
		      const char *lead)
{
	const char *sep = "";

	fprintf(f, "%s", lead);
	for (int k = 0; k < KNOB_COUNT; k++) {
		if (!((flip >> k) & 1))
			continue;
		fprintf(f, "%s%s", sep, policy_has(base, k) ? policy_knob(k)->fix_off :
			policy_knob(k)->fix_on);
		sep = "; and ";
	}
	fprintf(f, " (");
	sep = "";
	for (int k = 0; k < KNOB_COUNT; k++) {
		if ((flip >> k) & 1) {
			fprintf(f, "%sknob %s: %s", sep, policy_knob(k)->name,
				policy_has(base, k) ? "on -> off" : "off -> on");
			sep = ", ";
		}
	}
	fprintf(f, "; changes %llu of the recorded pre-run decisions)\n",
		(unsigned long long)changes);
}

static bool kernel_or_userspace(const struct bisect_result *b)
{
	return b->recorded.irqchip == CHECK_IRQCHIP_KERNEL ||
	       b->recorded.irqchip == CHECK_IRQCHIP_USERSPACE;
}

/* The first line of a trace that fails: what failed, under which model. */
static void print_failure(FILE *f, const struct bisect_result *b, const char *path)
{
	const struct check_once_violation *x = &b->recorded.first;

	if (x->kind == CHECK_ONCE_LOST && x->wiped_by.seq)
		fprintf(f, "%s: check-once fails under %s (%s): vector 0x%x (%u) on vCPU %d, requested at seq %llu, erased by the KVM_SET_LAPIC at seq %llu\n",
			path, b->base->name, b->base_origin, x->vector, x->vector, x->vcpu,
			(unsigned long long)x->request.seq, (unsigned long long)x->wiped_by.seq);
	else
		fprintf(f, "%s: check-once fails under %s (%s): vector 0x%x (%u) on vCPU %d, %s at seq %llu\n",
			path, b->base->name, b->base_origin, x->vector, x->vector, x->vcpu,
			x->kind == CHECK_ONCE_LOST ? "requested" : "delivery",
			(unsigned long long)x->delivery.seq);
	if (b->base_run_entries)
		fprintf(f, "model %s against the recording: %llu divergences in %llu KVM_RUN entries\n",
			b->base->name, (unsigned long long)b->base_divergences,
			(unsigned long long)b->base_run_entries);
	else
		fprintf(f, "the trace has no KVM_RUN records: the VMM's decisions are not in it\n");
}

void bisect_print(const struct bisect_result *b, int verdict, FILE *f, const char *path)
{
	const struct check_once_violation *x = &b->recorded.first;

	if (verdict == 0) {
		if (kernel_or_userspace(b))
			fprintf(f, "%s: check-once passes (irqchip %s): nothing to fix\n", path,
				check_once_irqchip_name(b->recorded.irqchip));
		else
			fprintf(f, "%s: check-once passes under %s: nothing to fix\n", path,
				b->base->name);
		return;
	}
	if (b->recorded.verdict == 125) {
		fprintf(f, "%s: check-once cannot decide (%s): nothing to bisect\n", path,
			b->recorded.undecided);
		return;
	}
	if (kernel_or_userspace(b)) {
		fprintf(f, "%s: check-once fails (irqchip %s): vector 0x%x (%u) on vCPU %d, delivery at seq %llu\n",
			path, check_once_irqchip_name(b->recorded.irqchip), x->vector, x->vector,
			x->vcpu, (unsigned long long)x->delivery.seq);
		fprintf(f, "no fix: %s\n", b->why);
		return;
	}
	print_failure(f, b, path);
	if (verdict == 125) {
		fprintf(f, "cannot bisect: %s\n", b->why);
		return;
	}
	fprintf(f, "searched %u knob combinations\n", b->tried);
	if (!b->nfixes) {
		fprintf(f, "no fix: %s\n", b->why);
		return;
	}
	print_fix(f, b->base, b->fixes[0], b->changes[0], "fix: ");
	for (unsigned int i = 1; i < b->nfixes; i++)
		print_fix(f, b->base, b->fixes[i], b->changes[i], "also passes, same size: ");
}
