// SPDX-License-Identifier: GPL-2.0-only
/* kvmrec bisect: the smallest knob change that makes --check-once pass. */
#include <stdio.h>
#include <string.h>

#include "bisect.h"
#include "cli.h"

void bisect_usage(FILE *f)
{
	fprintf(f, "usage: kvmrec bisect TRACE [--model NAME]\n\n"
		   "Replays TRACE under the injection policy that reproduces it (the one the\n"
		   "trace header names, or --model), then searches the policy's knobs for the\n"
		   "smallest set of changes that makes 'replay --check-once' pass, and prints\n"
		   "it in words. Usable with 'git bisect run': 0 clean (nothing to fix), 1 the\n"
		   "trace has a violation, 125 cannot decide.\n\nKnobs:\n");
	for (int k = 0; k < KNOB_COUNT; k++)
		fprintf(f, "  %-18s %s\n", policy_knob(k)->name, policy_knob(k)->on);
	fprintf(f, "\n" KVMREC_EXIT_CODES_HELP);
}

static void print_fix(const struct policy *base, uint32_t flip, uint64_t changes,
		      const char *lead)
{
	const char *sep = "";

	printf("%s", lead);
	for (int k = 0; k < KNOB_COUNT; k++) {
		if (!((flip >> k) & 1))
			continue;
		printf("%s%s", sep, policy_has(base, k) ? policy_knob(k)->fix_off :
		       policy_knob(k)->fix_on);
		sep = "; and ";
	}
	printf(" (");
	sep = "";
	for (int k = 0; k < KNOB_COUNT; k++) {
		if ((flip >> k) & 1) {
			printf("%sknob %s: %s", sep, policy_knob(k)->name,
			       policy_has(base, k) ? "on -> off" : "off -> on");
			sep = ", ";
		}
	}
	printf("; changes %llu of the recorded pre-run decisions)\n", (unsigned long long)changes);
}

int cmd_bisect(int argc, char **argv)
{
	const struct policy *base = NULL;
	const char *path = NULL;
	struct bisect_result b;
	const struct check_once_violation *x;
	int ret;

	if (cli_wants_help(argc, argv)) {
		bisect_usage(stdout);
		return KVMREC_EXIT_OK;
	}
	for (int i = 1; i < argc; i++) {
		const char *m = NULL;

		if (!strcmp(argv[i], "--model") && i + 1 >= argc) {
			fprintf(stderr, "kvmrec bisect: --model needs a value (see --help)\n");
			return KVMREC_EXIT_USAGE;
		} else if (!strcmp(argv[i], "--model")) {
			m = argv[++i];
		} else if (!strncmp(argv[i], "--model=", 8)) {
			m = argv[i] + 8;
		}
		if (m) {
			if (!(base = policy_find(m))) {
				fprintf(stderr, "kvmrec bisect: unknown model '%s' (see replay --help)\n", m);
				return KVMREC_EXIT_USAGE;
			}
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "kvmrec bisect: unknown option '%s' (see --help)\n", argv[i]);
			return KVMREC_EXIT_USAGE;
		} else if (!path) {
			path = argv[i];
		} else {
			fprintf(stderr, "kvmrec bisect: more than one TRACE given ('%s')\n", argv[i]);
			return KVMREC_EXIT_USAGE;
		}
	}
	if (!path) {
		fprintf(stderr, "kvmrec bisect: no TRACE given (see --help)\n");
		return KVMREC_EXIT_USAGE;
	}
	ret = bisect_file(path, base, &b);
	if (ret == KVMREC_EXIT_USAGE) {
		fprintf(stderr, "kvmrec bisect: %s\n", b.recorded.error);
		return ret;
	}
	if (ret == KVMREC_EXIT_OK) {
		if (b.recorded.irqchip == CHECK_IRQCHIP_KERNEL ||
		    b.recorded.irqchip == CHECK_IRQCHIP_USERSPACE)
			printf("%s: check-once passes (irqchip %s): nothing to fix\n", path,
			       check_once_irqchip_name(b.recorded.irqchip));
		else
			printf("%s: check-once passes under %s: nothing to fix\n", path, b.base->name);
		return ret;
	}
	if (b.recorded.verdict == KVMREC_EXIT_UNDECIDED) {
		printf("%s: check-once cannot decide (%s): nothing to bisect\n", path,
		       b.recorded.undecided);
		return ret;
	}
	x = &b.recorded.first;
	if (b.recorded.irqchip == CHECK_IRQCHIP_KERNEL ||
	    b.recorded.irqchip == CHECK_IRQCHIP_USERSPACE) {
		printf("%s: check-once fails (irqchip %s): vector 0x%x (%u) on vCPU %d, delivery at seq %llu\n",
		       path, check_once_irqchip_name(b.recorded.irqchip), x->vector, x->vector,
		       x->vcpu, (unsigned long long)x->delivery.seq);
		printf("no fix: %s\n", b.why);
		return ret;
	}
	if (x->kind == CHECK_ONCE_LOST && x->wiped_by.seq)
		printf("%s: check-once fails under %s (%s): vector 0x%x (%u) on vCPU %d, requested at seq %llu, erased by the KVM_SET_LAPIC at seq %llu\n",
		       path, b.base->name, b.base_origin, x->vector, x->vector, x->vcpu,
		       (unsigned long long)x->request.seq, (unsigned long long)x->wiped_by.seq);
	else
		printf("%s: check-once fails under %s (%s): vector 0x%x (%u) on vCPU %d, %s at seq %llu\n",
		       path, b.base->name, b.base_origin, x->vector, x->vector, x->vcpu,
		       x->kind == CHECK_ONCE_LOST ? "requested" : "delivery",
		       (unsigned long long)x->delivery.seq);
	if (b.base_run_entries)
		printf("model %s against the recording: %llu divergences in %llu KVM_RUN entries\n",
		       b.base->name, (unsigned long long)b.base_divergences,
		       (unsigned long long)b.base_run_entries);
	else
		printf("the trace has no KVM_RUN records: the VMM's decisions are not in it\n");
	if (ret == KVMREC_EXIT_UNDECIDED) {
		printf("cannot bisect: %s\n", b.why);
		return ret;
	}
	printf("searched %u knob combinations\n", b.tried);
	if (!b.nfixes) {
		printf("no fix: %s\n", b.why);
		return ret;
	}
	print_fix(b.base, b.fixes[0], b.changes[0], "fix: ");
	for (unsigned int i = 1; i < b.nfixes; i++)
		print_fix(b.base, b.fixes[i], b.changes[i], "also passes, same size: ");
	return ret;
}
