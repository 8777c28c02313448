// SPDX-License-Identifier: GPL-2.0-only
/*
 * view_synth: writes a seed-shaped synthetic trace for the CLI scenario
 * tests. usage: view_synth OUT qemu-2.7|fixed|linux-irq0 SEED [--drops N] [--no-footer] [--future]
 * Prints the seq of the duplicate KVM_INTERRUPT (0 under "fixed").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "seed_trace.h"

int main(int argc, char **argv)
{
	struct seed_trace_opts o = { .loops = 20 };
	uint64_t dup = 0;

	if (argc < 4) {
		fprintf(stderr, "usage: view_synth OUT qemu-2.7|fixed|linux-irq0 SEED [--drops N] [--no-footer] [--future]\n");
		return 2;
	}
	o.qemu27 = !strcmp(argv[2], "qemu-2.7");
	o.linux_irq0 = !strcmp(argv[2], "linux-irq0");
	o.ts_seed = strtoull(argv[3], NULL, 0);
	for (int i = 4; i < argc; i++) {
		if (!strcmp(argv[i], "--drops") && i + 1 < argc)
			o.drops = (unsigned int)strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--future"))
			o.future = true;
		else if (!strcmp(argv[i], "--no-footer"))
			o.no_footer = true;
		else if (!strcmp(argv[i], "--loops") && i + 1 < argc)
			o.loops = (unsigned int)strtoul(argv[++i], NULL, 0);
	}
	int ret = seed_trace_write(argv[1], &o, &dup);
	if (ret < 0) {
		fprintf(stderr, "view_synth: %s: %s\n", argv[1], strerror(-ret));
		return 1;
	}
	printf("%llu\n", (unsigned long long)dup);
	return 0;
}
