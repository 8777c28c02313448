// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>
#include <string.h>

#include "bisect.h"
#include "replay.h"

static int run(const char *path, const struct policy *p, bool what_if,
	       struct check_once_result *res, struct bisect_result *out, uint64_t *changes)
{
	struct replay_opts opts = { .model = p, .what_if = what_if };
	struct replay *r;
	int ret = replay_file(path, &opts, &r);

	if (!r) {
		snprintf(res->error, sizeof(res->error), "%s: out of memory", path);
		return 2;
	}
	*res = *replay_result(r);
	if (changes)
		*changes = replay_divergences(r) + replay_window_divergences(r);
	if (out && replay_model(r)) {
		out->base_divergences = replay_divergences(r);
		out->base_run_entries = replay_run_exits(r);
		out->base = replay_model(r);
		snprintf(out->base_origin, sizeof(out->base_origin), "%s", replay_model_origin(r));
	}
	replay_free(r);
	return ret;
}

int bisect_file(const char *path, const struct policy *base, struct bisect_result *out)
{
	struct check_once_result res;
	struct policy trial;
	int ret;

	memset(out, 0, sizeof(*out));
	ret = run(path, base, false, &out->recorded, out, NULL);
	if (ret != 1)
		return ret;
	if (out->recorded.irqchip == CHECK_IRQCHIP_KERNEL ||
	    out->recorded.irqchip == CHECK_IRQCHIP_USERSPACE) {
		/* The knobs are a split-irqchip VMM's: nothing of theirs ran here. */
		snprintf(out->why, sizeof(out->why),
			 "the trace's irqchip is %s: the knobs describe a userspace PIC beside an "
			 "in-kernel LAPIC (split), which this VM did not have",
			 check_once_irqchip_name(out->recorded.irqchip));
		return 1;
	}

	ret = run(path, out->base, true, &res, NULL, NULL);
	out->what_if_verdict = ret;
	if (ret != 1) {
		snprintf(out->why, sizeof(out->why),
			 "the %s model does not reproduce the violation when it decides the injections "
			 "(what-if verdict %d): the trace lacks the VMM's KVM_RUN entries or the "
			 "violation is not the VMM's", out->base->name, ret);
		return 125;
	}
	for (unsigned int size = 1; size <= KNOB_COUNT && !out->nfixes; size++) {
		for (uint32_t flip = 1; flip < (1u << KNOB_COUNT); flip++) {
			uint64_t changes;
			unsigned int at;

			if ((unsigned int)__builtin_popcount(flip) != size)
				continue;
			trial = *out->base;
			trial.knobs ^= flip;
			out->tried++;
			if (run(path, &trial, true, &res, NULL, &changes) != 0 ||
			    out->nfixes == BISECT_MAX_FIXES)
				continue;
			/* Fewest changed decisions first; knob order breaks ties. */
			for (at = out->nfixes; at > 0 && out->changes[at - 1] > changes; at--) {
				out->fixes[at] = out->fixes[at - 1];
				out->changes[at] = out->changes[at - 1];
			}
			out->fixes[at] = flip;
			out->changes[at] = changes;
			out->nfixes++;
		}
	}
	if (!out->nfixes)
		snprintf(out->why, sizeof(out->why),
			 "no combination of the %d knobs makes check-once pass: the violation is "
			 "not in the VMM's injection policy as modelled", KNOB_COUNT);
	return 1;
}
